package messaging

import (
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// memory is where one goroutine reads an item's blocks and opens its
// heaps and tables, reused item after item, so that checking a store's
// messages allocates nothing once the first few have sized it. A nil
// *memory gives fresh memory, for what outlives the item (the export's
// reads), and so does one with reads set, whose window serves the reads.
type memory struct {
	arena ndb.Arena
	space ltp.Space
	// reads, when set, is a keeping arena (ndb.NewKeepingArena) that
	// takes the place of arena: memory fresh, reads through its window.
	reads *ndb.Arena
	// rows is the table being opened, whose row matrix readRows (rows.read,
	// made once) reads: a function made per table would be allocated.
	rows     tableRows
	readRows ltp.RowReader
}

// reset makes the memory reusable for the next item.
func (m *memory) reset() {
	m.arena.Reset()
	m.space.Reset()
}

func (m *memory) blocks() *ndb.Arena {
	if m == nil {
		return nil
	}
	if m.reads != nil {
		return m.reads
	}
	return &m.arena
}

func (m *memory) objects() *ltp.Space {
	if m == nil || m.reads != nil {
		return nil
	}
	return &m.space
}

// rowReader returns a reader of the row matrices of a table with subnodes
// subs, read into m's blocks (fresh memory when m is nil). The reader is
// m's own, good until the next call: a table reads its rows as it opens.
func (m *memory) rowReader(res *ndb.Result, subs map[uint32]ndb.Subnode) ltp.RowReader {
	if m == nil || m.reads != nil {
		return (&tableRows{res: res, subs: subs, arena: m.blocks()}).read
	}
	m.rows = tableRows{res: res, subs: subs, arena: &m.arena}
	if m.readRows == nil {
		m.readRows = m.rows.read
	}
	return m.readRows
}

// tableRows reads a table's row matrix held in a subnode, decoded.
type tableRows struct {
	res   *ndb.Result
	subs  map[uint32]ndb.Subnode
	arena *ndb.Arena
}

func (t *tableRows) read(nid uint32) ([]ndb.Block, error) {
	blocks, err := t.res.ReadBlocks(t.subs[nid].Data, t.arena)
	if err != nil {
		return nil, err
	}
	for _, b := range blocks {
		t.res.Decode(b.BID, 0, b.Data)
	}
	return blocks, nil
}

// subnodeMap is a node's subnode set as the ltp checks ask it.
type subnodeMap map[uint32]ndb.Subnode

func (s subnodeMap) Has(nid uint32) bool { _, ok := s[nid]; return ok }
