package pstcheck

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A mapped file reads as the file does: the same bytes, io.EOF at and
// past its end, a short read with io.EOF across it.
func TestMappedFileReadsAsTheFile(t *testing.T) {
	want := bytes.Repeat([]byte("0123456789abcdef"), 1000)
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, want, 0o444); err != nil {
		t.Fatal(err)
	}
	in, err := openInput(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
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
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte{7}, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := openInput(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
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
}

// Pages read through the mapping count in the process's resident memory;
// it lets go of them as it reads on, so that reading a file larger than
// residentLimit leaves at most about residentLimit of it resident.
func TestMappedFileResidentBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 4 x residentLimit")
	}
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: its pages are made in the page cache as they are read.
	size := int64(4 * residentLimit)
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	in, err := openInput(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	before := residentFileKB(t)
	buf := make([]byte, 1<<20)
	peak := before
	for off := int64(0); off < size; off += int64(len(buf)) {
		if _, err := in.r.ReadAt(buf, off); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, residentFileKB(t))
	}
	if grew := (peak - before) << 10; grew > residentLimit+4<<20 {
		t.Errorf("file pages resident grew by %d MiB reading %d MiB; want at most about %d MiB",
			grew>>20, size>>20, residentLimit>>20)
	}
}

// residentFileKB is the process's resident file-backed memory (RssFile).
func residentFileKB(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}
