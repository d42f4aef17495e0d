package ltp_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Tags of the recipient table's columns the tests read.
const (
	nidRecipients = 0x692 // a message's recipient table subnode
	tagName       = idName<<16 | ltp.TypeString
	tagRecipType  = idRecipType<<16 | ltp.TypeInt32
	tagInt64      = idInt64<<16 | ltp.TypeInt64
	tagBool       = idBool<<16 | ltp.TypeBoolean
	tagGUID       = idGUID<<16 | ltp.TypeGUID
	tagSubject    = idSubject<<16 | ltp.TypeString
	// Every row has a row ID and a row version (MS-PST 2.3.4.4).
	propRowID      = 0x67F2
	propRowVersion = 0x67F3
)

// contentsTable is the NID of a folder's contents table.
func contentsTable(folder uint32) uint32 { return folder&^0x1F | ndb.NIDTypeContentsTable }

// A small table keeps its row matrix in the heap. Each row holds its
// fixed-size values up to 8 bytes in the row itself and anything else as
// an HNID; the cell existence bitmap says which cells the row has.
func TestTCRowsInHeap(t *testing.T) {
	s := testStore(t)
	n := readSubnode(t, s.b, s.msg, nidRecipients)
	tc, err := n.openTC()
	if err != nil {
		t.Fatal(err)
	}
	if len(tc.RowIDs) != 2 || tc.RowIDs[0] == tc.RowIDs[1] {
		t.Fatalf("row IDs %#x, want two", tc.RowIDs)
	}
	sizes := map[uint32]int{}
	for _, c := range tc.Columns {
		sizes[c.Tag] = c.Size
	}
	for tag, want := range map[uint32]int{tagName: 4, tagRecipType: 4, tagInt64: 8, tagBool: 1, tagGUID: 4} {
		if sizes[tag] != want {
			t.Errorf("column 0x%08X is %d bytes, want %d", tag, sizes[tag], want)
		}
	}

	// Row 0 has every cell; row 1 only its recipient type.
	if v, ok := tc.Cell(0, tagName); !ok || heapString(t, tc, v) != "Ann" {
		t.Errorf("row 0 name cell 0x%X, %v", v, ok)
	}
	if _, ok := tc.Cell(1, tagName); ok {
		t.Errorf("row 1 has a name cell")
	}
	for row, want := range []uint32{1, 2} {
		if v, ok := tc.Cell(row, tagRecipType); !ok || v != want {
			t.Errorf("row %d recipient type %d, %v; want %d", row, v, ok, want)
		}
	}
	if _, ok := tc.Cell(0, 0x6FFF0003); ok {
		t.Errorf("a cell of a column the table does not have")
	}
	cells := map[uint32][]byte{}
	tc.RowCells(0, func(c ltp.Column, cell []byte) { cells[c.Tag] = cell })
	if v := cells[tagInt64]; len(v) != 8 || binary.LittleEndian.Uint64(v) != 7 {
		t.Errorf("row 0 Int64 cell % X", v)
	}
	if v := cells[tagBool]; len(v) != 1 || v[0] != 1 {
		t.Errorf("row 0 boolean cell % X", v)
	}
	if v := cells[tagGUID]; len(v) != 4 {
		t.Errorf("row 0 GUID cell % X", v)
	} else if g, err := tc.Heap.Item(ltp.HID(binary.LittleEndian.Uint32(v))); err != nil || string(g) != string(valGUID[:]) {
		t.Errorf("row 0 GUID % X, %v", g, err)
	}
	tc.RowCells(1, func(c ltp.Column, cell []byte) {
		if id := c.Tag >> 16; c.Tag != tagRecipType && id != propRowID && id != propRowVersion {
			t.Errorf("row 1 has a cell for column 0x%08X", c.Tag)
		}
	})
}

