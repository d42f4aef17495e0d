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

// Heap is a validated heap-on-node.
type Heap struct {
	ClientSig byte
	UserRoot  HID
	pages     [][]byte
	allocs    [][]uint16 // per page: rgibAlloc (cAlloc+1 offsets)
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
// offsets lie inside the block and in order.
func OpenHeap(pages [][]byte) (*Heap, error) {
	if len(pages) == 0 || len(pages[0]) < 12 {
		return nil, errorf(finding.HeapHeader, "node data too short for a heap header")
	}
	p0 := pages[0]
	if p0[2] != hnSignature {
		return nil, errorf(finding.HeapHeader, "heap signature 0x%02X, want 0xEC", p0[2])
	}
	if !validClientSig(p0[3]) {
		return nil, errorf(finding.HeapHeader, "heap client signature 0x%02X is not defined", p0[3])
	}
	h := &Heap{ClientSig: p0[3], UserRoot: HID(binary.LittleEndian.Uint32(p0[4:])), pages: pages, allocs: make([][]uint16, len(pages))}
	for i, p := range pages {
		hdr := 2 // HNPAGEHDR
		switch {
		case i == 0:
			hdr = 12 // HNHDR
		case i >= 8 && (i-8)%128 == 0:
			hdr = 66 // HNBITMAPHDR
		}
		if len(p) < hdr {
			return nil, errorf(finding.HeapHeader, "heap block %d is %d bytes, shorter than its %d-byte header", i, len(p), hdr)
		}
		ib := int(binary.LittleEndian.Uint16(p))
		if ib < hdr || ib+4 > len(p) {
			return nil, errorf(finding.HeapPageMap, "heap block %d page map offset %d outside [%d, %d]", i, ib, hdr, len(p)-4)
		}
		cAlloc := int(binary.LittleEndian.Uint16(p[ib:]))
		if ib+4+2*(cAlloc+1) > len(p) {
			return nil, errorf(finding.HeapPageMap, "heap block %d page map lists %d allocations past the block's end", i, cAlloc)
		}
		offs := make([]uint16, cAlloc+1)
		prev := hdr
		for k := range offs {
			o := binary.LittleEndian.Uint16(p[ib+4+2*k:])
			if int(o) < prev || int(o) > ib {
				return nil, errorf(finding.HeapPageMap, "heap block %d allocation %d offset %d is outside [%d, %d]", i, k, o, prev, ib)
			}
			offs[k] = o
			prev = int(o)
		}
		h.allocs[i] = offs
	}
	return h, nil
}

// Item returns the bytes of a heap item; HID 0 is the empty item.
func (h *Heap) Item(hid HID) ([]byte, error) {
	if hid == 0 {
		return nil, nil
	}
	if hid&0x1F != 0 {
		return nil, errorf(finding.HeapRef, "HID 0x%X has type %d, not a heap reference", uint32(hid), hid&0x1F)
	}
	b, k := hid.block(), hid.index()
	if b >= len(h.pages) || k == 0 || k >= len(h.allocs[b]) {
		return nil, errorf(finding.HeapRef, "HID 0x%X names allocation %d of block %d, which does not exist", uint32(hid), k, b)
	}
	offs := h.allocs[b]
	return h.pages[b][offs[k-1]:offs[k]], nil
}
