package ndb

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"sort"
)

// The index's leaf entries are what the scan holds most of: a store of 2
// million items has 6 million blocks and 2 million nodes. So they are kept
// compactly, a column per field, in segments of a fixed size that are
// never copied as the tables grow (a slice grown by doubling holds up to
// twice its entries, and gathering then copying holds them twice at once):
// 13 bytes a block (15 in 4K files, once a compressed block comes) and 16
// a node, where a slice of entries takes 24 and 32. BIDs are kept in 32
// bits, with a column for their high bits only in a segment that needs it
// (real files count their BIDs from 4 up, by 4), and a block's offset in
// 64-byte units (every block's place is on that grid): an entry off the
// grid or past 256 GiB, which only damage makes, is kept aside.

const (
	segShift = 14
	segLen   = 1 << segShift
	segMask  = segLen - 1
)

// BlockTable holds the BBT's leaf entries, sorted by BID once the walk and
// the rebuild are done, with each block's state as the block pass found it.
type BlockTable struct {
	n    int
	segs []*blockSeg
	// firsts are the segments' first BIDs, for lookups (findSorted).
	firsts []uint64
	// far holds the offsets that are not kept in the ib column.
	far map[int]uint64
}

// blockSeg holds up to segLen entries; the first starts small, so that a
// small file's scan (fuzzing runs thousands) sets up little.
type blockSeg struct {
	bid      wide
	ib       []uint32 // IB / ibUnit, or farIB: see BlockTable.far
	cb, ref  []uint16
	state    []uint8  // BlockState in bits 0-4, Found in bits 5-6
	inflated []uint16 // in 4K files, once a compressed block comes (else the size is cb)
}

const (
	ibUnit = 64
	farIB  = math.MaxUint32
)

// wide is a column of 64-bit values kept as their low 32 bits, with a
// column of the high bits made only once a value needs one.
type wide struct {
	lo, hi []uint32
}

func (c *wide) at(k int) uint64 {
	if c.hi == nil {
		return uint64(c.lo[k])
	}
	return uint64(c.hi[k])<<32 | uint64(c.lo[k])
}

func (c *wide) add(v uint64) {
	if v>>32 != 0 && c.hi == nil {
		c.hi = make([]uint32, len(c.lo), cap(c.lo))
	}
	c.lo = append(c.lo, uint32(v))
	if c.hi != nil {
		c.hi = append(c.hi, uint32(v>>32))
	}
}

// search returns the first of the first n values that is v, if any, in a
// column in ascending order.
func (c *wide) search(n int, v uint64) (int, bool) {
	if c.hi == nil {
		if v>>32 != 0 {
			return 0, false
		}
		return searchSpread(c.lo[:n], uint32(v))
	}
	i := sort.Search(n, func(k int) bool { return c.at(k) >= v })
	return i, i < n && c.at(i) == v
}

func newWide(c int) wide { return wide{lo: make([]uint32, 0, c)} }

// searchSpread returns the position of the first of keys (ascending) that
// is v, if any, as slices.BinarySearch does. It starts where v would lie
// were the keys spread evenly between the first and the last: BIDs and
// NIDs are handed out rising, mostly a fixed step apart, so the guess
// lands within a few places of the key, and a lookup reads those few
// instead of 14 scattered through a segment (a binary search's, twice as
// slow on a 400,000-message store). Steps that double from the guess find
// two keys around v however far off it is, and a binary search between
// them the first that is v.
func searchSpread(keys []uint32, v uint32) (int, bool) {
	n := len(keys)
	if n == 0 || v <= keys[0] {
		return 0, n > 0 && v == keys[0]
	}
	if v > keys[n-1] {
		return n, false
	}
	// Here keys[0] < v <= keys[n-1]: lo and hi below stay in range, with
	// keys[lo] < v <= keys[hi].
	first, last := uint64(keys[0]), uint64(keys[n-1])
	g := int((uint64(v) - first) * uint64(n-1) / (last - first))
	lo, hi := g, g
	if keys[g] < v {
		for step := 1; ; step *= 2 {
			hi = min(lo+step, n-1)
			if keys[hi] >= v {
				break
			}
			lo = hi
		}
	} else {
		for step := 1; ; step *= 2 {
			lo = max(hi-step, 0)
			if keys[lo] < v {
				break
			}
			hi = lo
		}
	}
	i, ok := slices.BinarySearch(keys[lo+1:hi+1], v)
	return lo + 1 + i, ok
}

