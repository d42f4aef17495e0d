package ndb

import (
	"bytes"
	"context"
	"io"
	"os"
	"sync/atomic"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// readCounter counts the reads made through it.
type readCounter struct {
	io.ReaderAt
	calls atomic.Int64
}

func (c *readCounter) ReadAt(p []byte, off int64) (int, error) {
	c.calls.Add(1)
	return c.ReaderAt.ReadAt(p, off)
}

// A page listed over and over (every entry of a level-2 page leading to
// its first child, as damage or a file made to can have it) costs the
// walk reading ahead a read per listing, as it cost the walk before: not
// a read of each of its children per listing, which for 4 KiB pages
// would be 169 x 169 reads a page.
func TestReadAheadRepeatedChild(t *testing.T) {
	path := samples.GoPst("enron.pst") // three levels: level-2 pages
	if path == "" {
		t.Skip("go-pst samples not downloaded")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res := Scan(context.Background(), bytes.NewReader(b), int64(len(b)), discard{}, Options{Workers: 1})
	l := &res.Header.Layout
	footer := func(ib int64) (cEnt, level int) {
		n, _, _, lv := l.BTFooter(b[ib : ib+l.PageSize])
		return n, lv
	}
	changed := 0
	for _, p := range res.s.sortedPages {
		if cEnt, level := footer(p.IB); (p.Type == PageBBT || p.Type == PageNBT) && level == 2 {
			first := b[p.IB+2*int64(l.BIDSize) : p.IB+3*int64(l.BIDSize)]
			for e := 1; e < cEnt; e++ {
				copy(b[p.IB+int64(e*l.BranchEntrySize+2*l.BIDSize):], first)
			}
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("no level-2 page to change")
	}
	for _, workers := range []int{1, 2} {
		r := &readCounter{ReaderAt: bytes.NewReader(b)}
		s := res.scanner(workers)
		s.r = r
		s.walkTree(s.h.NBT, PageNBT)
		s.walkTree(s.h.BBT, PageBBT)
		refs := 2 // the roots
		for _, p := range s.pages {
			if cEnt, level := footer(p.IB); level > 0 {
				refs += cEnt
			}
		}
		if got := r.calls.Load(); got > int64(refs) {
			t.Errorf("%d workers: the walk made %d reads for %d page references (%d level-2 pages changed)", workers, got, refs, changed)
		}
	}
}
