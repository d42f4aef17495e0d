package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/testkit"
)

// --folders that names no folder is a usage error that lists the nearest
// folders, before anything is written.
func TestExportFoldersNoMatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	ios, stdout, stderr := testIO(false)
	status := runCLI(ios, "export", testkit.GoPst(t, "enron.pst"), "--to", dir, "--no-progress", "--folders", "Inbox")
	if status != exitUsage {
		t.Errorf("status = %d, want %d", status, exitUsage)
	}
	if !strings.Contains(stderr.String(), `no folder of the store is Inbox; the nearest are "Top of Personal Folders/Inbox"`) {
		t.Errorf("stderr does not name the nearest folder:\n%s", stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %s", stdout)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the export folder was made although nothing is to be exported")
	}
}

// An export into a folder that is a file says so and what to do; no
// Go error text alone.
func TestExportDirIsAFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ios, _, stderr := testIO(false)
	status := runCLI(ios, "export", testkit.GoPst(t, "support.pst"), "--to", file, "--no-progress")
	if status != exitUsage {
		t.Errorf("status = %d, want %d", status, exitUsage)
	}
	for _, want := range []string{"pstcheck: cannot write to " + file + ": it, or a folder on its path, is a file", "Next: give --to a folder"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// Ctrl-C stops an export with the journal consistent and no manifest (it
// would list part of the store as if whole); the same command again
// resumes and ends with every item, none written twice.
func TestExportInterruptedResumes(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	dir := filepath.Join(t.TempDir(), "out")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // "Ctrl-C" once the export has written some files
		for ctx.Err() == nil {
			if b, err := os.ReadFile(filepath.Join(dir, ".pstcheck-journal")); err == nil && strings.Count(string(b), "\n") > 200 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	ios, stdout, stderr := testIO(false)
	root := NewCmdRoot(ios)
	root.SetArgs([]string{"export", src, "--to", dir, "--no-progress"})
	root.SetContext(ctx)
	status := execute(root, ios)
	if status != exitInterrupted {
		t.Fatalf("status = %d, want %d (the export may have finished before the interrupt)\n%s%s", status, exitInterrupted, stdout, stderr)
	}
	if !strings.Contains(stderr.String(), "written to "+dir+"; run the same command again to resume") {
		t.Errorf("stderr does not say what was saved and how to resume:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, export.ManifestName)); err == nil {
		t.Error("an interrupted export wrote a manifest")
	}
	x := runExport(t, src, dir)
	if x.status != 0 || !strings.Contains(x.stdout, "already there from an earlier run") {
		t.Errorf("the run after the interrupt: exit %d\n%s%s", x.status, x.stdout, x.stderr)
	}
	whole := runExport(t, src, filepath.Join(t.TempDir(), "whole"))
	if len(x.man.Items) != len(whole.man.Items) {
		t.Errorf("resumed export lists %d items, an uninterrupted one %d", len(x.man.Items), len(whole.man.Items))
	}
	sameTree(t, whole.dir, x.dir)
}

// sameTree fails unless a and b hold the same files with the same bytes,
// the manifest aside.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := files(t, a), files(t, b)
	if len(fa) != len(fb) {
		t.Errorf("%s holds %d files, %s %d", a, len(fa), b, len(fb))
	}
	for p := range fa {
		if p == export.ManifestName {
			continue
		}
		x, err1 := os.ReadFile(filepath.Join(a, filepath.FromSlash(p)))
		y, err2 := os.ReadFile(filepath.Join(b, filepath.FromSlash(p)))
		if err1 != nil || err2 != nil || string(x) != string(y) {
			t.Errorf("%s differs (%v, %v)", p, err1, err2)
		}
	}
}
