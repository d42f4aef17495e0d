package ndb

import (
	"bytes"
	"context"
	"os"
	"testing"
)

// A file whose end is zeros from where the store had written on (its last
// block or B-tree page and a map page among them) is told, with where the
// zeros begin; the clean file, one whose zeros cover only free space and
// map pages at its end, or blocks and pages but no map page, or stop
// short of it, and a cut-off copy, are not.
func TestZeroedTail(t *testing.T) {
	files := damageSamples(t)
	zeroedTail := func(b []byte) (int64, bool) {
		res := Scan(context.Background(), bytes.NewReader(b), int64(len(b)), discard{}, Options{Workers: 1})
		if res == nil {
			t.Fatal("no result")
		}
		start, written, ok := res.ZeroedTail()
		if ok && (!allZero(b[start:]) || !allZero(b[written:min(written+512, int64(len(b)))])) {
			t.Errorf("zeros from 0x%X, the last place written at 0x%X: not all zeros", start, written)
		}
		return start, ok
	}
	toldHeaderless := 0
	defer func() {
		if toldHeaderless == 0 && !t.Failed() {
			t.Error("no zeroed end told with the header zeroed")
		}
	}()
	for _, path := range files {
		clean, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(clean))
		if _, ok := zeroedTail(clean); ok {
			t.Errorf("%s: the clean file is told to end in zeros", path)
		}
		h := ReadHeader(bytes.NewReader(clean), size, discard{})
		l := &h.Layout
		lastMap := l.FirstAMap + (size-l.FirstAMap-l.PageSize)/l.AMapCoverage*l.AMapCoverage
		// The last block or B-tree page the store wrote, and where the
		// blocks and B-tree pages end (map pages do not count).
		res := Scan(context.Background(), bytes.NewReader(clean), size, discard{}, Options{Workers: 1})
		lastWritten, writtenEnd := int64(-1), int64(0)
		for i := range res.BBT.Len() {
			e := res.BBT.Entry(i)
			lastWritten = max(lastWritten, int64(e.IB))
			writtenEnd = max(writtenEnd, int64(e.IB)+l.BlockExtent(int(e.CB)))
		}
		for _, p := range res.s.sortedPages {
			if p.Type == PageNBT || p.Type == PageBBT {
				lastWritten = max(lastWritten, p.IB)
				writtenEnd = max(writtenEnd, p.IB+l.PageSize)
			}
		}
		zeroFrom := func(from int64) []byte {
			b := bytes.Clone(clean)
			clear(b[from:])
			return b
		}
		for _, from := range []int64{size / 10, size / 2, size * 9 / 10, lastMap, lastWritten} {
			if from < l.FirstAMap || from > lastWritten {
				continue // the header's, or past the last place written
			}
			got, ok := zeroedTail(zeroFrom(from))
			if from > lastMap {
				// Zeros over blocks or pages but no map page: a destroyed
				// region, not a zeroed end.
				if ok {
					t.Errorf("%s zeroed from 0x%X, after the last map page: told as a zeroed end", path, from)
				}
				continue
			}
			if !ok {
				t.Errorf("%s zeroed from 0x%X: not told", path, from)
				continue
			}
			// The zeros begin where they were written, or before it where
			// the clean file held zeros already.
			if got > from || !allZero(clean[got:from]) || got > 0 && clean[got-1] == 0 {
				t.Errorf("%s zeroed from 0x%X: told from 0x%X", path, from, got)
			}
		}
		// Zeros too long to read whole are checked where the store wrote
		// last, at every map page's place and at the end, and told from
		// where the end's run begins; a page of data left among them is
		// not told.
		if from := size / 2; from >= l.FirstAMap && from <= lastMap && from <= lastWritten {
			defer func(n int64) { maxZeroedTailRead = n }(maxZeroedTailRead)
			maxZeroedTailRead = 4096
			if got, ok := zeroedTail(zeroFrom(from)); !ok || got != size-4096 {
				t.Errorf("%s zeroed from 0x%X, reading 4 KiB at most: told %v from 0x%X, want from 0x%X", path, from, ok, got, size-4096)
			}
			// The first map page's place after the last place written.
			p := l.amapFrom(lastWritten)
			if p+l.PageSize < size-4096 {
				b := zeroFrom(from)
				copy(b[p:], "not zero")
				if _, ok := zeroedTail(b); ok {
					t.Errorf("%s zeroed from 0x%X but a map page's place at 0x%X, reading 4 KiB at most: told", path, from, p)
				}
			}
			maxZeroedTailRead = 1 << 30
		}
		// Zeros past the last block and B-tree page (free space, and map
		// pages scanpst rebuilds), the last map page zeroed with the bytes
		// after it whole, and zeros at the end of a cut-off copy (what
		// lies there may have moved) are not a zeroed end.
		if writtenEnd < size {
			if _, ok := zeroedTail(zeroFrom(writtenEnd)); ok {
				t.Errorf("%s: zeros past the last page and block are told as a zeroed end", path)
			}
		}
		if _, ok := zeroedTail(zeroFrom(lastWritten)[:size-512]); ok {
			t.Errorf("%s: a cut-off copy's zeros are told as a zeroed end", path)
		}
		// With the header destroyed too, the index rebuilt from what
		// survives names no block among the zeros: the map page of the
		// zeros' interval tells them, where it marks their place in use
		// and the zeros run over the next map page's place. The clean
		// file and zeros past the last page and block are still not told.
		headerless := func(b []byte) []byte {
			clear(b[:512])
			return b
		}
		// Nor is the file with zeros added past its end: an allocation map
		// may mark the rest of its interval in use (go-pst's 32-bit.pst).
		padded := append(bytes.Clone(clean), make([]byte, 1<<20)...)
		for _, b := range [][]byte{bytes.Clone(clean), zeroFrom(writtenEnd), padded} {
			if got, ok := zeroedTail(headerless(b)); ok {
				t.Errorf("%s, header zeroed: zeros from 0x%X, past the last page and block, told as a zeroed end", path, got)
			}
		}
		told := 0
		for _, from := range []int64{size / 2, size * 9 / 10} {
			if from < l.FirstAMap+l.PageSize || from > lastMap || from > lastWritten {
				continue
			}
			if got, ok := zeroedTail(headerless(zeroFrom(from))); ok {
				told++
				if got > from || !allZero(clean[got:from]) {
					t.Errorf("%s, header zeroed, zeroed from 0x%X: told from 0x%X", path, from, got)
				}
			}
		}
		t.Logf("%s: %d zeroed ends told with the header zeroed", path, told)
		toldHeaderless += told
		b := bytes.Clone(clean)
		clear(b[lastMap : lastMap+l.PageSize])
		if lastMap+l.PageSize < size && !allZero(clean[lastMap+l.PageSize:]) {
			if _, ok := zeroedTail(b); ok {
				t.Errorf("%s: the last map page zeroed alone is told as a zeroed end", path)
			}
		}
	}
}

func TestLastNonZero(t *testing.T) {
	for _, c := range []struct {
		n, at int
	}{{0, -1}, {1, -1}, {1, 0}, {100, 99}, {100, 3}, {200 << 10, 5}, {200 << 10, 70 << 10}, {200 << 10, -1}} {
		b := make([]byte, c.n)
		if c.at >= 0 {
			b[c.at] = 7
		}
		if got := lastNonZero(b); got != c.at {
			t.Errorf("%d bytes, the last non-zero at %d: got %d", c.n, c.at, got)
		}
	}
}
