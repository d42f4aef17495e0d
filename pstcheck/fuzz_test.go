package pstcheck_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// fuzzSeeds are the small real samples (the fuzzer works best on inputs
// well under a megabyte).
func fuzzSeeds(f *testing.F) [][]byte {
	var out [][]byte
	paths := []string{samples.GoPst("32-bit.pst")}
	for _, p := range samples.CorpusFiles(false) {
		if st, err := os.Stat(p); err == nil && st.Size() <= 300<<10 {
			paths = append(paths, p)
			if len(paths) > 4 {
				break
			}
		}
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checkBytes scans b and fails on a hang; a panic fails the fuzz run by
// itself. Every report must have a verdict.
func checkBytes(t *testing.T, b []byte) *pstcheck.Report {
	t.Helper()
	done := make(chan *pstcheck.Report, 1)
	go func() {
		done <- pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
	}()
	var rep *pstcheck.Report
	select {
	case rep = <-done:
	case <-time.After(10 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("scan did not finish in 10 s:\n%s", buf[:runtime.Stack(buf, true)])
	}
	switch rep.Verdict {
	case pstcheck.Healthy, pstcheck.Damaged, pstcheck.Unreadable, pstcheck.Failed:
	default:
		t.Fatalf("verdict %q", rep.Verdict)
	}
	return rep
}

// FuzzCheck feeds arbitrary bytes, seeded with real files, to the engine.
func FuzzCheck(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte("!BDN"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkBytes(t, b)
	})
}

// FuzzEdits applies a few byte edits to a real Unicode sample and, when
// asked, recomputes the checksum of every page an edit lands in, so the
// damage reaches past the CRC checks into B-tree and tree structure.
// Each edit is 5 bytes of the input: a little-endian offset (modulo the
// file size) and the new byte value.
func FuzzEdits(f *testing.F) {
	path := samples.GoPst("support.pst")
	if path == "" {
		f.Skip("go-pst samples not downloaded")
	}
	orig, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(true, []byte{0x00, 0x72, 0x00, 0x00, 0x07}) // a B-tree page entry
	f.Add(false, []byte{0x10, 0x80, 0x00, 0x00, 0xFF})
	f.Add(true, []byte{0xD8, 0x00, 0x00, 0x00, 0x01}) // the NBT root reference
	l := ndb.LayoutOf(ndb.Unicode)
	f.Fuzz(func(t *testing.T, fix bool, edits []byte) {
		b := append([]byte(nil), orig...)
		for len(edits) >= 5 {
			off := int(binary.LittleEndian.Uint32(edits)) % len(b)
			b[off] = edits[4]
			edits = edits[5:]
			if !fix {
				continue
			}
			if off < 564 {
				binary.LittleEndian.PutUint32(b[4:], ndb.CRC(b[8:479]))
				binary.LittleEndian.PutUint32(b[524:], ndb.CRC(b[8:524]))
				continue
			}
			page := off &^ int(l.PageSize-1)
			if page+int(l.PageSize) <= len(b) {
				p := b[page : page+int(l.PageSize)]
				binary.LittleEndian.PutUint32(p[l.PageTrailerOff+4:], ndb.CRC(p[:l.PageTrailerOff]))
			}
		}
		checkBytes(t, b)
	})
}
