package ndb

import (
	"cmp"
	"slices"
)

// The B-tree roots of a file whose header is destroyed (recover.go), found
// again among the pages that survive.

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
func findRoots(r readerAt, size int64, h *Header) foundIndex {
	l := &h.Layout
	var found foundIndex
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
	var among [2]bool    // the root was taken among several pages in use
	var newest [2]uint64 // the BID of each tree's newest page
	for k := range pages {
		top := -1
		for _, p := range pages[k] {
			top = max(top, p.level)
			newest[k] = max(newest[k], p.ref.BID)
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
			h.NBT, h.NBTUsable, found.nbtPages = c.ref, true, below
		default:
			h.BBT, h.BBTUsable, found.bbtPages = c.ref, true, below
		}
	}
	if h.BBTUsable {
		found.bbt = listBBT(r, size, l, h.BBT, h.NBTUsable)
	}
	// A root may still be an older copy whose newer pages are all
	// destroyed (the header and every NBT page zeroed): an older NBT's
	// nodes name blocks freed since, which the BBT no longer lists; an
	// older BBT lacks the blocks written since. So the trees must agree,
	// or the one whose root is older is rebuilt instead: every change of
	// a node changes blocks, so the BBT's root is rewritten with the
	// NBT's. A tree found alone cannot be checked so: taken among several
	// pages in use, it is rebuilt, unless it is newer than every page of
	// the other tree (an older root would be older than the other tree's
	// pages written since, unless those are all destroyed too: enron.pst
	// with the header and every NBT page zeroed keeps only older NBT
	// pages, and its BBT, taken, lets the node index be rebuilt from what
	// the BBT lists).
	switch {
	case h.NBTUsable && h.BBTUsable:
		if !treesAgree(r, size, h, &found.bbt) {
			older := &h.BBTUsable
			if h.NBT.BID < h.BBT.BID {
				older = &h.NBTUsable
			}
			*older = false
		}
	default:
		h.NBTUsable = h.NBTUsable && (!among[0] || h.NBT.BID > newest[1])
		h.BBTUsable = h.BBTUsable && (!among[1] || h.BBT.BID > newest[0])
	}
	return found
}

// foundIndex is what findRoots read of the trees it took, for trustMaps:
// the offsets of the pages each root reaches, and the BBT's listing.
type foundIndex struct {
	nbtPages, bbtPages map[int64]bool
	bbt                bbtListing
}

// bbtListing is what the leaves of a BBT list, read once: the BIDs of
// its blocks, sorted; the key ranges [lo, hi) of its pages that are not
// sound, in key order, those that follow each other merged; and the
// places of its blocks, as trustMaps checks them (mapPlace), a sample
// past maxMapPlaces. whole is false when the tree lists more than
// maxAgreeBlocks blocks or maxMapPlaces gaps: then bids and gaps do not
// tell.
type bbtListing struct {
	bids, places []uint64
	gaps         [][2]uint64
	whole        bool
}

// listBBT reads the bbtListing of the BBT below root; its BIDs only when
// withBIDs (when an NBT is found to check against them).
func listBBT(r readerAt, size int64, l *Layout, root BREF, withBIDs bool) bbtListing {
	var b bbtListing
	places := spreadSample{max: maxMapPlaces}
	b.whole = walkLeaves(r, size, l, int64(root.IB), PageBBT, func(e []byte) bool {
		x := l.parseBBTLeaf(e)
		if withBIDs {
			b.bids = append(b.bids, x.BID&^bidReserved)
		}
		if places.take() {
			if p, ok := l.mapPlace(int64(x.IB), l.BlockExtent(int(x.CB)), size); ok {
				places.keep(p)
			}
		}
		return len(b.bids) <= maxAgreeBlocks
	}, func(lo, hi uint64) bool {
		if k := len(b.gaps) - 1; k >= 0 && b.gaps[k][1] == lo {
			b.gaps[k][1] = hi
			return true
		}
		b.gaps = append(b.gaps, [2]uint64{lo, hi})
		return len(b.gaps) <= maxMapPlaces
	})
	slices.Sort(b.bids)
	b.places = places.vals
	return b
}

