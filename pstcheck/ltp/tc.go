package ltp

import (
	"encoding/binary"
	"slices"
	"sort"

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
	rows   rowMatrix
	ceb    int // offset of the cell existence bitmap in a row
	// refCols are the columns whose cells name a heap item or a subnode
	// (checkRows follows them), found once: a column's type looked up for
	// every cell of every row cost more than checking the cells.
	refCols []Column
	// listing: the table was read for its listing (OpenTCListing); a row
	// is used only when it holds the row ID the index gives it.
	listing bool
}

// RowReader returns the row matrix's data blocks, decoded, when it is
// stored in a subnode rather than in the heap.
type RowReader func(nid uint32) ([]ndb.Block, error)

// RowPages returns the row matrix's data blocks, to be read one at a time
// (and decoded by Pages.Read), when it is stored in a subnode.
type RowPages func(nid uint32) (*Pages, error)

// rowEntry is a row index record: a row ID and the row it names.
type rowEntry struct {
	id  uint32
	row uint32
}

// OpenTC validates a table context: TCINFO consistent with its columns
// and row size, the row index BTH, the row matrix holding every indexed
// row with matching row IDs, and every existing variable-size cell's
// value reachable. The row index's entries are 4 bytes in Unicode files
// and 2 in ANSI ones. It is made in sp (nil: fresh memory).
func OpenTC(sp *Space, blocks []ndb.Block, decode Decoder, subnodes SubnodeSet, readRows RowReader) (*TC, error) {
	h, err := OpenHeap(sp, blocks, decode)
	if err != nil {
		return nil, err
	}
	return openTC(sp, h, subnodes, readRows, nil)
}

// OpenTCPages is OpenTC for a table too large to hold: its heap and row
// matrix are read block by block, and only a few blocks held at once.
func OpenTCPages(sp *Space, pages *Pages, decode Decoder, subnodes SubnodeSet, rowPages RowPages) (*TC, error) {
	h, err := OpenHeapPages(sp, pages, decode)
	if err != nil {
		return nil, err
	}
	return openTC(sp, h, subnodes, nil, rowPages)
}

func openTC(sp *Space, h *Heap, subnodes SubnodeSet, readRows RowReader, rowPages RowPages) (*TC, error) {
	tc, info, err := openTCInfo(sp, h)
	if err != nil {
		return nil, err
	}
	// Row index: dwRowID -> dwRowIndex. What TCINFO says is taken first: a
	// heap read block by block may not hold it after the walk.
	rowIndex, hnidRows := HID(binary.LittleEndian.Uint32(info[10:])), binary.LittleEndian.Uint32(info[14:])
	index, err := readRowIndex(sp, h, rowIndex)
	if err != nil {
		return nil, err
	}
	nrows, err := tc.openRows(sp, h, hnidRows, subnodes, readRows, rowPages)
	if err != nil {
		return nil, err
	}
	// Outlook keeps the two exactly in step (every table of the samples):
	// a matrix with more rows than the index hides the rest.
	if len(index) != nrows {
		return nil, errorf(finding.TCRows, "row index lists %d rows, the row matrix holds %d", len(index), nrows)
	}
	if err := tc.checkRows(sp, index, subnodes); err != nil {
		return nil, err
	}
	return tc, nil
}

// openRows sets up the row matrix hnidRows names: in the heap (small
// tables), in a subnode read whole (readRows) or read block by block
// (rowPages). It returns how many rows it holds.
func (tc *TC) openRows(sp *Space, h *Heap, hnidRows uint32, subnodes SubnodeSet, readRows RowReader, rowPages RowPages) (int, error) {
	m := &tc.rows
	m.size = tc.RowSize
	var err error
	switch {
	case hnidRows == 0:
	case IsHID(hnidRows):
		n, err := h.ItemSize(HID(hnidRows))
		if err != nil {
			return 0, errorf(finding.TCRows, "row matrix: %s", err.Error())
		}
		m.heap, m.item, m.sizes = h, HID(hnidRows), sp.intBump().take(1)
		m.sizes[0] = n
	case subnodes == nil || !subnodes.Has(hnidRows):
		return 0, errorf(finding.TCRows, "row matrix subnode 0x%X does not exist", hnidRows)
	case rowPages != nil:
		if m.pages, err = rowPages(hnidRows); err != nil {
			return 0, err
		}
		m.sizes = m.pages.Sizes
	case readRows != nil:
		if m.blocks, err = readRows(hnidRows); err != nil {
			return 0, err
		}
		m.sizes = sp.intBump().take(len(m.blocks))
		for i, b := range m.blocks {
			m.sizes[i] = len(b.Data)
		}
	default:
		return 0, errorf(finding.TCRows, "row matrix subnode 0x%X cannot be read here", hnidRows)
	}
	// Rows never straddle blocks: each block holds as many whole rows as
	// fit, the rest of it is padding.
	m.first = sp.i32Bump().take(len(m.sizes) + 1)
	nrows := 0
	for i, n := range m.sizes {
		m.first[i] = int32(nrows)
		if tc.RowSize > 0 {
			nrows += n / tc.RowSize
		}
	}
	m.first[len(m.sizes)] = int32(nrows)
	return nrows, nil
}

