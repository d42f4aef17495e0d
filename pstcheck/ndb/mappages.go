package ndb

// Where the allocation map pages lie. The data section is cut into AMap
// intervals, each AMapCoverage bytes long and starting with its AMap page.
// The other map pages of an interval follow the AMap, each in the next free
// page slot (MS-PST 1.3.2 and 2.2.2.7):
//
//   - a PMap in every 8th interval (each PMap bit maps a page, 8 AMaps' worth);
//   - an FMap in interval 128 and every 496th after it: one FMap byte
//     describes one AMap, and the header's 128-byte rgbFM describes
//     intervals 0-127, each FMap page the next 496;
//   - an FPMap (Unicode only) in interval 8192 and every 31,744th after it:
//     one FPMap bit describes one PMap, the header's 128-byte rgbFP 1,024
//     PMaps (8,192 intervals), each FPMap page the next 3,968 PMaps
//     (31,744 intervals). ANSI files end before interval 8192 and keep only
//     the header's rgbFP.
//
// FMap and FPMap intervals never coincide (FMap intervals are 128 mod 496,
// FPMap intervals 256 mod 496), and both are multiples of 8, so each always
// follows a PMap: the first FMap is at 0x1F04800 and the first FPMap at
// 0x7C004800, both at +0x400 in their interval.
//
// 4 KiB-page files (wVer 36) are not in MS-PST. On the real 4K OST the page
// after the first AMap holds data, not a PMap, so these files have no PMaps
// and hence no FPMaps (which map PMaps); no file reaches the 128th 4K AMap
// (2.1 GB) to show whether FMaps exist, so none is expected and the slot is
// never judged.
const (
	pmapEveryIntervals  = 8
	fmapFirstInterval   = 128
	fmapEveryIntervals  = 496
	fpmapFirstInterval  = 1024 * pmapEveryIntervals
	fpmapEveryIntervals = 496 * 8 * pmapEveryIntervals
)

// MapPage is a map page the format puts at a fixed place.
type MapPage struct {
	Off  int64
	Type uint8 // PageAMap, PagePMap, PageFMap or PageFPMap
}

// IntervalPages returns the map pages of AMap interval i (0 for the first
// AMap), in file order: the AMap, then each other map page of the interval
// in the next page slot.
func (l *Layout) IntervalPages(i int64) []MapPage {
	off := l.FirstAMap + i*l.AMapCoverage
	out := []MapPage{{off, PageAMap}}
	if !l.PMaps {
		return out
	}
	next := func(t uint8) {
		out = append(out, MapPage{off + int64(len(out))*l.PageSize, t})
	}
	if i%pmapEveryIntervals == 0 {
		next(PagePMap)
	}
	if i >= fmapFirstInterval && (i-fmapFirstInterval)%fmapEveryIntervals == 0 {
		next(PageFMap)
	}
	if l.Kind == Unicode && i >= fpmapFirstInterval && (i-fpmapFirstInterval)%fpmapEveryIntervals == 0 {
		next(PageFPMap)
	}
	return out
}

// amapOf returns the offset of the AMap page whose interval holds off (off
// at or past the first AMap page).
func (l *Layout) amapOf(off int64) int64 {
	return l.FirstAMap + (off-l.FirstAMap)/l.AMapCoverage*l.AMapCoverage
}

// unitCeil returns off rounded up to a whole allocation unit.
func (l *Layout) unitCeil(off int64) int64 {
	return (off + l.AMapUnit - 1) / l.AMapUnit * l.AMapUnit
}

// amapFrom returns the offset of the first AMap page at or after off
// (the first of all before the data section).
func (l *Layout) amapFrom(off int64) int64 {
	return l.FirstAMap + max(off-l.FirstAMap+l.AMapCoverage-1, 0)/l.AMapCoverage*l.AMapCoverage
}

// MapPages returns the map pages that lie wholly inside [from, to), in
// file order.
func (l *Layout) MapPages(from, to int64) []MapPage {
	var out []MapPage
	first := max(from-l.FirstAMap, 0) / l.AMapCoverage
	for i := first; l.FirstAMap+i*l.AMapCoverage+l.PageSize <= to; i++ {
		for _, p := range l.IntervalPages(i) {
			if p.Off >= from && p.Off+l.PageSize <= to {
				out = append(out, p)
			}
		}
	}
	return out
}

// FirstMapPage returns the offset of the first map page of type t, or -1
// when files of this kind have none.
func (l *Layout) FirstMapPage(t uint8) int64 {
	var i int64
	switch {
	case t == PageAMap:
	case t == PagePMap && l.PMaps:
	case t == PageFMap && l.PMaps:
		i = fmapFirstInterval
	case t == PageFPMap && l.PMaps && l.Kind == Unicode:
		i = fpmapFirstInterval
	default:
		return -1
	}
	for _, p := range l.IntervalPages(i) {
		if p.Type == t {
			return p.Off
		}
	}
	return -1
}