// spreadSample keeps a sample of at most max values spread over all those
// offered, in the order offered: every stride-th, the stride doubled and
// every other value kept let go whenever max are kept.
type spreadSample struct {
	vals        []uint64
	max         int
	stride, got int
}

// take says whether the next value offered is to be kept.
func (s *spreadSample) take() bool {
	s.stride = max(s.stride, 1)
	s.got++
	return s.got%s.stride == 0
}

// keep keeps v, a value take said to keep.
func (s *spreadSample) keep(v uint64) {
	s.vals = append(s.vals, v)
	if len(s.vals) >= s.max {
		for i := range len(s.vals) / 2 {
			s.vals[i] = s.vals[2*i+1]
		}
		s.vals, s.stride = s.vals[:len(s.vals)/2], s.stride*2
	}
}

// listed says whether the BBT lists bid, or may: a block under a page
// that is not sound may be listed. (Keys out of order, in pages that are
// not what was written, may leave a listed block unfound: the trees are
// then taken to disagree, and one is rebuilt.)
func (b *bbtListing) listed(bid uint64) bool {
	bid &^= bidReserved
	if _, ok := slices.BinarySearch(b.bids, bid); ok {
		return true
	}
	i, _ := slices.BinarySearchFunc(b.gaps, bid, func(g [2]uint64, x uint64) int { return cmp.Compare(g[0], x) })
	if i < len(b.gaps) && b.gaps[i][0] == bid {
		i++
	}
	return i > 0 && bid < b.gaps[i-1][1]
}

// maxAgreeBlocks bounds the BIDs listBBT holds (8 bytes each): past it (a
// store of some 16 million blocks, tens of GB) the trees are not taken to
// agree, and the one whose root is older is rebuilt: slower, not wrong.
// maxMapPlaces bounds the places of blocks it keeps for trustMaps (8
// bytes each: every block's in a store of up to 4 Mi blocks, a sample
// spread over the whole tree past that), and the key ranges of pages not
// sound it keeps (16 bytes each).
const (
	maxAgreeBlocks = 1 << 24
	maxMapPlaces   = 1 << 22
)

// treesAgree says whether every data and subnode block a node of the NBT
// below h.NBT names is listed by the BBT below h.BBT (bbt), where the
// BBT's pages survive to tell.
func treesAgree(r readerAt, size int64, h *Header, bbt *bbtListing) bool {
	if !bbt.whole {
		return false
	}
	l := &h.Layout
	agree := true
	walkLeaves(r, size, l, int64(h.NBT.IB), PageNBT, func(e []byte) bool {
		n := l.parseNBTLeaf(e)
		agree = (n.Data == 0 || bbt.listed(n.Data)) && (n.Sub == 0 || bbt.listed(n.Sub))
		return agree
	}, func(lo, hi uint64) bool { return true })
	return agree
}

// walkLeaves calls entry with every entry of the leaves of the B-tree of
// type typ below the page at root, in key order, and gap with the key
// range [lo, hi) of each page below that is not a sound page of that type
// one level below its parent (hi ^0: to the end), until either returns
// false (then walkLeaves returns false). A page's levels go down one at a
// time from at most maxBTreeLevel, so the walk ends; each sound page is
// walked once, however many parents name it.
func walkLeaves(r readerAt, size int64, l *Layout, root int64, typ byte, entry func([]byte) bool, gap func(lo, hi uint64) bool) bool {
	seen := map[int64]bool{}
	pages := make([][]byte, maxBTreeLevel+2) // a page read at each depth
	var walk func(ib int64, depth, level int, lo, hi uint64) bool
	walk = func(ib int64, depth, level int, lo, hi uint64) bool {
		if pages[depth] == nil {
			pages[depth] = make([]byte, l.PageSize)
		}
		page := pages[depth]
		t, sound := PageTrailer{}, false
		if !seen[ib] && ib >= l.FirstAMap && ib <= size-l.PageSize && readFull(r, page, ib) == nil {
			t, sound = l.soundBTreePage(page, ib)
		}
		n, _, cb, lvl := l.BTFooter(page)
		if !sound || t.Type != typ || level >= 0 && lvl != level || lvl > maxBTreeLevel || n*cb > l.BTFooterOff || cb != l.entrySize(typ, lvl) {
			return gap(lo, hi)
		}
		seen[ib] = true
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
			if !walk(int64(l.uint(e[2*l.BIDSize:])), depth+1, lvl-1, clo, chi) {
				return false
			}
		}
		return true
	}
	return walk(root, 0, -1, 0, ^uint64(0))
}

