// Package ltp validates and reads the Lists, Tables and Properties layer:
// heap-on-node (HN), B-tree-on-heap (BTH), property contexts (PC) and table
// contexts (TC). It works on node data the NDB layer has already verified
// (sound checksums), so what it finds is structural damage that a valid
// checksum does not exclude: a writer's bug, or damage made before the
// checksum was computed.
package ltp

import (
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Error is a structural problem in a heap, BTH, PC or TC.
type Error struct {
	Code   finding.Code
	Detail string
}

func (e *Error) Error() string { return e.Detail }

func errorf(code finding.Code, format string, a ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, a...)}
}

// HN client signatures (bClientSig).
const (
	ClientTC  = 0x7C
	ClientBTH = 0xB5
	ClientPC  = 0xBC
)

const hnSignature = 0xEC

// HID is a heap item reference: 5 bits of type (0), an 11-bit 1-based
// allocation index and a 16-bit block index.
type HID uint32

func (h HID) index() int { return int(h>>5) & 0x7FF }
func (h HID) block() int { return int(h >> 16) }

// IsHID reports whether an HNID names a heap item (rather than a subnode).
func IsHID(hnid uint32) bool { return hnid&0x1F == 0 }

// Decoder decodes in place bytes b found at offset off of the data block
// bid (the file's bCryptMethod): ndb.Result.Decode.
type Decoder func(bid uint64, off int, b []byte)

// Heap is a validated heap-on-node. Its blocks stay encoded but for the
// parts read: headers and page maps at open, each item on first access,
// so validating a message does not decode its body.
type Heap struct {
	ClientSig byte
	UserRoot  HID
	blocks    []ndb.Block
	// pages, when set, reads the blocks on demand; held are those read
	// last (see pages.go).
	pages  *Pages
	held   []heldPage
	tick   uint64
	decode Decoder
	// first[b] is the index of block b's first allocation among all the
	// heap's. offs holds every block's rgibAlloc (cAlloc+1 offsets), one
	// after the other, from first[b]; flags has an entry per offset, for
	// the allocation it starts. A heap read by pages keeps neither, which
	// would grow with its items (a contents table of a million rows has
	// over ten million): the blocks it holds keep their own (see
	// heldPage), and seen has a bit per allocation.
	first []int32
	offs  []uint16
	flags []uint8
	seen  []uint8
}

// Per-allocation flags.
const (
	itemDecoded = 1 << iota
	itemSeen    // reached by the current BTH walk
	// itemBroken: a page-map offset the item starts or ends at cannot be
	// right (a heap opened to salvage what it holds, salvageHeap).
	itemBroken
)

// HeapClient returns the bClientSig of a heap whose first data block (as
// read, still encoded) is first, of BID bid; false when first starts with
// no HNHDR.
func HeapClient(first []byte, bid uint64, decode Decoder) (byte, bool) {
	if len(first) < 4 {
		return 0, false
	}
	var h [4]byte
	copy(h[:], first)
	decode(bid, 0, h[:])
	return h[3], h[2] == hnSignature
}

// validClientSig lists the bClientSig values MS-PST defines.
func validClientSig(b byte) bool {
	switch b {
	case 0x6C, ClientTC, 0x8C, 0x9C, 0xA5, 0xAC, ClientBTH, ClientPC, 0xCC:
		return true
	}
	return false
}

// OpenHeap validates a heap-on-node spread over a node's data blocks: the
// HNHDR of the first block, every block's page map, and that allocation
// offsets lie inside the block and in order. It is made in sp (nil:
// fresh memory).
func OpenHeap(sp *Space, blocks []ndb.Block, decode Decoder) (*Heap, error) {
	return openHeap(sp, blocks, nil, decode, false, false)
}

// salvageHeap opens a heap as OpenHeap does, but a page-map offset that
// lies outside the block or out of order (a changed byte) costs only the
// two items it bounds, which then cannot be read: for the salvage of what
// a damaged object still holds (SalvagePC).
func salvageHeap(sp *Space, blocks []ndb.Block, decode Decoder) (*Heap, error) {
	return openHeap(sp, blocks, nil, decode, false, true)
}

// OpenHeapPages is OpenHeap for a heap read block by block: it checks the
// page maps of all its blocks and holds the bytes of only a few.
func OpenHeapPages(sp *Space, pages *Pages, decode Decoder) (*Heap, error) {
	return openHeap(sp, pages.Blocks, pages, decode, false, false)
}

