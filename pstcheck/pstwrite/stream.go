package pstwrite

import (
	"encoding/binary"
	"errors"
	"io"
	"sync/atomic"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Output is where a store is written: sequential writes for its body and a
// few writes at fixed offsets when it is closed (the header, the DList, the
// FMap and FPMap pages). *os.File is one.
type Output interface {
	io.Writer
	io.WriterAt
}

// stream lays out the file. The data section is cut into AMap intervals
// (ndb.Layout.IntervalPages says which map pages open each one); the
// interval being filled is held in memory and written whole, its AMap and
// other map pages first, once the next one is begun. So every byte is
// written once and in order, memory stays at one interval whatever the
// file's size, and an AMap is computed from exactly what its interval
// holds. Blocks are never split across intervals: a block that does not
// fit in what is left of one starts the next, and the rest stays free
// (an honest free region, counted in the AMap).
type stream struct {
	out Output
	l   ndb.Layout
	err error

	iv      int64  // index of the interval being filled
	ivStart int64  // its file offset
	buf     []byte // its bytes
	pos     int64  // next free byte (file offset)
	bits    []byte // its AMap bitmap

	// Per finished interval: the longest run of free 64-byte units
	// (capped at 255, the FMap's byte) and the number of free units (the
	// DList's count).
	longestFree []uint8
	freeUnits   []uint16
	freeBytes   int64

	// Pages waiting for a page-aligned slot, placed in order.
	pending []*page

	// seals are the current interval's blocks still to be sealed.
	seals []blockSeal

	// Finished intervals go to a goroutine that seals their blocks and
	// writes them, so that building the next one overlaps both; buffers
	// come back through free.
	queue chan interval
	free  chan interval
	done  chan error
	werr  atomic.Pointer[error] // the writer's first error, seen early
}

// interval is a finished interval's bytes and the blocks in it to seal.
type interval struct {
	buf   []byte
	seals []blockSeal
}

// blockSeal is a block whose data is in place but not yet encoded with the
// file's bCryptMethod (crypt, 0 for none) nor covered by its trailer's
// CRC: the writer goroutine does both before the interval is written, so
// that the byte-by-byte work of a store's blocks runs beside the building
// of its items.
type blockSeal struct {
	at    int32 // offset in the interval
	cb    uint16
	crypt uint8
	bid   uint64
}

// sealLater notes that the block at off, of cb bytes, is to be sealed.
func (s *stream) sealLater(off int64, cb int, crypt uint8, bid uint64) {
	s.seals = append(s.seals, blockSeal{at: int32(off - s.ivStart), cb: uint16(cb), crypt: crypt, bid: bid})
}

// seal encodes each block of iv and writes its CRC into its trailer.
func (s *stream) seal(iv interval) {
	trailer := int32(s.l.BlockTrailerSize)
	for _, b := range iv.seals {
		data := iv.buf[b.at : b.at+int32(b.cb)]
		if b.crypt != 0 {
			ndb.Encode(b.crypt, b.bid, data)
		}
		t := iv.buf[b.at+int32(s.l.BlockExtent(int(b.cb)))-trailer:]
		binary.LittleEndian.PutUint32(t[4:], ndb.CRC(data))
	}
}

// intervalBuffers is how many intervals may be in flight: one being
// built, one being written, one waiting.
const intervalBuffers = 3

// page is a 512-byte page waiting for its place. Its CRC is computed when
// it is made; the signature, which depends on the offset, when placed.
type page struct {
	b      [512]byte
	bid    uint64
	placed func(ib int64)
}

func newStream(out Output, l ndb.Layout) *stream {
	s := &stream{out: out, l: l, bits: make([]byte, l.AMapBytes),
		queue: make(chan interval, intervalBuffers), free: make(chan interval, intervalBuffers), done: make(chan error, 1)}
	for range intervalBuffers {
		s.free <- interval{buf: make([]byte, l.AMapCoverage)}
	}
	go s.writer()
	// The header, the reserved area and the DList slot: written for real
	// when the store is closed.
	s.queue <- interval{buf: make([]byte, l.FirstAMap)}
	s.takeFree()
	s.begin(0)
	return s
}

// writer seals and writes the queued intervals in order; after an error
// it drops the rest. It returns its first error on done when the queue is
// closed.
func (s *stream) writer() {
	var err error
	for iv := range s.queue {
		if err == nil {
			s.seal(iv)
			if _, err = s.out.Write(iv.buf); err != nil {
				s.werr.Store(&err)
			}
		}
		if len(iv.buf) == int(s.l.AMapCoverage) && cap(iv.buf) == len(iv.buf) {
			s.free <- interval{buf: iv.buf, seals: iv.seals[:0]}
		}
	}
	s.done <- err
}

// drain waits for every queued write and returns the first error.
func (s *stream) drain() {
	if s.queue == nil {
		return
	}
	close(s.queue)
	if err := <-s.done; err != nil && s.err == nil {
		s.err = err
	}
	s.queue = nil
}

// begin starts interval i: its map pages take the first page slots.
func (s *stream) begin(i int64) {
	s.iv = i
	s.ivStart = s.l.FirstAMap + i*s.l.AMapCoverage
	clear(s.buf)
	clear(s.bits)
	pages := s.l.IntervalPages(i)
	s.pos = s.ivStart + int64(len(pages))*s.l.PageSize
	s.mark(s.ivStart, s.pos)
}

func (s *stream) ivEnd() int64 { return s.ivStart + s.l.AMapCoverage }

// mark sets the AMap bits of [from, to), both inside the current interval.
func (s *stream) mark(from, to int64) {
	u0 := (from - s.ivStart) / s.l.AMapUnit
	u1 := (to - s.ivStart + s.l.AMapUnit - 1) / s.l.AMapUnit
	for u := u0; u < u1; {
		if u%8 == 0 && u+8 <= u1 {
			s.bits[u/8] = 0xFF
			u += 8
			continue
		}
		s.bits[u/8] |= 0x80 >> (u % 8)
		u++
	}
}

// reserve finds n bytes aligned to align in the current interval or a
// later one, marks them allocated and returns their offset and bytes.
func (s *stream) reserve(n, align int64) (int64, []byte) {
	for {
		off := (s.pos + align - 1) / align * align
		if off+n <= s.ivEnd() {
			s.pos = off + n
			s.mark(off, off+n)
			return off, s.buf[off-s.ivStart : off+n-s.ivStart]
		}
		// Pages fit where a block no longer does.
		s.placePages(true)
		s.finishInterval()
	}
}

// block reserves a block extent and places pending pages when the
// stream reaches a page boundary.
func (s *stream) block(ext int64) (int64, []byte) {
	off, b := s.reserve(ext, s.l.BlockAlign)
	if s.pos%s.l.PageSize == 0 {
		s.placePages(false)
	}
	return off, b
}

// queuePage adds a page to be placed at the next page-aligned slot. A few
// pages may wait for the stream to reach a page boundary by itself; more
// force one, leaving the bytes before it free.
func (s *stream) queuePage(p *page) {
	s.pending = append(s.pending, p)
	if s.pos%s.l.PageSize == 0 || len(s.pending) >= 8 {
		s.placePages(true)
	}
}

// placePages places pending pages: only at the current position when it is
// page-aligned, or (force) at the next page boundary of this interval.
func (s *stream) placePages(force bool) {
	for len(s.pending) > 0 {
		if s.pos%s.l.PageSize != 0 && !force {
			return
		}
		off := (s.pos + s.l.PageSize - 1) / s.l.PageSize * s.l.PageSize
		if off+s.l.PageSize > s.ivEnd() {
			return
		}
		p := s.pending[0]
		s.pending = s.pending[1:]
		s.pos = off + s.l.PageSize
		s.mark(off, s.pos)
		t := p.b[s.l.PageTrailerOff:]
		binary.LittleEndian.PutUint16(t[2:], ndb.Signature(uint64(off), p.bid))
		copy(s.buf[off-s.ivStart:], p.b[:])
		if p.placed != nil {
			p.placed(off)
		}
	}
}

// flushPages places every pending page, starting new intervals if needed.
func (s *stream) flushPages() {
	for len(s.pending) > 0 {
		s.placePages(true)
		if len(s.pending) > 0 {
			s.finishInterval()
		}
	}
}

// finishInterval writes the current interval with its map pages and
// begins the next.
func (s *stream) finishInterval() {
	s.writeInterval(s.ivEnd())
	s.begin(s.iv + 1)
}

// writeInterval completes the current interval's map pages and writes it
// up to end: the whole interval, as Outlook grows files, unless the file
// is trimmed there. The AMap maps the whole interval; its units past the
// end of the file are free and not counted.
func (s *stream) writeInterval(end int64) {
	l := &s.l
	units := int((end - s.ivStart) / l.AMapUnit)
	free, run, longest := 0, 0, 0
	for u := 0; u < units; u++ {
		if u%8 == 0 && s.bits[u/8] == 0xFF {
			run, u = 0, u+7
			continue
		}
		if s.bits[u/8]&(0x80>>(u%8)) == 0 {
			free++
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	s.longestFree = append(s.longestFree, uint8(min(longest, 255)))
	s.freeUnits = append(s.freeUnits, uint16(free))
	s.freeBytes += int64(free) * l.AMapUnit
	for _, p := range l.IntervalPages(s.iv) {
		b := s.buf[p.Off-s.ivStart : p.Off-s.ivStart+l.PageSize]
		switch p.Type {
		case ndb.PageAMap:
			copy(b, s.bits)
		default:
			// PMaps: every page in use (PMaps are deprecated; a new file's
			// cbPMapFree is 0, so no PMap offers a free page). FMaps and
			// FPMaps get their real contents when the store is closed;
			// until then, the same as their deprecated header copies.
			for i := range b[:l.AMapBytes] {
				b[i] = 0xFF
			}
		}
		mapTrailer(l, b, p.Type, uint64(p.Off))
	}
	if e := s.werr.Load(); e != nil && s.err == nil {
		s.err = *e
	}
	if end < s.ivEnd() {
		// The last, trimmed interval: its own copy, so the buffer that
		// goes back to the free list keeps its full length.
		s.queue <- interval{buf: append([]byte(nil), s.buf[:end-s.ivStart]...), seals: s.seals}
		s.seals = nil
		return
	}
	s.queue <- interval{buf: s.buf, seals: s.seals}
	s.takeFree()
}

// takeFree makes a buffer the writer is done with the current interval's.
func (s *stream) takeFree() {
	iv := <-s.free
	s.buf, s.seals = iv.buf, iv.seals
}

// mapTrailer fills a map page's trailer: signature 0, its own offset as BID.
func mapTrailer(l *ndb.Layout, b []byte, ptype uint8, off uint64) {
	t := b[l.PageTrailerOff:]
	t[0], t[1] = ptype, ptype
	binary.LittleEndian.PutUint16(t[2:], 0)
	binary.LittleEndian.PutUint32(t[4:], ndb.CRC(b[:l.PageTrailerOff]))
	binary.LittleEndian.PutUint64(t[8:], off)
}

// finish writes the last interval and then the map pages that describe
// the whole file (FMaps, FPMaps) at their places. With trim the file ends
// after its last page or block rather than at the end of its last
// interval. It returns the file's size and the offset of its last AMap.
func (s *stream) finish(trim bool) (eof, lastAMap int64) {
	s.flushPages()
	eof = s.ivEnd()
	if trim {
		eof = (s.pos + s.l.PageSize - 1) / s.l.PageSize * s.l.PageSize
	}
	s.writeInterval(eof)
	lastAMap = s.ivStart
	s.drain()
	intervals := s.iv + 1
	l := &s.l
	for i := int64(0); i < intervals && s.err == nil; i++ {
		for _, p := range l.IntervalPages(i) {
			if p.Off >= eof {
				continue
			}
			var b [512]byte
			switch p.Type {
			case ndb.PageFMap:
				// One byte per AMap, from this interval on: its longest
				// free run; AMaps past the end of the file have none.
				for k := range l.AMapBytes {
					if j := i + int64(k); j < intervals {
						b[k] = s.longestFree[j]
					}
				}
			case ndb.PageFPMap:
				// One bit per PMap: 1, no free page (see writeInterval).
				for k := range l.AMapBytes {
					b[k] = 0xFF
				}
			default:
				continue
			}
			mapTrailer(l, b[:], p.Type, uint64(p.Off))
			_, s.err = s.out.WriteAt(b[:], p.Off)
		}
	}
	return eof, lastAMap
}

// dlist returns the density list page: the AMaps with free space, most
// free first (MS-PST 2.2.2.7.4), as many as the page holds.
func (s *stream) dlist(bid uint64) []byte {
	l := &s.l
	type ent struct {
		page int
		free uint16
	}
	var ents []ent
	for i, f := range s.freeUnits {
		if f > 0 {
			ents = append(ents, ent{i, f})
		}
	}
	// Stable: equal densities keep file order, so the output is the same
	// for the same input.
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0 && ents[j].free > ents[j-1].free; j-- {
			ents[j], ents[j-1] = ents[j-1], ents[j]
		}
	}
	const entriesOff, entriesLen = 8, 476
	ents = ents[:min(len(ents), entriesLen/4)]
	b := make([]byte, l.PageSize)
	b[0] = 0x01 // DFL_BACKFILL_COMPLETE
	b[1] = byte(len(ents))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(s.freeUnits)-1)) // ulCurrentPage
	for i, e := range ents {
		binary.LittleEndian.PutUint32(b[entriesOff+4*i:], uint32(e.page)&0xFFFFF|uint32(e.free)<<20)
	}
	t := b[l.PageTrailerOff:]
	t[0], t[1] = ndb.PageDList, ndb.PageDList
	binary.LittleEndian.PutUint16(t[2:], ndb.Signature(uint64(l.DListOffset), bid))
	binary.LittleEndian.PutUint32(t[4:], ndb.CRC(b[:l.PageTrailerOff]))
	binary.LittleEndian.PutUint64(t[8:], bid)
	return b
}

var errClosed = errors.New("pstwrite: the store is closed")
