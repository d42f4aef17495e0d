package writeback

import (
	"bytes"
	"os"
	"path/filepath"
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
	if w.started != 8<<20 {
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
