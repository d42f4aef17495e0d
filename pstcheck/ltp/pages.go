package ltp

import "github.com/pstcheck/pstcheck/pstcheck/ndb"

// Pages are a node's data blocks read one at a time, for a heap or row
// matrix too large to hold (a folder's contents table of a million rows
// is hundreds of MB): their BIDs are known, their bytes read on demand.
// Only a few blocks are held at once, so memory does not grow with the
// node.
type Pages struct {
	// Blocks are the data blocks; their Data is not used. Sizes are their
	// sizes.
	Blocks []ndb.Block
	Sizes  []int
	// Read reads block i, still encoded, into buf (grown as needed).
	Read func(i int, buf []byte) ([]byte, error)
}

// pagesHeld is how many blocks a heap read from Pages holds: enough for a
// BTH walk at its deepest (an item per level, and the last key) to keep
// every item it is looking at.
var pagesHeld = 16

// heldPage is a block a heap read from Pages holds.
type heldPage struct {
	i    int // block index; -1 for an empty slot
	data []byte
	used uint64
}

// page returns block i's bytes: from the blocks given, or read and held.
// A block read again is decoded again: its items' flags are cleared.
func (h *Heap) page(i int) ([]byte, error) {
	if h.pages == nil {
		return h.blocks[i].Data, nil
	}
	h.tick++
	lru := 0
	for k := range h.held {
		p := &h.held[k]
		if p.i == i {
			p.used = h.tick
			return p.data, nil
		}
		if p.used < h.held[lru].used {
			lru = k
		}
	}
	p := &h.held[lru]
	data, err := h.pages.Read(i, p.data)
	if err != nil {
		p.i = -1
		return nil, err
	}
	p.i, p.data, p.used = i, data, h.tick
	for k := h.first[i]; k < h.first[i+1]; k++ {
		h.flags[k] &^= itemDecoded
	}
	return data, nil
}
