package ndb

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// A copy that lacks bytes inside it (the rest moved up) is found, with the
// bytes missing, never after where they went missing (before it only by
// bytes that hold no page or block: free space, or one the gap cut
// through), so that read through the gap every page and block of the
// clean file outside the hole is where the index says and as it was.
// When the bytes went missing before the data section, all of it moved:
// the gap is put just before it. A gap past the last page and block moves
// nothing and need not be found. A clean file, a copy cut off at its end
// and one with its tail zeroed have no gap.
func TestFindGap(t *testing.T) {
	files := samples.GoPstAll()
	if !testing.Short() {
		files = append(files, samples.CorpusNamed(samples.DamageCorpus...)...)
	}
	if len(files) == 0 {
		t.Skip("go-pst's samples are not downloaded")
	}
	for _, path := range files {
		clean, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(clean))
		h := ReadHeader(bytes.NewReader(clean), size, discard{})
		// A gap after the last page and block moves nothing that matters
		// and need not be found: the copy is as good as one cut off.
		res := Scan(context.Background(), bytes.NewReader(clean), size, discard{}, Options{Workers: 1})
		type extent struct{ off, end int64 }
		var structures []extent // every block and page of the clean file
		last := int64(0)
		for i := range res.BBT.Len() {
			e := res.BBT.Entry(i)
			structures = append(structures, extent{int64(e.IB), int64(e.IB) + h.Layout.BlockExtent(int(e.CB))})
			last = max(last, int64(e.IB))
		}
		for _, p := range res.s.sortedPages {
			structures = append(structures, extent{p.IB, p.IB + h.Layout.PageSize})
			last = max(last, p.IB)
		}
		if _, ok := FindGap(bytes.NewReader(clean), size); ok {
			t.Errorf("%s: a gap in the clean file", path)
		}
		for _, pct := range []int64{10, 25, 50, 75, 90} {
			for _, n := range []int64{512, 4 << 10, 64 << 10} {
				at := size * pct / 100 / 512 * 512
				if at+n >= size {
					continue
				}
				t.Run(fmt.Sprintf("%s/%d bytes at %d%%", filepath.Base(path), n, pct), func(t *testing.T) {
					copy := slices.Concat(clean[:at], clean[at+n:])
					g, ok := FindGap(bytes.NewReader(copy), int64(len(copy)))
					if !ok && at+n > last {
						return
					}
					before := at < h.Layout.FirstAMap && g.Offset+n == h.Layout.FirstAMap
					if !ok || g.Size != n || g.Offset > at && !before {
						t.Fatalf("found %+v (%v); the gap is %d bytes at %d", g, ok, n, at)
					}
					got := make([]byte, size)
					if _, err := g.Reader(bytes.NewReader(copy)).ReadAt(got, 0); err != nil {
						t.Fatal(err)
					}
					for _, x := range structures {
						if (x.end <= at || x.off >= at+n) && !bytes.Equal(got[x.off:x.end], clean[x.off:x.end]) {
							t.Fatalf("found %+v: read through it, the page or block at 0x%X is not as in the clean file", g, x.off)
						}
					}
				})
			}
		}
		for name, copy := range map[string][]byte{
			"cut at 90%":         clean[:size*9/10/512*512],
			"cut at 50%":         clean[:size/2/512*512],
			"tail zeroed at 90%": slices.Concat(clean[:size*9/10], make([]byte, size-size*9/10)),
		} {
			if g, ok := FindGap(bytes.NewReader(copy), int64(len(copy))); ok {
				t.Errorf("%s %s: a gap %+v", path, name, g)
			}
		}
	}
}

// The gap reader serves reads that straddle the gap's edges.
func TestGapReader(t *testing.T) {
	file := []byte("abcdefghij")
	r := Gap{Offset: 4, Size: 3}.Reader(bytes.NewReader(file))
	got := make([]byte, 13)
	if n, err := r.ReadAt(got, 0); n != 13 || err != nil || string(got) != "abcd\x00\x00\x00efghij" {
		t.Errorf("read %q (%d, %v)", got, n, err)
	}
	if n, _ := r.ReadAt(got[:4], 5); string(got[:n]) != "\x00\x00ef" {
		t.Errorf("read %q", got[:n])
	}
}
