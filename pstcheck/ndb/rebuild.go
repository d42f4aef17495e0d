package ndb

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"sort"
)

// Rebuilding the index. When B-tree pages are missing or damaged (a root
// outside a cut-off file, a zeroed page, a page that fails its checks), the
// entries they held are looked for in what survives, as scanpst does:
//
//   - every NBT and BBT leaf page the tree walk did not reach, found by its
//     page trailer (type, signature for its offset and BID, CRC);
//   - for blocks, the blocks themselves, found by their trailers (size,
//     signature for their offset and BID, CRC).
//
// Only keys inside the ranges the lost pages covered are taken, so nothing
// the live tree says is overridden and no entry the live tree dropped (a
// deleted item) comes back. Stale copies survive in free space: a page or
// block the allocation map marks free is not taken while the map is valid,
// and between pages that disagree the one the map marks in use wins, then
// the newer (higher BID) one. Everything is found in one sequential pass
// over the data section, read in ChunkSize pieces; the BBT leaf pages found
// are read again as the merge comes to their keys (rebuildleaves.go).

// Rebuild says what the index rebuild found. Nil in a Result when the index
// was read whole.
type Rebuild struct {
	// NBTPages and BBTPages are the leaf pages outside the live trees whose
	// entries were taken; ChangedPages the leaf pages of the live trees
	// whose checksum fails, whose entries were weighed with the others
	// (walkPage).
	NBTPages, BBTPages, ChangedPages int
	// Nodes and Blocks are the entries added to the NBT and BBT; Blocks
	// includes TrailerBlocks, the blocks found by their trailers alone.
	Nodes, Blocks, TrailerBlocks int
	// StaleEntries are the entries of leaf pages found outside the live
	// tree that name blocks no longer there, which no node uses: old
	// copies of pages (stale.go), not counted in Blocks. StaleNodes are
	// the node entries of such pages left out, where the BBT was read
	// whole, because it lists no block they name (mergeRebuilt).
	StaleEntries, StaleNodes int
}

// allocState is what the allocation map says of a place in the file.
type allocState int8

const (
	allocUnknown allocState = iota // no valid AMap covers it
	allocFree
	allocInUse
)

// The candidates are an entry each with what decides between them, their
// fields laid out flat: there is one per node of the file when the NBT
// root is lost, and nested entries would cost 48 bytes instead of 40.

// nbtCandidate is a node entry found in a leaf page.
type nbtCandidate struct {
	data, sub, pageBID uint64
	nid, parent        uint32
	alloc              allocState
}

func (c *nbtCandidate) entry() NBTEntry {
	return NBTEntry{NID: c.nid, Parent: c.parent, Data: c.data, Sub: c.sub, Rebuilt: true}
}

// bbtCandidate is a block entry found in a leaf page, or a block found by
// its trailer (pageBID 0).
type bbtCandidate struct {
	bid, ib, pageBID  uint64
	cb, inflated, ref uint16
	found             Found
	alloc             allocState
}

// leafCandidate is the candidate BBT leaf entry b gives, of the page
// pageBID whose allocation state is a.
func leafCandidate(b BBTEntry, a allocState, pageBID uint64) bbtCandidate {
	return bbtCandidate{bid: b.BID &^ bidReserved, ib: b.IB, cb: b.CB, inflated: b.Inflated, ref: b.Ref, found: FoundInLeaf, alloc: a, pageBID: pageBID}
}

func (c *bbtCandidate) entry() BBTEntry {
	return BBTEntry{BID: c.bid, IB: c.ib, CB: c.cb, Inflated: c.inflated, Ref: c.ref, Rebuilt: c.found}
}

// trailerCandidate is a block found by its trailer, packed into 20 bytes
// where a bbtCandidate takes 32: when the BBT root is lost there is one
// per block of the file (on a 4.4 GB store of 2 million messages, 6.1
// million), most of them kept in 12 (packedTrailer). A block starts on a
// 64-byte step, so its offset is kept in units of 64 bytes, in 48 bits.
type trailerCandidate struct {
	bidLo, bidHi uint32
	ibLo         uint32
	cb, inflated uint16
	ibHi         uint16
	alloc        allocState
}

func newTrailerCandidate(bid uint64, ib int64, cb, inflated uint16, a allocState) trailerCandidate {
	u := uint64(ib) / ibUnit
	return trailerCandidate{bidLo: uint32(bid), bidHi: uint32(bid >> 32), ibLo: uint32(u), ibHi: uint16(u >> 32),
		cb: cb, inflated: inflated, alloc: a}
}

func (t *trailerCandidate) bid() uint64 { return uint64(t.bidHi)<<32 | uint64(t.bidLo) }
func (t *trailerCandidate) ib() uint64  { return (uint64(t.ibHi)<<32 | uint64(t.ibLo)) * ibUnit }