// RowMatrix is what a table's heap says of its row matrix: the subnode
// that keeps it (0: the heap, or the table has no rows), how many rows its
// row index lists and how long a row is.
type RowMatrix struct {
	NID           uint32
	Rows, RowSize int
}

// RowMatrixOf reads a table's RowMatrix from its heap, read from pages. It
// lets a table whose node is lost be paired with a subnode tree no node
// uses before either is read whole: a tree whose matrix holds another
// number of rows is not the table's.
func RowMatrixOf(sp *Space, pages *Pages, decode Decoder) (RowMatrix, error) {
	h, err := OpenHeapPages(sp, pages, decode)
	if err != nil {
		return RowMatrix{}, err
	}
	tc, info, err := openTCInfo(sp, h)
	if err != nil {
		return RowMatrix{}, err
	}
	// TCINFO is read first: a heap read block by block may not hold it
	// after the walk of the row index.
	m := RowMatrix{RowSize: tc.RowSize}
	rowIndex, hnidRows := HID(binary.LittleEndian.Uint32(info[10:])), binary.LittleEndian.Uint32(info[14:])
	if !IsHID(hnidRows) {
		m.NID = hnidRows
	}
	index, err := readRowIndex(sp, h, rowIndex)
	if err != nil {
		return RowMatrix{}, err
	}
	m.Rows = len(index)
	return m, nil
}

// openTCInfo checks a table's TCINFO against its columns and row layout
// and returns the table with its columns, and the TCINFO.
func openTCInfo(sp *Space, h *Heap) (*TC, []byte, error) {
	if h.ClientSig != ClientTC {
		return nil, nil, errorf(finding.HeapHeader, "heap client signature 0x%02X, want 0x7C (table context)", h.ClientSig)
	}
	info, err := h.Item(h.UserRoot)
	if err != nil {
		return nil, nil, err
	}
	if len(info) < 22 || info[0] != ClientTC {
		return nil, nil, errorf(finding.TCInfo, "TCINFO is %d bytes of type 0x%02X", len(info), firstByte(info))
	}
	cCols := int(info[1])
	var ib [4]int
	for i := range ib {
		ib[i] = int(binary.LittleEndian.Uint16(info[2+2*i:]))
	}
	if len(info) != 22+8*cCols {
		return nil, nil, errorf(finding.TCInfo, "TCINFO is %d bytes for %d columns (want %d)", len(info), cCols, 22+8*cCols)
	}
	if !(ib[0] <= ib[1] && ib[1] <= ib[2] && ib[2] <= ib[3]) || ib[3]-ib[2] != (cCols+7)/8 || ib[0] < 4 {
		return nil, nil, errorf(finding.TCInfo, "TCINFO row layout offsets %v do not fit %d columns", ib, cCols)
	}
	tc := sp.tcBump().one()
	*tc = TC{Heap: h, RowSize: ib[3], ceb: ib[2], Columns: sp.colBump().take(cCols)[:0], refCols: sp.colBump().take(cCols)[:0]}
	if sp != nil && sp.layout.same(info) {
		tc.Columns = append(tc.Columns, sp.layout.columns...)
		tc.refCols = append(tc.refCols, sp.layout.refCols...)
		return tc, info, nil
	}
	var bits [256]bool
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
			return nil, nil, errorf(finding.TCInfo, "column %d (tag 0x%08X) at %d+%d, bit %d does not fit the row layout %v", i, c.Tag, c.Offset, c.Size, c.Bit, ib)
		}
		// A value no row holds (variable-size, or over 8 bytes) is there
		// as a 4-byte HNID: a cell of another size cannot be followed.
		if n := fixedSize(c.Type()); (n == 0 || n > 8) && c.Size != 4 {
			return nil, nil, errorf(finding.TCInfo, "column %d (tag 0x%08X) is %d bytes; its values are HNIDs of 4", i, c.Tag, c.Size)
		}
		bits[c.Bit] = true
		tc.Columns = append(tc.Columns, c)
		if !Inline(c.Type()) && c.Size == 4 {
			tc.refCols = append(tc.refCols, c)
		}
	}
	if sp != nil {
		sp.layout.keep(info, tc.Columns, tc.refCols)
	}
	return tc, info, nil
}

