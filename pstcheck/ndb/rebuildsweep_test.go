package ndb

import (
	"context"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// The sweep's allocation lookup reads an interval's AMap page from the
// chunk's bytes when they hold it, else from the file (an interval of a 4
// KiB-page file spans many chunks): either way every block of a sound
// file is in use, and the same answer comes from both.
func TestSweepAlloc(t *testing.T) {
	var files []string
	if p := samples.GoPst("enron.pst"); p != "" {
		files = append(files, p)
	}
	for _, p := range samples.CorpusFiles(false) {
		files = append(files, p)
	}
	if len(files) == 0 {
		t.Skip("no samples")
	}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		res := Scan(context.Background(), f, st.Size(), discard{}, Options{})
		if res == nil || res.Header.AMapValid == 0 {
			f.Close()
			continue
		}
		l := &res.Header.Layout
		sw := &sweeper{s: res.s, maps: amapCursor{r: res.s.r, l: l}}
		checked := 0
		for i, e := range res.BBT.All() {
			if i%7 != 0 {
				continue
			}
			off := int64(e.IB)
			amap := l.FirstAMap + (off-l.FirstAMap)/l.AMapCoverage*l.AMapCoverage
			page := make([]byte, l.PageSize)
			if readFull(f, page, amap) != nil {
				t.Fatal("cannot read the AMap page")
			}
			sw.maps.off = 0
			fromFile := sw.alloc(off, nil, off) // the buffer holds nothing
			sw.maps.off = 0
			fromBuffer := sw.alloc(off, page, amap)
			if fromFile != allocInUse || fromBuffer != allocInUse {
				t.Errorf("%s: block 0x%X at 0x%X: %d from the file, %d from the chunk; want in use", path, e.BID, off, fromFile, fromBuffer)
				break
			}
			checked++
		}
		if checked == 0 {
			t.Errorf("%s: no block checked", path)
		}
		f.Close()
	}
}
