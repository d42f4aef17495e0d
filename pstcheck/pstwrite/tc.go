package pstwrite

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
)

// Row ID and row version columns: every table has them, at fixed places
// (MS-PST 2.3.4.4).
const (
	tagLtpRowID  = 0x67F20003
	tagLtpRowVer = 0x67F30003
)

type column struct {
	tag  uint32
	off  int
	size int
	bit  int
}

func (c column) typ() uint16 { return uint16(c.tag) }

// cellSize is a column's width in a row: fixed-size values up to 8 bytes
// are stored in the row, anything else as a 4-byte HNID (MS-PST 2.3.4.4).
func cellSize(t uint16) int {
	switch n := fixedSize(t); {
	case n > 0 && n <= 8:
		return n
	}
	return 4
}

// table writes a table context. Rows arrive in row ID order and are
// written as they come: the row index's leaves and the values go to the
// heap, whose full pages are written at once, and the rows to the row
// matrix, in the heap while it is small and in a subnode of full blocks
// (each holding whole rows, MS-PST 2.3.4.4) once it is not. So a folder's
// contents table of any size costs a few pages of memory.
type table struct {
	parts   *nodeParts
	h       *heap
	infoHID HID
	info    []byte
	index   *bth
	cols    []column
	rgib    [4]int
	rows    int
	row     []byte
	small   []byte     // the row matrix while it fits a heap item
	matrix  *blockList // else its written blocks
	block   []byte     // and the block being filled
	ver     *uint32    // the store's row version counter
}

// newTable starts a table with the given columns (row ID and version are
// added); subnodes of the table go to parts.
func newTable(parts *nodeParts, tags []uint32, ver *uint32) (*table, error) {
	tags = append([]uint32{tagLtpRowID, tagLtpRowVer}, tags...)
	slices.Sort(tags)
	tags = slices.Compact(tags)
	if len(tags) > 255 {
		return nil, fmt.Errorf("pstwrite: table of %d columns (at most 255)", len(tags))
	}
	t := &table{parts: parts, ver: ver, cols: make([]column, 0, len(tags))}
	for _, tag := range tags {
		if fixedSize(uint16(tag)) < 0 {
			return nil, fmt.Errorf("pstwrite: column 0x%08X has no property type", tag)
		}
		t.cols = append(t.cols, column{tag: tag, size: cellSize(uint16(tag))})
	}
	// Row ID at 0 and version at 4 with bits 0 and 1; then 8- and 4-byte
	// cells, 2-byte, 1-byte, each group in tag order; then the cell
	// existence bitmap.
	off, bit := 8, 2
	for group, sizes := range [][]int{{8, 4}, {2}, {1}} {
		for i := range t.cols {
			c := &t.cols[i]
			switch {
			case c.tag == tagLtpRowID:
				c.off, c.bit = 0, 0
			case c.tag == tagLtpRowVer:
				c.off, c.bit = 4, 1
			case slices.Contains(sizes, c.size):
				c.off, c.bit = off, bit
				off += c.size
				bit++
			}
		}
		t.rgib[group] = off
	}
	t.rgib[3] = off + (len(t.cols)+7)/8
	t.h = newHeap(parts.b, clientTC)
	t.infoHID, t.info = t.h.alloc(22 + 8*len(t.cols))
	t.index = newBTH(t.h, 4, 4)
	t.row = make([]byte, t.rgib[3])
	return t, nil
}

// column finds the column of tag: the columns are in tag order.
func (t *table) column(tag uint32) (int, bool) {
	return slices.BinarySearchFunc(t.cols, tag, func(c column, tag uint32) int { return cmp.Compare(c.tag, tag) })
}

