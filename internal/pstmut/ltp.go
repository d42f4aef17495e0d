package pstmut

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// This file locates and edits the LTP structures inside node data
// (MS-PST 2.3): the heap-on-node (HNHDR, page maps, items by HID), BTHs,
// property contexts and table contexts. Every edit goes through
// EditDecoded, so the blocks' checksums stay valid: the damage is
// structural, for the LTP and messaging layers to find.
//
// The readers trust the structure they are asked about (the samples are
// sound) but panic with a message, rather than misread, when it is not
// what they expect: a test that names the wrong node stops there.

// HID makes a heap item reference: block index (the heap page) and 1-based
// allocation index, hidType 0.
func HID(block, index int) uint32 { return uint32(block)<<16 | uint32(index&0x7FF)<<5 }

// HIDBlock and HIDIndex split a HID.
func HIDBlock(hid uint32) int { return int(hid >> 16) }
func HIDIndex(hid uint32) int { return int(hid>>5) & 0x7FF }

// IsHID reports whether an HNID names a heap item (hidType 0) rather than
// a subnode.
func IsHID(hnid uint32) bool { return hnid&0x1F == 0 }

// Heap is the heap-on-node of one node or subnode: its data blocks, each a
// heap page. It holds no bytes: every read decodes the file as it is now.
type Heap struct {
	f *File
	// Blocks are the data blocks in order: Blocks[i] is heap page i.
	Blocks []uint64
}

// Heap returns the heap whose data tree is rooted at bid.
func (f *File) Heap(bid uint64) *Heap { return &Heap{f: f, Blocks: f.DataBlocks(bid)} }

// NodeHeap returns the heap of top-level node nid (a folder, message,
// table, the message store).
func (f *File) NodeHeap(nid uint32) *Heap { return f.Heap(f.MustNode(nid).Data) }

// SubnodeHeap returns the heap of subnode sub of node nid (a recipient or
// attachment table, an attachment).
func (f *File) SubnodeHeap(nid, sub uint32) *Heap { return f.Heap(f.Subnode(nid, sub).Data) }

// Page returns a decoded copy of heap page i.
func (h *Heap) Page(i int) []byte { return h.f.Decoded(h.Blocks[i]) }

// EditPage lets edit change heap page i's decoded bytes, then re-encodes
// the block and fixes its CRC.
func (h *Heap) EditPage(i int, edit func(p []byte)) { h.f.EditDecoded(h.Blocks[i], edit) }

// HNHeader is the HNHDR at the start of a heap's first page.
type HNHeader struct {
	PageMap   uint16 // ibHnpm
	Sig       byte   // bSig, 0xEC
	ClientSig byte   // bClientSig: 0xBC PC, 0x7C TC, 0xB5 BTH, ...
	UserRoot  uint32 // hidUserRoot
	FillLevel uint32 // rgbFillLevel
}

// Header reads the heap's HNHDR.
func (h *Heap) Header() HNHeader {
	p := h.Page(0)
	return HNHeader{PageMap: binary.LittleEndian.Uint16(p), Sig: p[2], ClientSig: p[3],
		UserRoot: binary.LittleEndian.Uint32(p[4:]), FillLevel: binary.LittleEndian.Uint32(p[8:])}
}

// SetHeader writes the heap's HNHDR (block CRC fixed).
func (h *Heap) SetHeader(x HNHeader) {
	h.EditPage(0, func(p []byte) {
		binary.LittleEndian.PutUint16(p, x.PageMap)
		p[2], p[3] = x.Sig, x.ClientSig
		binary.LittleEndian.PutUint32(p[4:], x.UserRoot)
		binary.LittleEndian.PutUint32(p[8:], x.FillLevel)
	})
}

// PageMap is a heap page's HNPAGEMAP and where it is.
type PageMap struct {
	Off    int // ibHnpm: its offset in the page
	CAlloc int
	CFree  int
	// Allocs is rgibAlloc: cAlloc+1 offsets, item k (1-based) spanning
	// [Allocs[k-1], Allocs[k]).
	Allocs []uint16
}

