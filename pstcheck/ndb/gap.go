package ndb

import (
	"io"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A copy made by a tool that passes over what it cannot read (dd with
// conv=noerror but without sync, some recovery tools) lacks the bytes it
// could not read: everything after them lies that many bytes before its
// place, so every page and block past the gap fails its checks, the index
// with them, and the file ends short. Pages and blocks carry a signature
// of their own offset (an AMap page its offset as its BID), so one that
// verifies only as if it lay those bytes further on proves the shift, and
// one that verifies where it lies proves there is none. With one gap, the
// last of the latter and the first of the former mark where the bytes
// went missing. Reading the file through Gap.Reader puts everything back
// in its place, the missing bytes read as zeros: what they held is lost,
// as in a zeroed region, and the rest is read where the index says.

// Gap is a run of bytes missing inside a file: Size bytes that belonged
// at Offset (as the header's offsets count), the bytes that followed
// them moved up.
type Gap struct{ Offset, Size int64 }

// gapProbe is the most FindGap reads at a time to tell whether a
// stretch of the file is shifted; it passes over at most gapSearch
// stretches that tell nothing to find those at the file's end and start.
const (
	gapProbe  = 64 << 10
	gapSearch = 256
)

// FindGap looks for one run of missing bytes in a file of size bytes that
// is shorter than its header says: the pages and blocks near its end must
// verify only as if they lay further on, by exactly the bytes missing,
// and those near its start where they lie. ok is false for a file cut off
// at its end, or damaged in another way.
func FindGap(r io.ReaderAt, size int64) (Gap, bool) {
	h := ReadHeader(r, size, finding.SinkFunc(func(finding.Finding) {}))
	if h == nil || h.FileEOF <= uint64(size) {
		return Gap{}, false
	}
	l := &h.Layout
	delta := int64(h.FileEOF) - size
	// A stretch is at most gapProbe bytes, and a sixteenth of a small file.
	width := max(min(gapProbe, size/16/l.PageSize*l.PageSize), l.PageSize)
	if delta%l.BlockAlign != 0 || delta > size || size < l.FirstAMap+2*width {
		return Gap{}, false
	}
	p := gapProber{r: r, size: size, l: l, delta: delta, width: width, buf: make([]byte, width+l.BlockExtent(l.MaxBlockData))}
	// The stretch nearest the end that tells anything must be shifted (in
	// part, when the gap is in it), and the one nearest the start not. (A
	// file's last stretches are often free space.) A page or block counts
	// as shifted only when it fails where it lies and verifies, CRC and
	// all, delta bytes on.
	hi, u, s := p.told((size-width)/l.BlockAlign*l.BlockAlign, -width, l.FirstAMap)
	if s == 0 {
		return Gap{}, false
	}
	lo := hi // when u > 0, the gap is in hi's stretch
	if u == 0 {
		lo, u, s = p.told(l.FirstAMap, width, hi)
		switch {
		case lo == l.FirstAMap && u == 0 && s > 0 && l.FirstAMap-delta >= unicodeHeaderLen:
			// All of the data moved: the bytes went missing between the
			// header and the data section.
			return Gap{Offset: l.FirstAMap - delta, Size: delta}, true
		case u == 0 || s > 0:
			return Gap{}, false
		}
	}
	// Narrow [lo, hi] (lo's stretch unshifted, hi's shifted) to the two
	// nearest stretches that tell anything; one that tells nothing (zeros,
	// free space) is passed over.
	for hi-lo > width {
		mid := lo + (hi-lo)/2/l.BlockAlign*l.BlockAlign
		at, u, s := p.told(mid, width, hi)
		if u+s == 0 { // nothing between mid and hi: look between lo and mid
			if mid-width <= lo {
				break
			}
			if at, u, s = p.told(mid-width, -width, lo); u+s == 0 || at <= lo {
				break // nothing between lo and hi tells anything
			}
		}
		switch {
		case u > 0 && s > 0:
			lo, hi = at, at // the gap is in this stretch
		case s > 0:
			hi = at
		default:
			lo = at
		}
	}
	// The bytes went missing after the last page or block that verifies
	// where it lies and before the first that verifies shifted.
	end, start := int64(-1), int64(-1)
	for _, at := range []int64{lo, hi} {
		for _, m := range p.marks(at) {
			if !m.shifted {
				end = max(end, m.end)
			} else if start < 0 || m.start < start {
				start = m.start
			}
		}
	}
	if end < 0 || start < 0 || end > start {
		return Gap{}, false
	}
	return Gap{Offset: end, Size: delta}, true
}

// gapProber reads stretches of a file, finding the pages and blocks that
// end in them.
type gapProber struct {
	r     io.ReaderAt
	size  int64
	l     *Layout
	delta int64
	width int64 // the stretch read at a time
	buf   []byte
	found []gapMark
}

// gapMark is a page or block found by its trailer: the bytes [start, end)
// of the file, which verify where they lie, or shifted, as if delta bytes
// further on.
type gapMark struct {
	start, end int64
	shifted    bool
}

// told returns the first stretch, from at on by step (negative: back),
// short of limit and at most gapSearch stretches on, with a page or block
// in it, and how many of them are unshifted and shifted (none: the last
// stretch looked at).
func (p *gapProber) told(at, step, limit int64) (int64, int, int) {
	u, s := p.count(at)
	for k := 0; u+s == 0 && k < gapSearch; k++ {
		next := at + step
		if step > 0 && next >= limit || step < 0 && next <= limit {
			break
		}
		at = next
		u, s = p.count(at)
	}
	return at, u, s
}

// count counts the pages and blocks found in the stretch at at.
func (p *gapProber) count(at int64) (unshifted, shifted int) {
	for _, m := range p.marks(at) {
		if m.shifted {
			shifted++
		} else {
			unshifted++
		}
	}
	return unshifted, shifted
}

// marks returns the pages and blocks whose trailers end in the stretch
// from at (the bytes before them read too), good until the next call.
func (p *gapProber) marks(at int64) []gapMark {
	l := p.l
	p.found = p.found[:0]
	from := max(at-(int64(len(p.buf))-p.width), l.FirstAMap)
	n, _ := p.r.ReadAt(p.buf[:min(int64(len(p.buf)), p.size-from)], from)
	b := p.buf[:n]
	// Where a structure verifies: 0 nowhere, 1 where it lies, 2 shifted.
	place := func(off int64, ok func(int64) bool) int {
		switch {
		case ok(off):
			return 1
		case ok(off + p.delta):
			return 2
		}
		return 0
	}
	add := func(start, end int64, where int) {
		if where != 0 {
			p.found = append(p.found, gapMark{start: start, end: end, shifted: where == 2})
		}
	}
	for e := (at + l.BlockAlign - 1) / l.BlockAlign * l.BlockAlign; e <= from+int64(len(b)) && e < at+p.width; e += l.BlockAlign {
		// A page ending here: a B-tree page (its signature names its
		// offset) or an AMap page (its BID is its offset).
		if off := e - l.PageSize; off >= from {
			page := b[off-from : e-from]
			t := l.ParsePageTrailer(page)
			switch {
			case t.Type != t.TypeRepeat:
			case t.Type == PageNBT || t.Type == PageBBT:
				if CRC(page[:l.PageTrailerOff]) == t.CRC {
					add(off, e, place(off, func(o int64) bool { return t.Sig == Signature(uint64(o), t.BID) }))
				}
				continue
			case t.Type == PageAMap:
				if CRC(page[:l.PageTrailerOff]) == t.CRC {
					add(off, e, place(off, func(o int64) bool { return t.BID == uint64(o) }))
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
		if start < from {
			continue
		}
		where := place(start, func(o int64) bool { return t.Sig == Signature(uint64(o), t.BID) })
		if where != 0 && CRC(b[start-from:start-from+int64(t.CB)]) == t.CRC {
			add(start, e, where)
		}
	}
	return p.found
}

// Reader returns the file r of size bytes as it was before the gap: the
// bytes from Offset on moved back Size bytes, the gap read as zeros. Its
// size is size+g.Size.
func (g Gap) Reader(r io.ReaderAt) io.ReaderAt { return gapReader{r: r, g: g} }

type gapReader struct {
	r io.ReaderAt
	g Gap
}

func (x gapReader) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for len(p) > 0 {
		var n int
		var err error
		switch {
		case off < x.g.Offset:
			n, err = x.r.ReadAt(p[:min(int64(len(p)), x.g.Offset-off)], off)
		case off < x.g.Offset+x.g.Size:
			n = int(min(int64(len(p)), x.g.Offset+x.g.Size-off))
			clear(p[:n])
		default:
			n, err = x.r.ReadAt(p, off-x.g.Size)
		}
		done += n
		if err != nil {
			return done, err
		}
		p, off = p[n:], off+int64(n)
	}
	return done, nil
}