// heapString reads the UTF-16LE string in heap item hnid.
func heapString(t *testing.T, tc *ltp.TC, hnid uint32) string {
	t.Helper()
	b, err := tc.Heap.Item(ltp.HID(hnid))
	if err != nil {
		t.Fatal(err)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// A large table keeps its row matrix in a subnode of several blocks,
// each holding whole rows (the rest of a block is padding): every row is
// found, each where the row index says.
func TestTCRowsInSubnode(t *testing.T) {
	s := testStore(t)
	if blocks := s.edit(t).NodeTable(contentsTable(s.many)).MatrixBlocks; len(blocks) < 2 {
		t.Fatalf("the row matrix is in %d blocks: the fixture does not test what it should", len(blocks))
	}
	n := readNode(t, s.b, contentsTable(s.many))
	tc, err := n.openTC()
	if err != nil {
		t.Fatal(err)
	}
	var want []uint32
	for _, e := range n.res.NBT.All() {
		if e.Parent == s.many && e.NID&0x1F == ndb.NIDTypeMessage {
			want = append(want, e.NID)
		}
	}
	if got := slices.Sorted(slices.Values(tc.RowIDs)); !slices.Equal(got, want) {
		t.Errorf("%d rows, want the folder's %d messages", len(got), len(want))
	}
	subjects := map[string]bool{}
	for row := range tc.RowIDs {
		v, ok := tc.Cell(row, tagSubject)
		if !ok {
			t.Fatalf("row %d has no subject", row)
		}
		subjects[heapString(t, tc, v)] = true
	}
	for i := range manyItems {
		if !subjects[fmt.Sprintf("message %d", i)] {
			t.Errorf("no row has the subject of message %d", i)
		}
	}
}

// Every table context of the sample stores opens, its row IDs unique.
func TestTCSamples(t *testing.T) {
	keep := ofType(ndb.NIDTypeHierarchyTable, ndb.NIDTypeContentsTable, ndb.NIDTypeAssocContents)
	eachSampleNode(t, keep, func(p string, nid uint32, n nodeData) {
		tc, err := n.openTC()
		if err != nil {
			t.Errorf("%s: table 0x%X: %v", p, nid, err)
			return
		}
		if ids := slices.Compact(slices.Sorted(slices.Values(tc.RowIDs))); len(ids) != len(tc.RowIDs) {
			t.Errorf("%s: table 0x%X repeats a row ID", p, nid)
		}
	})
}

// A damaged table gives a coded error: its layout (TCINFO), its rows
// (row index against row matrix) or one of its cells.
func TestTCDamage(t *testing.T) {
	s := testStore(t)
	recipients := func(f *pstmut.File) *pstmut.Table { return f.SubnodeTable(s.msg, nidRecipients) }
	info := func(f *pstmut.File, edit func(i *pstmut.TCInfo)) {
		tb := recipients(f)
		x := tb.Info
		x.Columns = slices.Clone(x.Columns)
		edit(&x)
		tb.Heap.SetTCInfo(x)
	}
	column := func(x *pstmut.TCInfo, tag uint32) *pstmut.Column {
		for i := range x.Columns {
			if x.Columns[i].Tag == tag {
				return &x.Columns[i]
			}
		}
		panic(fmt.Sprintf("no column 0x%08X", tag))
	}
	for _, c := range []struct {
		name   string
		damage func(f *pstmut.File)
		code   finding.Code
	}{
		{"heap of a property context", func(f *pstmut.File) {
			h := recipients(f).Heap
			x := h.Header()
			x.ClientSig = ltp.ClientPC
			h.SetHeader(x)
		}, finding.HeapHeader},
		{"TCINFO of another type", func(f *pstmut.File) {
			h := recipients(f).Heap
			h.EditItem(h.Header().UserRoot, func(b []byte) { b[0] = 0x7D })
		}, finding.TCInfo},
		{"TCINFO shorter than its columns", func(f *pstmut.File) { info(f, func(x *pstmut.TCInfo) { x.Cols++ }) }, finding.TCInfo},
		{"row layout out of order", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) { x.Ib[0], x.Ib[1] = x.Ib[1]+1, x.Ib[0] })
		}, finding.TCInfo},
		{"existence bitmap of the wrong size", func(f *pstmut.File) { info(f, func(x *pstmut.TCInfo) { x.Ib[3]++ }) }, finding.TCInfo},
		{"4-byte cell past the 4-byte area", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) { column(x, tagRecipType).Offset = x.Ib[0] - 2 })
		}, finding.TCInfo},
		{"two columns with one bit", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) { column(x, tagRecipType).Bit = column(x, tagName).Bit })
		}, finding.TCInfo},
		{"bit past the bitmap", func(f *pstmut.File) { info(f, func(x *pstmut.TCInfo) { column(x, tagName).Bit = x.Cols }) }, finding.TCInfo},
		{"column of no type", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) { column(x, tagRecipType).Tag = idRecipType<<16 | 0x0999 })
		}, finding.TCInfo},
		{"string cell of 3 bytes", func(f *pstmut.File) { info(f, func(x *pstmut.TCInfo) { column(x, tagName).Size = 3 }) }, finding.TCInfo},
		{"GUID cell of 8 bytes", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) {
				g := column(x, tagGUID)
				if g.Offset+8 > x.Ib[0] {
					g.Offset = x.Ib[0] - 8
				}
				g.Size = 8
			})
		}, finding.TCInfo},
		{"row index of 8-byte entries", func(f *pstmut.File) {
			tb := recipients(f)
			x := tb.Heap.BTH(tb.Info.RowIndex)
			x.EntrySize = 8
			tb.Heap.SetBTH(tb.Info.RowIndex, x)
		}, finding.TCRows},
		{"row ID differs from the row index", func(f *pstmut.File) { recipients(f).SetRowID(0, 0xDEAD) }, finding.TCRows},
		{"two row IDs on one row", func(f *pstmut.File) {
			tb := recipients(f)
			r := tb.RowIndex()[1]
			clear(r.Data)
			tb.Heap.SetRecord(r)
		}, finding.TCRows},
		{"row past the matrix", func(f *pstmut.File) {
			tb := recipients(f)
			r := tb.RowIndex()[1]
			binary.LittleEndian.PutUint32(r.Data, 9)
			tb.Heap.SetRecord(r)
		}, finding.TCRows},
		{"row index shorter than the matrix", func(f *pstmut.File) {
			tb := recipients(f)
			tb.Heap.RemoveRecord(tb.Info.RowIndex, tb.RowIndex()[1])
		}, finding.TCRows},
		{"row matrix HID names nothing", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) { x.Rows = pstmut.HID(0, 0x7FF) })
		}, finding.TCRows},
		{"row matrix in a subnode that does not exist", func(f *pstmut.File) {
			info(f, func(x *pstmut.TCInfo) { x.Rows = 0x7FFFFFE1 })
		}, finding.TCRows},
		{"cell HID names nothing", func(f *pstmut.File) { recipients(f).SetCell(0, tagName, pstmut.HID(0, 0x7FF)) }, finding.TCCell},
		{"cell in a subnode that does not exist", func(f *pstmut.File) { recipients(f).SetCell(0, tagName, 0x7FFFFFE1) }, finding.TCCell},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := s.edit(t)
			c.damage(f)
			tc, err := readSubnode(t, f.B, s.msg, nidRecipients).openTC()
			if tc != nil {
				t.Errorf("a table was returned")
			}
			wantCode(t, err, c.code)
		})
	}
}