// addRow adds a row: the properties that have a column fill their cells;
// others are left out.
func (t *table) addRow(id uint32, props []Property) error {
	row := t.row
	clear(row)
	ceb := row[t.rgib[2]:]
	set := func(bit int) { ceb[bit/8] |= 0x80 >> (bit % 8) }
	binary.LittleEndian.PutUint32(row, id)
	*t.ver++
	binary.LittleEndian.PutUint32(row[4:], *t.ver)
	set(0)
	set(1)
	for _, p := range props {
		i, ok := t.column(p.Tag())
		if !ok || p.Tag() == tagLtpRowID || p.Tag() == tagLtpRowVer {
			continue
		}
		if err := p.Check(); err != nil {
			return err
		}
		c := t.cols[i]
		cell := row[c.off : c.off+c.size]
		if n := fixedSize(c.typ()); n > 0 && n <= 8 {
			copy(cell, p.Data)
		} else {
			hnid, err := t.parts.value(t.h, p.Data)
			if err != nil {
				return err
			}
			binary.LittleEndian.PutUint32(cell, hnid)
		}
		set(c.bit)
	}
	var k, v [4]byte
	binary.LittleEndian.PutUint32(k[:], id)
	binary.LittleEndian.PutUint32(v[:], uint32(t.rows))
	if err := t.index.add(k[:], v[:]); err != nil {
		return err
	}
	t.rows++
	if t.matrix == nil && len(t.small)+len(row) <= maxHeapItem {
		t.small = append(t.small, row...)
		return nil
	}
	if t.matrix == nil {
		t.matrix = &blockList{}
		t.block = t.parts.b.buffer()
		for r := 0; r < len(t.small); r += len(row) {
			t.appendRow(t.small[r : r+len(row)])
		}
		t.small = nil
	}
	t.appendRow(row)
	return nil
}

// appendRow adds a row to the row matrix's block being filled; a block
// that cannot take it is padded to full size and written, as every block
// but the last must be.
func (t *table) appendRow(row []byte) {
	if len(t.block)+len(row) > maxBlockData {
		n := len(t.block)
		t.block = t.block[:maxBlockData]
		clear(t.block[n:]) // dead space: readers ignore it
		t.matrix.add(t.parts.b.write(t.block, false), maxBlockData)
		t.block = t.block[:0]
	}
	t.block = append(t.block, row...)
}

// finish writes what is left and returns the node's data and subnode
// tree BIDs.
func (t *table) finish() (data, sub uint64, err error) {
	var hnidRows uint32
	switch {
	case t.matrix != nil:
		if len(t.block) > 0 {
			t.matrix.add(t.parts.b.write(t.block, false), len(t.block))
		}
		t.parts.b.release(t.block)
		t.block = nil
		bid, err := t.parts.b.dataTree(t.matrix)
		if err != nil {
			return 0, 0, err
		}
		hnidRows = t.parts.newSubnodeNID(nidTypeLTP)
		t.parts.subs = append(t.parts.subs, subnode{nid: hnidRows, data: bid})
	case t.rows > 0:
		hnidRows = uint32(t.h.put(t.small))
	}
	t.index.finish()
	info := t.info
	info[0] = clientTC
	info[1] = byte(len(t.cols))
	for i, v := range t.rgib {
		binary.LittleEndian.PutUint16(info[2+2*i:], uint16(v))
	}
	binary.LittleEndian.PutUint32(info[10:], uint32(t.index.header))
	binary.LittleEndian.PutUint32(info[14:], hnidRows)
	binary.LittleEndian.PutUint32(info[18:], 0) // hidIndex: deprecated
	for i, c := range t.cols {
		d := info[22+8*i:]
		binary.LittleEndian.PutUint32(d, c.tag)
		binary.LittleEndian.PutUint16(d[4:], uint16(c.off))
		d[6] = byte(c.size)
		d[7] = byte(c.bit)
	}
	list, err := t.h.finish(t.infoHID)
	if err != nil {
		return 0, 0, err
	}
	if data, err = t.parts.b.dataTree(list); err != nil {
		return 0, 0, err
	}
	sub, err = t.parts.b.subnodeTree(t.parts.subs)
	return data, sub, err
}
