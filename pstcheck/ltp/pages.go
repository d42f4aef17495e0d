package ltp

import (
	"encoding/binary"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

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

// heldPage is a block a heap read from Pages holds, with its allocation
// offsets (read again with it: the heap keeps none) and which of its
// items are decoded.
type heldPage struct {
	i       int // block index; -1 for an empty slot
	data    []byte
	used    uint64
	offs    []uint16
	decoded []bool
}

// page returns block i, read and held (the least recently used one it
// holds is let go). A block read again is decoded again: its items are
// marked not decoded.
func (h *Heap) page(i int) (*heldPage, error) {
	h.tick++
	lru := 0
	for k := range h.held {
		p := &h.held[k]
		if p.i == i {
			p.used = h.tick
			return p, nil
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
	// The page map was checked when the heap was opened; the block was
	// read from the file again, so it is checked again to be used.
	n := int(h.first[i+1] - h.first[i])
	ib, cAlloc, _, perr := pageMap(data, i, h.blocks[i].BID, h.decode, true, false)
	if perr != nil || cAlloc+1 != n {
		p.i = -1
		return nil, errorf(finding.HeapPageMap, "heap block %d changed since it was checked", i)
	}
	p.offs, p.decoded = p.offs[:0], append(p.decoded[:0], make([]bool, n)...)
	for k := range n {
		p.offs = append(p.offs, binary.LittleEndian.Uint16(data[ib+4+2*k:]))
	}
	return p, nil
}

// pagedItem returns allocation k of block b of a heap read by pages,
// decoded when decode is set (ItemSize needs only its size).
func (h *Heap) pagedItem(b, k int, decode bool) ([]byte, error) {
	p, err := h.page(b)
	if err != nil {
		return nil, err
	}
	item := p.data[p.offs[k-1]:p.offs[k]]
	if decode && !p.decoded[k-1] {
		h.decode(h.blocks[b].BID, int(p.offs[k-1]), item)
		p.decoded[k-1] = true
	}
	return item, nil
}