// PageMap reads heap page i's HNPAGEMAP.
func (h *Heap) PageMap(i int) PageMap {
	return parsePageMap(h.Page(i), i)
}

func parsePageMap(p []byte, i int) PageMap {
	ib := int(binary.LittleEndian.Uint16(p))
	if ib+4 > len(p) {
		panic(fmt.Sprintf("pstmut: heap page %d page map offset %d past its %d bytes", i, ib, len(p)))
	}
	m := PageMap{Off: ib, CAlloc: int(binary.LittleEndian.Uint16(p[ib:])), CFree: int(binary.LittleEndian.Uint16(p[ib+2:]))}
	if ib+4+2*(m.CAlloc+1) > len(p) {
		panic(fmt.Sprintf("pstmut: heap page %d page map runs past the page", i))
	}
	for k := 0; k <= m.CAlloc; k++ {
		m.Allocs = append(m.Allocs, binary.LittleEndian.Uint16(p[ib+4+2*k:]))
	}
	return m
}

// SetPageMap writes heap page i's ibHnpm and, at that offset, cAlloc,
// cFree and rgibAlloc as m gives them (block CRC fixed). Allocs may hold
// more or fewer than CAlloc+1 offsets: a test can make them disagree.
func (h *Heap) SetPageMap(i int, m PageMap) {
	h.EditPage(i, func(p []byte) { putPageMap(p, m) })
}

func putPageMap(p []byte, m PageMap) {
	binary.LittleEndian.PutUint16(p, uint16(m.Off))
	binary.LittleEndian.PutUint16(p[m.Off:], uint16(m.CAlloc))
	binary.LittleEndian.PutUint16(p[m.Off+2:], uint16(m.CFree))
	for k, o := range m.Allocs {
		binary.LittleEndian.PutUint16(p[m.Off+4+2*k:], o)
	}
}

// ItemRange returns where heap item hid is: its page and its byte range
// in that page. It panics when hid names no allocation.
func (h *Heap) ItemRange(hid uint32) (page, start, end int) {
	page, k := HIDBlock(hid), HIDIndex(hid)
	if !IsHID(hid) || page >= len(h.Blocks) {
		panic(fmt.Sprintf("pstmut: HID 0x%X names no heap page", hid))
	}
	m := h.PageMap(page)
	if k == 0 || k > m.CAlloc {
		panic(fmt.Sprintf("pstmut: HID 0x%X names allocation %d of %d", hid, k, m.CAlloc))
	}
	return page, int(m.Allocs[k-1]), int(m.Allocs[k])
}

// Item returns a copy of heap item hid's bytes. HID 0 is the empty item.
func (h *Heap) Item(hid uint32) []byte {
	if hid == 0 {
		return nil
	}
	page, s, e := h.ItemRange(hid)
	return h.Page(page)[s:e]
}

// EditItem lets edit change heap item hid's bytes in place (block CRC
// fixed).
func (h *Heap) EditItem(hid uint32, edit func(b []byte)) {
	page, s, e := h.ItemRange(hid)
	h.EditPage(page, func(p []byte) { edit(p[s:e]) })
}

// Allocs returns the number of allocations (cAlloc) of heap page i: its
// items are HID(i, 1) to HID(i, Allocs(i)).
func (h *Heap) Allocs(i int) int { return h.PageMap(i).CAlloc }

// RemoveFromItem deletes n bytes at offset at of heap item hid, the way a
// writer shrinks an allocation: the items after it move down, their
// rgibAlloc entries with them, and the page map moves up to follow the
// last item (2-byte aligned), so the heap stays tightly packed. The
// block's size does not change; the bytes freed at the page's end are
// zeroed (dead space readers ignore).
func (h *Heap) RemoveFromItem(hid uint32, at, n int) {
	page, s, e := h.ItemRange(hid)
	if at < 0 || n < 0 || s+at+n > e {
		panic(fmt.Sprintf("pstmut: removing %d bytes at %d of the %d-byte item 0x%X", n, at, e-s, hid))
	}
	k := HIDIndex(hid)
	h.EditPage(page, func(p []byte) {
		m := parsePageMap(p, page)
		last := int(m.Allocs[m.CAlloc])
		copy(p[s+at:], p[s+at+n:last])
		for j := k; j <= m.CAlloc; j++ {
			m.Allocs[j] -= uint16(n)
		}
		mapEnd := m.Off + 4 + 2*(m.CAlloc+1)
		m.Off = (int(m.Allocs[m.CAlloc]) + 1) &^ 1
		clear(p[int(m.Allocs[m.CAlloc]):mapEnd])
		putPageMap(p, m)
	})
}

