package pstcheck_test

import (
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
)

func fileState(t *testing.T, path string) ([32]byte, time.Time, os.FileMode) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum, st.ModTime(), st.Mode()
}

// A scan never changes the file: same bytes, same mtime, same mode, and it
// works on a file nobody may write.
func TestScanLeavesFileUntouched(t *testing.T) {
	src := samples.GoPst("support.pst")
	if src == "" {
		t.Skip("go-pst samples not downloaded")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "support.pst")
	if err := os.WriteFile(path, b, 0o444); err != nil {
		t.Fatal(err)
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
	sum0, mtime0, mode0 := fileState(t, path)
	rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{})
	if rep.Verdict != pstcheck.Healthy {
		t.Fatalf("verdict %s", rep.Verdict)
	}
	sum1, mtime1, mode1 := fileState(t, path)
	if sum0 != sum1 {
		t.Error("file contents changed")
	}
	if !mtime0.Equal(mtime1) {
		t.Errorf("mtime changed: %v -> %v", mtime0, mtime1)
	}
	if mode0 != mode1 {
		t.Errorf("mode changed: %v -> %v", mode0, mode1)
	}
	if at := accessTime(t, path); !at.IsZero() && !at.Equal(past) {
		// fileState itself reads the file, so only the scan is checked:
		// reset, scan, compare.
		if err := os.Chtimes(path, past, past); err != nil {
			t.Fatal(err)
		}
		pstcheck.ScanFile(context.Background(), path, pstcheck.Options{})
		if at := accessTime(t, path); !at.Equal(past) {
			t.Logf("access time changed by the scan (%v); the filesystem or OS does not honour O_NOATIME here", at)
		}
	}
}
