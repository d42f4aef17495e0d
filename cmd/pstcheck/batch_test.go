package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type jsonRun struct {
	Files []struct {
		Path     string `json:"path"`
		Verdict  string `json:"verdict"`
		Problems []struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		} `json:"problems"`
	} `json:"files"`
	Summary map[string]int `json:"summary"`
}

// A file that makes its scanner fail in any way (panic, exit, running out
// of memory, hanging) costs only that file: every other file's result is
// in the report, and the failed one is an "error" with SCAN-ABORTED.
func TestBatchSurvivesScannerFailures(t *testing.T) {
	dir := t.TempDir()
	copySample(t, "support.pst", dir, "a-support.pst")
	copySample(t, "32-bit.pst", dir, "b-ansi.pst")
	copySample(t, "support.pst", dir, "c-victim.pst")
	copySample(t, "32-bit.pst", dir, "d-ansi.pst")
	cases := []struct{ fault, memory string }{
		{fault: "panic:victim"},
		{fault: "exit:victim"},
		{fault: "oom:victim", memory: "100000000"},
		{fault: "hang:victim"},
	}
	old := silence
	silence = 3 * time.Second
	defer func() { silence = old }()
	for _, c := range cases {
		t.Run(c.fault, func(t *testing.T) {
			t.Setenv(envFault, c.fault)
			if c.memory != "" {
				t.Setenv(envMemory, c.memory)
			}
			ios, stdout, _ := testIO(false)
			status := runCLI(ios, "scan", "--format", "json", "--jobs", "2", dir)
			if status != 2 {
				t.Errorf("exit status %d, want 2 (a file could not be scanned)", status)
			}
			var run jsonRun
			if err := json.Unmarshal(stdout.Bytes(), &run); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if len(run.Files) != 4 {
				t.Fatalf("%d files in the report, want 4", len(run.Files))
			}
			for _, f := range run.Files {
				victim := filepath.Base(f.Path) == "c-victim.pst"
				switch {
				case victim && (f.Verdict != "error" || len(f.Problems) == 0 || f.Problems[0].Code != "SCAN-ABORTED"):
					t.Errorf("%s: verdict %s %+v, want error with SCAN-ABORTED", f.Path, f.Verdict, f.Problems)
				case victim:
					t.Logf("%s: %s", filepath.Base(f.Path), f.Problems[0].Detail)
				case f.Verdict != "healthy":
					t.Errorf("%s: verdict %s, want healthy", f.Path, f.Verdict)
				}
			}
			if run.Summary["healthy"] != 3 || run.Summary["errors"] != 1 {
				t.Errorf("summary %v", run.Summary)
			}
		})
	}
}

// A batch on a terminal shows one bar for all its files: bytes, and files
// done of all.
func TestBatchProgressIsOneBar(t *testing.T) {
	dir := t.TempDir()
	copySample(t, "support.pst", dir, "a.pst")
	copySample(t, "32-bit.pst", dir, "b.pst")
	copySample(t, "support.pst", dir, "c.pst")
	ios, _, stderr := testIO(true)
	if status := runCLI(ios, "scan", "--jobs", "2", dir); status != 0 {
		t.Fatalf("exit status %d", status)
	}
	// The bar redraws at most every 100 ms, so a quick batch shows its
	// start; it never names one file as the single-file bar does.
	out := stderr.String()
	if !strings.Contains(out, "0/3 files") || !strings.Contains(out, "2.1 MB") {
		t.Errorf("progress is not one bar for 3 files and 2.1 MB: %q", out)
	}
	if strings.Contains(out, "a.pst") {
		t.Errorf("the batch bar names a file: %q", out)
	}
}
