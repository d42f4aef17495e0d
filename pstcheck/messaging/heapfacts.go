package messaging

import (
	"cmp"
	"hash/maphash"
	"slices"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// heapFacts are what a message heap says of its subnode tree: the
// subnodes its values are kept in (heapTable.needs), its recipients' names (recipientsPrint of its
// display To, Cc and Bcc; display instead when one of them is kept in a
// subnode, to be read from the tree) and whether its flags say it has
// attachments (attachUnknown: it keeps no flags).
type heapFacts struct {
	recipients            uint64
	headers               headersID // its Message-ID, where its tree's headers repeat it
	display               *[3]displayPart
	needsAt, needsLen     uint32
	values                uint32 // the large values among needs (largeValuesOf)
	noDisplay             bool   // it keeps no display To, Cc or Bcc at all
	attach, attachUnknown bool
}

// heapTable holds the facts of the message heaps unlinked weighs, in the
// order the scan keeps the blocks no node uses (by BID), each heap known
// by its place in it. Columns, because a store's lost messages number in
// the millions: kept in a map by BID, the facts of the 2,000,000-message
// archive's heaps with its node index destroyed took 96 MB.
type heapTable struct {
	bids  []uint64
	facts []heapFacts
	// named are the subnodes every heap names, one heap's after another's
	// (heapFacts.needsAt). They fit a uint32 index: the heaps are among
	// the data blocks the scan keeps (ndb's bound on them), and a subnode
	// named takes 8 bytes of a heap's block.
	named []uint32
}

func (t *heapTable) len() int { return len(t.bids) }

// add appends the facts of the message heap pc, block bid (later than any
// added before).
func (t *heapTable) add(w *walker, bid uint64, pc *ltp.PC) {
	at := len(t.named)
	t.named = appendSubnodesNamed(t.named, pc)
	needs := t.named[at:]
	h := heapFacts{needsAt: uint32(at), needsLen: uint32(len(needs)), values: uint32(largeValuesOf(needs)), attachUnknown: true}
	var parts [3]displayPart
	inSubnode := false
	h.noDisplay = true
	for i, id := range []uint16{propDisplayTo, propDisplayCc, propDisplayBcc} {
		p, ok := pc.Get(id)
		h.noDisplay = h.noDisplay && !ok
		if ok && !ltp.Inline(p.Type) && !ltp.IsHID(p.Value) {
			parts[i].sub, parts[i].typ, inSubnode = p.Value, p.Type, true
		} else {
			parts[i].hash = textHash(w.peekString(pc, id))
		}
	}
	if inSubnode {
		h.display = &parts
	} else {
		h.recipients = recipientsPrint(parts[0].hash, parts[1].hash, parts[2].hash)
	}
	if p, ok := pc.Get(propMessageFlags); ok && p.Type == ltp.TypeInt32 {
		h.attach, h.attachUnknown = p.Value&msgFlagHasAttach != 0, false
	}
	h.headers = w.headersIDOf(pc)
	t.bids = append(t.bids, bid)
	t.facts = append(t.facts, h)
}

// needs are the subnodes heap i names.
func (t *heapTable) needs(i uint32) []uint32 {
	h := &t.facts[i]
	return t.named[h.needsAt : h.needsAt+h.needsLen]
}

// first is the first subnode heap i names (0: none).
func (t *heapTable) first(i uint32) uint32 {
	if h := &t.facts[i]; h.needsLen > 0 {
		return t.named[h.needsAt]
	}
	return 0
}

// index finds the heap of block bid.
func (t *heapTable) index(bid uint64) (uint32, bool) {
	i, ok := slices.BinarySearch(t.bids, bid)
	return uint32(i), ok
}

// heapKey groups heaps alike for matchSubnodes: by the first subnode they
// name (0: none) and their recipients; those that keep a display name in
// a subnode (display) by that first subnode alone; and those whose tree's
// headers give their Message-ID, by it too.
type heapKey struct {
	first      uint32
	recipients uint64
	display    bool
	id         uint64
}

// key is heap i's heapKey.
func (t *heapTable) key(i uint32) heapKey {
	h := &t.facts[i]
	switch {
	case h.display != nil:
		return heapKey{first: t.first(i), display: true, id: h.headers.id}
	case h.needsLen > 0:
		return heapKey{first: t.first(i), recipients: h.recipients, id: h.headers.id}
	}
	return heapKey{recipients: h.recipients}
}

// appendSubnodesNamed appends the subnodes a property heap's values are
// kept in to out.
func appendSubnodesNamed(out []uint32, pc *ltp.PC) []uint32 {
	for _, p := range pc.Props {
		if !ltp.Inline(p.Type) && !ltp.IsHID(p.Value) {
			out = append(out, p.Value)
		}
	}
	return out
}

// heapGroups groups the heaps of a heapTable alike (heapTable.key) by
// their key's hash: order lists the heaps by it (and, within one, by
// place), hashes is that hash for each. A map of the keys to their heaps
// took 20 MB for the 2,000,000-message archive with its node index
// destroyed; these columns take 12 bytes a heap.
type heapGroups struct {
	seed   maphash.Seed
	hashes []uint64
	order  []uint32
}

func groupHeaps(t *heapTable) heapGroups {
	g := heapGroups{seed: maphash.MakeSeed(), order: make([]uint32, t.len())}
	byHeap := make([]uint64, t.len())
	for i := range uint32(t.len()) {
		byHeap[i], g.order[i] = g.hash(t.key(i)), i
	}
	slices.SortFunc(g.order, func(a, b uint32) int { return cmp.Or(cmp.Compare(byHeap[a], byHeap[b]), cmp.Compare(a, b)) })
	g.hashes = make([]uint64, len(g.order))
	for j, i := range g.order {
		g.hashes[j] = byHeap[i]
	}
	return g
}

func (g *heapGroups) hash(k heapKey) uint64 { return maphash.Comparable(g.seed, k) }

// of returns the heaps whose key hashes to h, in place order: those of
// one key, and any other whose key's hash is the same (so rare that only
// the caller, weighing each heap, tells them apart).
func (g *heapGroups) of(h uint64) []uint32 {
	lo, _ := slices.BinarySearch(g.hashes, h)
	hi := lo + sort.Search(len(g.hashes)-lo, func(i int) bool { return g.hashes[lo+i] > h })
	return g.order[lo:hi]
}

// fitLists keeps, of each of n heaps or trees (by place), those of the
// other kind it fits, at most maxCopies+1: more than one says it is not
// told apart, up to maxCopies may be copies. Most fit one or none: the
// first is kept in a column, the rest (with the first again) in a map. A
// slice for each heap and tree took 38 MB for the 2,000,000-message
// archive with its node index destroyed.
type fitLists struct {
	first []uint32 // noFit: none
	more  map[uint32][]uint32
}

const noFit = ^uint32(0)

func newFitLists(n int) fitLists {
	f := fitLists{first: make([]uint32, n), more: map[uint32][]uint32{}}
	for i := range f.first {
		f.first[i] = noFit
	}
	return f
}

func (f *fitLists) add(i, j uint32) {
	switch m, ok := f.more[i]; {
	case f.first[i] == noFit:
		f.first[i] = j
	case !ok:
		f.more[i] = []uint32{f.first[i], j}
	case len(m) <= maxCopies:
		f.more[i] = append(m, j)
	}
}

// of returns what i fits, in the order added (to be read, not changed).
func (f *fitLists) of(i uint32) []uint32 {
	if m, ok := f.more[i]; ok {
		return m
	}
	if f.first[i] == noFit {
		return nil
	}
	return f.first[i : i+1 : i+1]
}
