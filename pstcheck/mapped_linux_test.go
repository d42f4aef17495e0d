package pstcheck

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// openWritten writes data to a new file of the test's and opens it as a
// scan does; the file's path is returned too, for changing it after.
func openWritten(t *testing.T, data []byte, perm os.FileMode) (*input, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.pst")
	if err := os.WriteFile(path, data, perm); err != nil {
		t.Fatal(err)
	}
	in, err := openInput(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in, path
}

// A mapped file reads as the file does: the same bytes, io.EOF at and
// past its end, a short read with io.EOF across it.
func TestMappedFileReadsAsTheFile(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	in, _ := openWritten(t, want, 0o444)
	if _, ok := in.r.(*mappedFile); !ok {
		t.Fatalf("the file is read through %T, not a mapping", in.r)
	}
	got := make([]byte, 100)
	if n, err := in.r.ReadAt(got, 1000); n != 100 || err != nil || !bytes.Equal(got, want[1000:1100]) {
		t.Errorf("read in the middle: %d, %v", n, err)
	}
	if n, err := in.r.ReadAt(got, int64(len(want))-40); n != 40 || err != io.EOF || !bytes.Equal(got[:40], want[len(want)-40:]) {
		t.Errorf("read across the end: %d, %v", n, err)
	}
	for _, off := range []int64{int64(len(want)), int64(len(want)) + 5} {
		if n, err := in.r.ReadAt(got, off); n != 0 || err != io.EOF {
			t.Errorf("read at %d: %d, %v", off, n, err)
		}
	}
	if _, err := in.r.ReadAt(got, -1); err == nil {
		t.Error("a negative offset was read")
	}
}

// A file cut short by another program after it was mapped: reading its
// pages past the new end faults (SIGBUS), which must fail the read, as a
// bad sector does, and not end the process.
func TestMappedFileCutShortFailsReads(t *testing.T) {
	in, path := openWritten(t, bytes.Repeat([]byte{7}, 1<<20), 0o644)
	if err := os.Truncate(path, 64<<10); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 4096)
	if n, err := in.r.ReadAt(p, 32<<10); n != len(p) || err != nil {
		t.Errorf("read before the new end: %d, %v", n, err)
	}
	n, err := in.r.ReadAt(p, 512<<10)
	if !errors.Is(err, errPageFault) || n != 0 {
		t.Errorf("read past the new end: %d, %v; want the fault as an error", n, err)
	}
	// A read across the new end gets the bytes before it, as pread does
	// (a short read): a block pass reads a chunk of blocks at once, and a
	// bad page must cost only the blocks it holds.
	p = make([]byte, 64<<10)
	n, err = in.r.ReadAt(p, 32<<10)
	if !errors.Is(err, errPageFault) || n != 32<<10 || !bytes.Equal(p[:n], bytes.Repeat([]byte{7}, n)) {
		t.Errorf("read across the new end: %d bytes, %v; want the %d before it and the fault", n, err, 32<<10)
	}
}

// Pages read through a mapping count in the process's resident memory,
// more of them than are read: a file larger than mapLimit is read with
// pread, so that what a mapping holds stays bounded.
func TestLargeFileNotMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(mapLimit + 1); err != nil { // sparse
		t.Fatal(err)
	}
	f.Close()
	in, err := openInput(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, ok := in.r.(*os.File); !ok || in.unmap != nil {
		t.Errorf("a file of %d bytes is read through %T", int64(mapLimit+1), in.r)
	}
}

// copyOnly reads a mapping only by copying out of it (ReadAt), as the
// block pass did before it verified chunks in place.
type copyOnly struct{ m *mappedFile }

func (c copyOnly) ReadAt(p []byte, off int64) (int, error) { return c.m.ReadAt(p, off) }
func (copyOnly) ReadsFromMemory()                          {}

// The block pass verifies a mapped store's chunks where they lie. A page
// that faults while it does (here: the file cut to half its size after it
// was mapped) must cost only the blocks on the pages that fault, as when
// the chunk is copied out first: the whole report is the same either way,
// for the cut file and for the whole one.
func TestBlockPassInPlaceReportsAsCopying(t *testing.T) {
	data, err := os.ReadFile(testkit.GoPst(t, "enron.pst"))
	if err != nil {
		t.Fatal(err)
	}
	in, path := openWritten(t, data, 0o644)
	m, ok := in.r.(*mappedFile)
	if !ok {
		t.Skip("the file system here does not map files")
	}
	same := func(what string) *Report {
		t.Helper()
		inPlace := Check(context.Background(), m, in.size, Options{})
		copied := Check(context.Background(), copyOnly{m}, in.size, Options{})
		inPlace.Stats.Duration, copied.Stats.Duration = 0, 0
		inPlace.Stats.BlockPass, copied.Stats.BlockPass = 0, 0
		if !reflect.DeepEqual(inPlace, copied) {
			t.Errorf("%s: verified in place, %d findings (%v); copied, %d (%v)", what,
				len(inPlace.Findings), inPlace.Verdict, len(copied.Findings), copied.Verdict)
		}
		return inPlace
	}
	if rep := same("whole"); rep.Count(finding.SeverityError) > 0 {
		t.Fatalf("the whole file has errors: %v", rep.Findings)
	}
	if err := os.Truncate(path, int64(len(data)/2)); err != nil {
		t.Fatal(err)
	}
	if rep := same("cut after mapping"); !rep.Has(finding.FileRead) {
		t.Errorf("the cut file reads without error: %d findings", len(rep.Findings))
	}
}
