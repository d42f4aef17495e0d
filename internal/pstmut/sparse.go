package pstmut

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Sparse is a file larger than a test can hold in memory: a File's bytes
// as its head, the pages and blocks written past the head, and zeros
// everywhere else. It lays out files past the 2 GB at which the first
// FPMap lies, with every map page where the format puts one.
type Sparse struct {
	F    *File
	size int64
	ext  map[int64][]byte // extents written past the head, by offset
	offs []int64          // their offsets, in order
}

// GrowSparse grows f to size bytes as Grow does (a valid map page wherever
// the format puts one, each marked allocated in its AMap; ROOT's ibFileEof,
// ibAMapLast and cbAMapFree updated and the header CRCs fixed), keeping the
// new pages out of f.B. f must not be edited through its own methods past
// its head afterwards; Sparse's methods edit what lies there.
func (f *File) GrowSparse(size int64) (*Sparse, error) {
	old := f.Size()
	if size < old {
		return nil, fmt.Errorf("pstmut: GrowSparse to %d bytes, the file has %d", size, old)
	}
	s := &Sparse{F: f, size: size, ext: map[int64][]byte{}}
	pages := f.FixedPages(old, size)
	for _, p := range pages {
		s.put(p.Off, NewMapPage(f.L, p.Off, p.Type))
	}
	for _, p := range pages {
		s.SetAMapBits(p.Off, f.L.PageSize, true)
	}
	l := f.L
	lastAMap := l.FirstAMap + (size-l.PageSize-l.FirstAMap)/l.AMapCoverage*l.AMapCoverage
	f.PutUint(f.HF.FileEOF, f.HF.Width, uint64(size))
	f.PutUint(f.HF.AMapLast, f.HF.Width, uint64(lastAMap))
	free, err := amapFree(s, l, size)
	if err != nil {
		return nil, err
	}
	f.PutUint(f.HF.AMapFree, f.HF.Width, uint64(free))
	f.FixHeaderCRCs()
	return s, nil
}

// Size is the file's length.
func (s *Sparse) Size() int64 { return s.size }

func (s *Sparse) put(off int64, b []byte) {
	if off < s.F.Size() || off+int64(len(b)) > s.size {
		panic(fmt.Sprintf("pstmut: extent 0x%X+%d is not past the head (0x%X) inside the file (0x%X)", off, len(b), s.F.Size(), s.size))
	}
	i, found := slices.BinarySearch(s.offs, off)
	if !found {
		s.offs = slices.Insert(s.offs, i, off)
	}
	s.ext[off] = b
	if (i > 0 && s.offs[i-1]+int64(len(s.ext[s.offs[i-1]])) > off) ||
		(i+1 < len(s.offs) && off+int64(len(b)) > s.offs[i+1]) {
		panic(fmt.Sprintf("pstmut: extent 0x%X+%d overlaps another", off, len(b)))
	}
}

// Bytes returns the extent written at off past the head (a map page or a
// moved block); edits through it change the file.
func (s *Sparse) Bytes(off int64) []byte {
	b, ok := s.ext[off]
	if !ok {
		panic(fmt.Sprintf("pstmut: nothing written at 0x%X", off))
	}
	return b
}

// ReadAt implements io.ReaderAt.
func (s *Sparse) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("pstmut: negative offset")
	}
	if off >= s.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), s.size-off))
	q := p[:n]
	clear(q)
	if off < s.F.Size() {
		copy(q, s.F.B[off:])
	}
	end := off + int64(n)
	// Extents do not overlap, so their ends are in order too.
	i := sort.Search(len(s.offs), func(i int) bool { return s.offs[i]+int64(len(s.ext[s.offs[i]])) > off })
	for ; i < len(s.offs) && s.offs[i] < end; i++ {
		e := s.ext[s.offs[i]]
		lo := max(s.offs[i], off)
		hi := min(s.offs[i]+int64(len(e)), end)
		copy(q[lo-off:hi-off], e[lo-s.offs[i]:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteFile writes the file's first n bytes to path, the zeros between its
// extents left as holes where the file system keeps files sparse (a file
// of several GB then takes a few MB of disk).
func (s *Sparse) WriteFile(path string, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	write := func(off int64, b []byte) error {
		if off >= n {
			return nil
		}
		_, err := f.WriteAt(b[:min(int64(len(b)), n-off)], off)
		return err
	}
	err = write(0, s.F.B)
	for _, off := range s.offs {
		if err == nil {
			err = write(off, s.ext[off])
		}
	}
	if err == nil {
		err = f.Truncate(n)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SetAMapBits marks the AMap units holding [off, off+n) allocated or free
// in the AMaps that cover them, head or not, and fixes their CRCs.
func (s *Sparse) SetAMapBits(off, n int64, allocated bool) {
	l := s.F.L
	for u := off / l.AMapUnit * l.AMapUnit; u < off+n; u += l.AMapUnit {
		page, b, m := s.F.AMapBit(u)
		if page < s.F.Size() {
			s.F.SetAMapBit(u, allocated)
			continue
		}
		p := s.Bytes(page)
		if allocated {
			p[b-page] |= m
		} else {
			p[b-page] &^= m
		}
		putPageTrailer(l, p, l.ParsePageTrailer(p))
	}
}

// MoveBlock moves block bid to offset to, past the head, as a writer
// placing it there would: its extent is copied with the trailer's
// signature made for the new offset, its BBT entry points there, and the
// AMaps mark the new extent allocated and the old one free (so the free
// count does not change).
func (s *Sparse) MoveBlock(bid uint64, to int64) {
	f := s.F
	off, n := f.Extent(bid)
	if to%f.L.BlockAlign != 0 {
		panic(fmt.Sprintf("pstmut: block offset 0x%X is not aligned", to))
	}
	b := append([]byte(nil), f.B[off:off+n]...)
	binary.LittleEndian.PutUint16(b[n-int64(f.L.BlockTrailerSize)+2:], ndb.Signature(uint64(to), f.MustBlock(bid).BID))
	s.put(to, b)
	f.EditBBT(bid, func(e *ndb.BBTEntry) { e.IB = uint64(to) })
	s.SetAMapBits(to, n, true)
	s.SetAMapBits(off, n, false)
}

// amapFree counts the free bytes the AMaps of r record up to limit, as
// the header's cbAMapFree should. It fails when an AMap page is missing.
func amapFree(r io.ReaderAt, l ndb.Layout, limit int64) (int64, error) {
	page := make([]byte, l.PageSize)
	var free int64
	for off := l.FirstAMap; off+l.PageSize <= limit; off += l.AMapCoverage {
		if _, err := r.ReadAt(page, off); err != nil {
			return 0, err
		}
		if t := l.ParsePageTrailer(page); t.Type != ndb.PageAMap {
			return 0, fmt.Errorf("pstmut: no AMap page at 0x%X", off)
		}
		units := (min(off+l.AMapCoverage, limit) - off) / l.AMapUnit
		bits := page[l.AMapBitsOff:]
		for u := int64(0); u < units; u++ {
			if bits[u>>3]&(0x80>>(u&7)) == 0 {
				free += l.AMapUnit
			}
		}
	}
	return free, nil
}
