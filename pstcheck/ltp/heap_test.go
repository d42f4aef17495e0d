package ltp_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A heap-on-node spread over several blocks: each page's items are found
// by HID (page and 1-based index), the first page names the client and
// its root, and page 8 has the longer bitmap header.
func TestHeapItemsByHID(t *testing.T) {
	pages := make([][]byte, 10)
	pages[0] = heapPage(0, ltp.ClientPC, hid(0, 2), []byte("first"), []byte("root"))
	for i := 1; i < len(pages); i++ {
		pages[i] = heapPage(i, 0, 0, []byte{byte(i)}, []byte{}, bytes.Repeat([]byte{byte(i)}, i))
	}
	h, err := ltp.OpenHeap(nil, blocks(pages...), plain)
	if err != nil {
		t.Fatal(err)
	}
	if h.ClientSig != ltp.ClientPC || h.UserRoot != hid(0, 2) {
		t.Errorf("client 0x%02X root 0x%X, want 0xBC and 0x%X", h.ClientSig, h.UserRoot, hid(0, 2))
	}
	for _, c := range []struct {
		hid  ltp.HID
		want []byte
	}{
		{hid(0, 1), []byte("first")},
		{hid(0, 2), []byte("root")},
		{hid(3, 1), []byte{3}},
		{hid(3, 2), nil}, // an empty allocation
		{hid(9, 3), bytes.Repeat([]byte{9}, 9)},
		{hid(8, 3), bytes.Repeat([]byte{8}, 8)}, // after the 66-byte HNBITMAPHDR
		{0, nil},                                // HID 0 is the empty item
	} {
		got, err := h.Item(c.hid)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("Item(0x%X) = %q, %v; want %q", c.hid, got, err, c.want)
		}
		if n, err := h.ItemSize(c.hid); err != nil || n != len(c.want) {
			t.Errorf("ItemSize(0x%X) = %d, %v; want %d", c.hid, n, err, len(c.want))
		}
	}
}