// ---- BTH ----

// BTHHeader is a BTHHEADER heap item.
type BTHHeader struct {
	Type      byte // bType, 0xB5
	KeySize   byte // cbKey
	EntrySize byte // cbEnt
	Levels    byte // bIdxLevels
	Root      uint32
}

// BTH reads the BTHHEADER at hid.
func (h *Heap) BTH(hid uint32) BTHHeader {
	b := h.Item(hid)
	if len(b) < 8 {
		panic(fmt.Sprintf("pstmut: heap item 0x%X is %d bytes, not a BTH header", hid, len(b)))
	}
	return BTHHeader{Type: b[0], KeySize: b[1], EntrySize: b[2], Levels: b[3], Root: binary.LittleEndian.Uint32(b[4:])}
}

// SetBTH writes the BTHHEADER at hid (block CRC fixed).
func (h *Heap) SetBTH(hid uint32, x BTHHeader) {
	h.EditItem(hid, func(b []byte) {
		b[0], b[1], b[2], b[3] = x.Type, x.KeySize, x.EntrySize, x.Levels
		binary.LittleEndian.PutUint32(b[4:], x.Root)
	})
}

// Record is one leaf record of a BTH and where it is.
type Record struct {
	Item uint32 // the HID of the leaf item holding it
	Off  int    // its offset in that item
	Key  []byte
	Data []byte
}

// Records returns the leaf records of the BTH whose header is at bth, in
// tree order (key order in a sound BTH).
func (h *Heap) Records(bth uint32) []Record {
	x := h.BTH(bth)
	if x.Root == 0 {
		return nil
	}
	var out []Record
	h.records(x, x.Root, int(x.Levels), &out)
	return out
}

func (h *Heap) records(x BTHHeader, hid uint32, level int, out *[]Record) {
	b := h.Item(hid)
	ks := int(x.KeySize)
	if level == 0 {
		rec := ks + int(x.EntrySize)
		for i := 0; i+rec <= len(b); i += rec {
			*out = append(*out, Record{Item: hid, Off: i, Key: b[i : i+ks], Data: b[i+ks : i+rec]})
		}
		return
	}
	for i := 0; i+ks+4 <= len(b); i += ks + 4 {
		h.records(x, binary.LittleEndian.Uint32(b[i+ks:]), level-1, out)
	}
}

// SetRecord writes r's key and data at r's place (block CRC fixed).
func (h *Heap) SetRecord(r Record) {
	h.EditItem(r.Item, func(b []byte) {
		copy(b[r.Off:], r.Key)
		copy(b[r.Off+len(r.Key):], r.Data)
	})
}

// SwapRecords exchanges the contents of two records of one BTH: each
// place gets the other's key and data.
func (h *Heap) SwapRecords(a, b Record) {
	h.SetRecord(Record{Item: a.Item, Off: a.Off, Key: b.Key, Data: b.Data})
	h.SetRecord(Record{Item: b.Item, Off: b.Off, Key: a.Key, Data: a.Data})
}

