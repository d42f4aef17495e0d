package pstwrite

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

const bthType = 0xB5

// bth writes a B-tree-on-heap (MS-PST 2.3.2) whose records arrive in key
// order: each leaf item is allocated as soon as it is full, so a table's
// row index grows with the table without being held; only the first key
// and HID of each leaf is kept for the index levels written at the end.
type bth struct {
	h       *heap
	keySize int
	entSize int
	header  HID
	hdr     []byte // the 8-byte BTHHEADER, filled in by finish
	cur     []byte // records of the leaf being filled
	leaves  []indexRecord
	last    []byte
}

type indexRecord struct {
	key []byte
	hid HID
}

func newBTH(h *heap, keySize, entSize int) *bth {
	t := &bth{h: h, keySize: keySize, entSize: entSize}
	t.header, t.hdr = h.alloc(8)
	return t
}

// add appends a record; keys must ascend.
func (t *bth) add(key, data []byte) error {
	if len(key) != t.keySize || len(data) != t.entSize {
		panic("pstwrite: BTH record of the wrong size")
	}
	if t.last != nil && ltp.CompareKeys(key, t.last) <= 0 {
		return fmt.Errorf("pstwrite: BTH key %X after %X", key, t.last)
	}
	t.last = append(t.last[:0], key...)
	rec := t.keySize + t.entSize
	if len(t.cur)+rec > maxHeapItem/rec*rec {
		t.flush()
	}
	t.cur = append(t.cur, key...)
	t.cur = append(t.cur, data...)
	return nil
}

func (t *bth) flush() {
	if len(t.cur) == 0 {
		return
	}
	t.leaves = append(t.leaves, indexRecord{key: bytes.Clone(t.cur[:t.keySize]), hid: t.h.put(t.cur)})
	t.cur = t.cur[:0]
}

// finish writes the index levels and the header.
func (t *bth) finish() {
	t.flush()
	levels := 0
	var root HID
	recs := t.leaves
	for len(recs) > 1 {
		levels++
		rec := t.keySize + 4
		per := maxHeapItem / rec
		var up []indexRecord
		for i := 0; i < len(recs); i += per {
			var item []byte
			for _, r := range recs[i:min(i+per, len(recs))] {
				item = append(item, r.key...)
				item = binary.LittleEndian.AppendUint32(item, uint32(r.hid))
			}
			up = append(up, indexRecord{key: recs[i].key, hid: t.h.put(item)})
		}
		recs = up
	}
	if len(recs) == 1 {
		root = recs[0].hid
	}
	t.hdr[0] = bthType
	t.hdr[1] = byte(t.keySize)
	t.hdr[2] = byte(t.entSize)
	t.hdr[3] = byte(levels)
	binary.LittleEndian.PutUint32(t.hdr[4:], uint32(root))
}