// openHeap opens a heap from its blocks in memory, or read one at a time
// from pages. With passOver, a block of pages that cannot be read but the
// first is passed over: it counts no items, so a HID into it is refused
// as naming no item (OpenTCListing).
func openHeap(sp *Space, blocks []ndb.Block, pages *Pages, decode Decoder, passOver, salvage bool) (*Heap, error) {
	var scratch []byte
	read := func(i int) ([]byte, error) {
		if pages == nil {
			return blocks[i].Data, nil
		}
		b, err := pages.Read(i, scratch)
		scratch = b
		return b, err
	}
	if len(blocks) == 0 {
		return nil, errorf(finding.HeapHeader, "node data too short for a heap header")
	}
	p0, err := read(0)
	if err != nil {
		return nil, err
	}
	if len(p0) < 12 {
		return nil, errorf(finding.HeapHeader, "node data too short for a heap header")
	}
	decode(blocks[0].BID, 0, p0[:12])
	if p0[2] != hnSignature {
		return nil, errorf(finding.HeapHeader, "heap signature 0x%02X, want 0xEC", p0[2])
	}
	if !validClientSig(p0[3]) {
		return nil, errorf(finding.HeapHeader, "heap client signature 0x%02X is not defined", p0[3])
	}
	h := sp.heapBump().one()
	*h = Heap{ClientSig: p0[3], UserRoot: HID(binary.LittleEndian.Uint32(p0[4:])), blocks: blocks, decode: decode}
	// Each block's page map is decoded (once) and checked, then its
	// offsets copied into memory of the right size, unless the heap is
	// read by pages.
	first := sp.i32Bump().take(len(blocks) + 1)
	total := 0
	var broken [][2]int // offsets that cannot be right (salvage): their block and index in offs
	for i, blk := range blocks {
		p := blk.Data
		if pages != nil {
			if p, err = read(i); err != nil {
				if passOver && i > 0 {
					first[i] = int32(total)
					total++ // no allocations: only the end offset's slot
					continue
				}
				return nil, err
			}
		}
		// Block 0's header is decoded already, unless read again.
		_, cAlloc, bad, perr := pageMap(p, i, blk.BID, decode, i > 0 || pages != nil, salvage && pages == nil)
		if perr != nil {
			return nil, perr
		}
		first[i] = int32(total)
		for _, k := range bad {
			broken = append(broken, [2]int{i, total + k})
		}
		total += cAlloc + 1
	}
	first[len(blocks)] = int32(total)
	h.first = first
	if pages != nil {
		h.pages, h.seen = pages, sp.u8Bump().take((total+7)/8)
		h.held = make([]heldPage, pagesHeld)
		for k := range h.held {
			h.held[k].i = -1
		}
		return h, nil
	}
	h.offs, h.flags = sp.u16Bump().take(total), sp.u8Bump().take(total)
	for i, blk := range blocks {
		ib := int(binary.LittleEndian.Uint16(blk.Data))
		offs := h.offs[first[i]:first[i+1]]
		for k := range offs {
			offs[k] = binary.LittleEndian.Uint16(blk.Data[ib+4+2*k:])
		}
	}
	// A broken offset takes the one before it (the block's header end for
	// the first), so that the offsets stay in order, and the items it
	// bounds are marked: item k of a block lies between offsets k-1 and k.
	for _, x := range broken {
		b, j := x[0], x[1]
		if j == int(first[b]) {
			h.offs[j] = uint16(PageHeaderSize(b))
		} else {
			h.offs[j] = h.offs[j-1]
			h.flags[j-1] |= itemBroken
		}
		if j+1 < int(first[b+1]) {
			h.flags[j] |= itemBroken
		}
	}
	return h, nil
}

// pageMap decodes heap block i's page map in p (and its header, when
// header is set) and checks that its allocations lie inside the block and
// in order. It returns the map's offset and its allocation count; the
// offsets follow at ib+4, cAlloc+1 of them.
func pageMap(p []byte, i int, bid uint64, decode Decoder, header, salvage bool) (ib, cAlloc int, bad []int, err *Error) {
	hdr := PageHeaderSize(i)
	if len(p) < hdr {
		return 0, 0, nil, errorf(finding.HeapHeader, "heap block %d is %d bytes, shorter than its %d-byte header", i, len(p), hdr)
	}
	if header {
		decode(bid, 0, p[:hdr])
	}
	ib = int(binary.LittleEndian.Uint16(p))
	if ib < hdr || ib+4 > len(p) {
		return 0, 0, nil, errorf(finding.HeapPageMap, "heap block %d page map offset %d outside [%d, %d]", i, ib, hdr, len(p)-4)
	}
	decode(bid, ib, p[ib:])
	cAlloc = int(binary.LittleEndian.Uint16(p[ib:]))
	if ib+4+2*(cAlloc+1) > len(p) {
		return 0, 0, nil, errorf(finding.HeapPageMap, "heap block %d page map lists %d allocations past the block's end", i, cAlloc)
	}
	prev := hdr
	for k := range cAlloc + 1 {
		o := binary.LittleEndian.Uint16(p[ib+4+2*k:])
		if int(o) < prev || int(o) > ib {
			if salvage {
				bad = append(bad, k)
				continue
			}
			return 0, 0, nil, errorf(finding.HeapPageMap, "heap block %d allocation %d offset %d is outside [%d, %d]", i, k, o, prev, ib)
		}
		prev = int(o)
	}
	return ib, cAlloc, bad, nil
}

