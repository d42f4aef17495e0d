package writeback

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// What is written through a File is what the file holds: sequential
// writes past several chunks (each starting writeback) and writes back
// over earlier bytes.
func TestFileWritesWhatItIsGiven(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "new.pst"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := New(f)
	var want []byte
	part := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB
	for i := range 9 {
		part[0] = byte(i)
		if n, err := w.Write(part); n != len(part) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
		want = append(want, part...)
	}
	if runtime.GOOS == "linux" && w.started != 8<<20 {
		t.Errorf("writeback started for %d bytes after %d written; want 8 MiB", w.started, w.written)
	}
	if _, err := w.WriteAt([]byte("header"), 0); err != nil {
		t.Fatal(err)
	}
	copy(want, "header")
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the file holds %d bytes, not the %d written", len(got), len(want))
	}
}

// A background sync that fails is not lost: no other starts after it, and
// Sync returns its error even though the file's own sync would now
// succeed (the system reports a write-back error to one sync only).
func TestSyncReportsABackgroundFailure(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "new.pst"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := New(f)
	lost := errors.New("write-back failed")
	calls := 0
	w.sync = func() error {
		calls++
		if calls == 1 {
			return lost
		}
		return nil
	}
	w.syncBehind()
	<-w.synced
	w.syncBehind() // must not start another after the failure
	if err := w.Sync(); !errors.Is(err, lost) {
		t.Errorf("Sync after a failed background sync: %v; want %v", err, lost)
	}
	if calls != 1 {
		t.Errorf("%d syncs after the failed one; want none", calls-1)
	}
}
