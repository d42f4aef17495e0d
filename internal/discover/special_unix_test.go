//go:build unix

package discover

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
)

// Dangling links, link cycles, FIFOs and folders named like data files.
func TestBrokenAndSpecial(t *testing.T) {
	dir := t.TempDir()
	needSymlink(t, filepath.Join(dir, "gone.pst"), filepath.Join(dir, "dangling.pst"))
	needSymlink(t, filepath.Join(dir, "gone"), filepath.Join(dir, "dangling-dir"))
	needSymlink(t, "self.pst", filepath.Join(dir, "self.pst"))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.ost"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	write(t, filepath.Join(dir, "folder.pst", "inner.ost"), nil) // a folder named like a data file is searched
	got, probs := Find(context.Background(), []string{dir}, Options{FollowSymlinks: true})
	if len(got) != 1 || got[0].Path != filepath.Join(dir, "folder.pst", "inner.ost") {
		t.Errorf("got %v", got)
	}
	for _, w := range []struct{ path, kind string }{
		{filepath.Join(dir, "dangling.pst"), KindMissing},
		{filepath.Join(dir, "self.pst"), KindLoop},
		{filepath.Join(dir, "pipe.ost"), KindNotRegular},
	} {
		if !hasProblem(probs, w.path, w.kind) {
			t.Errorf("no %s problem for %s", w.kind, w.path)
		}
	}
	if len(probs) != 3 {
		t.Errorf("problems: %v", probs)
	}

	// A FIFO named as a root is not a candidate either.
	_, probs = Find(context.Background(), []string{filepath.Join(dir, "pipe.ost")}, Options{})
	if len(probs) != 1 || probs[0].Kind != KindNotRegular {
		t.Errorf("problems: %v", probs)
	}
}
