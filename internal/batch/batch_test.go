package batch

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// TestMain lets the test binary serve as its own batch worker, as the real
// executable does.
func TestMain(m *testing.M) {
	if IsWorker() {
		os.Exit(ServeWorker(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// A file that makes its scanner fail in any way (panic, exit, running out
// of memory, hanging) costs only that file: every other file's result is
// there, and the failed one is an "error" with SCAN-ABORTED.
func TestRunSurvivesScannerFailures(t *testing.T) {
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
			targets, notices := Find(context.Background(), []string{dir}, FindOptions{})
			if len(targets) != 4 || len(notices) != 0 {
				t.Fatalf("%d targets, notices %v; want the 4 files", len(targets), notices)
			}
			reports := Run(context.Background(), targets, RunOptions{Jobs: 2})
			healthy, failed := 0, 0
			for _, r := range reports {
				victim := filepath.Base(r.Path) == "c-victim.pst"
				switch {
				case victim && (r.Verdict != pstcheck.Failed || len(r.Findings) == 0 || r.Findings[0].Code != finding.ScanAborted):
					t.Errorf("%s: verdict %s %+v, want error with SCAN-ABORTED", r.Path, r.Verdict, r.Findings)
				case victim:
					failed++
					t.Logf("%s: %s", filepath.Base(r.Path), r.Findings[0].Detail)
				case r.Verdict != pstcheck.Healthy:
					t.Errorf("%s: verdict %s, want healthy", r.Path, r.Verdict)
				default:
					healthy++
				}
			}
			if healthy != 3 || failed != 1 {
				t.Errorf("%d healthy, %d failed", healthy, failed)
			}
		})
	}
}

// A file whose name is not UTF-8 (a folder named in Latin-1, "M\xfcller")
// is scanned by its workers as it is named: it was sent to them as a JSON
// string, its stray byte turned into U+FFFD, and reported as not there.
func TestRunNamesNotUTF8(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows names are UTF-16: one that is not UTF-8 cannot be made")
	}
	dir := filepath.Join(t.TempDir(), "M\xfcller")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Skipf("this file system takes no such name: %v", err)
	}
	p := copySample(t, "support.pst", dir, "a\xff.pst")
	copySample(t, "32-bit.pst", dir, "b.pst")
	targets, _ := Find(context.Background(), []string{dir}, FindOptions{})
	reports := Run(context.Background(), targets, RunOptions{Jobs: 2})
	if len(reports) != 2 {
		t.Fatalf("%d reports, want 2", len(reports))
	}
	for _, r := range reports {
		if r.Verdict != pstcheck.Healthy {
			t.Errorf("%q: verdict %s, want healthy", r.Path, r.Verdict)
		}
	}
	if !slices.ContainsFunc(reports, func(r *pstcheck.Report) bool { return r.Path == p }) {
		t.Errorf("no report names %q", p)
	}
}

func copySample(t *testing.T, name, dir, as string) string {
	t.Helper()
	src := samples.GoPst(name)
	if src == "" {
		t.Skipf("go-pst sample %s not found", name)
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, as)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Find keeps the order the paths were given (name order within a folder),
// names each file once, keeps paths that do not exist for their scan to
// report, and notices a folder without data files.
func TestFind(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.ost", "A.PST", "sub/c.pst", "sub/deeper/d.Ost", "notes.txt", "pst", "x.pst.bak"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "folder.pst"), 0o755); err != nil {
		t.Fatal(err)
	}
	first := filepath.Join(dir, "sub", "c.pst")
	missing := filepath.Join(dir, "missing.pst")
	got, notices := Find(context.Background(), []string{first, dir, missing, filepath.Join(dir, "empty-not-there")}, FindOptions{})
	var paths []string
	for _, tg := range got {
		if tg.Report != nil {
			t.Errorf("%s: unexpected failure report", tg.Path)
		}
		rel, _ := filepath.Rel(dir, tg.Path)
		paths = append(paths, filepath.ToSlash(rel))
	}
	want := []string{"sub/c.pst", "A.PST", "b.ost", "sub/deeper/d.Ost", "missing.pst", "empty-not-there"}
	if !slices.Equal(paths, want) {
		t.Errorf("targets = %q, want %q", paths, want)
	}
	if len(notices) != 0 {
		t.Errorf("notices %v", notices)
	}

	empty := t.TempDir()
	_, notices = Find(context.Background(), []string{empty}, FindOptions{})
	if len(notices) != 1 || notices[0].Path != empty || notices[0].Err != nil {
		t.Errorf("notices %v, want one for the empty folder", notices)
	}

	// A folder named with a file in it, named twice, or named by a link
	// to it, and a folder whose files are links to files found first, are
	// checked: no folder is said to hold nothing (a review found "no .pst
	// or .ost files" said of each, and exit status 2). A file reached
	// again by a link is said to be the same file.
	links := filepath.Join(dir, "links")
	if err := os.Mkdir(links, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "A.PST"), filepath.Join(links, "hard.pst")); err != nil {
		t.Fatal(err)
	}
	roots := []string{dir, dir, filepath.Join(dir, "sub"), filepath.Join(dir, "sub", "c.pst")}
	if os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "sublink")) == nil {
		roots = append(roots, filepath.Join(dir, "sublink"))
	}
	_, notices = Find(context.Background(), append(roots, links), FindOptions{})
	same := 0
	for _, n := range notices {
		switch {
		case n.Unchecked:
			t.Errorf("%s is said to hold nothing to check: %+v", n.Path, n)
		case n.SameFile:
			same++
		}
	}
	if same == 0 {
		t.Errorf("the hard link is not said to be the same file: %+v", notices)
	}
}
