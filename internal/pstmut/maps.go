package pstmut

import (
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// FileEOF reads ROOT.ibFileEof as the bytes now say.
func (f *File) FileEOF() int64 { return int64(f.Uint(f.HF.FileEOF, f.HF.Width)) }

// MapPage is a map page's offset and type.
type MapPage = ndb.MapPage

// FixedPages returns the map pages the format puts at fixed offsets (AMap,
// PMap, FMap, FPMap) in [from, to), by the engine's own rule.
func (f *File) FixedPages(from, to int64) []MapPage { return f.L.MapPages(from, to) }

// WriteMapPage writes a valid, empty map page of type ptype at off: an
// AMap with no unit allocated, a PMap with every page allocated (as
// Outlook keeps them), an FMap or FPMap of zeros, or a DList page with no
// entries. Its trailer has the type, signature 0 and its own offset as
// BID (a DList has a signature and BID like a B-tree page: bid 0 is
// used), and its CRC is fixed.
func (f *File) WriteMapPage(off int64, ptype uint8) {
	f.check(off, f.L.PageSize)
	copy(f.B[off:], NewMapPage(f.L, off, ptype))
}

// NewMapPage returns the bytes of the page WriteMapPage writes.
func NewMapPage(l ndb.Layout, off int64, ptype uint8) []byte {
	p := make([]byte, l.PageSize)
	if ptype == ndb.PagePMap {
		for i := 0; i < l.AMapBytes; i++ {
			p[l.AMapBitsOff+i] = 0xFF
		}
	}
	bid, sig := uint64(off), uint16(0)
	if ptype == ndb.PageDList {
		bid, sig = 0, ndb.Signature(uint64(off), 0)
	}
	putPageTrailer(l, p, ndb.PageTrailer{Type: ptype, TypeRepeat: ptype, Sig: sig, BID: bid})
	return p
}

// putPageTrailer writes a page trailer with the CRC of the page's bytes.
func putPageTrailer(l ndb.Layout, p []byte, t ndb.PageTrailer) {
	tr := p[l.PageTrailerOff:]
	tr[0], tr[1] = t.Type, t.TypeRepeat
	binary.LittleEndian.PutUint16(tr[2:], t.Sig)
	crc := ndb.CRC(p[:l.PageTrailerOff])
	if l.Kind == ndb.ANSI {
		binary.LittleEndian.PutUint32(tr[4:], uint32(t.BID))
		binary.LittleEndian.PutUint32(tr[8:], crc)
	} else {
		binary.LittleEndian.PutUint32(tr[4:], crc)
		binary.LittleEndian.PutUint64(tr[8:], t.BID)
	}
}

// AMapFree counts the free bytes the AMaps record for the part of the
// file they map (up to the smaller of its size and ibFileEof), as the
// header's cbAMapFree should. It returns an error when an AMap page is
// missing.
func (f *File) AMapFree() (int64, error) {
	return amapFree(f.Reader(), f.L, min(f.Size(), f.FileEOF()))
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
