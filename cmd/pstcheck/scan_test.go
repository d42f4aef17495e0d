package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

func TestNewCmdScan(t *testing.T) {
	cpus := runtime.NumCPU()
	tests := []struct {
		name    string
		argv    []string
		want    ScanOptions
		wantErr string // substring of the usage error
	}{
		{
			name: "one path, defaults",
			argv: []string{"a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", Jobs: cpus},
		},
		{
			name: "paths keep their order",
			argv: []string{"z.ost", "mail", "a.pst"},
			want: ScanOptions{Paths: []string{"z.ost", "mail", "a.pst"}, Format: "text", Jobs: cpus},
		},
		{
			name: "json",
			argv: []string{"--format", "json", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "json", Jobs: cpus},
		},
		{
			name: "csv with equals",
			argv: []string{"a.pst", "--format=csv"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "csv", Jobs: cpus},
		},
		{
			name: "output",
			argv: []string{"--output", "r.json", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", Output: "r.json", Jobs: cpus},
		},
		{
			name: "output short",
			argv: []string{"-o", "r.txt", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", Output: "r.txt", Jobs: cpus},
		},
		{
			name: "no progress",
			argv: []string{"--no-progress", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", NoProgress: true, Jobs: cpus},
		},
		{
			name: "jobs",
			argv: []string{"--jobs", "4", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", Jobs: 4},
		},
		{
			name: "jobs short",
			argv: []string{"-j1", "a.pst", "b.pst"},
			want: ScanOptions{Paths: []string{"a.pst", "b.pst"}, Format: "text", Jobs: 1},
		},
		{
			name: "everything",
			argv: []string{"--format", "json", "-o", "out.json", "--no-progress", "-j", "2", "dir", "x.ost"},
			want: ScanOptions{Paths: []string{"dir", "x.ost"}, Format: "json", Output: "out.json", NoProgress: true, Jobs: 2},
		},
		{
			name: "folders with csv",
			argv: []string{"--format", "csv", "--folders", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "csv", Folders: true, Jobs: cpus},
		},
		{
			name: "folders with text is accepted",
			argv: []string{"--folders", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", Folders: true, Jobs: cpus},
		},
		{
			name: "folders false",
			argv: []string{"--folders=false", "--format=json", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "json", Jobs: cpus},
		},
		{name: "folders takes no value", argv: []string{"--folders", "csv", "a.pst"},
			want: ScanOptions{Paths: []string{"csv", "a.pst"}, Format: "text", Folders: true, Jobs: cpus}},
		{name: "folders with unknown format", argv: []string{"--folders", "--format", "xml", "a.pst"}, wantErr: `invalid --format "xml"`},
		{name: "no path", argv: []string{}, wantErr: "at least one PATH"},
		{name: "no path with flags", argv: []string{"--format", "json"}, wantErr: "at least one PATH"},
		{name: "unknown format", argv: []string{"--format", "xml", "a.pst"}, wantErr: `invalid --format "xml"`},
		{
			name: "format in capitals",
			argv: []string{"--format", "JSON", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "JSON", Jobs: cpus},
		},
		{name: "zero jobs", argv: []string{"--jobs", "0", "a.pst"}, wantErr: "invalid --jobs 0"},
		{name: "empty output", argv: []string{"--output", "", "a.pst"}, wantErr: "--output needs a file name"},
		{
			name: "output dash is standard output",
			argv: []string{"-o", "-", "a.pst"},
			want: ScanOptions{Paths: []string{"a.pst"}, Format: "text", Jobs: cpus},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, stdout, stderr := testIO(false)
			var got *ScanOptions
			cmd := NewCmdScan(ios, func(o *ScanOptions) error {
				got = o
				return nil
			})
			cmd.SetArgs(tt.argv)
			cmd.SetOut(stdout)
			cmd.SetErr(stderr)
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if tt.wantErr != "" {
				var ue *usageError
				if !errors.As(err, &ue) {
					t.Fatalf("err = %v (%T), want a usage error", err, err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %q, want it to contain %q", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("runF called despite the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got.IO != ios {
				t.Errorf("IO not passed through")
			}
			got.IO = nil
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("options\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

// jsonReport is the part of the JSON report (the README's contract) the CLI tests
// look at; the verdicts themselves are the engine's business.
type jsonReport struct {
	Version string `json:"version"`
	Files   []struct {
		Path    string `json:"path"`
		Verdict string `json:"verdict"`
	} `json:"files"`
	Summary struct {
		Files  int `json:"files"`
		Errors int `json:"errors"`
	} `json:"summary"`
}

func parseJSON(t *testing.T, b []byte) jsonReport {
	t.Helper()
	var r jsonReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, b)
	}
	return r
}

func TestScanRunSamples(t *testing.T) {
	support, bit32 := testkit.GoPst(t, "support.pst"), testkit.GoPst(t, "32-bit.pst")
	ios, stdout, stderr := testIO(false)
	status, err := scanRun(context.Background(), &ScanOptions{
		IO: ios, Paths: []string{support, bit32}, Format: "json", Jobs: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if status&2 != 0 {
		t.Errorf("status = %d: readable samples must not set the could-not-read bit", status)
	}
	r := parseJSON(t, stdout.Bytes())
	if len(r.Files) != 2 || r.Files[0].Path != support || r.Files[1].Path != bit32 {
		t.Fatalf("files = %+v, want %s then %s", r.Files, support, bit32)
	}
	for _, f := range r.Files {
		if f.Verdict == "" || f.Verdict == "error" {
			t.Errorf("%s: verdict %q", f.Path, f.Verdict)
		}
	}
	if r.Version != resolveVersion() {
		t.Errorf("version = %q, want %q", r.Version, resolveVersion())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr not empty when piped: %q", stderr)
	}
}

func TestScanFormats(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	for _, format := range []string{"text", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			ios, stdout, _ := testIO(false)
			status := runCLI(ios, "scan", "--format", format, support)
			if status&2 != 0 {
				t.Errorf("status = %d", status)
			}
			if !strings.Contains(stdout.String(), "support.pst") {
				t.Errorf("report does not name the file:\n%s", stdout)
			}
		})
	}
}

func TestScanRunFoldersCSV(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	ios, stdout, stderr := testIO(false)
	status, err := scanRun(context.Background(), &ScanOptions{
		IO: ios, Paths: []string{support}, Format: "csv", Folders: true, Jobs: 1, NoProgress: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if status&2 != 0 {
		t.Errorf("status = %d", status)
	}
	rows, err := csv.NewReader(bytes.NewReader(stdout.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("folder CSV does not parse: %v\n%s", err, stdout)
	}
	header := []string{"path", "folder_nid", "folder", "items", "readable", "damaged", "verdict", "action", "lost", "recovered", "expected", "size", "structure_damaged"}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("rows = %q, want the folder header %q first", rows, header)
	}
	// The engine does not build the folder map yet; once it does, any row
	// is a damaged folder of support.pst.
	for _, row := range rows[1:] {
		if len(row) != len(header) || row[0] != support {
			t.Errorf("row %q", row)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr = %q", stderr)
	}

	// Without --folders the same run is the file table.
	ios, stdout, _ = testIO(false)
	if _, err := scanRun(context.Background(), &ScanOptions{
		IO: ios, Paths: []string{support}, Format: "csv", Jobs: 1, NoProgress: true,
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "path,size,") {
		t.Errorf("file table = %q", stdout)
	}
}

func TestScanFoldersOtherFormats(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	for _, format := range []string{"text", "json"} {
		var out [2]string
		for i, argv := range [][]string{{"scan", "--format", format, support}, {"scan", "--folders", "--format", format, support}} {
			ios, stdout, _ := testIO(false)
			if status := runCLI(ios, argv...); status&2 != 0 {
				t.Errorf("%v: status = %d", argv, status)
			}
			out[i] = stdout.String()
		}
		if format == "json" {
			// Durations differ between runs; compare the files' folder maps.
			var a, b struct {
				Files []struct{ Folders []map[string]any }
			}
			if err := json.Unmarshal([]byte(out[0]), &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(out[1]), &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("json: --folders changes the folders")
			}
			continue
		}
		if a, b := withoutTimes(out[0]), withoutTimes(out[1]); a != b {
			t.Errorf("text: --folders changes the report:\n%s\n%s", a, b)
		}
	}
}

// withoutTimes drops the text report's "Scan:" lines (and their
// continuations), which hold the scan's durations.
func withoutTimes(text string) string {
	var kept []string
	inScan := false
	for _, l := range strings.Split(text, "\n") {
		inScan = strings.HasPrefix(l, "Scan: ") || inScan && strings.HasPrefix(l, "      ")
		if !inScan {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

func TestScanMissingFile(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	missing := filepath.Join(t.TempDir(), "missing.pst")
	ios, stdout, stderr := testIO(false)
	status := runCLI(ios, "scan", "--format", "json", support, missing)
	if status&2 == 0 || status > 3 {
		t.Errorf("status = %d, want 2 (or 3)", status)
	}
	r := parseJSON(t, stdout.Bytes())
	if len(r.Files) != 2 {
		t.Fatalf("files = %+v", r.Files)
	}
	if r.Files[1].Path != missing || r.Files[1].Verdict != "error" {
		t.Errorf("missing file reported as %+v, want verdict error", r.Files[1])
	}
	if r.Summary.Files != 2 || r.Summary.Errors < 1 {
		t.Errorf("summary = %+v, want 2 files and the error counted", r.Summary)
	}
	if strings.Contains(stderr.String(), "--help") {
		t.Errorf("a missing file is not a usage error: %q", stderr)
	}
}

func TestScanOnlyMissingFileExit2(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.ost")
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "scan", "--format", "json", missing); status != 2 {
		t.Errorf("status = %d, want 2", status)
	}
	r := parseJSON(t, stdout.Bytes())
	if len(r.Files) != 1 || r.Files[0].Verdict != "error" {
		t.Errorf("files = %+v", r.Files)
	}
}

func TestScanUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"unknown format", []string{"scan", "--format", "xml", "a.pst"}, `invalid --format "xml"`},
		{"no paths", []string{"scan"}, "at least one PATH"},
		{"unknown flag", []string{"scan", "--frobnicate", "a.pst"}, "unknown flag: --frobnicate"},
		{"bad jobs", []string{"scan", "--jobs", "many", "a.pst"}, "invalid argument"},
		{"unknown command", []string{"scna", "a.pst"}, `unknown command "scna"`},
		{"version takes no args", []string{"version", "x"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, stdout, stderr := testIO(false)
			if status := runCLI(ios, tt.argv...); status != 2 {
				t.Errorf("status = %d, want 2", status)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			if len(lines) != 2 || !strings.HasPrefix(lines[0], "pstcheck: ") ||
				!strings.Contains(lines[0], tt.want) || !strings.Contains(lines[1], "--help") {
				t.Errorf("stderr = %q, want one line with %q plus a hint", stderr, tt.want)
			}
		})
	}
}

func TestUnknownCommandSuggestion(t *testing.T) {
	ios, _, stderr := testIO(false)
	runCLI(ios, "scna")
	if !strings.Contains(stderr.String(), `did you mean "scan"?`) {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestScanOutput(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	out := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(out, []byte(strings.Repeat("old content ", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tty := range []bool{false, true} {
		ios, stdout, stderr := testIO(tty)
		status := runCLI(ios, "scan", "--no-progress", "--format", "json", "--output", out, support)
		if status&2 != 0 {
			t.Errorf("status = %d", status)
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout = %q, want the report in the file only", stdout)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if r := parseJSON(t, b); len(r.Files) != 1 || r.Files[0].Path != support {
			t.Errorf("files = %+v", r.Files)
		}
		// A terminal gets a one-line summary; a pipe gets nothing.
		if got := strings.Contains(stderr.String(), "Wrote "+out); got != tty {
			t.Errorf("tty=%v: stderr = %q", tty, stderr)
		}
	}
}

func TestScanOutputIsInput(t *testing.T) {
	dir := t.TempDir()
	a := copySample(t, "support.pst", dir, "a.pst")
	b := copySample(t, "32-bit.pst", dir, "mail/Sub/b.PST")
	link := filepath.Join(dir, "link.pst")
	if !testkit.Symlink(t, a, link) {
		link = ""
	}
	before, _ := os.ReadFile(a)
	cases := [][]string{
		{"--output", a, a},
		{"--output", filepath.Join(dir, ".", "a.pst"), a},
		{"--output", b, filepath.Join(dir, "mail")}, // found in a folder
	}
	if link != "" {
		cases = append(cases, []string{"--output", link, a}, []string{"--output", a, link})
	}
	for _, argv := range cases {
		ios, stdout, stderr := testIO(false)
		if status := runCLI(ios, append([]string{"scan", "--format", "json"}, argv...)...); status != 2 {
			t.Errorf("%v: status = %d, want 2", argv, status)
		}
		if stdout.Len() != 0 || !strings.Contains(stderr.String(), "is one of the files to scan") {
			t.Errorf("%v: stdout %q stderr %q", argv, stdout, stderr)
		}
	}
	if after, _ := os.ReadFile(a); string(after) != string(before) {
		t.Fatal("an input file was overwritten")
	}
}

func TestScanOutputCannotCreate(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	out := filepath.Join(t.TempDir(), "no", "such", "dir", "r.txt")
	ios, stdout, stderr := testIO(false)
	if status := runCLI(ios, "scan", "--output", out, support); status != 2 {
		t.Errorf("status = %d, want 2", status)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "cannot create the report file") {
		t.Errorf("stdout %q stderr %q", stdout, stderr)
	}
}

func TestScanFolderKeepsInputOrder(t *testing.T) {
	dir := t.TempDir()
	z := copySample(t, "32-bit.pst", dir, "z.pst")
	a := copySample(t, "support.pst", dir, "mail/a.pst")
	c := copySample(t, "32-bit.pst", dir, "mail/c.OST")
	ios, stdout, _ := testIO(false)
	status := runCLI(ios, "scan", "--format", "json", "--jobs", "3", z, filepath.Join(dir, "mail"))
	if status&2 != 0 {
		t.Errorf("status = %d", status)
	}
	r := parseJSON(t, stdout.Bytes())
	var got []string
	for _, f := range r.Files {
		got = append(got, f.Path)
	}
	if want := []string{z, a, c}; !reflect.DeepEqual(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

func TestScanUnreadableFolder(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs a POSIX system and a non-root user")
	}
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o000); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(locked, 0o755)
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "scan", "--format", "json", dir); status != 2 {
		t.Errorf("status = %d, want 2", status)
	}
	r := parseJSON(t, stdout.Bytes())
	if len(r.Files) != 1 || r.Files[0].Path != locked || r.Files[0].Verdict != "error" {
		t.Errorf("files = %+v", r.Files)
	}
}

func TestScanProgress(t *testing.T) {
	support := testkit.GoPst(t, "support.pst")
	tests := []struct {
		name       string
		tty        bool
		noProgress bool
		wantBar    bool
	}{
		{"terminal", true, false, true},
		{"terminal, --no-progress", true, true, false},
		{"piped", false, false, false},
		{"piped, --no-progress", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, stdout, stderr := testIO(tt.tty)
			argv := []string{"scan", "--format", "json", support}
			if tt.noProgress {
				argv = append(argv, "--no-progress")
			}
			if status := runCLI(ios, argv...); status&2 != 0 {
				t.Errorf("status = %d", status)
			}
			if got := strings.Contains(stderr.String(), "support.pst"); got != tt.wantBar {
				t.Errorf("bar shown = %v, want %v; stderr = %q", got, tt.wantBar, stderr)
			}
			if !tt.wantBar && stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			parseJSON(t, stdout.Bytes()) // the bar never reaches stdout
		})
	}
}

// A scan cut short (Ctrl-C) writes no report, and leaves a report file an
// earlier run wrote as it was: it was emptied at the start (an audit lost
// a nightly report so); one this run created goes, and where FILE is a
// link to nothing yet, the file made through it goes, not the link.
func TestScanInterruptedKeepsEarlierReport(t *testing.T) {
	dir := t.TempDir()
	copySample(t, "support.pst", filepath.Join(dir, "in"), "a.pst")
	copySample(t, "32-bit.pst", filepath.Join(dir, "in"), "b-victim.pst")
	t.Setenv("PSTCHECK_WORKER_FAULT", "hang:victim") // the second file never finishes
	for _, before := range []string{"earlier report", "none", "link"} {
		out := filepath.Join(dir, "report-"+before+".json")
		target := filepath.Join(dir, "target.json")
		switch before {
		case "earlier report":
			if err := os.WriteFile(out, []byte("earlier report\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		case "link":
			testkit.NeedSymlink(t, target, out)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		ios, stdout, stderr := testIO(false)
		root := NewCmdRoot(ios)
		root.SetArgs([]string{"scan", "--no-progress", "--format", "json", "-o", out, filepath.Join(dir, "in")})
		root.SetContext(ctx)
		status := execute(root, ios)
		cancel()
		if status != exitInterrupted {
			t.Fatalf("%s: status %d, want %d\n%s%s", before, status, exitInterrupted, stdout, stderr)
		}
		b, err := os.ReadFile(out)
		_, lerr := os.Lstat(out)
		_, terr := os.Stat(target)
		switch before {
		case "earlier report":
			if string(b) != "earlier report\n" {
				t.Errorf("the earlier report is now %q (%v)", b, err)
			}
		case "none":
			if err == nil {
				t.Errorf("an interrupted run left a report file: %q", b)
			}
		case "link":
			if lerr != nil || terr == nil {
				t.Errorf("the link: %v; the file made through it: %v (want the link kept, the file gone)", lerr, terr)
			}
		}
	}
}

// A store past 4 GiB copied to a USB stick formatted FAT32 is cut at 4 GiB
// less one byte, the largest file FAT32 holds: the report says so, and
// that a copy to an NTFS or exFAT drive is whole, where any other cut-off
// copy is "interrupted, or a disk that filled up". support.pst grown to
// 4.5 GB (a sparse file: a few MB on disk), offsets past 32 bits, and cut
// there.
func TestScanCopyCutAtFAT32Limit(t *testing.T) {
	f, err := pstmut.Load(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GrowSparse(f.L.FirstAMap + 17700*f.L.AMapCoverage)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "support.pst")
	if err := s.WriteFile(path, 1<<32-1); err != nil {
		t.Fatal(err)
	}
	ios, stdout, _ := testIO(false)
	if status := runCLI(ios, "scan", path); status != 1 {
		t.Errorf("status %d, want 1 (damaged)", status)
	}
	out := stdout.String()
	for _, want := range []string{
		// What lies past 4 GiB is map pages only: every item is saved.
		"the file is cut off at FAT32's 4 GiB file limit: the last 190.74 MiB are missing.",
		"(it saves all 17 items)",
		"Next: this copy stopped at FAT32's 4 GiB file limit: copy the file again to a drive formatted NTFS or exFAT",
		"at 4,294,967,295 bytes: 4 GiB less one byte, the largest file a drive formatted FAT32",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report does not say %q:\n%s", want, out)
		}
	}
}

// A .pst that is a ZIP archive, or the page a failed download saved, is
// told for what it is and what to do with it, in the text report and in
// JSON's other_format, where any other file without a PST signature is
// "not an Outlook data file"; an empty one is told it is empty, not "cut
// off inside its header".
func TestScanOtherFormatAdvice(t *testing.T) {
	dir := t.TempDir()
	zipped, page, empty := filepath.Join(dir, "zipped.pst"), filepath.Join(dir, "page.pst"), filepath.Join(dir, "empty.pst")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zipped, []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00rest of the archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, []byte("<!DOCTYPE html><html><title>Sign in</title></html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		zipped: "extract what it holds (rename it to end in .zip, then in Windows Explorer right-click it, Extract All)",
		page:   "page.pst — this is a web page (HTML or XML), not an Outlook data file: probably a download that saved a sign-in or error page in its place. Next: download the file again",
		empty:  "empty.pst — the file is empty (0 bytes): nothing of a mail store is in it. Next: copy the file again from its source, or restore it from a backup.",
	} {
		ios, stdout, _ := testIO(false)
		if status := runCLI(ios, "scan", path); status != 1 {
			t.Errorf("status %d, want 1", status)
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("the report does not say %q:\n%s", want, stdout)
		}
	}
	ios, stdout, _ := testIO(false)
	runCLI(ios, "scan", "--format", "json", zipped)
	var r struct {
		Files []struct {
			OtherFormat *string `json:"other_format"`
		} `json:"files"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || len(r.Files) != 1 || r.Files[0].OtherFormat == nil || *r.Files[0].OtherFormat != "zip" {
		t.Errorf("JSON other_format: %v\n%s", err, stdout)
	}
}

// A PST an account sends from names its Outbox (enron.pst: 0x80A2); a
// damaged Outbox is told what it does to sending, as its contents table's
// block damaged here: Outlook reads the folder through that table.
func TestScanDamagedOutbox(t *testing.T) {
	f, err := pstmut.Load(testkit.GoPst(t, "enron.pst"))
	if err != nil {
		t.Fatal(err)
	}
	const outbox, contents = 0x80A2, 0x80AE
	b, ok := f.Block(f.MustNode(contents).Data)
	if !ok {
		t.Fatal("the Outbox's contents table has no block")
	}
	f.FlipByte(int64(b.IB) + 10)
	p := filepath.Join(t.TempDir(), "enron.pst")
	if err := os.WriteFile(p, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := pstcheck.ScanFile(context.Background(), p, pstcheck.Options{})
	if rep.Outbox != outbox {
		t.Errorf("Outbox 0x%X, want 0x%X", rep.Outbox, outbox)
	}
	ios, stdout, _ := testIO(false)
	runCLI(ios, "scan", p)
	if !strings.Contains(stdout.String(), "The Outbox folder's own node or tables are damaged: Outlook sends mail from that folder") {
		t.Errorf("no word of the Outbox:\n%s", stdout)
	}
	ios, stdout, _ = testIO(false)
	runCLI(ios, "scan", testkit.GoPst(t, "enron.pst"))
	if strings.Contains(stdout.String(), "Outbox") {
		t.Errorf("the clean store's report speaks of its Outbox:\n%s", stdout)
	}
}
