package ndb

import (
	"cmp"
	"io"
	"slices"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A copy made by a tool that passes over what it cannot read (dd with
// conv=noerror but without sync, some recovery tools) lacks the bytes it
// could not read, often in several places, one per bad area of the disk:
// everything after a hole lies as many bytes early as went missing before
// it, so every page and block past the first hole fails its checks, the
// index with them, and the file ends short. Pages and blocks carry a
// signature of their own offset (a map page its offset as its BID), so
// the shift of one that verifies, CRC and all, only further on is the
// bytes missing before it; the shift grows at each hole. FindGaps measures
// the shift of stretches of the file and narrows each change of it down to
// where it happens: after the last page or block of the smaller shift and
// before the first of the larger. Reading the file through GapReader puts
// everything back in its place, the missing bytes read as zeros: what
// they held is lost, as in a zeroed region, and the rest is read where
// the index says.
//
// A copy can also hold bytes the store never had: a transfer resumed at
// the wrong place writes a piece twice, a recovery tool joins a wrong
// cluster in. Everything after them lies as many bytes late, the file
// ends long, and pages and blocks verify only further back than they
// lie. FindGaps finds those runs the same way, and GapReader passes over
// them: nothing is lost but what a run cut through.

// Gap is a run of bytes missing inside a file: Size bytes that belonged
// at Offset (as the header's offsets count), the bytes that followed
// them moved up. An Added gap is Size bytes the file holds at Offset that
// are not the store's, the bytes that followed moved down. BeforeData
// says the missing bytes lay somewhere before the data section, which
// begins at Offset+Size: between the header and it lies nothing the
// store reads (zeros), so where exactly cannot be told, and Offset is the
// last place they may have been.
type Gap struct {
	Offset, Size int64
	Added        bool
	BeforeData   bool
}

// gapProbe is the most FindGaps reads at a time to measure the shift of a
// stretch of the file; it passes over at most gapSearch stretches that
// hold no page or block to find those at the file's end and start.
const (
	gapProbe  = 64 << 10
	gapSearch = 256
	// gapSearched bounds the pages and blocks of a stretch whose shift is
	// searched for (the others that fail in place are passed over).
	gapSearched = 16
	// maxGapShift bounds the bytes missing in holes that are looked for:
	// each shift searched is a signature computed per 64 bytes of it (a
	// copy cut off by tens of GB with a damaged trailer at its end would
	// take seconds), and a copy lacking more is not one to read around.
	maxGapShift = 256 << 20
)

// FindGaps looks for runs of missing bytes in a file of size bytes that is
// shorter than its header says: the pages and blocks near its end must
// verify only further on than they lie. It returns the runs found, in
// order; the bytes missing past the last page or block, if any, are not
// among them (the file is cut off there as well). In a file longer than
// its header says it looks for runs of added bytes instead, the pages and
// blocks near its end verifying only further back. ok is false for a file
// cut off at its end only, one with bytes after its end, or one damaged
// in another way. A file whose header is destroyed has no end to go by:
// the map page nearest its end tells how far the pages there moved.
func FindGaps(r io.ReaderAt, size int64) (gaps []Gap, ok bool) {
	h := readHeader(r, size, size, finding.SinkFunc(func(finding.Finding) {}), false)
	if h == nil {
		l, at, clue, movedBTrees := guessLayout(r, size)
		switch clue {
		case noClue:
			return nil, false
		case movedBTreeClue:
			// A B-tree page of one format may be an attachment's bytes
			// (a store kept in an attachment as it is): each format that
			// has a page found moved is tried.
			for _, l := range movedBTrees {
				if gaps, ok := findGapsByMaps(r, size, &l, -1, true); ok {
					return gaps, true
				}
			}
			return nil, false
		}
		moved := int64(-1) // the place of an AMap page found moved, if any
		if clue == movedAMapClue {
			moved = at
		}
		return findGapsByMaps(r, size, &l, moved, false)
	}
	if h.FileEOF == uint64(size) {
		return nil, false
	}
	l := &h.Layout
	// A stretch is at most gapProbe bytes, and a sixteenth of a small file.
	width := max(min(gapProbe, size/16/l.PageSize*l.PageSize), l.PageSize)
	if size < l.FirstAMap+2*width {
		return nil, false
	}
	// The search starts where the store ends, not past it: bytes after
	// its end (the tail of an older file copied over) are no part of it,
	// whatever pages they hold.
	p := &gapProber{r: r, size: size, l: l, from: unicodeHeaderLen, width: width, end: min(size, int64(h.FileEOF)),
		buf: make([]byte, width+l.BlockExtent(l.MaxBlockData))}
	// moved is how far the last page or block may lie from its place,
	// dir which way: 1 missing bytes, -1 added ones.
	moved, dir := int64(h.FileEOF)-size, int64(1)
	if moved < 0 {
		moved, dir = -moved, -1
	}
	// The map page nearest the store's end names its own offset, and so
	// how far and which way the pages there moved: better evidence than
	// the file's size, which points the wrong way for a copy that holds
	// bytes added and was then cut off (a transfer that wrote a piece
	// twice, then stopped). Where it points the other way, that way is
	// searched first.
	if d, _ := p.lastMapShift(); d < 0 && dir > 0 || d > 0 && dir < 0 {
		if gaps, ok := p.find(-dir, max(d, -d)); ok {
			return gaps, true
		}
	}
	return p.find(dir, moved)
}

// findGapsByMaps looks for the runs of bytes missing or added in a file
// of layout l whose header is destroyed, and so of no known end: by the
// shift of the map page nearest its end, when it moved; when it lies in
// its place, by the pages and blocks after it, either way, as far as a
// map interval (more bytes missing would have moved a later map page
// before the end, unless it went missing too) and as many bytes as follow
// it. Without the header's end to agree with, what is found must move a
// spread of the file's last pages and blocks (spread). An AMap page found
// moved at moved (-1: none) tells the shift where no map page lies near
// the end (a file of one map interval, or of 4 KiB pages, whose map
// pages lie 16 MB apart). Where no map page is left at all, a B-tree
// page found moved (pagesMoved) has the shift searched as far as a map
// interval either way.
func findGapsByMaps(r io.ReaderAt, size int64, l *Layout, moved int64, pagesMoved bool) ([]Gap, bool) {
	width := max(min(gapProbe, size/16/l.PageSize*l.PageSize), l.PageSize)
	if size < l.FirstAMap+2*width {
		return nil, false
	}
	p := &gapProber{r: r, size: size, l: l, width: width, end: size,
		buf: make([]byte, width+l.BlockExtent(l.MaxBlockData))}
	type try struct{ dir, moved int64 }
	var tries []try
	d, at := p.lastMapShift()
	if at < 0 && moved >= 0 {
		page := make([]byte, l.PageSize)
		if readFull(r, page, moved) == nil {
			if t, ok := l.soundMapPage(page); ok {
				d, at = int64(t.BID)-moved, moved
			}
		}
	}
	switch {
	case d > min(size, maxGapShift) || d < -size:
		return nil, false // no shift searched is so large (a BID of nonsense)
	case d > 0:
		// Bytes may be missing after the map page too, less than a map
		// interval's worth (as when it lies in its place, below).
		tries = []try{{1, min(d+l.AMapCoverage, size, maxGapShift)}}
	case d < 0:
		tries = []try{{-1, -d}}
	case at < 0 && pagesMoved:
		tries = []try{{1, min(l.AMapCoverage, size, maxGapShift)}, {-1, min(l.AMapCoverage, size, maxGapShift)}}
	case at < 0:
		return nil, false
	default:
		tries = []try{{1, min(l.AMapCoverage, size, maxGapShift)}, {-1, min(size-at-l.PageSize, maxGapShift)}}
	}
	for _, t := range tries {
		gaps, ok := p.find(t.dir, t.moved)
		var shift int64 // every gap find returns is of t.dir: their sizes add up
		for _, g := range gaps {
			shift += g.Size
		}
		if ok && p.spread(shift) {
			return gaps, true
		}
	}
	return nil, false
}

// minSpread and minMoved are how far apart, at the least, the first and
// the last of the file's last pages and blocks that moved by the same
// bytes must lie, and how many they must be, for a file of no known end
// to be read as one that lacks or holds bytes (findGapsByMaps). A cluster
// holding another place's bytes (a cross-link) verifies elsewhere over a
// few KiB of its own; and a page or block that verifies at one shift of
// the many searched may do so by chance, its 16-bit signature fitting.
const (
	minSpread = 16 << 10
	minMoved  = 3
)

// spread says whether the pages and blocks that verify shift bytes away
// (in p's direction), from the file's end back to the first that lies in
// its place, are minMoved or more and span minSpread bytes or more (two
// of the largest blocks, where those are larger).
func (p *gapProber) spread(shift int64) bool {
	l := p.l
	first, last, n := int64(-1), int64(-1), 0
	// A store of 4 KiB pages keeps blocks of up to 64 KiB: one of them
	// (an attachment holding a store of its own, stored as it is) could
	// hold more than minSpread of pages that verify elsewhere.
	spreadOver := max(minSpread, 2*l.BlockExtent(l.MaxBlockData))
	enough := func() bool { return n >= minMoved && last-first >= spreadOver }
	for at, k := (p.end-p.width)/l.BlockAlign*l.BlockAlign, 0; at >= l.FirstAMap && k < gapSearch; at, k = at-p.width, k+1 {
		// Each page and block is tried in place and at shift alone (one
		// signature each), last first.
		marks := append(p.marksIn(at, 0, 0), p.marksIn(at, shift, shift)...)
		slices.SortFunc(marks, func(a, b gapMark) int { return cmp.Compare(b.start, a.start) })
		for _, m := range marks {
			switch m.shift {
			case 0:
				return enough()
			case shift:
				if last < 0 {
					last = m.end
				}
				first, n = m.start, n+1
			}
		}
		if enough() {
			return true
		}
	}
	return enough()
}

// find looks for the runs of bytes missing (dir 1) or added (dir -1)
// that move the file's last pages and blocks at most moved bytes from
// their place.
func (p *gapProber) find(dir, moved int64) (gaps []Gap, ok bool) {
	l := p.l
	if moved > p.size {
		return nil, false
	}
	p.dir = dir
	// The stretches nearest the end and the start that hold a page or
	// block (a file's last stretches are often free space).
	end := p.nearest((p.end-p.width)/l.BlockAlign*l.BlockAlign, -p.width, l.FirstAMap, 0, min(moved, maxGapShift))
	start := p.nearest(l.FirstAMap, p.width, end.at, 0, end.shift)
	if end.marks == 0 || start.marks == 0 || end.shift == 0 {
		return nil, false
	}
	if start.shift > 0 {
		// Bytes went missing, or were added, between the header and the
		// data section: all of it moved.
		switch {
		case dir < 0:
			// The first allocation map page, where the data section
			// begins, must lie that far down (bytes added before it may
			// have pushed it out of the first stretch).
			if !p.firstAMapAt(l.FirstAMap + start.shift) {
				return nil, false
			}
			gaps = append(gaps, Gap{Offset: l.FirstAMap, Size: start.shift, Added: true})
		case start.at != l.FirstAMap:
			return nil, false
		case p.from > 0 && l.FirstAMap-start.shift < p.from:
			return nil, false
		default:
			// Where the header is destroyed, the bytes missing may be
			// more than lay before the data section: the file's first
			// bytes then lie that far into it.
			gaps = append(gaps, Gap{Offset: max(l.FirstAMap-start.shift, 0), Size: start.shift, BeforeData: start.shift < l.FirstAMap})
		}
	}
	more, ok := p.between(start, end)
	if gaps = append(gaps, more...); !ok || !inOrder(gaps, p.from, l.FirstAMap) {
		return nil, false
	}
	return gaps, true
}

// inOrder says whether gaps are what GapReader can read through: in
// order, apart, none before from (the header's end, or 0 where it is
// destroyed), and inside the data section (but for bytes missing just
// before it). Signatures that fit by chance can give others.
func inOrder(gaps []Gap, from, firstAMap int64) bool {
	at := from
	for _, g := range gaps {
		if g.Offset < at || g.Added && g.Offset < firstAMap || g.Size <= 0 {
			return false
		}
		at = g.Offset + max(g.Lacking(), 0)
	}
	return true
}

// lastMapShift returns how far from where it lies the map page nearest
// the store's end verifies (its BID, which is its offset, less where it
// lies: negative when bytes were added before it), looking back at most
// two map intervals, and where it lies; 0 and -1 when there is none.
func (p *gapProber) lastMapShift() (shift, at int64) {
	l := p.l
	stop := max(p.end-2*l.AMapCoverage, l.FirstAMap)
	buf := make([]byte, gapProbe+l.PageSize)
	for at := p.end; at > stop; {
		from := max(at-int64(len(buf)), stop)
		n, _ := p.r.ReadAt(buf[:at-from], from)
		b := buf[:n]
		for e := (from + int64(n)) / l.BlockAlign * l.BlockAlign; e-l.PageSize >= from; e -= l.BlockAlign {
			if t, ok := l.soundMapPage(b[e-l.PageSize-from : e-from]); ok {
				return int64(t.BID) - (e - l.PageSize), e - l.PageSize
			}
		}
		if from == stop {
			break
		}
		at = from + l.PageSize // a page across the two reads is read whole
	}
	return 0, -1
}

// stretch is what a stretch of the file says: how many pages and blocks
// end in it, and the shift most of them agree on (how far from where they
// lie they verify, in the prober's direction).
type stretch struct {
	at    int64
	marks int
	shift int64
}

// between finds the changes of shift between stretches a and b, in
// order: where a stretch between them holds pages or blocks, on each side
// of it in turn; else in a's and b's own pages and blocks.
func (p *gapProber) between(a, b stretch) ([]Gap, bool) {
	if a.shift == b.shift {
		return nil, true // the shift only grows: no change between
	}
	if a.shift > b.shift {
		return nil, false // the shift fell back: not this damage
	}
	if b.at-a.at > p.width {
		mid := a.at + (b.at-a.at)/2/p.l.BlockAlign*p.l.BlockAlign
		m := p.nearest(mid, p.width, b.at, a.shift, b.shift)
		if m.marks == 0 && mid-p.width > a.at {
			m = p.nearest(mid-p.width, -p.width, a.at, a.shift, b.shift)
		}
		if m.marks > 0 && m.at > a.at && m.at < b.at {
			left, ok := p.between(a, m)
			if !ok {
				return nil, false
			}
			right, ok := p.between(m, b)
			return append(left, right...), ok
		}
	}
	// a and b are all that tell: the changes lie among their pages and
	// blocks, each placed after the last page or block of the smaller
	// shift.
	marks := append(p.marksIn(a.at, a.shift, b.shift), p.marksIn(b.at, a.shift, b.shift)...)
	slices.SortFunc(marks, func(x, y gapMark) int { return cmp.Compare(x.start, y.start) })
	marks = slices.CompactFunc(marks, func(x, y gapMark) bool { return x.start == y.start })
	var gaps []Gap
	shift, lastEnd := a.shift, int64(-1)
	for _, m := range marks {
		switch {
		case m.shift < shift:
			return nil, false // the shift fell back: not this damage
		case m.shift > shift:
			if lastEnd < 0 || lastEnd > m.start {
				return nil, false
			}
			at := lastEnd
			if p.dir < 0 {
				at = p.placeAdded(lastEnd, m.start, shift, m.shift-shift)
			}
			gaps = append(gaps, Gap{Offset: at + p.dir*shift, Size: m.shift - shift, Added: p.dir < 0})
			shift = m.shift
		}
		lastEnd = max(lastEnd, m.end)
	}
	return gaps, shift == b.shift
}

// firstAMapAt reports whether the file's first allocation map page lies,
// whole, at off.
func (p *gapProber) firstAMapAt(off int64) bool {
	l := p.l
	page := make([]byte, l.PageSize)
	if n, _ := p.r.ReadAt(page, off); int64(n) < l.PageSize {
		return false
	}
	return l.soundAMapPage(page, l.FirstAMap)
}

// placeAdded returns where size added bytes begin among the file's bytes
// [from, to), which lie between the last page or block before them and
// the first after (before bytes were added earlier in the file): the
// place where leaving them out makes a block they cut through verify
// again, so that it is not lost (bytes added lose nothing of the store);
// from when no block does. Added bytes are taken to begin at a multiple
// of 64 bytes from a block's end, as sectors and clusters do.
func (p *gapProber) placeAdded(from, to, before, size int64) int64 {
	l := p.l
	real := to - from - size // the store's bytes among them
	if real < l.BlockAlign || real > 4*l.BlockExtent(l.MaxBlockData) {
		return from
	}
	head, tail := make([]byte, real), make([]byte, real)
	if n, _ := p.r.ReadAt(head, from); int64(n) < real {
		return from
	}
	if n, _ := p.r.ReadAt(tail, from+size); int64(n) < real {
		return from
	}
	// head[j] is the store's byte at from-before+j when the added bytes
	// begin past from+j, tail[j] when they begin at or before it: a
	// block's trailer lies in tail, its first bytes in head.
	join := make([]byte, l.MaxBlockData)
	tried := 0 // blocks tried, bounded: a crafted file could fit every signature
	for e := l.BlockAlign; e <= real && tried < 8; e += l.BlockAlign {
		t := l.ParseBlockTrailer(tail[:e])
		if t.CB == 0 || int(t.CB) > l.MaxBlockData || t.BID == 0 {
			continue
		}
		cb := int64(t.CB)
		start := e - l.BlockExtent(int(t.CB))
		if start < 0 || Signature(uint64(from-before+start), t.BID) != t.Sig {
			continue
		}
		tried++
		for k := start + l.BlockAlign; k <= e-int64(l.BlockTrailerSize); k += l.BlockAlign {
			cut := min(k, start+cb)
			copy(join, head[start:cut])
			copy(join[cut-start:], tail[cut:start+cb])
			if CRC(join[:cb]) == t.CRC {
				return from + k
			}
		}
	}
	return from
}

// gapProber reads stretches of a file and finds the pages and blocks that
// end in them, with the shifts at which each verifies.
type gapProber struct {
	r    io.ReaderAt
	size int64
	l    *Layout
	// from is the least offset bytes may be missing at: the header's
	// end, or 0 where the header is destroyed.
	from  int64
	width int64 // the stretch read at a time
	end   int64 // where the store ends in the file: its size, or less
	// dir is where pages and blocks verify: 1 further on than they lie
	// (bytes missing before them), -1 further back (bytes added).
	dir int64
	buf []byte
}

// gapMark is a page or block found by its trailer: the bytes [start, end)
// of the file, which verify as if shift bytes away (in the prober's
// direction).
type gapMark struct {
	start, end int64
	shift      int64
}

// nearest returns the first stretch, from at on by step (negative: back),
// short of limit and at most gapSearch stretches on, that holds a page or
// block, and the shift between lo and hi it has (none: the last stretch
// looked at).
func (p *gapProber) nearest(at, step, limit, lo, hi int64) stretch {
	s := p.measure(at, lo, hi)
	for k := 0; s.marks == 0 && k < gapSearch; k++ {
		next := at + step
		if step > 0 && next >= limit || step < 0 && next <= limit {
			break
		}
		at = next
		s = p.measure(at, lo, hi)
	}
	return s
}

// measure finds the shift between lo and hi most pages and blocks of the
// stretch at at verify at.
func (p *gapProber) measure(at, lo, hi int64) stretch {
	votes := map[int64]int{}
	n := 0
	p.scan(at, lo, hi, gapSearched, func(start, end int64, shifts []int64) {
		n++
		for _, d := range shifts {
			votes[d]++
		}
	})
	s := stretch{at: at, marks: n}
	best := 0
	for d, v := range votes {
		if v > best || v == best && d < s.shift {
			s.shift, best = d, v
		}
	}
	return s
}

// marksIn returns the pages and blocks of the stretch at at with the
// shift each verifies at between lo and hi: lo or hi when it verifies at
// either (a signature can fit two places), else the smallest.
func (p *gapProber) marksIn(at, lo, hi int64) []gapMark {
	var out []gapMark
	p.scan(at, lo, hi, 0, func(start, end int64, shifts []int64) {
		best := int64(-1)
		for _, d := range shifts {
			switch {
			case d < lo || d > hi:
			case d == lo || d == hi:
				if best != lo {
					best = d
				}
			case best < 0:
				best = d
			}
		}
		if best >= 0 {
			out = append(out, gapMark{start: start, end: end, shift: best})
		}
	})
	return out
}

// scan calls found for every page and block whose trailer ends in the
// stretch at at (the bytes before it read too) and that verifies at a
// shift from lo to hi, with those shifts: its CRC (which does not depend on where it
// lies) and its signature or, for a map page, its BID. When lo is 0, one
// that verifies where it lies is taken to be there (0 alone), and the
// shifts of at most limit others (0: all) are looked for, each a search of
// hi-lo bytes: measuring a stretch needs a few, placing a gap all.
func (p *gapProber) scan(at, lo, hi int64, limit int, found func(start, end int64, shifts []int64)) {
	l := p.l
	from := max(at-(int64(len(p.buf))-p.width), l.FirstAMap)
	n, _ := p.r.ReadAt(p.buf[:min(int64(len(p.buf)), p.size-from)], from)
	b := p.buf[:n]
	var shifts []int64
	searched := 0
	sigShifts := func(start int64, sig uint16, bid uint64) []int64 {
		shifts = shifts[:0]
		if lo == 0 && Signature(uint64(start), bid) == sig {
			return append(shifts, 0)
		}
		if searched++; limit > 0 && searched > limit {
			return shifts
		}
		top := hi
		if p.dir < 0 {
			top = min(hi, start-l.FirstAMap) // never before the data section
		}
		for d := (lo + l.BlockAlign - 1) / l.BlockAlign * l.BlockAlign; d <= top; d += l.BlockAlign {
			if Signature(uint64(start+p.dir*d), bid) == sig {
				shifts = append(shifts, d)
			}
		}
		return shifts
	}
	for e := (at + l.BlockAlign - 1) / l.BlockAlign * l.BlockAlign; e <= from+int64(len(b)) && e < at+p.width; e += l.BlockAlign {
		// A page ending here: a B-tree page (its signature names its
		// offset) or an allocation map page (its BID is its offset).
		if off := e - l.PageSize; off >= from {
			page := b[off-from : e-from]
			t := l.ParsePageTrailer(page)
			mapPage := t.Type >= PageFMap && t.Type <= PageFPMap
			if t.Type == t.TypeRepeat && (t.Type == PageNBT || t.Type == PageBBT || mapPage) {
				var s []int64
				switch d := p.dir * (int64(t.BID) - off); {
				case CRC(page[:l.PageTrailerOff]) != t.CRC:
				case !mapPage:
					s = sigShifts(off, t.Sig, t.BID)
				case d >= lo && d <= hi && d%l.BlockAlign == 0 && int64(t.BID) >= l.FirstAMap:
					s = append(shifts[:0], d)
				}
				if len(s) > 0 {
					found(off, e, s)
				}
				continue
			}
		}
		// A block whose trailer ends here.
		if e-int64(l.BlockTrailerSize) < from {
			continue
		}
		t := l.ParseBlockTrailer(b[:e-from])
		if t.CB == 0 || int(t.CB) > l.MaxBlockData || t.BID == 0 {
			continue
		}
		start := e - l.BlockExtent(int(t.CB))
		if start < from || CRC(b[start-from:start-from+int64(t.CB)]) != t.CRC {
			continue
		}
		if s := sigShifts(start, t.Sig, t.BID); len(s) > 0 {
			found(start, e, s)
		}
	}
}

// Lacking is how many bytes more the store has than the file at g:
// Size, or -Size for bytes added.
func (g Gap) Lacking() int64 {
	if g.Added {
		return -g.Size
	}
	return g.Size
}

// GapReader returns the file r, whose bytes gaps (in order) lack or add,
// as it was: the bytes after each gap back in place, the bytes missing
// read as zeros and those added passed over. Its size is the file's and
// the gaps' Lacking together.
func GapReader(r io.ReaderAt, gaps []Gap) io.ReaderAt {
	x := gapReader{r: r, gaps: gaps, before: make([]int64, len(gaps)+1)}
	for i, g := range gaps {
		x.before[i+1] = x.before[i] + g.Lacking()
	}
	return x
}

type gapReader struct {
	r    io.ReaderAt
	gaps []Gap
	// before[k] is the bytes lacking before gap k (all of them at k =
	// len(gaps)): every read of the scan comes through here.
	before []int64
}

func (x gapReader) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for len(p) > 0 {
		// The first gap that ends after off (bytes added take no room in
		// the store), and the bytes lacking before it.
		k := sort.Search(len(x.gaps), func(i int) bool { return x.gaps[i].Offset+max(x.gaps[i].Lacking(), 0) > off })
		before := x.before[k]
		var n int
		var err error
		switch {
		case k < len(x.gaps) && off >= x.gaps[k].Offset:
			n = int(min(int64(len(p)), x.gaps[k].Offset+x.gaps[k].Size-off))
			clear(p[:n])
		case k < len(x.gaps):
			n, err = x.r.ReadAt(p[:min(int64(len(p)), x.gaps[k].Offset-off)], off-before)
		default:
			n, err = x.r.ReadAt(p, off-before)
		}
		done += n
		if err != nil {
			return done, err
		}
		p, off = p[n:], off+int64(n)
	}
	return done, nil
}
