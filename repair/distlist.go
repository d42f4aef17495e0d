package repair

import (
	"bytes"
	"encoding/binary"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// A distribution list (IPM.DistList, MS-OXOCNTC 2.2.2) names a member that
// is a contact or list of the store by its entry ID, wrapped: the store's
// provider UID and the member's NID. Both change in the new store, so a
// list copied as it is would name its members in the old one: Outlook
// could not open them, and an export of the new store names them by
// address only. The lists are written after every other item (their
// folders left open until then), and each such member is named by its new
// NID where it was written (a contact of any folder; a list written
// before it), else by the one-off entry the list keeps beside it (name
// and address); the list's checksum is made again.

const (
	psetidAddress      = "00062004-0000-0000-C000-000000000046"
	lidDistListSum     = 0x804C
	lidDistListOneOffs = 0x8054
	lidDistListMembers = 0x8055
	typeMultipleBinary = 0x1102
)

// distLists renames the members of the lists a repair writes.
type distLists struct {
	// oldStore and newStore are the stores' provider UIDs (PidTagRecordKey).
	oldStore, newStore []byte
	// members, oneOffs and sum are the new store's IDs of the lists'
	// named properties (0: the old store names none).
	members, oneOffs, sum uint16
	// written maps the NIDs of the contacts and lists written to their
	// new ones.
	written map[uint32]uint32
	// deferred are the lists put off until every other item is written
	// (placer.writeLists); waiting, the folders they go into, left open
	// (nil once they are being written).
	deferred []pstcheck.Item
	waiting  map[pstwrite.FolderID]bool
}

func newDistLists(r *messaging.Reader, c *converter, oldStore, newStore []byte) *distLists {
	d := &distLists{oldStore: oldStore, newStore: newStore, written: map[uint32]uint32{},
		waiting: map[pstwrite.FolderID]bool{}}
	for lid, id := range map[uint32]*uint16{lidDistListMembers: &d.members, lidDistListOneOffs: &d.oneOffs, lidDistListSum: &d.sum} {
		if old, ok := r.Named(psetidAddress, lid); ok && old >= firstNamedID {
			*id = c.named[old-firstNamedID]
		}
	}
	return d
}

// isContact says whether class is a contact's or a list's, which a list
// may name as a member.
func isContact(class string) bool {
	return messaging.IsClass(class, "IPM.Contact") || messaging.IsClass(class, "IPM.DistList")
}

// putOff puts list it, of folder target, off until every other item is
// written.
func (d *distLists) putOff(it pstcheck.Item, target pstwrite.FolderID) {
	d.deferred = append(d.deferred, it)
	d.waiting[target] = true
}

// wrote notes that item nid of the old store is newNID in the new one.
func (d *distLists) wrote(nid, newNID uint32) { d.written[nid] = newNID }

// rename rewrites the members of list m, a list of the old store about to
// be written.
func (d *distLists) rename(m *pstwrite.Message) {
	if d.members == 0 || len(d.oldStore) < 16 {
		return
	}
	mi := propIndex(m.Props, d.members, typeMultipleBinary)
	if mi < 0 {
		return
	}
	members, whole := messaging.Multiple(m.Props[mi].Data)
	if !whole {
		return // rewritten, the members that do not read would be dropped
	}
	var oneOffs [][]byte
	if oi := propIndex(m.Props, d.oneOffs, typeMultipleBinary); oi >= 0 {
		oneOffs, _ = messaging.Multiple(m.Props[oi].Data)
	}
	changed := false
	for i, e := range members {
		nid, ok := messaging.WrappedNID(e, d.oldStore)
		if !ok {
			continue
		}
		switch newNID, written := d.written[nid]; {
		case written:
			members[i] = messaging.RewrapNID(e, d.newStore, newNID)
		case i < len(oneOffs):
			members[i] = oneOffs[i] // not written: named by its address
		default:
			continue
		}
		changed = true
	}
	if !changed {
		return
	}
	m.Props[mi] = pstwrite.MultiBinary(d.members, members...)
	if si := propIndex(m.Props, d.sum, 0x0003); si >= 0 && len(m.Props[si].Data) == 4 {
		// The checksum is the store's CRC of the members' entry IDs one
		// after the other (as Outlook's lists have it).
		binary.LittleEndian.PutUint32(m.Props[si].Data, ndb.CRC(bytes.Join(members, nil)))
	}
}

// propIndex is the index of the property of ID id and type typ in props,
// -1 when there is none (or id is 0).
func propIndex(props []pstwrite.Property, id, typ uint16) int {
	for i, p := range props {
		if id != 0 && p.ID == id && p.Type == typ {
			return i
		}
	}
	return -1
}
