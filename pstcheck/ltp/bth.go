package ltp

import (
	"encoding/binary"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// maxBTHLevels bounds a BTH's index levels; levels fall by one per step,
// so the walk ends.
const maxBTHLevels = 8

// BTH is a validated B-tree-on-heap header.
type BTH struct {
	heap      *Heap
	KeySize   int
	EntrySize int
	levels    int
	root      HID
	// unordered: Walk yields leaf records whatever the order of their
	// keys (for the salvage of a property context, which drops the keys
	// out of order itself: openPC).
	unordered bool
}

// OpenBTH validates the BTHHEADER at hid.
func OpenBTH(h *Heap, hid HID) (BTH, error) {
	b, err := h.Item(hid)
	if err != nil {
		return BTH{}, err
	}
	if len(b) != 8 || b[0] != ClientBTH {
		return BTH{}, errorf(finding.BTHHeader, "BTH header at HID 0x%X is %d bytes of type 0x%02X", uint32(hid), len(b), firstByte(b))
	}
	t := BTH{heap: h, KeySize: int(b[1]), EntrySize: int(b[2]), levels: int(b[3]), root: HID(binary.LittleEndian.Uint32(b[4:]))}
	switch t.KeySize {
	case 2, 4, 8, 16:
	default:
		return BTH{}, errorf(finding.BTHHeader, "BTH key size %d (must be 2, 4, 8 or 16)", t.KeySize)
	}
	if t.EntrySize < 1 || t.EntrySize > 32 || t.levels > maxBTHLevels {
		return BTH{}, errorf(finding.BTHHeader, "BTH entry size %d, %d index levels", t.EntrySize, t.levels)
	}
	return t, nil
}

func firstByte(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// Walk calls yield with each leaf record's key and data, in key order,
// and checks the records on the way: each level's items hold whole
// records, keys ascend, and each child's keys start at its index key.
// Index records that point at an item already walked are an error: without
// that check a few records per level pointing at the same child would
// multiply the work at every level.
func (t *BTH) Walk(yield func(key, data []byte) error) error {
	if t.root == 0 {
		return nil
	}
	t.heap.clearSeen()
	var w bthWalk
	if t.heap.pages != nil {
		w.held = new([maxBTHLevels + 1][]byte)
	}
	return t.walk(&w, yield, t.root, t.levels, nil)
}

// bthWalk is one walk's state: the last leaf key (a copy, keys are at most
// 16 bytes) and, in a heap read block by block, copies of the index items
// being gone through, whose blocks the walk below may let go. The walk's
// yield is passed beside it, not kept in it: the compiler would then move
// what yield captures to the heap, an allocation per walk.
type bthWalk struct {
	last  [16]byte
	keyed bool // last holds a key
	held  *[maxBTHLevels + 1][]byte
}

func (t *BTH) walk(w *bthWalk, yield func(key, data []byte) error, hid HID, level int, lo []byte) error {
	if seen, err := t.heap.see(hid); err == nil && seen {
		return errorf(finding.BTHRecords, "BTH item HID 0x%X is reached twice", uint32(hid))
	}
	b, err := t.heap.Item(hid)
	if err != nil {
		return err
	}
	rec := t.KeySize + t.EntrySize
	if level > 0 {
		rec = t.KeySize + 4
		if w.held != nil && level <= maxBTHLevels {
			w.held[level] = append(w.held[level][:0], b...)
			b = w.held[level]
		}
	}
	if len(b) == 0 || len(b)%rec != 0 {
		return errorf(finding.BTHRecords, "BTH level %d item HID 0x%X is %d bytes, not whole %d-byte records", level, uint32(hid), len(b), rec)
	}
	for i := 0; i < len(b); i += rec {
		key := b[i : i+t.KeySize]
		if i == 0 && lo != nil && CompareKeys(key, lo) < 0 {
			return errorf(finding.BTHRecords, "BTH key below its index entry at HID 0x%X", uint32(hid))
		}
		if level == 0 {
			if !t.unordered && w.keyed && CompareKeys(key, w.last[:t.KeySize]) <= 0 {
				return errorf(finding.BTHRecords, "BTH keys out of order at HID 0x%X", uint32(hid))
			}
			copy(w.last[:], key)
			w.keyed = true
			if err := yield(key, b[i+t.KeySize:i+rec]); err != nil {
				return err
			}
			continue
		}
		child := HID(binary.LittleEndian.Uint32(b[i+t.KeySize:]))
		if err := t.walk(w, yield, child, level-1, key); err != nil {
			return err
		}
	}
	return nil
}

// CompareKeys compares BTH keys, little-endian unsigned numbers of equal
// size, in the order a BTH keeps them (also for its writers).
func CompareKeys(a, b []byte) int {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}