// segCap is the room a new segment starts with: a little for the first,
// all of it for the others.
func segCap(segs int) int {
	if segs == 0 {
		return 64
	}
	return segLen
}

const (
	stateBits  = 0x1F
	foundShift = 5
)

// Len is the number of entries.
func (t *BlockTable) Len() int { return t.n }

func (t *BlockTable) seg(i int) (*blockSeg, int) { return t.segs[i>>segShift], i & segMask }

// Entry returns entry i.
func (t *BlockTable) Entry(i int) BBTEntry {
	s, k := t.seg(i)
	e := BBTEntry{BID: s.bid.at(k), IB: t.IB(i), CB: s.cb[k], Inflated: s.cb[k], Ref: s.ref[k], Rebuilt: Found(s.state[k] >> foundShift)}
	if s.inflated != nil {
		e.Inflated = s.inflated[k]
	}
	return e
}

// BID returns entry i's BID.
func (t *BlockTable) BID(i int) uint64 { s, k := t.seg(i); return s.bid.at(k) }

// IB returns entry i's offset.
func (t *BlockTable) IB(i int) uint64 {
	s, k := t.seg(i)
	if s.ib[k] == farIB {
		return t.far[i]
	}
	return uint64(s.ib[k]) * ibUnit
}

// CB returns entry i's size as stored.
func (t *BlockTable) CB(i int) uint16 { s, k := t.seg(i); return s.cb[k] }

// Found says how entry i was found.
func (t *BlockTable) Found(i int) Found { s, k := t.seg(i); return Found(s.state[k] >> foundShift) }

// State is block i's problem as the block pass found it (0: sound).
func (t *BlockTable) State(i int) BlockState {
	s, k := t.seg(i)
	return BlockState(s.state[k] & stateBits)
}

func (t *BlockTable) setState(i int, st BlockState) {
	s, k := t.seg(i)
	s.state[k] = s.state[k]&^stateBits | uint8(st)
}

// add appends e (in state 0).
func (t *BlockTable) add(e BBTEntry) {
	i := t.n
	if i>>segShift == len(t.segs) {
		c := segCap(len(t.segs))
		t.firsts = append(t.firsts, e.BID)
		t.segs = append(t.segs, &blockSeg{bid: newWide(c), ib: make([]uint32, 0, c),
			cb: make([]uint16, 0, c), ref: make([]uint16, 0, c), state: make([]uint8, 0, c)})
	}
	s := t.segs[len(t.segs)-1]
	t.n++
	ib := uint32(farIB)
	if e.IB%ibUnit == 0 && e.IB/ibUnit < farIB {
		ib = uint32(e.IB / ibUnit)
	} else {
		if t.far == nil {
			t.far = map[int]uint64{}
		}
		t.far[i] = e.IB
	}
	if e.Inflated != e.CB && s.inflated == nil {
		s.inflated = append(make([]uint16, 0, cap(s.cb)), s.cb...)
	}
	s.bid.add(e.BID)
	s.ib = append(s.ib, ib)
	s.cb = append(s.cb, e.CB)
	s.ref = append(s.ref, e.Ref)
	s.state = append(s.state, uint8(e.Rebuilt)<<foundShift)
	if s.inflated != nil {
		s.inflated = append(s.inflated, e.Inflated)
	}
}

