package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

// An export that fills its disk stops at once, says how many items it
// wrote and that the same command resumes; once there is room it does,
// and ends with what an export with room from the start writes.
func TestExportDiskFullResumes(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=4m"); err != nil {
		t.Skip("a small file system cannot be mounted here (needs root):", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	src := testkit.GoPst(t, "enron.pst")
	dir := filepath.Join(mnt, "out")

	ios, stdout, stderr := testIO(false)
	status := runCLI(ios, "export", src, "--to", dir, "--no-progress")
	if status != exitUsage {
		t.Fatalf("status = %d, want %d\n%s%s", status, exitUsage, stdout, stderr)
	}
	for _, want := range []string{
		"pstcheck: cannot write to " + dir + ": the disk is full",
		"were written before it stopped and are kept",
		"run the same command again: it resumes where it stopped",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := strings.Count(stderr.String(), "\n"); n > 3 {
		t.Errorf("%d lines on stderr, want the failure said once:\n%s", n, stderr)
	}

	if err := syscall.Mount("tmpfs", mnt, "tmpfs", syscall.MS_REMOUNT, "size=256m"); err != nil {
		t.Fatal(err)
	}
	x := runExport(t, src, dir)
	if x.status != 0 || !strings.Contains(x.stdout, "already there from an earlier run") {
		t.Errorf("after making room: exit %d\n%s%s", x.status, x.stdout, x.stderr)
	}
	whole := runExport(t, src, filepath.Join(t.TempDir(), "whole"))
	sameTree(t, whole.dir, x.dir)
	if _, err := os.Stat(filepath.Join(dir, ".pstcheck-journal")); err == nil {
		t.Error("the journal is left after a complete export")
	}
}
