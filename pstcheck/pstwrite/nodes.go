package pstwrite

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// NIDs are 32 bits: a 27-bit index and a 5-bit type (MS-PST 2.2.2.1).
const (
	nidTypeInternal       = 0x01
	nidTypeFolder         = 0x02
	nidTypeSearchFolder   = 0x03
	nidTypeMessage        = 0x04
	nidTypeAttachment     = 0x05
	nidTypeSearchUpdate   = 0x06
	nidTypeSearchCriteria = 0x07
	nidTypeAssocMessage   = 0x08
	nidTypeHierarchy      = 0x0D
	nidTypeContents       = 0x0E
	nidTypeAssocContents  = 0x0F
	nidTypeSearchContents = 0x10
	nidTypeLTP            = 0x1F

	// Messages take indexes from here on (Outlook's first message index,
	// HEADER.rgnid): every NID below is a store, folder, table or other
	// node the writer finishes when it closes.
	firstStreamedIndex = 0x10000
	firstStreamedNID   = firstStreamedIndex << 5
	maxNIDIndex        = 1<<27 - 1
)

func makeNID(index uint32, typ uint32) uint32 { return index<<5 | typ }

// nbtEntry is a leaf entry of the node B-tree.
type nbtEntry struct {
	nid       uint32
	data, sub uint64
	parent    uint32
}

// nodeTree keeps the NBT. Messages are numbered in the order they are
// written and finished at once, so their entries arrive in key order and
// their leaf pages are queued as they fill, like the BBT's. The other
// nodes (store, folders, tables), all with lower NIDs, are finished when
// the store is closed: their few entries are kept and sorted then, and
// their leaves come first in the tree.
type nodeTree struct {
	b        *blocks
	small    []nbtEntry
	leaf     []byte
	lastNID  uint32
	streamed []btRef
	count    int
}

const nbtLeafEntry = 32

func (t *nodeTree) add(e nbtEntry) error {
	t.count++
	if e.nid < firstStreamedNID {
		t.small = append(t.small, e)
		return nil
	}
	if e.nid <= t.lastNID {
		return fmt.Errorf("pstwrite: node 0x%X written after 0x%X", e.nid, t.lastNID)
	}
	t.lastNID = e.nid
	t.leaf = appendNBT(t.leaf, e)
	if len(t.leaf)+nbtLeafEntry > t.b.s.l.BTFooterOff {
		t.flush()
	}
	return nil
}

func appendNBT(b []byte, e nbtEntry) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(e.nid))
	b = binary.LittleEndian.AppendUint64(b, e.data)
	b = binary.LittleEndian.AppendUint64(b, e.sub)
	b = binary.LittleEndian.AppendUint32(b, e.parent)
	return binary.LittleEndian.AppendUint32(b, 0)
}

func (t *nodeTree) flush() {
	if len(t.leaf) == 0 {
		return
	}
	key := uint64(binary.LittleEndian.Uint32(t.leaf))
	t.b.s.queuePage(t.b.btPage(ndb.PageNBT, 0, t.leaf, nbtLeafEntry, key, &t.streamed))
	t.leaf = nil
}

// finish writes the remaining leaves and the branch pages, and returns the
// root's reference.
func (t *nodeTree) finish() (ndb.BREF, error) {
	t.flush()
	slices.SortFunc(t.small, func(a, b nbtEntry) int { return cmp.Compare(a.nid, b.nid) })
	for i := 1; i < len(t.small); i++ {
		if t.small[i].nid == t.small[i-1].nid {
			return ndb.BREF{}, fmt.Errorf("pstwrite: node 0x%X written twice", t.small[i].nid)
		}
	}
	per := t.b.s.l.BTFooterOff / nbtLeafEntry
	var leaves []btRef
	for i := 0; i < len(t.small); i += per {
		var ents []byte
		for _, e := range t.small[i:min(i+per, len(t.small))] {
			ents = appendNBT(ents, e)
		}
		t.b.s.queuePage(t.b.btPage(ndb.PageNBT, 0, ents, nbtLeafEntry, uint64(t.small[i].nid), &leaves))
	}
	t.b.s.flushPages()
	return t.b.tree(ndb.PageNBT, append(leaves, t.streamed...)), nil
}