// PageHeaderSize is the size of heap page i's header: HNHDR (12 bytes) on
// page 0, HNBITMAPHDR (66) on pages 8, 136, 264, ..., HNPAGEHDR (2) on the
// others (also for the heap's writers).
func PageHeaderSize(i int) int {
	switch {
	case i == 0:
		return 12
	case i >= 8 && (i-8)%128 == 0:
		return 66
	}
	return 2
}

// blockBID returns the BID of the heap's block i (0: no such block).
func (h *Heap) blockBID(i int) uint64 {
	blocks := h.blocks
	if h.pages != nil {
		blocks = h.pages.Blocks
	}
	if i < 0 || i >= len(blocks) {
		return 0
	}
	return blocks[i].BID
}

// Item returns the bytes of a heap item, decoded; HID 0 is the empty item.
func (h *Heap) Item(hid HID) ([]byte, error) {
	b, k, err := h.locate(hid)
	if err != nil || k == 0 {
		return nil, err
	}
	if h.pages != nil {
		return h.pagedItem(b, k, true)
	}
	i := int(h.first[b]) + k - 1
	item := h.blocks[b].Data[h.offs[i]:h.offs[i+1]]
	if h.flags[i]&itemDecoded == 0 {
		h.decode(h.blocks[b].BID, int(h.offs[i]), item)
		h.flags[i] |= itemDecoded
	}
	return item, nil
}

// ItemSize returns the size of a heap item without decoding it (in a heap
// read by pages, its block is read: see Has).
func (h *Heap) ItemSize(hid HID) (int, error) {
	b, k, err := h.locate(hid)
	if err != nil || k == 0 {
		return 0, err
	}
	if h.pages != nil {
		item, err := h.pagedItem(b, k, false)
		return len(item), err
	}
	i := int(h.first[b]) + k - 1
	return int(h.offs[i+1] - h.offs[i]), nil
}

// Has returns an error unless hid names an item of the heap (or is HID
// 0): what ItemSize checks, without reading a block of a heap read by
// pages.
func (h *Heap) Has(hid HID) error {
	_, _, err := h.locate(hid)
	return err
}

// see marks the item hid as reached by the current BTH walk and says
// whether it was already.
func (h *Heap) see(hid HID) (bool, error) {
	b, k, err := h.locate(hid)
	if err != nil || k == 0 {
		return false, err
	}
	i := int(h.first[b]) + k - 1
	if h.seen != nil {
		seen := h.seen[i>>3]&(1<<(i&7)) != 0
		h.seen[i>>3] |= 1 << (i & 7)
		return seen, nil
	}
	seen := h.flags[i]&itemSeen != 0
	h.flags[i] |= itemSeen
	return seen, nil
}

// clearSeen forgets which items a BTH walk reached, for the next walk.
func (h *Heap) clearSeen() {
	clear(h.seen)
	for i := range h.flags {
		h.flags[i] &^= itemSeen
	}
}

// locate checks hid and returns its block and allocation index (k == 0
// for HID 0, the empty item).
func (h *Heap) locate(hid HID) (int, int, error) {
	if hid == 0 {
		return 0, 0, nil
	}
	if hid&0x1F != 0 {
		return 0, 0, errorf(finding.HeapRef, "HID 0x%X has type %d, not a heap reference", uint32(hid), hid&0x1F)
	}
	b, k := hid.block(), hid.index()
	if b >= len(h.blocks) || k == 0 || k >= int(h.first[b+1]-h.first[b]) {
		return 0, 0, errorf(finding.HeapRef, "HID 0x%X names allocation %d of block %d, which does not exist", uint32(hid), k, b)
	}
	if h.flags != nil && h.flags[int(h.first[b])+k-1]&itemBroken != 0 {
		return 0, 0, errorf(finding.HeapPageMap, "HID 0x%X names allocation %d of block %d, whose bounds in the page map are changed", uint32(hid), k, b)
	}
	return b, k, nil
}
