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
}

// OpenBTH validates the BTHHEADER at hid.
func OpenBTH(h *Heap, hid HID) (*BTH, error) {
	b, err := h.Item(hid)
	if err != nil {
		return nil, err
	}
	if len(b) != 8 || b[0] != ClientBTH {
		return nil, errorf(finding.BTHHeader, "BTH header at HID 0x%X is %d bytes of type 0x%02X", uint32(hid), len(b), firstByte(b))
	}
	t := &BTH{heap: h, KeySize: int(b[1]), EntrySize: int(b[2]), levels: int(b[3]), root: HID(binary.LittleEndian.Uint32(b[4:]))}
	switch t.KeySize {
	case 2, 4, 8, 16:
	default:
		return nil, errorf(finding.BTHHeader, "BTH key size %d (must be 2, 4, 8 or 16)", t.KeySize)
	}
	if t.EntrySize < 1 || t.EntrySize > 32 || t.levels > maxBTHLevels {
		return nil, errorf(finding.BTHHeader, "BTH entry size %d, %d index levels", t.EntrySize, t.levels)
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
func (t *BTH) Walk(yield func(key, data []byte) error) error {
	if t.root == 0 {
		return nil
	}
	w := bthWalk{seen: map[HID]bool{}, yield: yield}
	return t.walk(&w, t.root, t.levels, nil)
}

// bthWalk is one walk's state. seen stops index records that point at an
// item already walked: without it a few records per level pointing at the
// same child would multiply the work at every level.
type bthWalk struct {
	seen  map[HID]bool
	last  []byte
	yield func(key, data []byte) error
}

func (t *BTH) walk(w *bthWalk, hid HID, level int, lo []byte) error {
	if w.seen[hid] {
		return errorf(finding.BTHRecords, "BTH item HID 0x%X is reached twice", uint32(hid))
	}
	w.seen[hid] = true
	b, err := t.heap.Item(hid)
	if err != nil {
		return err
	}
	rec := t.KeySize + t.EntrySize
	if level > 0 {
		rec = t.KeySize + 4
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
			if w.last != nil && CompareKeys(key, w.last) <= 0 {
				return errorf(finding.BTHRecords, "BTH keys out of order at HID 0x%X", uint32(hid))
			}
			w.last = key
			if err := w.yield(key, b[i+t.KeySize:i+rec]); err != nil {
				return err
			}
			continue
		}
		child := HID(binary.LittleEndian.Uint32(b[i+t.KeySize:]))
		if err := t.walk(w, child, level-1, key); err != nil {
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