// reachable returns the offsets of the pages the B-tree rooted at root
// reaches, following its branch pages (at most maxBTreeLevel deep, each
// page once).
func reachable(r readerAt, size int64, l *Layout, root BREF) map[int64]bool {
	seen := map[int64]bool{}
	page := make([]byte, l.PageSize)
	var walk func(ib int64, depth int)
	walk = func(ib int64, depth int) {
		if seen[ib] || depth > maxBTreeLevel || ib < l.FirstAMap || ib > size-l.PageSize || ib%l.PageSize != 0 {
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
		if ib < l.FirstAMap || ib > size-l.PageSize || readFull(r, page, ib) != nil {
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

// validAMap2 is the header's fAMapValid for maps that are valid.
const validAMap2 = 2

// trustMaps takes the allocation maps of a file whose header is destroyed
// as valid (h.AMapValid, which the lost header held) unless they say
// otherwise: no AMap page is sound, or one marks free a page of an index
// tree found or a block its BBT lists (maps a crash left invalid mark
// space in use free). Without valid maps the rebuild cannot tell old
// copies of pages, in free space, from the pages in use: where the newer
// page is lost, it takes the older one's entries, and reads an older
// version of a message as the message (the Aspose OST with its header
// zeroed and cut at 50% wrote a meeting with a reminder it no longer has).
// Maps that are wrong nonetheless cost the other way: the entries of pages
// they mark free are lost, and counted so. sound says an AMap page was
// found sound where the format puts one (guessLayout); one read here tells
// so too.
func trustMaps(r readerAt, size int64, h *Header, found foundIndex, sound bool) {
	l := &h.Layout
	// The places to check (mapPlace), sorted, gone through with one AMap
	// page read at a time. Places outside the data section tell nothing
	// of the maps; past maxMapPlaces blocks, a sample of them tells.
	var places []uint64
	if h.BBTUsable {
		places = slices.Clone(found.bbt.places)
	}
	for _, tree := range []struct {
		usable bool
		pages  map[int64]bool
	}{{h.NBTUsable, found.nbtPages}, {h.BBTUsable, found.bbtPages}} {
		if !tree.usable {
			continue
		}
		for ib := range tree.pages {
			if p, ok := l.mapPlace(ib, l.PageSize, size); ok {
				places = append(places, p)
			}
		}
	}
	slices.Sort(places)
	maps := &amapCursor{r: r, l: l}
	for _, p := range places {
		free, any := maps.freeIn(int64(p>>16)*l.AMapUnit, int64(p&0xFFFF)*l.AMapUnit)
		sound = sound || any
		if free {
			return
		}
	}
	if sound {
		h.AMapValid = validAMap2
	}
}

// mapPlace packs the place of a page or block at ib, extent bytes long,
// as trustMaps checks it: its offset and its extent in AMap units, the
// offset in the high 48 bits (so that places sort by offset); false when
// it lies outside the data section of a file of size bytes.
func (l *Layout) mapPlace(ib, extent, size int64) (uint64, bool) {
	if ib < l.FirstAMap || ib > size-extent {
		return 0, false
	}
	return uint64(ib/l.AMapUnit)<<16 | uint64((extent+l.AMapUnit-1)/l.AMapUnit), true
}