// SortRecords rewrites the BTH at bth so that its leaf records are in key
// order again (each record's place gets the next record in order), then
// sets every index record's key to the first key below it. A test that
// changes keys calls it to keep the damage to what it means to change.
func (h *Heap) SortRecords(bth uint32) {
	recs := h.Records(bth)
	sorted := make([]Record, len(recs))
	for i, r := range recs {
		sorted[i] = Record{Key: append([]byte(nil), r.Key...), Data: append([]byte(nil), r.Data...)}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return ltp.CompareKeys(sorted[i].Key, sorted[j].Key) < 0 })
	var changed []Record
	for i, r := range recs {
		if !bytes.Equal(r.Key, sorted[i].Key) || !bytes.Equal(r.Data, sorted[i].Data) {
			changed = append(changed, Record{Item: r.Item, Off: r.Off, Key: sorted[i].Key, Data: sorted[i].Data})
		}
	}
	h.setRecords(changed)
	h.fixIndexKeys(bth)
}

// setRecords writes records, decoding and encoding each heap page once.
func (h *Heap) setRecords(recs []Record) {
	byPage := map[int][]Record{}
	for _, r := range recs {
		byPage[HIDBlock(r.Item)] = append(byPage[HIDBlock(r.Item)], r)
	}
	for page, list := range byPage {
		h.EditPage(page, func(p []byte) {
			m := parsePageMap(p, page)
			for _, r := range list {
				s := int(m.Allocs[HIDIndex(r.Item)-1])
				copy(p[s+r.Off:], r.Key)
				copy(p[s+r.Off+len(r.Key):], r.Data)
			}
		})
	}
}

// RemoveRecord deletes leaf record r from the BTH at bth: its leaf item
// shrinks (RemoveFromItem) and the index keys are fixed. It panics when
// the record is the only one of a leaf under an index level, and clears
// the BTH's root when it removes the only record of a one-level BTH.
func (h *Heap) RemoveRecord(bth uint32, r Record) {
	x := h.BTH(bth)
	rec := len(r.Key) + len(r.Data)
	if len(h.Item(r.Item)) == rec {
		if x.Levels > 0 {
			panic("pstmut: removing the only record of a BTH leaf under an index")
		}
		x.Root = 0
		h.SetBTH(bth, x)
	}
	h.RemoveFromItem(r.Item, r.Off, rec)
	h.fixIndexKeys(bth)
}

func (h *Heap) fixIndexKeys(bth uint32) {
	x := h.BTH(bth)
	if x.Root == 0 || x.Levels == 0 {
		return
	}
	var first func(hid uint32, level int) []byte
	first = func(hid uint32, level int) []byte {
		b := h.Item(hid)
		ks := int(x.KeySize)
		if level == 0 {
			return b[:ks]
		}
		for i := 0; i+ks+4 <= len(b); i += ks + 4 {
			k := first(binary.LittleEndian.Uint32(b[i+ks:]), level-1)
			if !bytes.Equal(k, b[i:i+ks]) {
				off := i
				h.EditItem(hid, func(item []byte) { copy(item[off:], k) })
			}
		}
		return h.Item(hid)[:ks]
	}
	first(x.Root, int(x.Levels))
}

// ---- property context ----

// Prop is one property of a property context and the record holding it.
type Prop struct {
	ID, Type uint16
	// Value is the 4-byte slot: the value of an inline type (at most 4
	// bytes), else an HNID (a heap item, or a subnode when its low five
	// bits are not 0).
	Value uint32
	Record
}

// Props returns the properties of a property context: the records of the
// BTH at the heap's hidUserRoot.
func (h *Heap) Props() []Prop {
	var out []Prop
	for _, r := range h.Records(h.Header().UserRoot) {
		if len(r.Key) != 2 || len(r.Data) != 6 {
			panic("pstmut: the heap is not a property context (BTH of 2-byte keys and 6-byte entries)")
		}
		out = append(out, Prop{ID: binary.LittleEndian.Uint16(r.Key), Type: binary.LittleEndian.Uint16(r.Data),
			Value: binary.LittleEndian.Uint32(r.Data[2:]), Record: r})
	}
	return out
}

// Prop returns property id of a property context.
func (h *Heap) Prop(id uint16) (Prop, bool) {
	for _, p := range h.Props() {
		if p.ID == id {
			return p, true
		}
	}
	return Prop{}, false
}

