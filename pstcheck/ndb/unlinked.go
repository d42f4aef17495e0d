package ndb

import "encoding/binary"

// UnlinkedSubnodeTrees returns the roots of the sound subnode trees no
// node uses (an SLBLOCK, or an SIBLOCK with its SLBLOCKs), found when node
// index entries were lost: among them are the subnodes (recipients,
// attachments, large values) of messages whose own entry is gone. An
// SLBLOCK an unused SIBLOCK lists is part of that tree, not a root. The
// blocks are read through arena.
func (res *Result) UnlinkedSubnodeTrees(arena *Arena) []uint64 {
	var roots []uint64
	children := map[uint64]bool{}
	l := &res.Header.Layout
	hdr := 8
	if l.Kind == ANSI {
		hdr = 4
	}
	for _, bid := range res.unlinkedInternal {
		if arena != nil {
			arena.Reset()
		}
		_, b, err := res.readBlock(bid, arena)
		// btype 2 is a subnode block; level 1 an SIBLOCK, whose entries
		// (a key and a BID) name its SLBLOCKs.
		if err != nil || len(b) < hdr || b[0] != 2 || b[1] > 1 {
			continue
		}
		roots = append(roots, bid)
		if b[1] == 1 {
			n, size := int(binary.LittleEndian.Uint16(b[2:])), 2*l.BIDSize
			for k := 0; k < n && hdr+(k+1)*size <= len(b); k++ {
				children[l.uint(b[hdr+k*size+l.BIDSize:])&^bidReserved] = true
			}
		}
	}
	out := roots[:0]
	for _, bid := range roots {
		if !children[bid&^bidReserved] {
			out = append(out, bid)
		}
	}
	return out
}
