package pstmut

import (
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Fixed positions of the deprecated free maps (MS-PST 1.3.2 and 2.2.2.7):
// the first FMap follows the AMap and PMap after the 128 AMaps the header's
// rgbFM covers, then one every 496 AMaps; FPMaps (Unicode only) likewise.
const (
	FirstFMap     = 0x1F04800
	FMapInterval  = 496 * 496 * 8 * 64
	FirstFPMap    = 0x7C004A00
	FPMapInterval = 496 * 8 * 496 * 8 * 64 * 8
)

// FileEOF reads ROOT.ibFileEof as the bytes now say.
func (f *File) FileEOF() int64 { return int64(f.Uint(f.HF.FileEOF, f.HF.Width)) }

// FixedPages returns the offsets and types of the map pages the format
// puts at fixed offsets (AMap, PMap, FMap, FPMap) in [from, to).
func (f *File) FixedPages(from, to int64) []MapPage {
	var out []MapPage
	add := func(first, every int64, t uint8) {
		for off := first; off+f.L.PageSize <= to; off += every {
			if off >= from {
				out = append(out, MapPage{off, t})
			}
		}
	}
	add(f.L.FirstAMap, f.L.AMapCoverage, ndb.PageAMap)
	if f.L.FirstPMap != 0 {
		add(f.L.FirstPMap, f.L.PMapCoverage, ndb.PagePMap)
		add(FirstFMap, FMapInterval, ndb.PageFMap)
		if f.L.Kind == ndb.Unicode {
			add(FirstFPMap, FPMapInterval, ndb.PageFPMap)
		}
	}
	return out
}

// MapPage is a map page's offset and type.
type MapPage struct {
	Off  int64
	Type uint8
}

// WriteMapPage writes a valid, empty map page of type ptype at off: an
// AMap with no unit allocated, a PMap with every page allocated (as
// Outlook keeps them), an FMap or FPMap of zeros, or a DList page with no
// entries. Its trailer has the type, signature 0 and its own offset as
// BID (a DList has a signature and BID like a B-tree page: bid 0 is
// used), and its CRC is fixed.
func (f *File) WriteMapPage(off int64, ptype uint8) {
	f.Zero(off, f.L.PageSize)
	if ptype == ndb.PagePMap {
		for i := 0; i < f.L.AMapBytes; i++ {
			f.B[off+int64(f.L.AMapBitsOff+i)] = 0xFF
		}
	}
	f.SetPageType(off, ptype, ptype)
	f.SetPageSig(off, 0)
	f.SetPageBID(off, uint64(off))
	if ptype == ndb.PageDList {
		f.SetPageBID(off, 0)
		f.SetPageSig(off, ndb.Signature(uint64(off), 0))
	}
	f.FixPageCRC(off)
}

// AMapFree counts the free bytes the AMaps record for the part of the
// file they map (up to the smaller of its size and ibFileEof), as the
// header's cbAMapFree should. It returns an error when an AMap page is
// missing.
func (f *File) AMapFree() (int64, error) {
	limit := min(f.Size(), f.FileEOF())
	var free int64
	for off := f.L.FirstAMap; off+f.L.PageSize <= limit; off += f.L.AMapCoverage {
		if t := f.PageTrailer(off); t.Type != ndb.PageAMap {
			return 0, fmt.Errorf("pstmut: no AMap page at 0x%X", off)
		}
		units := (min(off+f.L.AMapCoverage, limit) - off) / f.L.AMapUnit
		bits := f.B[off+int64(f.L.AMapBitsOff):]
		for u := int64(0); u < units; u++ {
			if bits[u>>3]&(0x80>>(u&7)) == 0 {
				free += f.L.AMapUnit
			}
		}
	}
	return free, nil
}

// Grow extends the file to size bytes the way Outlook grows one: the new
// bytes are free space, with a valid map page (WriteMapPage) wherever the
// format puts an AMap, PMap, FMap or FPMap, each marked allocated in the
// AMap that covers it. ROOT's ibFileEof, ibAMapLast and cbAMapFree are
// updated and the header CRCs fixed, so the grown file is sound.
func (f *File) Grow(size int64) error {
	old := f.Size()
	if size < old {
		return fmt.Errorf("pstmut: Grow to %d bytes, the file has %d", size, old)
	}
	f.Extend(size - old)
	pages := f.FixedPages(old, size)
	for _, p := range pages {
		f.WriteMapPage(p.Off, p.Type)
	}
	for _, p := range pages {
		for u := p.Off; u < p.Off+f.L.PageSize; u += f.L.AMapUnit {
			f.SetAMapBit(u, true)
		}
	}
	amaps := f.AMaps()
	f.PutUint(f.HF.FileEOF, f.HF.Width, uint64(size))
	f.PutUint(f.HF.AMapLast, f.HF.Width, uint64(amaps[len(amaps)-1]))
	free, err := f.AMapFree()
	if err != nil {
		return err
	}
	f.PutUint(f.HF.AMapFree, f.HF.Width, uint64(free))
	f.FixHeaderCRCs()
	return nil
}
