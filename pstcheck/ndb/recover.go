package ndb

import (
	"cmp"
	"fmt"
	"slices"

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
// only when it is the newest page at the top that no sound AMap page marks
// free, and it reaches every newer page of its tree. Otherwise the root is
// gone (what is found is an older tree, or a part of one) or cannot be
// told: the tree stays unusable, to be rebuilt from its leaves
// (rebuild.go). (Pages the map marks in use need not be reached: Outlook's
// maps keep leaked pages in use, old roots among them: enron.pst keeps
// two older NBT roots and one older BBT root in use.)
//
// Another page at the top the map keeps in use is an older copy of the
// root, or, when the root is gone, one of its children left on top, the
// newest of which would be taken for it. The children of one page hold
// keys that do not overlap; a copy of the root holds the keys of the whole
// tree of its time, which overlap those of the tree after it. So the root
// is taken only when each other such page holds keys among its own
// (treeKeys).
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
	var among [2]bool // the root was taken among several pages in use
	for k := range pages {
		top := -1
		for _, p := range pages[k] {
			top = max(top, p.level)
		}
		// The root is the newest page at the top the map does not mark
		// free; the others must be older copies of it.
		var c *page
		var others []*page
		for i, p := range pages[k] {
			if p.level != top || p.free {
				continue
			}
			if c != nil {
				if p.ref.BID < c.ref.BID {
					others = append(others, &pages[k][i])
					continue
				}
				others = append(others, c)
			}
			c = &pages[k][i]
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
		if c != nil && len(others) > 0 {
			ck := keysBelow(r, size, l, int64(c.ref.IB))
			ok := ck.lastKnown
			for _, o := range others {
				if ok && !below[int64(o.ref.IB)] {
					ok = ck.olderCopy(keysBelow(r, size, l, int64(o.ref.IB)))
				}
			}
			if !ok {
				c = nil // children of a lost root, or pages that cannot be told
			}
		}
		among[k] = c != nil && len(others) > 0
		switch {
		case c == nil:
		case k == 0:
			h.NBT, h.NBTUsable = c.ref, true
		default:
			h.BBT, h.BBTUsable = c.ref, true
		}
	}
	// A root may still be an older copy whose newer pages are all
	// destroyed (the header and every NBT page zeroed): an older NBT's
	// nodes name blocks freed since, which the BBT no longer lists; an
	// older BBT lacks the blocks written since. So the trees must agree,
	// or the one whose root is older is rebuilt instead: every change of
	// a node changes blocks, so the BBT's root is rewritten with the
	// NBT's. A tree found alone cannot be checked: taken among several
	// pages in use, it is rebuilt.
	switch {
	case h.NBTUsable && h.BBTUsable:
		if !treesAgree(r, size, h) {
			older := &h.BBTUsable
			if h.NBT.BID < h.BBT.BID {
				older = &h.NBTUsable
			}
			*older = false
		}
	default:
		h.NBTUsable = h.NBTUsable && !among[0]
		h.BBTUsable = h.BBTUsable && !among[1]
	}
}

// maxAgreeBlocks bounds the BBT entries treesAgree holds (8 bytes each);
// past it the trees are not taken to agree.
const maxAgreeBlocks = 1 << 22

// treesAgree says whether every data and subnode block a node of the NBT
// below h.NBT names is listed by the BBT below h.BBT, where the BBT's pages
// survive to tell (a block under a page that is not sound may be listed).
func treesAgree(r readerAt, size int64, h *Header) bool {
	l := &h.Layout
	var bids []uint64
	var gaps [][2]uint64 // key ranges [lo, hi) of BBT pages not sound, in key order
	whole := walkLeaves(r, size, l, int64(h.BBT.IB), PageBBT, func(e []byte) bool {
		bids = append(bids, l.uint(e)&^bidReserved)
		return len(bids) <= maxAgreeBlocks
	}, func(lo, hi uint64) { gaps = append(gaps, [2]uint64{lo, hi}) })
	if !whole {
		return false
	}
	slices.Sort(bids)
	listed := func(bid uint64) bool {
		bid &^= bidReserved
		if _, ok := slices.BinarySearch(bids, bid); ok {
			return true
		}
		i, _ := slices.BinarySearchFunc(gaps, bid, func(g [2]uint64, b uint64) int { return cmp.Compare(g[0], b) })
		if i < len(gaps) && gaps[i][0] == bid {
			i++
		}
		return i > 0 && bid < gaps[i-1][1]
	}
	agree := true
	walkLeaves(r, size, l, int64(h.NBT.IB), PageNBT, func(e []byte) bool {
		n := l.parseNBTLeaf(e)
		agree = (n.Data == 0 || listed(n.Data)) && (n.Sub == 0 || listed(n.Sub))
		return agree
	}, func(lo, hi uint64) {})
	return agree
}

// walkLeaves calls entry with every entry of the leaves of the B-tree of
// type typ below the page at root, in key order, until it returns false
// (then walkLeaves returns false), and gap with the key range [lo, hi) of
// each page below that is not a sound page of that type one level below
// its parent (hi ^0: to the end). Each page is read once, at most
// maxBTreeLevel deep.
func walkLeaves(r readerAt, size int64, l *Layout, root int64, typ byte, entry func([]byte) bool, gap func(lo, hi uint64)) bool {
	seen := map[int64]bool{}
	var walk func(ib int64, level int, lo, hi uint64) bool
	walk = func(ib int64, level int, lo, hi uint64) bool {
		page := make([]byte, l.PageSize)
		t, sound := PageTrailer{}, false
		if !seen[ib] && ib >= l.FirstAMap && ib+l.PageSize <= size && readFull(r, page, ib) == nil {
			t, sound = l.soundBTreePage(page, ib)
		}
		seen[ib] = true
		n, _, cb, lvl := l.BTFooter(page)
		if !sound || t.Type != typ || level >= 0 && lvl != level || lvl > maxBTreeLevel || n*cb > l.BTFooterOff ||
			lvl == 0 && cb < l.BIDSize || lvl > 0 && cb < l.BranchEntrySize {
			gap(lo, hi)
			return true
		}
		for i := range n {
			e := page[i*cb : (i+1)*cb]
			if lvl == 0 {
				if !entry(e) {
					return false
				}
				continue
			}
			clo, chi := max(lo, l.uint(e)), hi
			if i+1 < n {
				chi = l.uint(page[(i+1)*cb:])
			}
			if !walk(int64(l.uint(e[2*l.BIDSize:])), lvl-1, clo, chi) {
				return false
			}
		}
		return true
	}
	return walk(root, -1, 0, ^uint64(0))
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

// treeKeys are the first and the last key of the B-tree below a page:
// its first entry's key (known when the page is a sound B-tree page with
// entries), and the last entry's key of the leaf its last entries lead
// down to (known when every page on the way is a sound page of the same
// type one level below its parent: an old page's children are often
// written over).
type treeKeys struct {
	first, last           uint64
	firstKnown, lastKnown bool
	empty                 bool // a sound page without entries
}

// olderCopy says whether o, another page at the top of the tree below the
// page of k (whose last key is known), holds keys among k's: the children
// of one page do not, so o is an older copy of k's page. Its first key
// among k's tells so when its last one is not known. A page without
// entries is no child of a page (a new store's first, empty tree).
func (k treeKeys) olderCopy(o treeKeys) bool {
	return o.empty || o.firstKnown && k.first <= o.first && o.first <= k.last ||
		o.lastKnown && o.first <= k.last && k.first <= o.last
}

// keysBelow reads the treeKeys of the page at ib (at most maxBTreeLevel
// deep).
func keysBelow(r readerAt, size int64, l *Layout, ib int64) treeKeys {
	var k treeKeys
	page := make([]byte, l.PageSize)
	var typ byte
	want := -1
	for depth := 0; depth <= maxBTreeLevel; depth++ {
		if ib < l.FirstAMap || ib+l.PageSize > size || readFull(r, page, ib) != nil {
			return k
		}
		t, sound := l.soundBTreePage(page, ib)
		n, _, cb, level := l.BTFooter(page)
		if !sound || depth > 0 && (t.Type != typ || level != want) || n == 0 || cb < l.BIDSize || n*cb > l.BTFooterOff {
			k.empty = sound && depth == 0 && n == 0
			return k
		}
		if depth == 0 {
			typ, k.first, k.firstKnown = t.Type, l.uint(page), true
		}
		lastEntry := page[(n-1)*cb:]
		if level == 0 {
			k.last, k.lastKnown = l.uint(lastEntry), true
			return k
		}
		if cb < l.BranchEntrySize {
			return k
		}
		ib, want = int64(l.uint(lastEntry[2*l.BIDSize:])), level-1
	}
	return k
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
