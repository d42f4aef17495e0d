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
// bytes missing and where: never after the true place, and at most a
// stretch of the search before it (the bytes between hold no page or block
// that verifies: free space, or one the gap cut through). Read through the
// gap, the copy is the clean file but for those bytes. When the bytes
// went missing before the data section, all of it moved: the gap is put
// just before it. A gap past the last page and block need not be found. A copy cut off at its end, or with its tail zeroed, has no gap,
// and neither has a clean file.
func TestFindGap(t *testing.T) {
	files := samples.GoPstAll()
	if dir := samples.Corpus(); dir != "" && !testing.Short() {
		for _, n := range []string{"aspose-email-dotnet__SampleOstFile.ost", "npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"} {
			if p := filepath.Join(dir, n); isFile(p) {
				files = append(files, p)
			}
		}
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
		last := int64(0)
		for i := range res.BBT.Len() {
			last = max(last, int64(res.BBT.IB(i)))
		}
		for _, p := range res.s.sortedPages {
			last = max(last, p.IB)
		}
		slack := gapProbe + h.Layout.BlockExtent(h.Layout.MaxBlockData)
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
					if !ok || g.Size != n || (g.Offset > at || g.Offset < at-slack) && !before {
						t.Fatalf("found %+v (%v); the gap is %d bytes at %d", g, ok, n, at)
					}
					got := make([]byte, size)
					if _, err := g.Reader(bytes.NewReader(copy)).ReadAt(got, 0); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got[:min(g.Offset, at)], clean[:min(g.Offset, at)]) || !bytes.Equal(got[max(at, g.Offset)+n:], clean[max(at, g.Offset)+n:]) {
						t.Error("read through the gap, the copy is not the clean file around it")
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

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