// candidate is t as the merge weighs it.
func (t *trailerCandidate) candidate() bbtCandidate {
	return bbtCandidate{bid: t.bid(), ib: t.ib(), cb: t.cb, inflated: t.inflated, found: FoundByTrailer, alloc: t.alloc}
}

// packedTrailer is a block found by its trailer in 12 bytes, as nearly
// every block is kept: its BID below 2^32, its offset below 256 GiB and
// its data stored as is (not compressed). The others are kept as
// trailerCandidates.
type packedTrailer struct {
	bid, ib uint32 // ib in units of 64 bytes
	cb      uint16
	alloc   allocState
}

func packTrailer(t trailerCandidate) (packedTrailer, bool) {
	ok := t.bidHi == 0 && t.ibHi == 0 && t.inflated == t.cb
	return packedTrailer{bid: t.bidLo, ib: t.ibLo, cb: t.cb, alloc: t.alloc}, ok
}

func (p *packedTrailer) candidate() bbtCandidate {
	return bbtCandidate{bid: uint64(p.bid), ib: uint64(p.ib) * ibUnit, cb: p.cb, inflated: p.cb, found: FoundByTrailer, alloc: p.alloc}
}

// compareTrailers orders the blocks of one BID found by their trailers
// best first: in use, then the first in the file. Two that compare equal
// are the same trailer (one of one BID, state and start differs in size,
// and so in where it ends; a trailer ending where a chunk of the sweep
// ends is found twice), so sorting needs no stability and the two lists
// merge into the order of one.
func compareTrailers(a, b bbtCandidate) int {
	return cmp.Or(cmp.Compare(a.bid, b.bid), cmp.Compare(b.alloc, a.alloc), cmp.Compare(a.ib, b.ib), cmp.Compare(a.cb, b.cb))
}

// trailerLists holds the blocks found by their trailers.
type trailerLists struct {
	packed pieces[packedTrailer]
	wide   pieces[trailerCandidate]
}

func (l *trailerLists) append(t trailerCandidate) {
	if p, ok := packTrailer(t); ok {
		l.packed.append(p)
	} else {
		l.wide.append(t)
	}
}

func (l *trailerLists) len() int { return l.packed.n + l.wide.n }

// sorted returns the trailers in compareTrailers' order, the lists emptied.
func (l *trailerLists) sorted() func() (bbtCandidate, bool) {
	packed := l.packed.sorted(func(a, b packedTrailer) int { return compareTrailers(a.candidate(), b.candidate()) })
	wide := l.wide.sorted(func(a, b trailerCandidate) int { return compareTrailers(a.candidate(), b.candidate()) })
	p, pok := packed.next()
	w, wok := wide.next()
	return func() (bbtCandidate, bool) {
		switch {
		case pok && (!wok || compareTrailers(p.candidate(), w.candidate()) < 0):
			c := p.candidate()
			p, pok = packed.next()
			return c, true
		case wok:
			c := w.candidate()
			w, wok = wide.next()
			return c, true
		}
		return bbtCandidate{}, false
	}
}

// keySet is a set of keys given as ranges, for the rebuild's lookups of
// whether a key was lost: the ranges may nest (a BBT page whose checksum
// fails is weighed, and a child page it leads to may be lost within its
// range) or overlap (a damaged branch page's keys), so they are merged
// into disjoint ones, in key order. A range whose end lies before its
// start (keys out of order) holds no key.
type keySet []keyRange

