package ndb_test

import (
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// The map pages of each interval, by the rule in mappages.go, at the
// offsets MS-PST's arithmetic gives.
func TestMapPagePositions(t *testing.T) {
	u := ndb.LayoutOf(ndb.Unicode)
	for _, c := range []struct {
		t    uint8
		want int64
	}{
		{ndb.PageAMap, 0x4400},
		{ndb.PagePMap, 0x4600},
		{ndb.PageFMap, 0x1F04800},   // interval 128: AMap, PMap, FMap
		{ndb.PageFPMap, 0x7C004800}, // interval 8192: AMap, PMap, FPMap (no FMap there)
	} {
		if got := u.FirstMapPage(c.t); got != c.want {
			t.Errorf("first page of type 0x%02X at 0x%X, want 0x%X", c.t, got, c.want)
		}
	}
	// The second FMap, 496 intervals on; the second FPMap, 31,744 on.
	fmap2 := int64(0x4400 + (128+496)*0x3E000 + 0x400)
	fpmap2 := int64(0x4400 + (8192+31744)*0x3E000 + 0x400)
	var fmaps, fpmaps []int64
	for _, p := range u.MapPages(0, fpmap2+u.PageSize) {
		switch p.Type {
		case ndb.PageFMap:
			fmaps = append(fmaps, p.Off)
		case ndb.PageFPMap:
			fpmaps = append(fpmaps, p.Off)
		}
	}
	if len(fmaps) < 2 || fmaps[0] != 0x1F04800 || fmaps[1] != fmap2 {
		t.Errorf("FMaps at %#x, want 0x1F04800 then %#x first", fmaps[:min(len(fmaps), 2)], fmap2)
	}
	if len(fpmaps) != 2 || fpmaps[0] != 0x7C004800 || fpmaps[1] != fpmap2 {
		t.Errorf("FPMaps at %#x, want [0x7C004800 %#x]", fpmaps, fpmap2)
	}

	// No slot is ever claimed twice, and the pages of an interval are
	// packed after its AMap, over 50 GB of intervals.
	for i := int64(0); i < 50<<30/u.AMapCoverage; i++ {
		pages := u.IntervalPages(i)
		for k, p := range pages {
			if want := u.FirstAMap + i*u.AMapCoverage + int64(k)*u.PageSize; p.Off != want {
				t.Fatalf("interval %d: page %d (type 0x%02X) at 0x%X, want 0x%X", i, k, p.Type, p.Off, want)
			}
		}
		if len(pages) > 3 {
			t.Fatalf("interval %d has %d map pages (an FMap and an FPMap together)", i, len(pages))
		}
	}
}

// ANSI files have PMaps and FMaps but keep only the header's FPMap;
// 4K-page files have AMaps only.
func TestMapPagesByKind(t *testing.T) {
	a := ndb.LayoutOf(ndb.ANSI)
	if a.FirstMapPage(ndb.PageFMap) != 0x1F04800 || a.FirstMapPage(ndb.PageFPMap) != -1 {
		t.Errorf("ANSI: FMap at 0x%X, FPMap at %d", a.FirstMapPage(ndb.PageFMap), a.FirstMapPage(ndb.PageFPMap))
	}
	k := ndb.LayoutOf(ndb.Unicode4K)
	for _, p := range k.MapPages(0, 200*k.AMapCoverage) {
		if p.Type != ndb.PageAMap {
			t.Fatalf("4K: a map page of type 0x%02X at 0x%X", p.Type, p.Off)
		}
	}
	if got := k.FirstMapPage(ndb.PageAMap); got != 0x22000 {
		t.Errorf("4K: first AMap at 0x%X", got)
	}
}
