package ltp_test

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// walk collects a BTH's records as key -> data, in the order Walk gives.
func walk(t *testing.T, b *ltp.BTH) (keys []uint16, data [][]byte, err error) {
	t.Helper()
	err = b.Walk(func(k, d []byte) error {
		keys = append(keys, binary.LittleEndian.Uint16(k))
		data = append(data, slices.Clone(d))
		return nil
	})
	return keys, data, err
}

// A BTH with one index level over two leaves: Walk gives every record of
// every leaf, in key order, with its data.
func TestBTHWalk(t *testing.T) {
	leaf1 := records(rec2(0x10, 'a'), rec2(0x20, 'b'))
	leaf2 := records(rec2(0x30, 'c'), rec2(0x40, 'd'), rec2(0x50, 'e'))
	index := records(rec2(0x10, 0x20, 0, 0, 0), rec2(0x30, 0x40, 0, 0, 0)) // HIDs (0,1) and (0,2)
	h, err := ltp.OpenHeap(nil, blocks(heapPage(0, ltp.ClientBTH, hid(0, 4),
		leaf1, leaf2, index, bthHeader(2, 1, 1, hid(0, 3)))), plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ltp.OpenBTH(h, h.UserRoot)
	if err != nil {
		t.Fatal(err)
	}
	if b.KeySize != 2 || b.EntrySize != 1 {
		t.Errorf("key size %d, entry size %d", b.KeySize, b.EntrySize)
	}
	keys, data, err := walk(t, &b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []uint16{0x10, 0x20, 0x30, 0x40, 0x50}) {
		t.Errorf("keys %#x", keys)
	}
	for i, d := range data {
		if len(d) != 1 || d[0] != byte('a'+i) {
			t.Errorf("record %d data %q", i, d)
		}
	}

	// The walk stops at the first error its caller returns.
	stop := errors.New("stop")
	n := 0
	if err := b.Walk(func(k, d []byte) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Walk returned %v after %d records, want the caller's error after 1", err, n)
	}
}

// An empty BTH (root HID 0) has no records.
func TestBTHEmpty(t *testing.T) {
	h, err := ltp.OpenHeap(nil, blocks(heapPage(0, ltp.ClientBTH, hid(0, 1), bthHeader(4, 4, 0, 0))), plain)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ltp.OpenBTH(h, h.UserRoot)
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := walk(t, &b)
	if err != nil || len(keys) != 0 {
		t.Errorf("keys %v, %v", keys, err)
	}
}

// A damaged BTH header or record gives a coded error, never a panic, an
// endless walk or a record out of order.
func TestBTHDamage(t *testing.T) {
	leaf := records(rec2(0x10, 'a'), rec2(0x20, 'b'))
	for _, c := range []struct {
		name  string
		items [][]byte // item 1 is the BTH header
		code  finding.Code
	}{
		{"header not 8 bytes", [][]byte{bthHeader(2, 1, 0, hid(0, 2))[:7], leaf}, finding.BTHHeader},
		{"header type not 0xB5", [][]byte{append([]byte{0xB6}, bthHeader(2, 1, 0, hid(0, 2))[1:]...), leaf}, finding.BTHHeader},
		{"key size 3", [][]byte{bthHeader(3, 1, 0, hid(0, 2)), leaf}, finding.BTHHeader},
		{"entry size 0", [][]byte{bthHeader(2, 0, 0, hid(0, 2)), leaf}, finding.BTHHeader},
		{"entry size 33", [][]byte{bthHeader(2, 33, 0, hid(0, 2)), leaf}, finding.BTHHeader},
		{"nine index levels", [][]byte{bthHeader(2, 1, 9, hid(0, 2)), leaf}, finding.BTHHeader},
		{"leaf of partial records", [][]byte{bthHeader(2, 1, 0, hid(0, 2)), leaf[:5]}, finding.BTHRecords},
		{"empty leaf", [][]byte{bthHeader(2, 1, 0, hid(0, 2)), {}}, finding.BTHRecords},
		{"keys out of order", [][]byte{bthHeader(2, 1, 0, hid(0, 2)), records(rec2(0x20, 'b'), rec2(0x10, 'a'))}, finding.BTHRecords},
		{"duplicate keys", [][]byte{bthHeader(2, 1, 0, hid(0, 2)), records(rec2(0x10, 'a'), rec2(0x10, 'b'))}, finding.BTHRecords},
		{"root names no item", [][]byte{bthHeader(2, 1, 0, hid(0, 7)), leaf}, finding.HeapRef},
		{"leaf below its index key", [][]byte{bthHeader(2, 1, 1, hid(0, 3)), leaf, rec2(0x11, 0x40, 0, 0, 0)}, finding.BTHRecords},
		{"index names itself", [][]byte{bthHeader(2, 1, 1, hid(0, 3)), leaf, rec2(0x10, 0x60, 0, 0, 0)}, finding.BTHRecords},
		{"index names one leaf twice", [][]byte{bthHeader(2, 1, 1, hid(0, 3)), leaf,
			records(rec2(0x10, 0x40, 0, 0, 0), rec2(0x20, 0x40, 0, 0, 0))}, finding.BTHRecords},
		{"index record names a subnode", [][]byte{bthHeader(2, 1, 1, hid(0, 3)), leaf, rec2(0x10, 0x41, 0, 0, 0)}, finding.HeapRef},
		{"index deeper than the tree", [][]byte{bthHeader(2, 1, 2, hid(0, 3)),
			records(rec2(0x10, 'a'), rec2(0x20, 'b'), rec2(0x30, 'c')), // 9 bytes: not whole index records
			rec2(0x10, 0x40, 0, 0, 0)}, finding.BTHRecords},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, err := ltp.OpenHeap(nil, blocks(heapPage(0, ltp.ClientBTH, hid(0, 1), c.items...)), plain)
			if err != nil {
				t.Fatal(err)
			}
			b, err := ltp.OpenBTH(h, h.UserRoot)
			if err == nil {
				_, _, err = walk(t, &b)
			}
			wantCode(t, err, c.code)
		})
	}
	// The header's own HID is checked like any other.
	h, err := ltp.OpenHeap(nil, blocks(heapPage(0, ltp.ClientBTH, hid(0, 1), bthHeader(2, 1, 0, hid(0, 2)), leaf)), plain)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ltp.OpenBTH(h, hid(0, 9))
	wantCode(t, err, finding.HeapRef)
}

// The property context of the test message is a BTH of 2-byte property
// IDs and 6-byte entries, its records in ID order.
func TestBTHOfAPropertyContext(t *testing.T) {
	s := testStore(t)
	n := readNode(t, s.b, s.msg)
	h, err := ltp.OpenHeap(nil, n.blocks, n.res.Decode)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ltp.OpenBTH(h, h.UserRoot)
	if err != nil {
		t.Fatal(err)
	}
	if b.KeySize != 2 || b.EntrySize != 6 {
		t.Fatalf("key size %d, entry size %d", b.KeySize, b.EntrySize)
	}
	keys, _, err := walk(t, &b)
	if err != nil {
		t.Fatal(err)
	}
	var want []uint16
	for _, p := range testProps() {
		want = append(want, p.ID)
	}
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("keys %#x, want %#x", keys, want)
	}
}
