package ndb

import (
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A destroyed header (its signature or version overwritten) makes the file
// unreadable to Outlook and scanpst, yet everything after it may survive.
// What the header said can be found again from what follows it:
//
//   - the format, from the first AMap page, which sits where each format
//     puts it (0x4400 with its trailer at +496 in Unicode files, +500 in
//     ANSI ones; 0x22000 with its trailer at +4072 in 4K-page files), with
//     its own offset as BID and a sound CRC; or, when the start of the
//     file is destroyed well past its header (ransomware that encrypts a
//     file's first megabytes, a disk whose first sectors fail), from any
//     later AMap page, one every AMapCoverage bytes after the first, or
//     when none is left from a whole B-tree page (findBTreePage);
//   - the end of the file, taken as its size;
//   - the B-tree roots: of each tree's sound pages, the newest at its
//     highest level (findRoots). A B-tree page is rewritten, with a new
//     BID, whenever a page below it changes, so the root of the tree the
//     header last named is the newest page at the top; older copies lie
//     in free space. A tree whose root is not found is rebuilt from the
//     leaf pages and blocks that survive (rebuild.go);
//   - the encryption method, from the data blocks the index lists that
//     verify: the one under which they decode to heap-on-node headers.
//
// The client signature (PST or OST) cannot be known: the store is taken
// for a PST.

// amapsSought bounds the AMap places recoverHeader looks at for each
// format: 63 MB into a Unicode or ANSI file, 4 GB into a 4K-page one;
// pagesSought the bytes it reads for a B-tree page when none is left.
const (
	amapsSought = 256
	pagesSought = 64 << 20
)

// recoverHeader guesses the header of a file whose header is destroyed,
// or returns nil when no format's AMap page is where it should be.
func recoverHeader(r readerAt, size int64, sink finding.Sink) *Header {
	finders := []struct {
		find func(readerAt, int64, *Layout) int64
		amap bool
	}{{findAMap, true}, {findBTreePage, false}}
	for _, f := range finders {
		for _, k := range []Kind{Unicode, ANSI, Unicode4K} {
			l := LayoutOf(k)
			off := f.find(r, size, &l)
			if off < 0 {
				continue
			}
			h := &Header{Layout: l, FileEOF: uint64(size), Crypt: cryptPermute, Guessed: true}
			switch k {
			case ANSI:
				h.Version = 14
			case Unicode:
				h.Version = 23
			case Unicode4K:
				h.Version = 36
			}
			findRoots(r, size, h)
			how := "its B-tree roots are the newest pages at their top"
			if !h.NBTUsable || !h.BBTUsable {
				how = "its index is rebuilt from what survives"
			}
			which := "the first AMap page"
			switch {
			case off == l.FirstAMap:
			case f.amap:
				which = fmt.Sprintf("the AMap page at 0x%X (those before it are destroyed)", off)
			default:
				which = fmt.Sprintf("the B-tree page at 0x%X (no AMap page survives where the format puts one)", off)
			}
			sink.Report(finding.Finding{Code: finding.HeaderGuessed, Offset: 0,
				Detail: fmt.Sprintf("the header is destroyed; %s says the file is %s: %s", which, k, how)})
			return h
		}
	}
	return nil
}

// findAMap returns the offset of the first AMap page of layout l that is
// whole where l puts one (its own offset as BID, its CRC sound), among
// the first amapsSought places; -1 when there is none.
func findAMap(r readerAt, size int64, l *Layout) int64 {
	page := make([]byte, l.PageSize)
	for i := range int64(amapsSought) {
		off := l.FirstAMap + i*l.AMapCoverage
		if off+l.PageSize > size {
			break
		}
		if readFull(r, page, off) != nil {
			continue
		}
		if l.soundAMapPage(page, off) {
			return off
		}
	}
	return -1
}

// guessCrypt picks the encryption method under which the most of the
// data blocks the index lists decode to a heap-on-node header (bSig 0xEC
// in its third byte). Only blocks that verify where the index puts them
// (their trailer names them, their CRC holds) vote: the blocks of a
// destroyed start of the file are random bytes, which would outvote the
// rest. It counts at most 64 votes, trying at most 4,096 blocks.
func (s *Scanner) guessCrypt() {
	l := &s.h.Layout
	votes := map[uint8]int{}
	seen, tried := 0, 0
	extent := make([]byte, l.BlockExtent(l.MaxBlockData))
	for _, e := range s.res.BBT.All() {
		if IsInternal(e.BID) || e.CB < 12 || int(e.CB) > l.MaxBlockData || s.h.Kind == Unicode4K && e.CB != e.Inflated {
			continue
		}
		if tried++; tried > 4096 || seen >= 64 {
			break
		}
		b := extent[:l.BlockExtent(int(e.CB))]
		if readFull(s.r, b, int64(e.IB)) != nil {
			continue
		}
		if t := l.ParseBlockTrailer(b); t.BID != e.BID || t.CB != e.CB || CRC(b[:e.CB]) != t.CRC {
			continue
		}
		seen++
		for _, m := range []uint8{cryptNone, cryptPermute, cryptCyclic} {
			c := append([]byte(nil), b[:4]...)
			DecodeAt(m, e.BID, 0, c)
			if c[2] == 0xEC {
				votes[m]++
			}
		}
	}
	best := s.h.Crypt
	for m, n := range votes {
		if n > votes[best] {
			best = m
		}
	}
	s.h.Crypt = best
}

// findRoots sets h's B-tree roots, reading the file's pages in order
// once. A B-tree page is rewritten with a new BID whenever a page below it
// changes, so the root the header last named is the newest sound page
// (type, signature for its offset and BID, CRC) at the tree's highest
// level, and every page of the tree newer than it lies below it; its older
// copies lie in space the allocation map marks free. So the root is taken
// only when it is the one page at the top that no sound AMap page marks
// free, and it reaches every newer page of its tree. Otherwise the root is
// gone (what is found is an older tree, or a part of one) or cannot be
// told: the tree stays unusable, to be rebuilt from its leaves
// (rebuild.go). (Pages the map marks in use below the top need not be
// reached: Outlook's maps keep leaked pages in use.)
func findRoots(r readerAt, size int64, h *Header) {
	l := &h.Layout
	type page struct {
		ref   BREF
		level int
		free  bool // a sound AMap page marks it free
	}
	var pages [2][]page // NBT, BBT: every sound page
	var amap []byte     // the bits of the AMap page mapping the pages read (nil: unsound)
	buf := make([]byte, 1<<20)
	for pos := l.FirstAMap; pos+l.PageSize <= size; pos += int64(len(buf)) {
		n, _ := r.ReadAt(buf[:min(int64(len(buf)), size-pos)], pos)
		if n < int(l.PageSize) {
			break
		}
		for off := 0; off+int(l.PageSize) <= n; off += int(l.PageSize) {
			b := buf[off : off+int(l.PageSize)]
			at := pos + int64(off)
			if (at-l.FirstAMap)%l.AMapCoverage == 0 {
				amap = l.amapBits(b, at)
				continue
			}
			t, ok := l.soundBTreePage(b, at)
			if !ok {
				continue
			}
			k := 0
			if t.Type == PageBBT {
				k = 1
			}
			free := amap != nil && !l.amapInUse(amap, at)
			_, _, _, level := l.BTFooter(b)
			pages[k] = append(pages[k], page{BREF{BID: t.BID, IB: uint64(at)}, level, free})
		}
	}
	for k := range pages {
		top := -1
		for _, p := range pages[k] {
			top = max(top, p.level)
		}
		// The root is the one page at the top the map does not mark free:
		// two are a tree whose root is gone, its children left on top.
		var c *page
		for i, p := range pages[k] {
			if p.level == top && !p.free {
				if c != nil {
					c = nil
					break
				}
				c = &pages[k][i]
			}
		}
		if c == nil {
			continue
		}
		below := reachable(r, size, l, c.ref)
		for _, p := range pages[k] {
			if p.ref.BID > c.ref.BID && !below[int64(p.ref.IB)] {
				c = nil // a newer page it does not reach: an older tree
				break
			}
		}
		switch {
		case c == nil:
		case k == 0:
			h.NBT, h.NBTUsable = c.ref, true
		default:
			h.BBT, h.BBTUsable = c.ref, true
		}
	}
}

// reachable returns the offsets of the pages the B-tree rooted at root
// reaches, following its branch pages (at most maxBTreeLevel deep, each
// page once).
func reachable(r readerAt, size int64, l *Layout, root BREF) map[int64]bool {
	seen := map[int64]bool{}
	page := make([]byte, l.PageSize)
	var walk func(ib int64, depth int)
	walk = func(ib int64, depth int) {
		if seen[ib] || depth > maxBTreeLevel || ib < l.FirstAMap || ib+l.PageSize > size || ib%l.PageSize != 0 {
			return
		}
		seen[ib] = true
		if readFull(r, page, ib) != nil {
			return
		}
		n, _, _, level := l.BTFooter(page)
		if level == 0 {
			return
		}
		var children []int64
		for i := 0; i < n && (i+1)*l.BranchEntrySize <= l.BTFooterOff; i++ {
			children = append(children, int64(l.uint(page[i*l.BranchEntrySize+2*l.BIDSize:])))
		}
		for _, c := range children {
			walk(c, depth+1)
		}
	}
	walk(int64(root.IB), 0)
	return seen
}

// findBTreePage returns the offset of the first sound B-tree page of
// layout l (soundBTreePage) in the first pagesSought bytes of the data section, read a
// MiB at a time; -1 when there is none. It tells the format of a file
// with no AMap page left where the format puts one: a 4K-page OST has
// only one in its first 16 MB.
func findBTreePage(r readerAt, size int64, l *Layout) int64 {
	buf := make([]byte, 1<<20)
	for from := l.FirstAMap; from < min(size, l.FirstAMap+pagesSought); from += int64(len(buf)) {
		n := min(int64(len(buf)), size-from) / l.PageSize * l.PageSize
		if n == 0 || readFull(r, buf[:n], from) != nil {
			continue
		}
		for at := int64(0); at < n; at += l.PageSize {
			if _, ok := l.soundBTreePage(buf[at:at+l.PageSize], from+at); ok {
				return from + at
			}
		}
	}
	return -1
}
