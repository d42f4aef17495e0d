package ltp

import "bytes"

// tcLayout is the columns of the table a Space opened last, with the
// TCINFO bytes they were read from. The tables of a store's messages
// (recipients, attachments) share a few layouts: checking the same
// columns again for every message cost more than comparing their bytes
// (openTCInfo was 4% of a 400,000-message scan's processor time). What
// a layout's columns are, and whether they fit its rows, follows from
// those bytes alone, so a table whose bytes match takes the columns
// kept.
type tcLayout struct {
	head, cols       []byte // TCINFO's bytes 0-9 (cCols, rgib) and its column descriptors
	columns, refCols []Column
}

// same says whether info, a TCINFO of at least 22 bytes, has the layout
// kept.
func (l *tcLayout) same(info []byte) bool {
	return len(l.head) == 10 && bytes.Equal(l.head, info[:10]) && bytes.Equal(l.cols, info[22:])
}

// keep keeps the columns read from info, in memory of its own (what a
// Space hands out is reused after Reset).
func (l *tcLayout) keep(info []byte, columns, refCols []Column) {
	l.head = append(l.head[:0], info[:10]...)
	l.cols = append(l.cols[:0], info[22:]...)
	l.columns = append(l.columns[:0], columns...)
	l.refCols = append(l.refCols[:0], refCols...)
}
