package pstwrite_test

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// TestAllocationMapsExact checks the maps against the file's structures:
// an AMap bit is set exactly where a page or block lies (the engine's
// check only catches a used unit marked free), cbAMapFree is the AMaps'
// count, ibAMapLast the last AMap, the file ends on an interval boundary,
// PMaps offer no free page, and the DList lists the AMaps with free space,
// most free first.
func TestAllocationMapsExact(t *testing.T) {
	path := create(t, func(w *pstwrite.Writer) {
		f, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "F"})
		for i := range 400 {
			w.AddMessage(f, &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x37, text(20+i%300, i))},
				Attachments: []pstwrite.Attachment{{Props: []pstwrite.Property{pstwrite.Binary(0x3701, bytes.Repeat([]byte{byte(i)}, 100+i*37))}}}})
		}
	})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pstmut.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	l := f.L
	size := int64(len(b))
	if (size-l.FirstAMap)%l.AMapCoverage != 0 {
		t.Errorf("file size %d does not end an AMap interval", size)
	}
	want := make([]bool, (size-l.FirstAMap)/l.AMapUnit)
	mark := func(off, n int64) {
		for u := (off - l.FirstAMap) / l.AMapUnit; u < (off+n-l.FirstAMap+l.AMapUnit-1)/l.AMapUnit; u++ {
			if want[u] {
				t.Fatalf("unit at 0x%X is used twice", l.FirstAMap+u*l.AMapUnit)
			}
			want[u] = true
		}
	}
	for _, p := range l.MapPages(0, size) {
		mark(p.Off, l.PageSize)
	}
	for _, p := range f.Pages {
		mark(p.Off, l.PageSize)
	}
	for _, e := range f.BBT {
		mark(int64(e.IB), l.BlockExtent(int(e.CB)))
	}
	var free int64
	var lastAMap int64
	type dl struct{ page, free int }
	var perMap []dl
	for i := int64(0); l.FirstAMap+i*l.AMapCoverage < size; i++ {
		off := l.FirstAMap + i*l.AMapCoverage
		lastAMap = off
		bits := b[off : off+int64(l.AMapBytes)]
		n := 0
		for k := range int(l.AMapCoverage / l.AMapUnit) {
			set := bits[k/8]&(0x80>>(k%8)) != 0
			if set != want[i*l.AMapCoverage/l.AMapUnit+int64(k)] {
				t.Fatalf("AMap at 0x%X: unit 0x%X is %v, want %v", off, off+int64(k)*l.AMapUnit, set, !set)
			}
			if !set {
				n++
			}
		}
		free += int64(n) * l.AMapUnit
		if n > 0 {
			perMap = append(perMap, dl{int(i), n})
		}
	}
	if got := int64(f.Uint(f.HF.AMapFree, 8)); got != free {
		t.Errorf("cbAMapFree %d, the AMaps %d", got, free)
	}
	if got := int64(f.Uint(f.HF.AMapLast, 8)); got != lastAMap {
		t.Errorf("ibAMapLast 0x%X, want 0x%X", got, lastAMap)
	}
	for _, p := range l.MapPages(0, size) {
		if p.Type == ndb.PagePMap && !bytes.Equal(b[p.Off:p.Off+int64(l.AMapBytes)], bytes.Repeat([]byte{0xFF}, l.AMapBytes)) {
			t.Errorf("PMap at 0x%X offers free pages; cbPMapFree is 0", p.Off)
		}
	}
	d := b[l.DListOffset : l.DListOffset+l.PageSize]
	if d[l.PageTrailerOff] != ndb.PageDList || int(d[1]) != min(len(perMap), 119) {
		t.Fatalf("DList type 0x%02X with %d entries, want %d", d[l.PageTrailerOff], d[1], len(perMap))
	}
	prev := 1 << 12
	for k := range int(d[1]) {
		e := binary.LittleEndian.Uint32(d[8+4*k:])
		page, n := int(e&0xFFFFF), int(e>>20)
		if n > prev {
			t.Errorf("DList entry %d: %d free slots after %d: not most free first", k, n, prev)
		}
		prev = n
		found := false
		for _, m := range perMap {
			found = found || m.page == page && m.free == n
		}
		if !found {
			t.Errorf("DList entry %d: AMap %d with %d free slots does not match the AMaps", k, page, n)
		}
	}
}