// SetProp rewrites property id's type and value slot (block CRC fixed).
// It panics when the property is absent.
func (h *Heap) SetProp(id, typ uint16, value uint32) {
	p, ok := h.Prop(id)
	if !ok {
		panic(fmt.Sprintf("pstmut: no property 0x%04X", id))
	}
	binary.LittleEndian.PutUint16(p.Data, typ)
	binary.LittleEndian.PutUint32(p.Data[2:], value)
	h.SetRecord(p.Record)
}

// ---- table context ----

// Column is a TCOLDESC.
type Column struct {
	Tag    uint32 // property ID << 16 | type
	Offset int    // ibData
	Size   int    // cbData
	Bit    int    // iBit
}

// TCInfo is a TCINFO: the table's header.
type TCInfo struct {
	Cols     int    // cCols
	Ib       [4]int // rgib: TCI_4b, TCI_2b, TCI_1b, TCI_bm (the row size)
	RowIndex uint32 // hidRowIndex
	Rows     uint32 // hnidRows: a HID, a subnode NID, or 0
	Index    uint32 // hidIndex (deprecated)
	Columns  []Column
}

// TCInfo reads the TCINFO at the heap's hidUserRoot.
func (h *Heap) TCInfo() TCInfo {
	b := h.Item(h.Header().UserRoot)
	if len(b) < 22 || b[0] != 0x7C {
		panic("pstmut: the heap is not a table context")
	}
	t := TCInfo{Cols: int(b[1]), RowIndex: binary.LittleEndian.Uint32(b[10:]),
		Rows: binary.LittleEndian.Uint32(b[14:]), Index: binary.LittleEndian.Uint32(b[18:])}
	for i := range t.Ib {
		t.Ib[i] = int(binary.LittleEndian.Uint16(b[2+2*i:]))
	}
	for i := 0; i < t.Cols && 22+8*i+8 <= len(b); i++ {
		d := b[22+8*i:]
		t.Columns = append(t.Columns, Column{Tag: binary.LittleEndian.Uint32(d),
			Offset: int(binary.LittleEndian.Uint16(d[4:])), Size: int(d[6]), Bit: int(d[7])})
	}
	return t
}

// SetTCInfo writes a TCINFO's fields and its column descriptions (those
// that fit in the item) as t gives them, consistent or not (block CRC
// fixed).
func (h *Heap) SetTCInfo(t TCInfo) {
	h.EditItem(h.Header().UserRoot, func(b []byte) {
		b[1] = byte(t.Cols)
		for i, v := range t.Ib {
			binary.LittleEndian.PutUint16(b[2+2*i:], uint16(v))
		}
		binary.LittleEndian.PutUint32(b[10:], t.RowIndex)
		binary.LittleEndian.PutUint32(b[14:], t.Rows)
		binary.LittleEndian.PutUint32(b[18:], t.Index)
		for i, c := range t.Columns {
			if 22+8*i+8 > len(b) {
				break
			}
			d := b[22+8*i:]
			binary.LittleEndian.PutUint32(d, c.Tag)
			binary.LittleEndian.PutUint16(d[4:], uint16(c.Offset))
			d[6], d[7] = byte(c.Size), byte(c.Bit)
		}
	})
}

// Table is a table context located in the file: its heap, its TCINFO as
// read when located, and where each row of its row matrix is. The row
// matrix is a heap item (small tables) or the data of a subnode of the
// table's node; rows never straddle the subnode's blocks.
type Table struct {
	f    *File
	Heap *Heap
	Info TCInfo
	// MatrixBlocks are the data blocks of the row matrix when it is in a
	// subnode (nil when it is a heap item or absent), and MatrixData the
	// root of that subnode's data tree (a data block or an XBLOCK).
	MatrixBlocks []uint64
	MatrixData   uint64
	slots        []rowSlot
}

type rowSlot struct {
	block uint64 // the subnode's data block, 0 for a heap item
	off   int    // offset in the block, or in the heap item
}

// NodeTable locates the table context of top-level node nid (a folder's
// hierarchy, contents or FAI contents table).
func (f *File) NodeTable(nid uint32) *Table {
	n := f.MustNode(nid)
	return f.table(n.Data, n.Sub)
}

