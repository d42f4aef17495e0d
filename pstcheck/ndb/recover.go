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
//     its own offset as BID and a sound CRC;
//   - the end of the file, taken as its size;
//   - the B-tree roots: of each tree's sound pages, the newest at its
//     highest level (findRoots). A B-tree page is rewritten, with a new
//     BID, whenever a page below it changes, so the root of the tree the
//     header last named is the newest page at the top; older copies lie
//     in free space. A tree whose root is not found is rebuilt from the
//     leaf pages and blocks that survive (rebuild.go);
//   - the encryption method, from the data blocks the rebuild finds: the
//     one under which they decode to heap-on-node headers.
//
// The client signature (PST or OST) cannot be known: the store is taken
// for a PST.

// recoverHeader guesses the header of a file whose header is destroyed,
// or returns nil when no format's first AMap page is where it should be.
func recoverHeader(r readerAt, size int64, sink finding.Sink) *Header {
	for _, k := range []Kind{Unicode, ANSI, Unicode4K} {
		l := LayoutOf(k)
		if size < l.FirstAMap+l.PageSize {
			continue
		}
		page := make([]byte, l.PageSize)
		if readFull(r, page, l.FirstAMap) != nil {
			continue
		}
		t := l.ParsePageTrailer(page)
		if t.Type != PageAMap || t.TypeRepeat != PageAMap || t.BID != uint64(l.FirstAMap) || CRC(page[:l.PageTrailerOff]) != t.CRC {
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
		sink.Report(finding.Finding{Code: finding.HeaderGuessed, Offset: 0,
			Detail: fmt.Sprintf("the header is destroyed; the first AMap page says the file is %s: %s", k, how)})
		return h
	}
	return nil
}

// guessCrypt picks the encryption method under which the most of the
// first data blocks the rebuild found decode to a heap-on-node header
// (bSig 0xEC in its third byte). It reads at most 64 blocks.
func (s *Scanner) guessCrypt() {
	votes := map[uint8]int{}
	seen := 0
	for _, e := range s.res.BBT.All() {
		if IsInternal(e.BID) || e.CB < 12 || s.h.Kind == Unicode4K && e.CB != e.Inflated {
			continue
		}
		if seen++; seen > 64 {
			break
		}
		b := make([]byte, 4)
		if readFull(s.r, b, int64(e.IB)) != nil {
			continue
		}
		for _, m := range []uint8{cryptNone, cryptPermute, cryptCyclic} {
			c := append([]byte(nil), b...)
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