// A HID that names no allocation is an error, not a read out of bounds.
func TestHeapBadHID(t *testing.T) {
	h, err := ltp.OpenHeap(nil, blocks(heapPage(0, ltp.ClientPC, 0, []byte("a")), heapPage(1, 0, 0)), plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []ltp.HID{
		hid(0, 1) | 1,      // hidType is not 0: a subnode NID
		hid(0, 2),          // past cAlloc
		hid(1, 1),          // a page with no allocations
		hid(2, 1),          // no page 2
		hid(0xFFFF, 0x7FF), // the largest HID there is
		hid(1, 0),          // index 0 of a page other than the first
	} {
		_, err := h.Item(bad)
		wantCode(t, err, finding.HeapRef)
		_, err = h.ItemSize(bad)
		wantCode(t, err, finding.HeapRef)
	}
}

// Blocks stay encoded but for what is read: OpenHeap decodes headers and
// page maps, Item decodes an item once, on first access, with the
// decoder given (here the file's permute encoding).
func TestHeapDecodesWhatItReads(t *testing.T) {
	items := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma")}
	page := heapPage(0, ltp.ClientTC, hid(0, 1), items...)
	stored := bytes.Clone(page)
	ndb.Encode(1, 4, stored)
	decoded := map[int]int{} // offset -> times decoded
	decode := func(bid uint64, off int, b []byte) {
		decoded[off]++
		ndb.DecodeAt(1, bid, off, b)
	}
	h, err := ltp.OpenHeap(nil, []ndb.Block{{BID: 4, Data: stored}}, decode)
	if err != nil {
		t.Fatal(err)
	}
	if h.ClientSig != ltp.ClientTC {
		t.Fatalf("client 0x%02X", h.ClientSig)
	}
	beta := 12 + len("alpha")
	if decoded[beta] != 0 {
		t.Errorf("item 2 was decoded before it was read")
	}
	for range 2 {
		got, err := h.Item(hid(0, 2))
		if err != nil || string(got) != "beta" {
			t.Fatalf("Item = %q, %v", got, err)
		}
	}
	if decoded[beta] != 1 {
		t.Errorf("item 2 decoded %d times, want once", decoded[beta])
	}
	if got, _ := h.Item(hid(0, 3)); string(got) != "gamma" {
		t.Errorf("item 3 = %q", got)
	}
}

// Every heap of the sample stores opens: the real heaps of property and
// table contexts, encoded as Outlook stores them.
func TestHeapSamples(t *testing.T) {
	keep := ofType(ndb.NIDTypeFolder, ndb.NIDTypeMessage, ndb.NIDTypeContentsTable, ndb.NIDTypeHierarchyTable)
	eachSampleNode(t, keep, func(p string, nid uint32, n nodeData) {
		h, err := ltp.OpenHeap(nil, n.blocks, n.res.Decode)
		if err == nil {
			_, err = h.Item(h.UserRoot)
		}
		if err != nil {
			t.Errorf("%s: node 0x%X: %v", p, nid, err)
		}
	})
}

// What a damaged heap header or page map gives: a coded error, never a
// panic or a read past the block.
func TestHeapDamage(t *testing.T) {
	good := func() [][]byte {
		return [][]byte{heapPage(0, ltp.ClientPC, hid(0, 1), []byte("abcd"), []byte("efgh")), heapPage(1, 0, 0, []byte("ij"))}
	}
	le16 := binary.LittleEndian.PutUint16
	for _, c := range []struct {
		name   string
		damage func(p [][]byte) [][]byte
		code   finding.Code
	}{
		{"no blocks", func([][]byte) [][]byte { return nil }, finding.HeapHeader},
		{"first block shorter than HNHDR", func(p [][]byte) [][]byte { p[0] = p[0][:11]; return p }, finding.HeapHeader},
		{"bSig not 0xEC", func(p [][]byte) [][]byte { p[0][2] = 0xED; return p }, finding.HeapHeader},
		{"undefined client signature", func(p [][]byte) [][]byte { p[0][3] = 0x11; return p }, finding.HeapHeader},
		{"page map inside HNHDR", func(p [][]byte) [][]byte { le16(p[0], 10); return p }, finding.HeapPageMap},
		{"page map past the block", func(p [][]byte) [][]byte { le16(p[0], uint16(len(p[0])-2)); return p }, finding.HeapPageMap},
		{"cAlloc past the block", func(p [][]byte) [][]byte {
			le16(p[0][binary.LittleEndian.Uint16(p[0]):], 500)
			return p
		}, finding.HeapPageMap},
		{"allocations out of order", func(p [][]byte) [][]byte {
			m := int(binary.LittleEndian.Uint16(p[0]))
			le16(p[0][m+8:], 14) // item 2 ends before it starts
			return p
		}, finding.HeapPageMap},
		{"allocation past the page map", func(p [][]byte) [][]byte {
			m := int(binary.LittleEndian.Uint16(p[0]))
			le16(p[0][m+8:], uint16(m+2))
			return p
		}, finding.HeapPageMap},
		{"first allocation inside the header", func(p [][]byte) [][]byte {
			m := int(binary.LittleEndian.Uint16(p[0]))
			le16(p[0][m+4:], 4)
			return p
		}, finding.HeapPageMap},
		{"second block shorter than its header", func(p [][]byte) [][]byte { p[1] = p[1][:1]; return p }, finding.HeapHeader},
		{"second block's page map at 0", func(p [][]byte) [][]byte { le16(p[1], 0); return p }, finding.HeapPageMap},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, err := ltp.OpenHeap(nil, blocks(c.damage(good())...), plain)
			if h != nil {
				t.Errorf("a heap was returned")
			}
			wantCode(t, err, c.code)
		})
	}
	// A ninth page whose page map starts inside its 66-byte bitmap header.
	pages := make([][]byte, 9)
	pages[0] = heapPage(0, ltp.ClientPC, 0)
	for i := 1; i < 9; i++ {
		// Laid out with the 2-byte header, and long enough for the bitmap one.
		pages[i] = append(heapPage(1, 0, 0, []byte("x")), make([]byte, 80)...)
	}
	_, err := ltp.OpenHeap(nil, blocks(pages...), plain)
	wantCode(t, err, finding.HeapPageMap)
}