func newKeySet(ranges []keyRange) keySet {
	var set keySet
	for _, r := range ranges {
		if r.lo <= r.hi {
			set = append(set, keyRange{lo: r.lo, hi: r.hi})
		}
	}
	slices.SortFunc(set, func(a, b keyRange) int { return cmp.Compare(a.lo, b.lo) })
	out := set[:0]
	for _, r := range set {
		if n := len(out); n > 0 && r.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// has reports whether key lies in one of the set's ranges.
func (set keySet) has(key uint64) bool {
	i := sort.Search(len(set), func(i int) bool { return set[i].hi >= key })
	return i < len(set) && set[i].lo <= key
}

// sortRanges orders ranges by their ends, so that the first that holds a
// key is the innermost (lostPage blames the page nearest the key's leaf).
func sortRanges(r []keyRange) {
	slices.SortFunc(r, func(a, b keyRange) int { return cmp.Compare(a.hi, b.hi) })
}

// zeros is what allZero compares with.
var zeros [64 << 10]byte

// allZero reports whether b holds only zero bytes.
func allZero(b []byte) bool {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		if !bytes.Equal(b[:n], zeros[:n]) {
			return false
		}
		b = b[n:]
	}
	return true
}

// indexDamaged reports whether any B-tree range was lost in the walk.
func (s *Scanner) indexDamaged() bool { return len(s.lost) > 0 || len(s.lostNBT) > 0 }

// rebuildIndex runs the sequential pass (rebuildsweep.go) and merges what
// it found into the walked trees.
func (s *Scanner) rebuildIndex(ctx context.Context) {
	sortRanges(s.lost)
	sortRanges(s.lostNBT)
	s.lostBlocks, s.lostNodes = newKeySet(s.lost), newKeySet(s.lostNBT)
	// Candidates as found, several per key at times; mergeRebuilt picks
	// one. nodes are the entries of found NBT leaf pages, leaves the found
	// BBT leaf pages (rebuildleaves.go), trailers the blocks found by
	// their trailers. Lists, not maps: when a root is lost every entry of
	// the index passes through here.
	var nodes pieces[nbtCandidate]
	var leaves []leafPage
	var trailers trailerLists
	var nbtPages []int64
	done := s.sweepData(ctx, func(c *sweptChunk) {
		for _, n := range c.nodes {
			nodes.append(n)
		}
		leaves = append(leaves, c.leaves...)
		for _, t := range c.trailers {
			trailers.append(t)
		}
		nbtPages = append(nbtPages, c.nbtPages...)
	})
	if !done {
		return
	}
	s.mergeRebuilt(ctx, &nodes, nbtPages, leaves, &trailers)
}

// foundPage takes a leaf page found outside the live trees when it holds
// entries in a lost range: a node page's entries, a block page's place.
func (s *Scanner) foundPage(page []byte, off int64, a allocState, c *sweptChunk) {
	l := &s.h.Layout
	t, cEnt, cbEnt, ok := l.foundLeaf(page, off, a)
	if !ok {
		return
	}
	if t.Type == PageNBT {
		took := false
		for i := range cEnt {
			n := l.parseNBTLeaf(page[i*cbEnt : (i+1)*cbEnt])
			if s.lostNodes.has(uint64(n.NID)) {
				c.nodes = append(c.nodes, nbtCandidate{nid: n.NID, parent: n.Parent, data: n.Data, sub: n.Sub, alloc: a, pageBID: t.BID})
				took = true
			}
		}
		if took {
			c.nbtPages = append(c.nbtPages, off)
		}
		return
	}
	leaf := leafPage{off: off, pageBID: t.BID, alloc: a}
	took := false
	for i := range cEnt {
		bid := l.parseBBTLeaf(page[i*cbEnt:(i+1)*cbEnt]).BID &^ bidReserved
		if s.lostBlocks.has(bid) && (!took || bid < leaf.lo) {
			leaf.lo, took = bid, true
		}
	}
	if took {
		c.leaves = append(c.leaves, leaf)
	}
}

// foundLeaf checks a leaf page found outside the live trees (in the state
// a) and returns its trailer and entry count and size, or false when its
// entries may not be taken.
func (l *Layout) foundLeaf(page []byte, off int64, a allocState) (t PageTrailer, cEnt, cbEnt int, ok bool) {
	t, ok = l.soundBTreePage(page, off)
	if !ok || a == allocFree {
		return t, 0, 0, false
	}
	cEnt, _, cbEnt, cLevel := l.BTFooter(page)
	if cLevel != 0 || cbEnt != l.entrySize(t.Type, 0) || cEnt*cbEnt > l.BTFooterOff {
		return t, 0, 0, false
	}
	return t, cEnt, cbEnt, true
}

// mergeRebuilt adds the chosen entries to the walked trees and records
// which entries are rebuilt, for the passes that follow. A block is taken
// from a leaf page (which knows its reference count) when the block is
// found where the page says; when it is not (a stale page, or a block moved
// since), the place where its trailer proves it is wins; a page entry no
// block proves is kept, so the block's loss is reported. Entries of pages
// that are stale but marked in use are kept too: the blocks they name hold
// an earlier version of an item (the folder names of an older hierarchy
// table, say), which beats nothing when the current one is lost.
func (s *Scanner) mergeRebuilt(ctx context.Context, nodes *pieces[nbtCandidate], nbtPages []int64, leaves []leafPage, trailers *trailerLists) {
	rb := &Rebuild{ChangedPages: s.changedPages, NBTPages: len(nbtPages), BBTPages: len(leaves)}
	for _, off := range nbtPages {
		s.keepPage(pageRef{IB: off, Type: PageNBT, rebuilt: true})
	}
	for _, p := range leaves {
		s.keepPage(pageRef{IB: p.off, Type: PageBBT, rebuilt: true})
	}
	s.sortTrees() // the live entries in order, to merge the chosen ones into
	if len(leaves) > 0 || len(s.changedBlocks) > 0 || trailers.len() > 0 {
		s.mergeBlocks(s.newLeafMerge(ctx, leaves, s.changedBlocks), trailers.sorted(), rb)
	}
	s.changedBlocks = nil
	s.mergeNodes(nodes, rb)
	s.res.Rebuild = rb
}

// mergeBlocks merges the best candidate of each BID into the BBT. The
// candidates of each BID come best first: the one the allocation map marks
// in use, then the newer page (a higher BID); trailers in offset order.
// Only the first of each BID is taken (firstOfKey).
func (s *Scanner) mergeBlocks(leaves *leafMerge, trailers func() (bbtCandidate, bool), rb *Rebuild) {
	blockKey := func(c bbtCandidate) uint64 { return c.bid }
	nextBlock := firstOfKey(leaves.next, blockKey)
	nextTrailer := firstOfKey(trailers, blockKey)
	// Where only a page whose checksum fails is weighed, a block is taken
	// only from allocated space: the page's own entries, and blocks its
	// changed entries no longer name. Freed blocks found there are older
	// than the page, which no longer lists them.
	var lostRanges, changedRanges []keyRange
	for _, r := range s.lost {
		if r.changed {
			changedRanges = append(changedRanges, r)
		} else {
			lostRanges = append(lostRanges, r)
		}
	}
	lost, changed := newKeySet(lostRanges), newKeySet(changedRanges)
	bbt := mergeIntoLive[BBTEntry](&s.res.BBT, &BlockTable{})
	add := func(c bbtCandidate) {
		if bbt.passTo(c.bid) {
			return
		}
		if c.alloc != allocInUse && !lost.has(c.bid) && changed.has(c.bid) {
			return
		}
		bbt.add(c.entry())
		rb.Blocks++
		if c.found == FoundByTrailer {
			rb.TrailerBlocks++
		}
	}
	// Merge the two lists by BID: a trailer wins where no page lists the
	// block, or where the page puts it elsewhere.
	b, bok := nextBlock()
	t, tok := nextTrailer()
	for bok || tok {
		switch {
		case !tok || bok && b.bid < t.bid:
			add(b)
			b, bok = nextBlock()
		case !bok || t.bid < b.bid:
			add(t)
			t, tok = nextTrailer()
		default: // the same BID
			// The page's entry where the trailer proves the block, as
			// large as it proves; else the trailer (an entry of a page
			// whose checksum fails may have had its size changed).
			if b.ib == t.ib && b.cb == t.cb && b.inflated == t.inflated {
				add(b)
			} else {
				add(t)
			}
			b, bok = nextBlock()
			t, tok = nextTrailer()
		}
	}
	s.res.BBT = *bbt.done()
}

// mergeNodes merges the best candidate of each NID into the NBT: the one
// the allocation map marks in use, then the newer page (a higher BID).
func (s *Scanner) mergeNodes(nodes *pieces[nbtCandidate], rb *Rebuild) {
	if nodes.n == 0 {
		return
	}
	byNID := nodes.sorted(func(a, b nbtCandidate) int {
		return cmp.Or(cmp.Compare(a.nid, b.nid), cmp.Compare(b.alloc, a.alloc), cmp.Compare(b.pageBID, a.pageBID))
	})
	// Where the BBT was read whole, it lists every block the store holds:
	// a node entry naming a block it does not list is of an old copy of a
	// page (the node changed, moved or went since; its message's current
	// blocks, no node leading to them, are found by the messaging layer).
	// The best entry of each node that names listed blocks is taken, and
	// a node with none is left out. (Nothing is added to a whole BBT: it
	// is the live one.)
	bbtWhole := s.bbtWhole()
	// (Some nodes name no block at all: 0 is no block missing.)
	inBBT := func(bid uint64) bool { return bid == 0 || s.res.BBT.find(bid&^bidReserved) >= 0 }
	listed := func(c nbtCandidate) bool { return inBBT(c.data) && inBBT(c.sub) }
	nbt := mergeIntoLive[NBTEntry](&s.res.NBT, &NodeTable{})
	var group []nbtCandidate // the candidates of one node, best first
	take := func() {
		if len(group) == 0 || nbt.passTo(uint64(group[0].nid)) {
			return
		}
		i := 0
		if bbtWhole {
			if i = slices.IndexFunc(group, listed); i < 0 {
				rb.StaleNodes++
				return
			}
		}
		nbt.add(group[i].entry())
		rb.Nodes++
	}
	for c, ok := byNID.next(); ok; c, ok = byNID.next() {
		if len(group) > 0 && c.nid != group[0].nid {
			take()
			group = group[:0]
		}
		group = append(group, c)
	}
	take()
	s.res.NBT = *nbt.done()
}

// firstOfKey reads the sorted entries and returns the first of each key.
func firstOfKey[T any](next func() (T, bool), key func(T) uint64) func() (T, bool) {
	var last uint64
	started := false
	return func() (T, bool) {
		for {
			v, ok := next()
			if !ok || !started || key(v) != last {
				started, last = true, key(v)
				return v, ok
			}
		}
	}
}