// A row matrix in a subnode is read through the caller: a subnode that
// is not there, or cannot be read, fails the table.
func TestTCRowMatrixSubnode(t *testing.T) {
	s := testStore(t)
	n := readNode(t, s.b, contentsTable(s.many))
	_, err := ltp.OpenTC(nil, n.blocks, n.res.Decode, nil, n.rowReader())
	wantCode(t, err, finding.TCRows)

	n = readNode(t, s.b, contentsTable(s.many))
	lost := &ndb.ReadError{Code: finding.NodeBlockMissing, Detail: "block lost"}
	_, err = ltp.OpenTC(nil, n.blocks, n.res.Decode, n.subnodeSet(), func(uint32) ([]ndb.Block, error) { return nil, lost })
	if !errors.Is(err, lost) {
		t.Errorf("got %v, want the reader's error", err)
	}
}

// A table's rows are in the blocks of its row matrix, in order, or in its
// heap's block when the heap holds them; RowMatrixOf names the subnode
// that holds them (0: the heap), read from the heap alone, with how many
// rows the index lists and their size.
func TestTCRowBlock(t *testing.T) {
	s := testStore(t)
	pages := func(n nodeData) *ltp.Pages {
		p := &ltp.Pages{Blocks: n.blocks}
		for _, b := range n.blocks {
			p.Sizes = append(p.Sizes, len(b.Data))
		}
		p.Read = func(i int, buf []byte) ([]byte, error) { return append(buf[:0], n.blocks[i].Data...), nil }
		return p
	}

	n := readNode(t, s.b, contentsTable(s.many))
	var matrix uint32
	for nid := range n.subs {
		if nid&0x1F == ndb.NIDTypeLTP {
			matrix = nid
		}
	}
	shape, err := ltp.RowMatrixOf(nil, pages(n), n.res.Decode)
	if err != nil || shape.NID != matrix || matrix == 0 {
		t.Fatalf("row matrix subnode 0x%X (%v), want 0x%X", shape.NID, err, matrix)
	}
	blocks, err := n.res.ReadBlocks(n.subs[matrix].Data, nil)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := n.openTC()
	if err != nil {
		t.Fatal(err)
	}
	if shape.Rows != len(tc.RowIDs) || shape.RowSize != tc.RowSize {
		t.Errorf("%d rows of %d bytes; the table has %d of %d", shape.Rows, shape.RowSize, len(tc.RowIDs), tc.RowSize)
	}
	seen := map[uint64]bool{}
	at := 0
	for r := range tc.RowIDs {
		for at < len(blocks) && blocks[at].BID != tc.RowBlock(r) {
			at++
		}
		if at == len(blocks) {
			t.Fatalf("row %d is in block 0x%X, not the next of the matrix's", r, tc.RowBlock(r))
		}
		seen[blocks[at].BID] = true
	}
	if len(seen) != len(blocks) || tc.RowBlock(len(tc.RowIDs)) != 0 {
		t.Errorf("rows in %d of the matrix's %d blocks; past the last row: 0x%X", len(seen), len(blocks), tc.RowBlock(len(tc.RowIDs)))
	}

	n = readSubnode(t, s.b, s.msg, nidRecipients)
	if got, err := ltp.RowMatrixOf(nil, pages(n), n.res.Decode); err != nil || got.NID != 0 {
		t.Errorf("row matrix subnode 0x%X (%v) of a table whose heap holds its rows", got.NID, err)
	}
	if tc, err = n.openTC(); err != nil {
		t.Fatal(err)
	}
	if tc.RowBlock(0) != n.blocks[0].BID {
		t.Errorf("row 0 of a table whose heap holds its rows is in block 0x%X, want 0x%X", tc.RowBlock(0), n.blocks[0].BID)
	}
}
