package ltp_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// A property context holds each property's type and a 4-byte slot: the
// value itself for types of up to 4 bytes, else an HNID naming a heap
// item (larger fixed-size, variable-size and multi-valued values) or,
// for values too large for the heap, a subnode.
func TestPCValues(t *testing.T) {
	s := testStore(t)
	n := readNode(t, s.b, s.msg)
	pc, err := n.openPC()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSortedFunc(pc.Props, func(a, b ltp.Property) int { return int(a.ID) - int(b.ID) }) {
		t.Errorf("properties are not in ID order")
	}
	want := map[uint16]pstwrite.Property{}
	for _, p := range testProps() {
		want[p.ID] = p
	}
	if len(pc.Props) != len(want) {
		t.Errorf("%d properties, want %d", len(pc.Props), len(want))
	}
	for _, p := range pc.Props {
		w, ok := want[p.ID]
		if !ok {
			t.Errorf("property 0x%04X was not written", p.ID)
			continue
		}
		if p.Type != w.Type {
			t.Errorf("property 0x%04X type 0x%04X, want 0x%04X", p.ID, p.Type, w.Type)
		}
		if got, ok := pc.Get(p.ID); !ok || got != p {
			t.Errorf("Get(0x%04X) = %+v, %v", p.ID, got, ok)
		}
		switch {
		case ltp.Inline(p.Type):
			var slot [4]byte
			copy(slot[:], w.Data)
			if p.Value != binary.LittleEndian.Uint32(slot[:]) || pc.Bytes(p) != nil {
				t.Errorf("property 0x%04X: inline value 0x%X, want % X", p.ID, p.Value, w.Data)
			}
		case p.ID == idLarge:
			if ltp.IsHID(p.Value) || !n.subnodeSet().Has(p.Value) || pc.Bytes(p) != nil {
				t.Fatalf("the large value's slot 0x%X does not name a subnode", p.Value)
			}
			blocks, err := n.res.ReadData(n.subs[p.Value].Data)
			if err != nil || !bytes.Equal(bytes.Join(blocks, nil), valLarge) {
				t.Errorf("the large value's subnode holds %d bytes (%v), want %d", len(bytes.Join(blocks, nil)), err, len(valLarge))
			}
		case p.ID == idEmpty:
			if p.Value != 0 || pc.Bytes(p) != nil {
				t.Errorf("the empty string's slot is 0x%X, want HNID 0", p.Value)
			}
		default:
			if got := pc.Bytes(p); !bytes.Equal(got, w.Data) {
				t.Errorf("property 0x%04X: heap value % X, want % X", p.ID, got, w.Data)
			}
		}
	}
	if p, _ := pc.Get(idDouble); math.Float64frombits(binary.LittleEndian.Uint64(pc.Bytes(p))) != math.Pi {
		t.Errorf("the double reads %v", pc.Bytes(p))
	}
	if _, ok := pc.Get(0x6FFF); ok {
		t.Errorf("Get found a property that is not there")
	}
}

// Inline says which types fit the 4-byte slot.
func TestInline(t *testing.T) {
	for typ, want := range map[uint16]bool{
		ltp.TypeInt16: true, ltp.TypeInt32: true, ltp.TypeFloat: true, ltp.TypeBoolean: true, ltp.TypeError: true,
		ltp.TypeInt64: false, ltp.TypeDouble: false, ltp.TypeTime: false, ltp.TypeGUID: false,
		ltp.TypeString: false, ltp.TypeBinary: false, 0x1003: false, 0x0999: false,
	} {
		if ltp.Inline(typ) != want {
			t.Errorf("Inline(0x%04X) = %v", typ, !want)
		}
	}
}

const nidMessageStore = 0x21

// Every property context of the sample stores opens: every property of a
// defined type, every value where its slot says.
func TestPCSamples(t *testing.T) {
	pcs := ofType(ndb.NIDTypeFolder, ndb.NIDTypeMessage)
	keep := func(nid uint32) bool { return pcs(nid) || nid == nidMessageStore }
	eachSampleNode(t, keep, func(p string, nid uint32, n nodeData) {
		if _, err := n.openPC(); err != nil {
			t.Errorf("%s: node 0x%X: %v", p, nid, err)
		}
	})
}

