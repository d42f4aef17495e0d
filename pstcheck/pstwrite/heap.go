package pstwrite

import (
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// Heap-on-node limits (MS-PST 2.3.1).
const (
	maxHeapItem     = 3580 // largest heap allocation; bigger values go to subnodes
	maxHeapPages    = 1 << 16
	maxPageItems    = 1<<11 - 1 // hidIndex is 11 bits, 1-based
	hnSignature     = 0xEC
	hnHeaderLen     = 12 // HNHDR, page 0
	hnPageHeaderLen = 2  // HNPAGEHDR
	hnBitmapLen     = 66 // HNBITMAPHDR, pages 8, 136, 264, ...
)

// HID is a heap item reference: block index, 1-based item index, type 0.
type HID uint32

func makeHID(page, item int) HID { return HID(uint32(page)<<16 | uint32(item)<<5) }

// heap builds a heap-on-node. Items are allocated in order; a page that
// fills is written at once (tables grow past memory this way), except page
// 0, whose header names the user root and the fill of pages 0-7, and the
// bitmap pages, which hold the fill of the 128 pages from them on: those
// stay in memory until finish. Each page has a fixed capacity, so slices
// into a held page stay valid for the caller to fill in later.
type heap struct {
	b      *blocks
	client byte
	list   blockList
	fill   []byte   // fill level of each written page
	held   []*hpage // page 0 and bitmap pages, until finish
	cur    *hpage
	err    error
}

type hpage struct {
	index int
	data  []byte   // header and items; capacity maxBlockData
	offs  []uint16 // start of each item
}

func newHeap(b *blocks, client byte) *heap {
	h := &heap{b: b, client: client}
	h.newPage()
	return h
}

func (h *heap) newPage() {
	i := len(h.list.bids)
	p := &hpage{index: i, data: h.b.buffer()[:ltp.PageHeaderSize(i)]}
	clear(p.data)
	h.list.add(0, 0)
	h.fill = append(h.fill, 0)
	if ltp.PageHeaderSize(i) != hnPageHeaderLen {
		h.held = append(h.held, p)
	}
	h.cur = p
}

// pageSize is the size a page's block has with n items ending at end.
func pageSize(end, n int) int { return end + end%2 + 4 + 2*(n+1) }

// alloc allocates an item of n bytes (at most maxHeapItem) and returns its
// HID and bytes to fill. The bytes of an item in a held page may be filled
// until finish.
func (h *heap) alloc(n int) (HID, []byte) {
	if n > maxHeapItem {
		panic(fmt.Sprintf("pstwrite: heap item of %d bytes", n))
	}
	p := h.cur
	if len(p.offs) >= maxPageItems || pageSize(len(p.data)+n, len(p.offs)+1) > maxBlockData {
		h.closePage(p)
		if len(h.list.bids) >= maxHeapPages {
			h.err = fmt.Errorf("pstwrite: heap of more than %d pages", maxHeapPages)
		}
		h.newPage()
		p = h.cur
	}
	start := len(p.data)
	p.offs = append(p.offs, uint16(start))
	p.data = p.data[:start+n]
	return makeHID(p.index, len(p.offs)), p.data[start : start+n]
}

// put allocates an item holding b.
func (h *heap) put(b []byte) HID {
	hid, dst := h.alloc(len(b))
	copy(dst, b)
	return hid
}

// closePage records a full page's fill and writes it unless it is held.
func (h *heap) closePage(p *hpage) {
	h.fill[p.index] = fillLevel(maxBlockData - pageSize(len(p.data), len(p.offs)))
	if ltp.PageHeaderSize(p.index) == hnPageHeaderLen {
		h.writePage(p)
	}
}

// writePage completes a page's header and page map and writes it.
func (h *heap) writePage(p *hpage) {
	b := p.data
	end := len(b)
	if end%2 == 1 {
		b = append(b, 0)
	}
	binary.LittleEndian.PutUint16(b, uint16(len(b))) // ibHnpm
	b = binary.LittleEndian.AppendUint16(b, uint16(len(p.offs)))
	b = binary.LittleEndian.AppendUint16(b, 0) // cFree
	for _, o := range p.offs {
		b = binary.LittleEndian.AppendUint16(b, o)
	}
	b = binary.LittleEndian.AppendUint16(b, uint16(end))
	if i := p.index; ltp.PageHeaderSize(i) == hnBitmapLen {
		for k := 0; k < 128 && i+k < len(h.fill); k++ {
			setNibble(b[2:], k, h.fill[i+k])
		}
	}
	h.list.bids[p.index] = h.b.write(b, false)
	h.list.sizes[p.index] = uint16(len(b))
	h.b.release(b)
	p.data = nil
}

// finish writes the pages still in memory, page 0 naming root as the user
// root, and returns the heap's blocks in page order.
func (h *heap) finish(root HID) (*blockList, error) {
	if h.err != nil {
		return nil, h.err
	}
	h.closePage(h.cur)
	p0 := h.held[0]
	p0.data[2] = hnSignature
	p0.data[3] = h.client
	binary.LittleEndian.PutUint32(p0.data[4:], uint32(root))
	for k := 0; k < 8 && k < len(h.fill); k++ {
		setNibble(p0.data[8:], k, h.fill[k])
	}
	for _, p := range h.held {
		h.writePage(p)
	}
	h.held = nil
	return &h.list, nil
}

// setNibble sets the k-th 4-bit fill level: the low half of a byte first.
func setNibble(b []byte, k int, v byte) {
	if k%2 == 0 {
		b[k/2] = b[k/2]&0xF0 | v&0x0F
	} else {
		b[k/2] = b[k/2]&0x0F | v<<4
	}
}

// fillLevel maps a page's free bytes to its 4-bit fill level
// (MS-PST 2.3.1.2): 0 for 3584 bytes or more free, 0xF for under 8.
func fillLevel(free int) byte {
	limits := [...]int{3584, 2560, 2048, 1792, 1536, 1280, 1024, 768, 512, 256, 128, 64, 32, 16, 8}
	for i, l := range limits {
		if free >= l {
			return byte(i)
		}
	}
	return 0x0F
}
