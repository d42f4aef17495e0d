package messaging

import (
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// memory is where one goroutine reads an item's blocks and opens its
// heaps and tables, reused item after item, so that checking a store's
// messages allocates nothing once the first few have sized it. A nil
// *memory gives fresh memory, for what outlives the item (the export's
// reads).
type memory struct {
	arena ndb.Arena
	space ltp.Space
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
	return &m.arena
}

func (m *memory) objects() *ltp.Space {
	if m == nil {
		return nil
	}
	return &m.space
}

// subnodeMap is a node's subnode set as the ltp checks ask it.
type subnodeMap map[uint32]ndb.Subnode

func (s subnodeMap) Has(nid uint32) bool { _, ok := s[nid]; return ok }
