package messaging

import (
	"cmp"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// A message embedded in another's attachment is a property context like
// any message's, kept as a subnode of the attachment. When the subnode
// tree that lists it is lost (its parent's tree damaged, or the node
// index destroyed) its heap lies among the blocks no node uses and looks
// like a lost message of its own: counted as one more item, the store's
// count ("at least N") could exceed what it held. No property of its own
// tells it apart in every store, but a store provider stamps the items it
// files in a folder, whatever their class, with replication and
// synchronisation properties it gives no attached message: Outlook's PSTs
// the replication IDs (0x0E30, 0x0E33, 0x0E34), its OSTs 0x67F4,
// Exchange-synced stores the change key and its predecessors (0x65E2,
// 0x65E3); in the samples and the corpus no embedded message carries
// them. So the store shows which of them it stamps: those every normal
// message checked carries. A heap that lacks one of them, in a store of
// enough messages to tell, is taken for an attached message
// (UnlinkedMessage.MaybeAttached): it is counted as no item of its own.
// Only these properties are looked at: ones a class carries (a calendar
// item's times, a mail's recipients) would set apart the messages of
// another class where the messages checked were all of one.

// storeStamps are the properties a store provider may stamp on the items
// of its folders, in ID order: PidTagReplItemid, PidTagReplChangenum,
// PidTagReplVersionHistory, PidTagSourceKey, PidTagParentSourceKey,
// PidTagChangeKey, PidTagPredecessorChangeList, and 0x67F4, which the
// OSTs of the corpus give every message and no attached one.
var storeStamps = []uint16{0x0E30, 0x0E33, 0x0E34, 0x65E0, 0x65E1, 0x65E2, 0x65E3, 0x67F4}

// minStamped is how many normal messages must have been checked for
// their common properties to count as the store's stamps.
const minStamped = 16

// stamps are the property IDs every normal message seen carries, in ID
// order, and how many were seen.
type stamps struct {
	ids  []uint16
	seen int
}

// add notes a normal message's property context: its IDs, the first time;
// after that only the IDs it shares with those before.
func (s *stamps) add(pc *ltp.PC) {
	if s.seen++; s.seen == 1 {
		s.ids = slices.Clone(storeStamps)
	}
	kept := s.ids[:0]
	has := carriesOf(pc)
	for _, id := range s.ids {
		if has.has(id) {
			kept = append(kept, id)
		}
	}
	s.ids = kept
}

// merge takes in what another checker saw.
func (s *stamps) merge(o stamps) {
	switch {
	case o.seen == 0:
		return
	case s.seen == 0:
		*s = stamps{ids: slices.Clone(o.ids), seen: o.seen}
		return
	}
	s.ids = slices.DeleteFunc(s.ids, func(id uint16) bool {
		_, found := slices.BinarySearch(o.ids, id)
		return !found
	})
	s.seen += o.seen
}

// lacks says whether a message's property context lacks one of the
// store's stamps, where enough messages were seen to know them.
func (s *stamps) lacks(pc *ltp.PC) bool {
	if s.seen < minStamped {
		return false
	}
	has := carriesOf(pc)
	for _, id := range s.ids {
		if !has.has(id) {
			return true
		}
	}
	return false
}

// carries is a walk along a property context's properties asking, in
// rising ID order, which IDs it has: along its properties where they are
// in ID order (as a BTH keeps them), a search of them all where they are
// not. A value, not a closure, so that asking allocates nothing on the
// message check's path.
type carries struct {
	props  []ltp.Property
	sorted bool
	i      int
}

func carriesOf(pc *ltp.PC) carries {
	return carries{props: pc.Props, sorted: slices.IsSortedFunc(pc.Props, func(a, b ltp.Property) int { return cmp.Compare(a.ID, b.ID) })}
}

func (c *carries) has(id uint16) bool {
	if !c.sorted {
		return slices.ContainsFunc(c.props, func(p ltp.Property) bool { return p.ID == id })
	}
	for c.i < len(c.props) && c.props[c.i].ID < id {
		c.i++
	}
	return c.i < len(c.props) && c.props[c.i].ID == id
}