// A damaged property context gives a coded error, not a value read from
// the wrong place.
func TestPCDamage(t *testing.T) {
	s := testStore(t)
	int32Item := func(f *pstmut.File) uint32 { // the HID of a 4-byte heap item
		p, _ := f.NodeHeap(s.msg).Prop(idBinary)
		return p.Value
	}
	bth := func(f *pstmut.File, edit func(x *pstmut.BTHHeader)) { // edits the PC's BTH header
		h := f.NodeHeap(s.msg)
		root := h.Header().UserRoot
		x := h.BTH(root)
		edit(&x)
		h.SetBTH(root, x)
	}
	for _, c := range []struct {
		name   string
		damage func(f *pstmut.File)
		code   finding.Code
	}{
		{"undefined property type", func(f *pstmut.File) { f.NodeHeap(s.msg).SetProp(idInt32, 0x0999, 5) }, finding.PCProperty},
		{"8-byte value in a 4-byte item", func(f *pstmut.File) {
			f.NodeHeap(s.msg).SetProp(idInt64, ltp.TypeInt64, int32Item(f))
		}, finding.PCProperty},
		{"GUID in a 4-byte item", func(f *pstmut.File) {
			f.NodeHeap(s.msg).SetProp(idGUID, ltp.TypeGUID, int32Item(f))
		}, finding.PCProperty},
		{"value HID past the heap", func(f *pstmut.File) {
			f.NodeHeap(s.msg).SetProp(idString8, ltp.TypeString8, pstmut.HID(0, 0x7FF))
		}, finding.PCProperty},
		{"value in a subnode that does not exist", func(f *pstmut.File) {
			f.NodeHeap(s.msg).SetProp(idBinary, ltp.TypeBinary, 0x7FFFFFE1)
		}, finding.PCProperty},
		{"heap of a table context", func(f *pstmut.File) {
			h := f.NodeHeap(s.msg)
			x := h.Header()
			x.ClientSig = ltp.ClientTC
			h.SetHeader(x)
		}, finding.HeapHeader},
		{"BTH of 4-byte keys", func(f *pstmut.File) { bth(f, func(x *pstmut.BTHHeader) { x.KeySize = 4 }) }, finding.BTHHeader},
		{"BTH of 8-byte entries", func(f *pstmut.File) { bth(f, func(x *pstmut.BTHHeader) { x.EntrySize = 8 }) }, finding.BTHHeader},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := s.edit(t)
			c.damage(f)
			pc, err := readNode(t, f.B, s.msg).openPC()
			if pc != nil {
				t.Errorf("a property context was returned")
			}
			wantCode(t, err, c.code)
		})
	}
}

// The properties of a heap whose subnodes are gone can still be named
// (PeekPC), though OpenPC refuses them: what the value slots hold is
// read, not followed.
func TestPeekPCWithoutSubnodes(t *testing.T) {
	s := testStore(t)
	n := readNode(t, s.b, s.msg)
	_, err := ltp.OpenPC(nil, n.blocks, n.res.Decode, nil)
	wantCode(t, err, finding.PCProperty)

	n = readNode(t, s.b, s.msg) // OpenPC decoded the blocks in place
	pc, err := ltp.PeekPC(nil, n.blocks, n.res.Decode)
	if err != nil {
		t.Fatal(err)
	}
	if len(pc.Props) != len(testProps()) {
		t.Errorf("%d properties, want %d", len(pc.Props), len(testProps()))
	}
	p, ok := pc.Get(idSubject)
	if !ok || string(pc.Bytes(p)) != string(pstwrite.UTF16(subject)) {
		t.Errorf("the subject reads %q", pc.Bytes(p))
	}

	// A table's heap is not a property context.
	tbl := readNode(t, s.b, contentsTable(s.many))
	_, err = ltp.PeekPC(nil, tbl.blocks, tbl.res.Decode)
	wantCode(t, err, finding.HeapHeader)
}

// A property context with a changed byte that OpenPC refuses whole is
// salvaged by SalvagePC with the properties it cannot vouch for left out
// and named: two records out of key order (one of them is dropped), and a
// page-map offset outside its block (the items it bounds are dropped).
func TestSalvagePCDamage(t *testing.T) {
	s := testStore(t)
	clean, err := readNode(t, s.b, s.msg).openPC()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		damage   func(f *pstmut.File)
		code     finding.Code // OpenPC's error
		dropCode finding.Code // each dropped property's
		maxLost  int
	}{
		{"two records swapped", func(f *pstmut.File) {
			h := f.NodeHeap(s.msg)
			recs := h.Records(h.Header().UserRoot)
			h.SwapRecords(recs[1], recs[2])
		}, finding.BTHRecords, finding.BTHRecords, 1},
		{"a page-map offset past its block", func(f *pstmut.File) {
			// The offset between two value items of the first block, not
			// the BTH's own items.
			h := f.NodeHeap(s.msg)
			bth := map[int]bool{int(h.Header().UserRoot) >> 5: true}
			for _, r := range h.Records(h.Header().UserRoot) {
				bth[int(r.Item)>>5] = true
			}
			for _, p := range clean.Props {
				if k := int(p.Value) >> 5; ltp.IsHID(p.Value) && p.Value>>16 == 0 && k > 1 && !bth[k] && !bth[k-1] {
					m := h.PageMap(0)
					m.Allocs[k-1] = 0xFFF0
					h.SetPageMap(0, m)
					return
				}
			}
			t.Fatal("no two value items side by side")
		}, finding.HeapPageMap, finding.PCProperty, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := s.edit(t)
			c.damage(f)
			n := readNode(t, f.B, s.msg)
			if _, err := n.openPC(); err == nil {
				t.Fatal("OpenPC takes the damaged heap")
			} else {
				wantCode(t, err, c.code)
			}
			n = readNode(t, f.B, s.msg) // OpenPC decoded the blocks in place
			pc, dropped, err := ltp.SalvagePC(nil, n.blocks, n.res.Decode, n.subnodeSet())
			if err != nil {
				t.Fatalf("SalvagePC: %v", err)
			}
			lost := len(clean.Props) - len(pc.Props)
			if lost < 1 || lost > c.maxLost || len(dropped) != lost {
				t.Errorf("%d of %d properties salvaged, %d dropped with a reason", len(pc.Props), len(clean.Props), len(dropped))
			}
			for _, d := range dropped {
				wantCode(t, d, c.dropCode)
			}
			for _, p := range pc.Props {
				if w, ok := clean.Get(p.ID); !ok || w.Type != p.Type || !bytes.Equal(clean.Bytes(w), pc.Bytes(p)) {
					t.Errorf("property 0x%04X salvaged unlike the clean one", p.ID)
				}
			}
		})
	}
}
