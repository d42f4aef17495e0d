package main

import (
	"strings"
	"testing"
)

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
	if !strings.Contains(out, "0/3 files") || !strings.Contains(out, "2.0 MiB") {
		t.Errorf("progress is not one bar for 3 files and 2.0 MiB: %q", out)
	}
	if strings.Contains(out, "a.pst") {
		t.Errorf("the batch bar names a file: %q", out)
	}
}
