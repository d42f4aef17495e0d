package ltp_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// A table read block by block, holding a single block at a time, reads as
// it does whole: the same row IDs, the same cells, row for row. The table
// is the contents table of a folder of 20,000 messages, whose heap and row
// index span many blocks.
func TestTablePages(t *testing.T) {
	var buf pstwrite.Buffer
	w, err := pstwrite.New(&buf, pstwrite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(w, synth.Shape{Messages: 20_000, Folders: 1, Depth: 1, BodyMin: 10, BodyMax: 40}, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	res := ndb.Scan(context.Background(), bytes.NewReader(b), int64(len(b)), finding.SinkFunc(func(finding.Finding) {}), ndb.Options{})
	// The largest contents table.
	var table ndb.NBTEntry
	most := 0
	for _, n := range res.NBT.All() {
		if n.NID&0x1F != ndb.NIDTypeContentsTable {
			continue
		}
		if _, size, err := res.DataBlocks(n.Data, nil); err == nil && size > most {
			table, most = n, size
		}
	}
	subs, err := res.Subnodes(table.Sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := res.ReadBlocks(table.Data, nil)
	if err != nil {
		t.Fatal(err)
	}
	eager, err := ltp.OpenTC(nil, whole, res.Decode, subnodes(subs), nodeData{res: res, subs: subs}.rowReader())
	if err != nil {
		t.Fatal(err)
	}
	pages := func(bid uint64, decode bool) *ltp.Pages {
		blocks, _, err := res.DataBlocks(bid, nil)
		if err != nil {
			t.Fatal(err)
		}
		p := &ltp.Pages{Blocks: blocks}
		for _, b := range blocks {
			p.Sizes = append(p.Sizes, res.BlockSize(b.BID))
		}
		p.Read = func(i int, buf []byte) ([]byte, error) {
			b, err := res.ReadBlock(blocks[i].BID, buf, nil)
			if err == nil && decode {
				res.Decode(blocks[i].BID, 0, b)
			}
			return b, err
		}
		return p
	}
	defer ltp.SetPagesHeld(1)()
	heap := pages(table.Data, false)
	if len(heap.Blocks) < 8 {
		t.Fatalf("the table's heap is %d blocks", len(heap.Blocks))
	}
	paged, err := ltp.OpenTCPages(nil, heap, res.Decode, subnodes(subs), func(nid uint32) (*ltp.Pages, error) {
		return pages(subs[nid].Data, true), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(eager.RowIDs) != 20_000 || fmt.Sprint(eager.RowIDs) != fmt.Sprint(paged.RowIDs) || fmt.Sprint(eager.Columns) != fmt.Sprint(paged.Columns) {
		t.Fatalf("%d rows whole, %d by pages", len(eager.RowIDs), len(paged.RowIDs))
	}
	cells := func(tc *ltp.TC, r int) string {
		var s string
		tc.RowCells(r, func(c ltp.Column, cell []byte) {
			s += fmt.Sprintf("%08X=%X ", c.Tag, cell)
			if c.Size == 4 && !ltp.Inline(c.Type()) && ltp.IsHID(uint32(cell[0])|uint32(cell[1])<<8|uint32(cell[2])<<16|uint32(cell[3])<<24) {
				item, err := tc.Heap.Item(ltp.HID(uint32(cell[0]) | uint32(cell[1])<<8 | uint32(cell[2])<<16 | uint32(cell[3])<<24))
				s += fmt.Sprintf("(%X %v) ", item, err)
			}
		})
		return s
	}
	for r := range eager.RowIDs {
		if e, p := cells(eager, r), cells(paged, r); e != p {
			t.Fatalf("row %d: whole %s, by pages %s", r, e, p)
		}
	}
}
