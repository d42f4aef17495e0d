package ndb

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// UnusedTrees are the sound subnode trees no node uses, found when node
// index entries were lost: among them are the subnodes (recipients,
// attachments, large values) of messages whose own entry is gone.
type UnusedTrees struct {
	// Roots are the trees' roots: an SLBLOCK, or an SIBLOCK with its
	// SLBLOCKs. A tree another one lists (an SLBLOCK under an SIBLOCK, an
	// attachment's or embedded message's own subnodes) is part of it, not
	// a root.
	Roots []uint64
	// DataTrees are the data trees among them (an XBLOCK or XXBLOCK no
	// other lists): the data of a node larger than a block, such as a
	// large property heap.
	DataTrees []uint64
	// Failing are the blocks no node uses that fail verification
	// (Result.NewestFailing's), but the data blocks a subnode entry of
	// these trees lists, directly or through the sound blocks that list
	// them: such a tree's root and entries read, so it is weighed whole
	// with the others, and what fails is part of one subnode's value of
	// the message that tree is the tree of, no newer version of another
	// message's heap or tree. FailingLeftOut says some were not kept
	// (Result.NewestFailing counts them all).
	Failing        []FailingBlock
	FailingLeftOut bool
	// listsUnlinked marks, by index in Result.Unlinked, the blocks the
	// trees list (ListsUnlinked): a bit each, where the listing the trees
	// are found by (treeListing) takes 30 bytes a block, and the messaging
	// layer holds the lost messages it finds while it asks.
	listsUnlinked []uint64
}

// treeListing holds the blocks the trees list, each with the block that
// lists it, marked (byEntry) when a subnode entry lists it: of those the
// scan kept (Result.Unlinked, the internal ones and the failing ones), as
// only they are asked about.
type treeListing map[uint64]uint64

// byEntry marks a block in a treeListing as listed by a subnode entry, as
// its data or its own subnode tree (bit 0 of a BID is kept clear in the
// map's keys and parents).
const byEntry = bidReserved

func (l treeListing) lists(bid uint64) bool {
	_, ok := l[bid&^bidReserved]
	return ok
}

// ListsUnlinked says whether one of the trees lists block Unlinked[i]:
// the data of a subnode, such as an attachment's or an embedded message's
// property heap, which is no top-level message's, or a tree within a tree.
func (t UnusedTrees) ListsUnlinked(i int) bool {
	return i/64 < len(t.listsUnlinked) && t.listsUnlinked[i/64]&(1<<(i%64)) != 0
}

// UnusedSubnodeTrees reads the sound internal blocks no node uses (kept
// when node index entries were lost) and returns the subnode trees among
// them. The blocks are read through arena.
func (res *Result) UnusedSubnodeTrees(arena *Arena) UnusedTrees {
	var out UnusedTrees
	listed := treeListing{}
	l := &res.Header.Layout
	// list notes that block by lists bid. A block listed twice (shared by
	// copies) keeps a listing by a tree block over one by a subnode
	// entry, so that failing follows the tree up, whatever the order.
	list := func(bid, by uint64) {
		bid &^= bidReserved
		switch old, ok := listed[bid]; {
		case bid == 0:
		case ok:
			if old&byEntry != 0 {
				listed[bid] = by
			}
		case res.keptUnused(bid):
			listed[bid] = by
		}
	}
	var trees, data []uint64
	for _, bid := range res.unlinkedInternal {
		if arena != nil {
			arena.Reset()
		}
		_, b, err := res.readBlock(bid, arena)
		if err != nil {
			continue
		}
		level, n, size, start, problem := l.subnodeBlock(b)
		if problem != "" {
			if len(b) >= 8 && b[0] == 1 && (b[1] == 1 || b[1] == 2) { // an XBLOCK or XXBLOCK
				data = append(data, bid)
				for k := range min(int(binary.LittleEndian.Uint16(b[2:])), (len(b)-8)/l.BIDSize) {
					list(l.uint(b[8+k*l.BIDSize:]), bid)
				}
			}
			continue
		}
		trees = append(trees, bid)
		for k := 0; k < n; k++ {
			ent := b[start+k*size:]
			if level == 0 {
				list(l.uint(ent[l.BIDSize:]), bid|byEntry)   // a subnode's data
				list(l.uint(ent[2*l.BIDSize:]), bid|byEntry) // its own subnodes
			} else {
				list(l.uint(ent[l.BIDSize:]), bid) // an SLBLOCK
			}
		}
	}
	for _, bid := range trees {
		if !listed.lists(bid) {
			out.Roots = append(out.Roots, bid)
		}
	}
	for _, bid := range data {
		if !listed.lists(bid) {
			out.DataTrees = append(out.DataTrees, bid)
		}
	}
	out.FailingLeftOut = res.failingLeftOut
	for _, bid := range res.failingUnused {
		if f, ok := listed.failing(bid); ok {
			out.Failing = append(out.Failing, f)
		}
	}
	if len(listed) > 0 {
		out.listsUnlinked = make([]uint64, (len(res.Unlinked)+63)/64)
		for i, bid := range res.Unlinked {
			if listed.lists(bid) {
				out.listsUnlinked[i/64] |= 1 << (i % 64)
			}
		}
	}
	return out
}

// FailingBlock is a block no node uses that fails verification, with the
// sound blocks no node uses above it.
type FailingBlock struct {
	BID uint64
	// Top is, for a data block, the highest of the blocks that list it,
	// one listing the next (BID: none does, or an internal block): the
	// root of the data tree it is part of, as far as sound blocks tell.
	Top uint64
	// Newest is the highest BID from BID up to Top: BIDs grow as blocks
	// are written, so a tree is no newer than this.
	Newest uint64
}

// failing returns failing data block bid with the blocks above it; false
// when a subnode entry lists it, directly or through them. A failing
// internal block counts by itself, as before: what it lists is hidden
// with it, and may then pass for a message of the store (an attachment's
// own subnode tree hides the heap and tree of the message embedded in
// it), older than it.
func (l treeListing) failing(bid uint64) (FailingBlock, bool) {
	f := FailingBlock{BID: bid, Top: bid, Newest: bid}
	for range maxSubnodeDepth {
		by, ok := l[f.Top&^bidReserved]
		if !ok || IsInternal(bid) {
			break
		}
		if by&byEntry != 0 {
			return f, false
		}
		f.Top = by
		f.Newest = max(f.Newest, by)
	}
	return f, true
}

// keptUnused says whether the scan kept block bid (its reserved bit clear)
// among the blocks no node uses: sound data blocks (Unlinked), sound
// internal ones, or failing ones. Each list is in BID order.
func (res *Result) keptUnused(bid uint64) bool {
	byBID := func(a, b uint64) int { return cmp.Compare(a&^bidReserved, b) }
	if _, ok := slices.BinarySearchFunc(res.Unlinked, bid, byBID); ok {
		return true
	}
	if _, ok := slices.BinarySearchFunc(res.unlinkedInternal, bid, byBID); ok {
		return true
	}
	_, ok := slices.BinarySearchFunc(res.failingUnused, bid, byBID)
	return ok
}

// UnlinkedKept counts the sound blocks no node uses that the scan kept for
// the messaging layer, data and internal (UnlinkedLeftOut counts the rest).
func (res *Result) UnlinkedKept() int { return len(res.Unlinked) + len(res.unlinkedInternal) }