// readRowIndex walks the row index BTH at rowIndex: the rows' IDs and
// where each row is, in key order (no row ID twice).
func readRowIndex(sp *Space, h *Heap, rowIndex HID) ([]rowEntry, error) {
	ri, err := OpenBTH(h, rowIndex)
	if err != nil {
		return nil, err
	}
	if ri.KeySize != 4 || (ri.EntrySize != 4 && ri.EntrySize != 2) {
		return nil, errorf(finding.TCRows, "row index has %d-byte keys and %d-byte entries", ri.KeySize, ri.EntrySize)
	}
	// The walk checks that the keys ascend: no row ID comes twice.
	index := sp.scratchRows()
	err = ri.Walk(func(key, data []byte) error {
		n := uint32(binary.LittleEndian.Uint16(data))
		if len(data) == 4 {
			n = binary.LittleEndian.Uint32(data)
		}
		// The index doubles when full: append grows a large slice by a
		// quarter, so a folder of 240,000 items allocated (and faulted
		// in, copying as it went) about five times its index.
		if len(index) == cap(index) {
			index = slices.Grow(index, max(len(index), 64))
		}
		index = append(index, rowEntry{binary.LittleEndian.Uint32(key), n})
		return nil
	})
	sp.keepRows(index)
	if err != nil {
		return nil, err
	}
	return index, nil
}

// OpenTCListing reads what a table lists, for a table that cannot be read
// whole: its TCINFO and its row index, whose row IDs it puts in RowIDs.
// Blocks of the heap that cannot be read are passed over: a folder's
// contents table with a damaged block among its rows or cell values still
// names every item, unless the damage is in the index itself. The rows are
// read where they can be (rowPages, from the subnodes), each only when it
// holds the row ID the index gives it; RowIDs are then in row order, else
// in key order and Cell and RowCells find nothing.
func OpenTCListing(sp *Space, pages *Pages, decode Decoder, subnodes SubnodeSet, rowPages RowPages) (*TC, error) {
	h, err := openHeap(sp, pages.Blocks, pages, decode, true, false)
	if err != nil {
		return nil, err
	}
	tc, info, err := openTCInfo(sp, h)
	if err != nil {
		return nil, err
	}
	hnidRows := binary.LittleEndian.Uint32(info[14:]) // info may be let go by the walk
	index, err := readRowIndex(sp, h, HID(binary.LittleEndian.Uint32(info[10:])))
	if err != nil {
		return nil, err
	}
	tc.RowIDs, tc.listing = sp.u32Bump().take(len(index)), true
	if tc.listingRows(sp, h, hnidRows, index, subnodes, rowPages) {
		for _, x := range index {
			tc.RowIDs[x.row] = x.id
		}
		return tc, nil
	}
	tc.rows = rowMatrix{}
	for k, x := range index {
		tc.RowIDs[k] = x.id
	}
	return tc, nil
}

// listingRows sets up the row matrix of a table read for its listing, and
// reports whether it can be read beside the index: the index names each
// of its rows once.
func (tc *TC) listingRows(sp *Space, h *Heap, hnidRows uint32, index []rowEntry, subnodes SubnodeSet, rowPages RowPages) bool {
	nrows, err := tc.openRows(sp, h, hnidRows, subnodes, nil, rowPages)
	if err != nil || len(index) != nrows {
		return false
	}
	named := make([]bool, nrows)
	for _, x := range index {
		if int(x.row) >= nrows || named[x.row] {
			return false
		}
		named[x.row] = true
	}
	return true
}

// checkRows checks that the row index and the row matrix agree, row for
// row (each index entry names a row of its own, which has its row ID), and
// that every existing variable-size cell's value can be found. The matrix
// is read once, block by block. What is reported is what checking the
// index entries in key order, then the cells row by row, finds first.
func (tc *TC) checkRows(sp *Space, index []rowEntry, subnodes SubnodeSet) error {
	nrows := len(index)
	pairOf := sp.i32Bump().take(nrows)
	for n := range pairOf {
		pairOf[n] = -1
	}
	bad, badRow, badGot := len(index), -1, uint32(0) // the first index entry found wrong
	for k, x := range index {
		n := int(x.row)
		if n >= nrows || pairOf[n] >= 0 {
			bad = k
			break
		}
		pairOf[n] = int32(k)
	}
	var cellErr error
	for b := range tc.rows.sizes {
		data, err := tc.rows.block(b)
		if err != nil {
			return err
		}
		first := int(tc.rows.first[b])
		for r := range int(tc.rows.first[b+1]) - first {
			n, row := first+r, data[r*tc.RowSize:(r+1)*tc.RowSize]
			if k := pairOf[n]; k >= 0 && int(k) < bad {
				if got := binary.LittleEndian.Uint32(row); got != index[k].id {
					bad, badRow, badGot = int(k), n, got
				}
			}
			if cellErr != nil {
				continue
			}
			for _, c := range tc.refCols {
				if !tc.exists(row, c) {
					continue
				}
				if err := checkValue(tc.Heap, subnodes, c.Type(), binary.LittleEndian.Uint32(row[c.Offset:])); err != nil {
					cellErr = errorf(finding.TCCell, "row %d column 0x%08X: %s", n, c.Tag, err.Detail)
					break
				}
			}
		}
	}
	switch {
	case bad < len(index) && badRow >= 0:
		return errorf(finding.TCRows, "row %d has row ID 0x%X, the row index says 0x%X", badRow, badGot, index[bad].id)
	case bad < len(index):
		return errorf(finding.TCRows, "row index maps row ID 0x%X to row %d of %d", index[bad].id, index[bad].row, nrows)
	case cellErr != nil:
		return cellErr
	}
	tc.RowIDs = sp.u32Bump().take(nrows)
	for n, k := range pairOf {
		tc.RowIDs[n] = index[k].id
	}
	return nil
}