// SubnodeTable locates the table context in subnode sub of node nid (a
// message's recipient table 0x692 or attachment table 0x671).
func (f *File) SubnodeTable(nid, sub uint32) *Table {
	s := f.Subnode(nid, sub)
	return f.table(s.Data, s.Sub)
}

func (f *File) table(data, sub uint64) *Table {
	t := &Table{f: f, Heap: f.Heap(data)}
	t.Info = t.Heap.TCInfo()
	rs := t.Info.Ib[3]
	switch rows := t.Info.Rows; {
	case rows == 0 || rs == 0:
	case IsHID(rows):
		n := len(t.Heap.Item(rows))
		for o := 0; o+rs <= n; o += rs {
			t.slots = append(t.slots, rowSlot{off: o})
		}
	default:
		s, ok := f.Subnodes(sub)[rows]
		if !ok {
			panic(fmt.Sprintf("pstmut: the row matrix subnode 0x%X does not exist", rows))
		}
		t.MatrixData = s.Data &^ 1
		t.MatrixBlocks = f.DataBlocks(s.Data)
		for _, b := range t.MatrixBlocks {
			n := len(f.Decoded(b))
			for o := 0; o+rs <= n; o += rs {
				t.slots = append(t.slots, rowSlot{block: b, off: o})
			}
		}
	}
	return t
}

// RowIndex returns the row index's records (key dwRowID, data dwRowIndex:
// 4 bytes in Unicode files, 2 in ANSI ones).
func (t *Table) RowIndex() []Record { return t.Heap.Records(t.Info.RowIndex) }

// Len is the number of rows: the row index's record count.
func (t *Table) Len() int { return len(t.RowIndex()) }

// Row returns a copy of row i of the row matrix.
func (t *Table) Row(i int) []byte {
	s, rs := t.slots[i], t.Info.Ib[3]
	if s.block == 0 {
		return t.Heap.Item(t.Info.Rows)[s.off : s.off+rs]
	}
	return t.f.Decoded(s.block)[s.off : s.off+rs]
}

// EditRow lets edit change row i of the row matrix in place (block CRC
// fixed).
func (t *Table) EditRow(i int, edit func(row []byte)) {
	s, rs := t.slots[i], t.Info.Ib[3]
	if s.block == 0 {
		t.Heap.EditItem(t.Info.Rows, func(b []byte) { edit(b[s.off : s.off+rs]) })
		return
	}
	t.f.EditDecoded(s.block, func(b []byte) { edit(b[s.off : s.off+rs]) })
}

// RowID returns row i's dwRowID (PidTagLtpRowId, at offset 0): for
// hierarchy tables a subfolder NID, for contents tables a message NID,
// for attachment tables an attachment subnode NID.
func (t *Table) RowID(i int) uint32 { return binary.LittleEndian.Uint32(t.Row(i)) }

// RowIDs returns the row IDs of the first Len rows, in row order.
func (t *Table) RowIDs() []uint32 {
	out := make([]uint32, t.Len())
	for i := range out {
		out[i] = t.RowID(i)
	}
	return out
}

// SetRowID writes row i's dwRowID in the row matrix only: the row index
// no longer agrees with it.
func (t *Table) SetRowID(i int, id uint32) {
	t.EditRow(i, func(row []byte) { binary.LittleEndian.PutUint32(row, id) })
}

// Find returns the row index of row ID id (from the row index), or -1.
func (t *Table) Find(id uint32) int {
	for _, r := range t.RowIndex() {
		if binary.LittleEndian.Uint32(r.Key) == id {
			return int(le(r.Data))
		}
	}
	return -1
}

func le(b []byte) uint32 {
	if len(b) == 2 {
		return uint32(binary.LittleEndian.Uint16(b))
	}
	return binary.LittleEndian.Uint32(b)
}

func putLE(b []byte, v uint32) {
	if len(b) == 2 {
		binary.LittleEndian.PutUint16(b, uint16(v))
		return
	}
	binary.LittleEndian.PutUint32(b, v)
}

