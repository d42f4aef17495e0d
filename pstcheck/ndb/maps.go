package ndb

import (
	"encoding/binary"
	"fmt"
	mathbits "math/bits"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// fixedPages lists the map pages the format puts at fixed offsets inside
// the file (AMaps, PMaps, FMaps, FPMaps; see IntervalPages), so blocks
// overlapping them are caught and the allocation check knows they are in
// use.
func (s *Scanner) fixedPages() []pageRef {
	var out []pageRef
	for _, p := range s.h.Layout.MapPages(0, s.limit) {
		out = append(out, pageRef{IB: p.Off, BID: uint64(p.Off), Type: p.Type})
	}
	return out
}

// readMapPage reads a map page and checks its trailer: map pages have
// signature 0 and their own offset as BID. It returns nil and a reason
// when the page is unusable. The page is valid until the next call.
func (s *Scanner) readMapPage(off int64, ptype uint8) ([]byte, string) {
	l := &s.h.Layout
	if len(s.mapPage) != int(l.PageSize) {
		s.mapPage = make([]byte, l.PageSize)
	}
	page := s.mapPage
	if err := s.mapsWin.readAt(s.r, s.size, page, off); err != nil {
		return nil, "cannot be read: " + err.Error()
	}
	s.res.BytesVerified += l.PageSize
	t := l.ParsePageTrailer(page)
	switch {
	case t.Type != ptype || t.TypeRepeat != ptype:
		return nil, fmt.Sprintf("has type bytes 0x%02X/0x%02X, want 0x%02X", t.Type, t.TypeRepeat, ptype)
	case CRC(page[:l.PageTrailerOff]) != t.CRC:
		return nil, fmt.Sprintf("fails its CRC (stored 0x%08X, computed 0x%08X)", t.CRC, CRC(page[:l.PageTrailerOff]))
	case t.BID != uint64(off):
		return nil, fmt.Sprintf("trailer BID 0x%X is not its offset", t.BID)
	case t.Sig != 0:
		return nil, fmt.Sprintf("signature 0x%04X, want 0", t.Sig)
	}
	return page, ""
}

// extent is a byte range in use, for the allocation check.
type extent struct {
	ib, end int64
	bid     uint64
	page    uint8 // page type, 0 for a block
}

// usedExtents goes through the pages and blocks in use in offset order
// (pages first where a block starts at the same offset). What a rebuilt
// index adds is left out: it may name stale pages and blocks (earlier
// versions, freed since) that the maps rightly call free. Blocks whose
// entry puts them out of place are left out too (already reported).
type usedExtents struct {
	s      *Scanner
	pi, bi int
}

func (s *Scanner) usedExtents() *usedExtents { return &usedExtents{s: s} }

func (u *usedExtents) next() (extent, bool) {
	s := u.s
	l := &s.h.Layout
	bbt := &s.res.BBT
	for u.pi < len(s.sortedPages) && s.sortedPages[u.pi].rebuilt {
		u.pi++
	}
	for ; u.bi < bbt.Len(); u.bi++ {
		i := s.order.at(u.bi)
		switch bbt.State(i).Code() {
		case finding.BlockSize, finding.BlockAlign, finding.BlockRange, finding.BlockOverlap:
			continue
		}
		if bbt.Found(i) == FoundInTree {
			break
		}
	}
	havePage, haveBlock := u.pi < len(s.sortedPages), u.bi < bbt.Len()
	if havePage && (!haveBlock || s.sortedPages[u.pi].IB <= int64(bbt.IB(s.order.at(u.bi)))) {
		p := s.sortedPages[u.pi]
		u.pi++
		return extent{ib: p.IB, end: p.IB + l.PageSize, bid: p.BID, page: p.Type}, true
	}
	if haveBlock {
		i := s.order.at(u.bi)
		u.bi++
		ib := int64(bbt.IB(i))
		return extent{ib: ib, end: ib + l.BlockExtent(int(bbt.CB(i))), bid: bbt.BID(i)}, true
	}
	return extent{}, false
}

// firstFree returns the first unit in [from, to) whose AMap bit (the
// byte's high bit first) is clear, or -1. An allocated block covers a
// hundred or more units, all set in a sound file: they are read eight
// bytes at a time.
func firstFree(bits []byte, from, to int64) int64 {
	u := from
	for ; u < to && u&7 != 0; u++ {
		if bits[u>>3]&(0x80>>(u&7)) == 0 {
			return u
		}
	}
	for u+64 <= to && binary.LittleEndian.Uint64(bits[u>>3:]) == ^uint64(0) {
		u += 64
	}
	for u+8 <= to && bits[u>>3] == 0xFF {
		u += 8
	}
	for ; u < to; u++ {
		if bits[u>>3]&(0x80>>(u&7)) == 0 {
			return u
		}
	}
	return -1
}

// checkMaps is the allocation pass (CheckMaps): every AMap page where the
// format puts one, every page and block in use marked allocated, the free
// space counted; then PMaps, FMaps and the DList.
func (s *Scanner) checkMaps() {
	l := &s.h.Layout
	h := s.h
	used := s.usedExtents()
	defer func() { s.order, s.sortedPages = nil, nil }()
	checkBits := h.AMapValid != 0
	var free int64
	counted := true
	x, more := used.next()
	for off := l.FirstAMap; off+l.PageSize <= s.limit; off += l.AMapCoverage {
		end := off + l.AMapCoverage
		page, why := s.readMapPage(off, PageAMap)
		if page == nil {
			s.report(finding.Finding{Code: finding.AMapPage, Offset: off, BID: uint64(off),
				Detail: fmt.Sprintf("AMap page at 0x%X %s", off, why)})
			counted = false
			for more && x.ib < end {
				x, more = used.next()
			}
			continue
		}
		bits := page[l.AMapBitsOff : l.AMapBitsOff+l.AMapBytes]
		// Free space: zero bits for the part of this map inside the file.
		units := (min(end, s.limit) - off) / l.AMapUnit
		set := 0
		whole := bits[:units>>3]
		for len(whole) >= 8 {
			set += mathbits.OnesCount64(binary.LittleEndian.Uint64(whole))
			whole = whole[8:]
		}
		for _, b := range whole {
			set += mathbits.OnesCount8(b)
		}
		for u := units &^ 7; u < units; u++ {
			if bits[u>>3]&(0x80>>(u&7)) != 0 {
				set++
			}
		}
		free += (units - int64(set)) * l.AMapUnit
		for ; more && x.ib < end; x, more = used.next() {
			if !checkBits || x.ib < off {
				continue
			}
			last := min(x.end, end)
			if u := firstFree(bits, (x.ib-off)/l.AMapUnit, (last-off+l.AMapUnit-1)/l.AMapUnit); u >= 0 {
				what := fmt.Sprintf("block 0x%X", x.bid)
				if x.page != 0 {
					what = pageTypeName(x.page) + " page"
				}
				s.report(finding.Finding{Code: finding.AMapUnmarked, Offset: x.ib, BID: x.bid,
					Detail: fmt.Sprintf("%s at 0x%X is in use but the AMap at 0x%X marks 0x%X free", what, x.ib, off, off+u*l.AMapUnit)})
			}
		}
	}
	if counted {
		s.res.FreeBytes = free
		if checkBits && !h.Guessed && uint64(free) != h.AMapFree { // a guessed header has no count
			s.report(finding.Finding{Code: finding.AMapFree, Offset: finding.NoOffset,
				Detail: fmt.Sprintf("the header records %d free bytes, the AMaps %d", h.AMapFree, free)})
		}
		if free > 0 {
			s.report(finding.Finding{Code: finding.MapFreeSpace, Offset: finding.NoOffset,
				Detail: fmt.Sprintf("%d bytes (%.1f%% of the file) are free; compacting the file would reclaim them", free, 100*float64(free)/float64(max(s.size, 1)))})
		}
	}

	for _, p := range s.mapPages {
		var code finding.Code
		switch p.Type {
		case PagePMap:
			code = finding.PMapPage
		case PageFMap, PageFPMap:
			code = finding.FMapPage
		default:
			continue
		}
		if page, why := s.readMapPage(p.IB, p.Type); page == nil {
			s.report(finding.Finding{Code: code, Offset: p.IB, BID: uint64(p.IB),
				Detail: fmt.Sprintf("%s page at 0x%X %s", pageTypeName(p.Type), p.IB, why)})
		}
	}
	s.checkDList()
}

// checkDList verifies the optional density list. It lives in the reserved
// area that other transient data may overwrite, so only a page that says it
// is a DList is checked, and a bad one is a warning: Outlook rebuilds it.
func (s *Scanner) checkDList() {
	l := &s.h.Layout
	if l.DListOffset+l.PageSize > s.limit {
		return
	}
	page := make([]byte, l.PageSize)
	if err := readFull(s.r, page, l.DListOffset); err != nil {
		return
	}
	t := l.ParsePageTrailer(page)
	if t.Type != PageDList {
		return
	}
	var why string
	switch {
	case t.TypeRepeat != PageDList:
		why = fmt.Sprintf("has type bytes 0x%02X/0x%02X", t.Type, t.TypeRepeat)
	case CRC(page[:l.PageTrailerOff]) != t.CRC:
		why = fmt.Sprintf("fails its CRC (stored 0x%08X, computed 0x%08X)", t.CRC, CRC(page[:l.PageTrailerOff]))
	case t.Sig != Signature(uint64(l.DListOffset), t.BID):
		why = fmt.Sprintf("signature 0x%04X, want 0x%04X", t.Sig, Signature(uint64(l.DListOffset), t.BID))
	default:
		return
	}
	s.report(finding.Finding{Code: finding.DListPage, Offset: l.DListOffset, BID: t.BID,
		Detail: "the DList page " + why})
}
