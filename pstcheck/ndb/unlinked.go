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
	hdr := 8
	if l.Kind == ANSI {
		hdr = 4
	}
	list := func(bid uint64) {
		if bid != 0 && len(out.listed) < maxUnlinked {
			out.listed[bid&^bidReserved] = true
		}
	}
	var trees []uint64
	for _, bid := range res.unlinkedInternal {
		if arena != nil {
			arena.Reset()
		}
		_, b, err := res.readBlock(bid, arena)
		// btype 2 is a subnode block: level 0 (SLBLOCK) entries are a NID,
		// its data and its subnodes; level 1 (SIBLOCK) entries a key and
		// an SLBLOCK.
		if err != nil || len(b) < hdr || b[0] != 2 || b[1] > 1 {
			continue
		}
		trees = append(trees, bid)
		n, size := int(binary.LittleEndian.Uint16(b[2:])), 3*l.BIDSize
		if b[1] == 1 {
			size = 2 * l.BIDSize
		}
		for k := 0; k < n && hdr+(k+1)*size <= len(b); k++ {
			ent := b[hdr+k*size:]
			list(l.uint(ent[l.BIDSize:])) // a subnode's data, or an SLBLOCK
			if b[1] == 0 {
				list(l.uint(ent[2*l.BIDSize:])) // a subnode's own subnodes
			}
		}
	}
	for _, bid := range trees {
		if !out.Lists(bid) {
			out.Roots = append(out.Roots, bid)
		}
	}
	return out
}