// Column returns the column with tag.
func (t *Table) Column(tag uint32) (Column, bool) {
	for _, c := range t.Info.Columns {
		if c.Tag == tag {
			return c, true
		}
	}
	return Column{}, false
}

// Cell returns the 4-byte slot of row i's column tag (an inline value or
// an HNID) and whether the cell exists (its bit in the row's cell
// existence bitmap is set).
func (t *Table) Cell(i int, tag uint32) (uint32, bool) {
	c, ok := t.Column(tag)
	if !ok || c.Size != 4 {
		panic(fmt.Sprintf("pstmut: no 4-byte column 0x%08X", tag))
	}
	row := t.Row(i)
	exists := row[t.Info.Ib[2]+c.Bit/8]&(0x80>>(c.Bit%8)) != 0
	return binary.LittleEndian.Uint32(row[c.Offset:]), exists
}

// SetCell writes the 4-byte slot of row i's column tag (the existence bit
// is left as it is).
func (t *Table) SetCell(i int, tag uint32, v uint32) {
	c, ok := t.Column(tag)
	if !ok || c.Size != 4 {
		panic(fmt.Sprintf("pstmut: no 4-byte column 0x%08X", tag))
	}
	t.EditRow(i, func(row []byte) { binary.LittleEndian.PutUint32(row[c.Offset:], v) })
}

// SetRowNID renames row old to id consistently, as a writer would have:
// the row's dwRowID in the matrix and its key in the row index, which is
// then sorted again. A hierarchy or contents table then lists another
// folder or message, sound as a table.
func (t *Table) SetRowNID(old, id uint32) {
	i := t.Find(old)
	if i < 0 {
		panic(fmt.Sprintf("pstmut: the table has no row 0x%X", old))
	}
	t.SetRowID(i, id)
	for _, r := range t.RowIndex() {
		if binary.LittleEndian.Uint32(r.Key) == old {
			binary.LittleEndian.PutUint32(r.Key, id)
			t.Heap.SetRecord(r)
		}
	}
	t.Heap.SortRecords(t.Info.RowIndex)
}

// RemoveRow deletes row id consistently: the table's last row moves into
// its place in the matrix (its row index entry follows), the row index
// record of id is removed, and the row matrix shrinks by a row: its heap
// item, or the last block of its subnode (ShrinkBlock, with the XBLOCK's
// lcbTotal). The table is sound, one row shorter, its matrix holding
// exactly the rows its index lists. It panics when the subnode's last
// block holds only the row to drop.
func (t *Table) RemoveRow(id uint32) {
	i := t.Find(id)
	if i < 0 {
		panic(fmt.Sprintf("pstmut: the table has no row 0x%X", id))
	}
	last := t.Len() - 1
	if i != last {
		moved := t.Row(last)
		t.EditRow(i, func(row []byte) { copy(row, moved) })
		for _, r := range t.RowIndex() {
			if int(le(r.Data)) == last {
				putLE(r.Data, uint32(i))
				t.Heap.SetRecord(r)
			}
		}
	}
	for _, r := range t.RowIndex() {
		if binary.LittleEndian.Uint32(r.Key) == id {
			t.Heap.RemoveRecord(t.Info.RowIndex, r)
			break
		}
	}
	rs := t.Info.Ib[3]
	switch {
	case t.Info.Rows == 0:
	case IsHID(t.Info.Rows):
		t.Heap.RemoveFromItem(t.Info.Rows, last*rs, rs)
	default:
		s := t.slots[last]
		if s.off == 0 {
			panic("pstmut: the row matrix's last block holds one row; dropping the block is not supported")
		}
		t.f.ShrinkBlock(s.block, uint16(s.off))
		if ndb.IsInternal(t.MatrixData) {
			_, _, _, total := t.f.InternalHeader(t.MatrixData)
			t.f.SetLcbTotal(t.MatrixData, total-uint32(rs))
		}
	}
	t.slots = t.slots[:last]
}
