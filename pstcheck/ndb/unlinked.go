package ndb

import "encoding/binary"

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
	// listed are the blocks the trees list (Lists); at most maxUnlinked
	// are kept.
	listed map[uint64]bool
}

// Lists says whether one of the trees lists block bid: the data of a
// subnode, such as an attachment's or an embedded message's property heap,
// which is no top-level message's, or a tree within a tree.
func (t UnusedTrees) Lists(bid uint64) bool { return t.listed[bid&^bidReserved] }

// UnusedSubnodeTrees reads the sound internal blocks no node uses (kept
// when node index entries were lost) and returns the subnode trees among
// them. The blocks are read through arena.
func (res *Result) UnusedSubnodeTrees(arena *Arena) UnusedTrees {
	out := UnusedTrees{listed: map[uint64]bool{}}
	l := &res.Header.Layout
	list := func(bid uint64) {
		if bid != 0 && len(out.listed) < maxUnlinked {
			out.listed[bid&^bidReserved] = true
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
					list(l.uint(b[8+k*l.BIDSize:]))
				}
			}
			continue
		}
		trees = append(trees, bid)
		for k := 0; k < n; k++ {
			ent := b[start+k*size:]
			list(l.uint(ent[l.BIDSize:])) // a subnode's data, or an SLBLOCK
			if level == 0 {
				list(l.uint(ent[2*l.BIDSize:])) // a subnode's own subnodes
			}
		}
	}
	for _, bid := range trees {
		if !out.Lists(bid) {
			out.Roots = append(out.Roots, bid)
		}
	}
	for _, bid := range data {
		if !out.Lists(bid) {
			out.DataTrees = append(out.DataTrees, bid)
		}
	}
	return out
}
