package ltp

import (
	"encoding/binary"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Column is a TCOLDESC.
type Column struct {
	Tag    uint32 // property ID << 16 | type
	Offset int    // ibData
	Size   int    // cbData
	Bit    int    // iBit in the cell existence bitmap
}

// Type is the column's property type.
func (c Column) Type() uint16 { return uint16(c.Tag) }

// TC is a validated table context.
type TC struct {
	Heap    *Heap
	Columns []Column
	RowSize int
	// RowIDs are the rows' dwRowID values in row order: for hierarchy
	// tables the subfolder NIDs, for contents tables the message NIDs, for
	// attachment tables the attachment subnode NIDs.
	RowIDs []uint32
	rows   [][]byte
	ceb    int // offset of the cell existence bitmap in a row
}

// RowReader returns the row matrix's data blocks, decoded, when it is
// stored in a subnode rather than in the heap.
type RowReader func(nid uint32) ([][]byte, error)

// OpenTC validates a table context: TCINFO consistent with its columns
// and row size, the row index BTH, the row matrix holding every indexed
// row with matching row IDs, and every existing variable-size cell's
// value reachable. The row index's entries are 4 bytes in Unicode files
// and 2 in ANSI ones.
func OpenTC(blocks []ndb.Block, decode Decoder, subnodes SubnodeSet, readRows RowReader) (*TC, error) {
	h, err := OpenHeap(blocks, decode)
	if err != nil {
		return nil, err
	}
	if h.ClientSig != ClientTC {
		return nil, errorf(finding.HeapHeader, "heap client signature 0x%02X, want 0x7C (table context)", h.ClientSig)
	}
	info, err := h.Item(h.UserRoot)
	if err != nil {
		return nil, err
	}
	if len(info) < 22 || info[0] != ClientTC {
		return nil, errorf(finding.TCInfo, "TCINFO is %d bytes of type 0x%02X", len(info), firstByte(info))
	}
	cCols := int(info[1])
	var ib [4]int
	for i := range ib {
		ib[i] = int(binary.LittleEndian.Uint16(info[2+2*i:]))
	}
	if len(info) != 22+8*cCols {
		return nil, errorf(finding.TCInfo, "TCINFO is %d bytes for %d columns (want %d)", len(info), cCols, 22+8*cCols)
	}
	if !(ib[0] <= ib[1] && ib[1] <= ib[2] && ib[2] <= ib[3]) || ib[3]-ib[2] != (cCols+7)/8 || ib[0] < 4 {
		return nil, errorf(finding.TCInfo, "TCINFO row layout offsets %v do not fit %d columns", ib, cCols)
	}
	tc := &TC{Heap: h, RowSize: ib[3], ceb: ib[2]}
	bits := map[int]bool{}
	for i := 0; i < cCols; i++ {
		d := info[22+8*i:]
		c := Column{Tag: binary.LittleEndian.Uint32(d), Offset: int(binary.LittleEndian.Uint16(d[4:])), Size: int(d[6]), Bit: int(d[7])}
		lo, hi := 0, ib[0]
		switch c.Size {
		case 2:
			lo, hi = ib[0], ib[1]
		case 1:
			lo, hi = ib[1], ib[2]
		}
		if c.Size == 0 || c.Offset < lo || c.Offset+c.Size > hi || c.Bit >= cCols || bits[c.Bit] || fixedSize(c.Type()) < 0 {
			return nil, errorf(finding.TCInfo, "column %d (tag 0x%08X) at %d+%d, bit %d does not fit the row layout %v", i, c.Tag, c.Offset, c.Size, c.Bit, ib)
		}
		// A value no row holds (variable-size, or over 8 bytes) is there
		// as a 4-byte HNID: a cell of another size cannot be followed.
		if n := fixedSize(c.Type()); (n == 0 || n > 8) && c.Size != 4 {
			return nil, errorf(finding.TCInfo, "column %d (tag 0x%08X) is %d bytes; its values are HNIDs of 4", i, c.Tag, c.Size)
		}
		bits[c.Bit] = true
		tc.Columns = append(tc.Columns, c)
	}

	// Row index: dwRowID -> dwRowIndex.
	ri, err := OpenBTH(h, HID(binary.LittleEndian.Uint32(info[10:])))
	if err != nil {
		return nil, err
	}
	if ri.KeySize != 4 || (ri.EntrySize != 4 && ri.EntrySize != 2) {
		return nil, errorf(finding.TCRows, "row index has %d-byte keys and %d-byte entries", ri.KeySize, ri.EntrySize)
	}
	index := map[uint32]int{}
	err = ri.Walk(func(key, data []byte) error {
		n := int(binary.LittleEndian.Uint16(data))
		if len(data) == 4 {
			n = int(binary.LittleEndian.Uint32(data))
		}
		index[binary.LittleEndian.Uint32(key)] = n
		return nil
	})
	if err != nil {
		return nil, err
	}

	// Row matrix: in the heap (small tables) or in a subnode.
	hnidRows := binary.LittleEndian.Uint32(info[14:])
	var matrix [][]byte
	switch {
	case hnidRows == 0:
	case IsHID(hnidRows):
		b, err := h.Item(HID(hnidRows))
		if err != nil {
			return nil, errorf(finding.TCRows, "row matrix: %s", err.Error())
		}
		matrix = [][]byte{b}
	default:
		if subnodes == nil || !subnodes(hnidRows) {
			return nil, errorf(finding.TCRows, "row matrix subnode 0x%X does not exist", hnidRows)
		}
		if matrix, err = readRows(hnidRows); err != nil {
			return nil, err
		}
	}
	// Rows never straddle blocks: each block holds as many whole rows as
	// fit, the rest of it is padding.
	if tc.RowSize > 0 {
		for _, b := range matrix {
			for r := 0; r+tc.RowSize <= len(b); r += tc.RowSize {
				tc.rows = append(tc.rows, b[r:r+tc.RowSize])
			}
		}
	}
	// Outlook keeps the two exactly in step (every table of the samples):
	// a matrix with more rows than the index hides the rest.
	if len(index) != len(tc.rows) {
		return nil, errorf(finding.TCRows, "row index lists %d rows, the row matrix holds %d", len(index), len(tc.rows))
	}
	tc.rows = tc.rows[:len(index)]
	tc.RowIDs = make([]uint32, len(tc.rows))
	filled := make([]bool, len(tc.rows))
	for id, n := range index {
		if n < 0 || n >= len(tc.rows) || filled[n] {
			return nil, errorf(finding.TCRows, "row index maps row ID 0x%X to row %d of %d", id, n, len(tc.rows))
		}
		if got := binary.LittleEndian.Uint32(tc.rows[n]); got != id {
			return nil, errorf(finding.TCRows, "row %d has row ID 0x%X, the row index says 0x%X", n, got, id)
		}
		filled[n] = true
		tc.RowIDs[n] = id
	}
	for n, row := range tc.rows {
		for _, c := range tc.Columns {
			if !tc.exists(row, c) || Inline(c.Type()) || c.Size != 4 {
				continue
			}
			if err := checkValue(h, subnodes, c.Type(), binary.LittleEndian.Uint32(row[c.Offset:])); err != nil {
				return nil, errorf(finding.TCCell, "row %d column 0x%08X: %s", n, c.Tag, err.Detail)
			}
		}
	}
	return tc, nil
}

func (tc *TC) exists(row []byte, c Column) bool {
	return row[tc.ceb+c.Bit/8]&(0x80>>(c.Bit%8)) != 0
}

// Cell returns the 4-byte slot of a row's column (value or HNID), or false
// when the column is absent or the cell does not exist.
func (tc *TC) Cell(row int, tag uint32) (uint32, bool) {
	for _, c := range tc.Columns {
		if c.Tag == tag && c.Size >= 4 && tc.exists(tc.rows[row], c) {
			return binary.LittleEndian.Uint32(tc.rows[row][c.Offset:]), true
		}
	}
	return 0, false
}

// RowCells calls yield with every existing cell of row r: its column and
// its bytes in the row (the value for fixed-size types up to 8 bytes, else
// a 4-byte HNID).
func (tc *TC) RowCells(r int, yield func(c Column, cell []byte)) {
	row := tc.rows[r]
	for _, c := range tc.Columns {
		if tc.exists(row, c) {
			yield(c, row[c.Offset:c.Offset+c.Size])
		}
	}
}