// All yields every entry with its index.
func (t *BlockTable) All() iter.Seq2[int, BBTEntry] {
	return func(yield func(int, BBTEntry) bool) {
		for i := range t.n {
			if !yield(i, t.Entry(i)) {
				return
			}
		}
	}
}

// find returns the index of the first entry with BID bid, or -1.
func (t *BlockTable) find(bid uint64) int { return t.findIn(bid, t.n) }

// findIn is find among the first n entries.
func (t *BlockTable) findIn(bid uint64, n int) int {
	return findSorted(t.segs, t.firsts, n, bid, func(s *blockSeg, n int, bid uint64) (int, bool) { return s.bid.search(n, bid) })
}

// sortByBID orders the entries by BID (stably), unless they are in order
// already. It comes before the block pass: the states are dropped.
func (t *BlockTable) sortByBID() {
	if entries := sortedCopy(t.n, t.BID, t.Entry, func(e BBTEntry) uint64 { return e.BID }); entries != nil {
		*t = BlockTable{}
		for _, e := range entries {
			t.add(e)
		}
	}
}

// sortedCopy returns a table's n entries sorted by key (stably), or nil
// when they are in order already (keyAt(i) is entry i's key, read from its
// column), as a sound tree gives them: only a damaged or rebuilt index is
// out of order.
func sortedCopy[E any, K cmp.Ordered](n int, keyAt func(int) K, entry func(int) E, key func(E) K) []E {
	for i := 1; i < n; i++ {
		if keyAt(i-1) > keyAt(i) {
			entries := make([]E, n)
			for j := range entries {
				entries[j] = entry(j)
			}
			slices.SortStableFunc(entries, func(a, b E) int { return cmp.Compare(key(a), key(b)) })
			return entries
		}
	}
	return nil
}

// NodeTable holds the NBT's leaf entries, sorted by NID once the walk and
// the rebuild are done.
type NodeTable struct {
	n    int
	segs []*nodeSeg
	// firsts are the segments' first NIDs, for lookups (findSorted).
	firsts []uint32
}

type nodeSeg struct {
	nid, parent []uint32
	data, sub   wide
	rebuilt     []uint8 // a bit per entry
}

// Len is the number of entries.
func (t *NodeTable) Len() int { return t.n }

func (t *NodeTable) seg(i int) (*nodeSeg, int) { return t.segs[i>>segShift], i & segMask }

// Entry returns entry i.
func (t *NodeTable) Entry(i int) NBTEntry {
	s, k := t.seg(i)
	return NBTEntry{NID: s.nid[k], Parent: s.parent[k], Data: s.data.at(k), Sub: s.sub.at(k), Rebuilt: s.rebuilt[k>>3]&(1<<(k&7)) != 0}
}

// NID returns entry i's NID.
func (t *NodeTable) NID(i int) uint32 { s, k := t.seg(i); return s.nid[k] }

func (t *NodeTable) setRebuilt(i int) { s, k := t.seg(i); s.rebuilt[k>>3] |= 1 << (k & 7) }

func (t *NodeTable) add(e NBTEntry) {
	i := t.n
	if i>>segShift == len(t.segs) {
		c := segCap(len(t.segs))
		t.firsts = append(t.firsts, e.NID)
		t.segs = append(t.segs, &nodeSeg{nid: make([]uint32, 0, c), parent: make([]uint32, 0, c),
			data: newWide(c), sub: newWide(c), rebuilt: make([]uint8, 0, c/8)})
	}
	s := t.segs[len(t.segs)-1]
	t.n++
	s.nid = append(s.nid, e.NID)
	s.parent = append(s.parent, e.Parent)
	s.data.add(e.Data)
	s.sub.add(e.Sub)
	if k := i & segMask; k>>3 == len(s.rebuilt) {
		s.rebuilt = append(s.rebuilt, 0)
	}
	if e.Rebuilt {
		t.setRebuilt(i)
	}
}