// rowMatrix is a table's rows: in blocks held in memory, in a heap item,
// or in blocks read one at a time (the last one read held).
type rowMatrix struct {
	size   int // RowSize
	sizes  []int
	first  []int32 // first row of each block, and the number of rows
	blocks []ndb.Block
	heap   *Heap
	item   HID
	pages  *Pages
	held   int // block in buf, -1 for none
	buf    []byte
}

// block returns block b of the matrix.
func (m *rowMatrix) block(b int) ([]byte, error) {
	switch {
	case m.heap != nil:
		return m.heap.Item(m.item)
	case m.pages != nil:
		if m.held != b || m.buf == nil {
			data, err := m.pages.Read(b, m.buf)
			if err != nil {
				m.held = -1
				return nil, err
			}
			m.buf, m.held = data, b
		}
		return m.buf, nil
	}
	return m.blocks[b].Data, nil
}

// RowBlock returns the BID of the block holding row r (0: unknown). Blocks
// are written anew whenever what they hold changes, with a BID larger than
// any before, so it says when the row was last written.
func (tc *TC) RowBlock(r int) uint64 {
	m := &tc.rows
	if m.heap != nil {
		return m.heap.blockBID(m.item.block())
	}
	b := sort.Search(len(m.sizes), func(i int) bool { return int(m.first[i+1]) > r })
	switch {
	case r < 0 || b >= len(m.sizes):
		return 0
	case m.pages != nil && b < len(m.pages.Blocks):
		return m.pages.Blocks[b].BID
	case b < len(m.blocks):
		return m.blocks[b].BID
	}
	return 0
}

// row returns row r (valid until the next row of another block is read),
// or nil when it cannot be read.
func (m *rowMatrix) row(r int) []byte {
	b := sort.Search(len(m.sizes), func(i int) bool { return int(m.first[i+1]) > r })
	if b >= len(m.sizes) {
		return nil
	}
	data, err := m.block(b)
	if err != nil {
		return nil
	}
	at := (r - int(m.first[b])) * m.size
	return data[at : at+m.size]
}

// row returns row r, or nil when it cannot be read or, in a table read
// for its listing, does not hold the row ID the index gives it.
func (tc *TC) row(r int) []byte {
	row := tc.rows.row(r)
	if row != nil && tc.listing && (r >= len(tc.RowIDs) || len(row) < 4 || binary.LittleEndian.Uint32(row) != tc.RowIDs[r]) {
		return nil
	}
	return row
}

func (tc *TC) exists(row []byte, c Column) bool {
	return row[tc.ceb+c.Bit/8]&(0x80>>(c.Bit%8)) != 0
}

// Cell returns the 4-byte slot of a row's column (value or HNID), or false
// when the column is absent or the cell does not exist.
func (tc *TC) Cell(row int, tag uint32) (uint32, bool) {
	r := tc.row(row)
	if r == nil {
		return 0, false
	}
	for _, c := range tc.Columns {
		if c.Tag == tag && c.Size >= 4 && tc.exists(r, c) {
			return binary.LittleEndian.Uint32(r[c.Offset:]), true
		}
	}
	return 0, false
}

// RowCells calls yield with every existing cell of row r: its column and
// its bytes in the row (the value for fixed-size types up to 8 bytes, else
// a 4-byte HNID).
func (tc *TC) RowCells(r int, yield func(c Column, cell []byte)) {
	row := tc.row(r)
	if row == nil {
		return
	}
	for _, c := range tc.Columns {
		if tc.exists(row, c) {
			yield(c, row[c.Offset:c.Offset+c.Size])
		}
	}
}

// scratchRows is where a table's row index is gathered (nil: a fresh
// slice); keepRows hands the memory back for the next table.
func (s *Space) scratchRows() []rowEntry {
	if s == nil {
		return nil
	}
	return s.tmpRows[:0]
}

func (s *Space) keepRows(r []rowEntry) {
	if s != nil {
		s.tmpRows = r[:0]
	}
}