// All yields every entry with its index.
func (t *NodeTable) All() iter.Seq2[int, NBTEntry] {
	return func(yield func(int, NBTEntry) bool) {
		for i := range t.n {
			if !yield(i, t.Entry(i)) {
				return
			}
		}
	}
}

// find returns the index of nid's entry, or -1.
func (t *NodeTable) find(nid uint32) int { return t.findIn(nid, t.n) }

// findIn is find among the first n entries.
func (t *NodeTable) findIn(nid uint32, n int) int {
	return findSorted(t.segs, t.firsts, n, nid, func(s *nodeSeg, n int, nid uint32) (int, bool) { return searchSpread(s.nid[:n], nid) })
}

// findSorted returns the index of the first of the first n entries of
// segs whose key is k, or -1; the keys are in order. It finds the segment
// by the segments' first keys (firsts, side by side in memory, where
// reading each segment's own took a cache miss a step), then searches
// that segment alone (search, among its first n): a lookup per block and
// per node of every item is the upper layers' most frequent call.
func findSorted[S any, K cmp.Ordered](segs []*S, firsts []K, n int, k K, search func(s *S, n int, k K) (int, bool)) int {
	nsegs := (n + segMask) >> segShift
	// The first segment starting at k or above: the first k lies in the
	// one before it, or starts this one.
	j, _ := slices.BinarySearch(firsts[:nsegs], k)
	if j > 0 {
		if i, ok := search(segs[j-1], min(segLen, n-(j-1)<<segShift), k); ok {
			return (j-1)<<segShift + i
		}
	}
	if j < nsegs && firsts[j] == k {
		return j << segShift
	}
	return -1
}

// sortByNID orders the entries by NID (stably), unless they are in order.
func (t *NodeTable) sortByNID() {
	if entries := sortedCopy(t.n, t.NID, t.Entry, func(e NBTEntry) uint32 { return e.NID }); entries != nil {
		*t = NodeTable{}
		for _, e := range entries {
			t.add(e)
		}
	}
}

// indexTable is a BlockTable or a NodeTable, as mergeIntoLive uses them.
type indexTable[E any] interface {
	*BlockTable | *NodeTable
	Len() int
	Entry(i int) E
	key(i int) uint64
	add(e E)
	release(seg int)
}

func (t *BlockTable) key(i int) uint64 { return t.BID(i) }
func (t *NodeTable) key(i int) uint64  { return uint64(t.NID(i)) }

// release lets segment seg go; its entries are not read again.
func (t *BlockTable) release(seg int) { t.segs[seg] = nil }
func (t *NodeTable) release(seg int)  { t.segs[seg] = nil }

// tableMerge builds a table anew from the entries of a live one (in key
// order) and entries added in key order, so that the result is in order
// without being sorted: sorting a table by copying held it three times
// over (the table, its entries, the sorted table). Each segment of the
// live table is let go once passed.
type tableMerge[E any, T indexTable[E]] struct {
	live, out T
	next      int // the first live entry not yet passed
}

// mergeIntoLive starts a merge of entries into live, built in out.
func mergeIntoLive[E any, T indexTable[E]](live, out T) *tableMerge[E, T] {
	return &tableMerge[E, T]{live: live, out: out}
}

// passTo moves the live entries with keys below k to the new table and
// reports whether the live table lists k. Each entry added has the key
// passTo was given last.
func (m *tableMerge[E, T]) passTo(k uint64) (listed bool) {
	for m.next < m.live.Len() && m.live.key(m.next) < k {
		m.out.add(m.live.Entry(m.next))
		if m.next++; m.next&segMask == 0 {
			m.live.release(m.next>>segShift - 1)
		}
	}
	return m.next < m.live.Len() && m.live.key(m.next) == k
}

func (m *tableMerge[E, T]) add(e E) { m.out.add(e) }

// done moves the rest of the live entries and returns the new table.
func (m *tableMerge[E, T]) done() T {
	for ; m.next < m.live.Len(); m.next++ {
		m.out.add(m.live.Entry(m.next))
	}
	return m.out
}
