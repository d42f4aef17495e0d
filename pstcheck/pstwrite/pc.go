package pstwrite

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// HN client signatures.
const (
	clientTC = 0x7C
	clientPC = 0xBC
)

// nodeParts collects the subnodes of one node (or subnode) being written:
// values too large for its heap, its tables, attachments, row matrices.
type nodeParts struct {
	b    *blocks
	subs []subnode
	next uint32
}

// newSubnodeNID hands out a subnode NID of type typ, unique in this node.
func (n *nodeParts) newSubnodeNID(typ uint32) uint32 {
	nid := makeNID(0x400+n.next, typ)
	n.next++
	return nid
}

// value stores a variable-size value where MS-PST puts it: nothing for an
// empty one (HNID 0), a heap item up to maxHeapItem bytes, else a subnode
// of its own. It returns the HNID.
func (n *nodeParts) value(h *heap, data []byte) (uint32, error) {
	switch {
	case len(data) == 0:
		return 0, nil
	case len(data) <= maxHeapItem:
		return uint32(h.put(data)), nil
	}
	w := dataWriter{b: n.b}
	if _, err := w.Write(data); err != nil {
		return 0, err
	}
	bid, err := w.finish()
	if err != nil {
		return 0, err
	}
	nid := n.newSubnodeNID(nidTypeLTP)
	n.subs = append(n.subs, subnode{nid: nid, data: bid})
	return nid, nil
}

// storedValue is a property whose value the caller has already written
// as a subnode: a PtypObject (its PC slot names a heap item holding the
// subnode's NID and the object's size, MS-PST 2.3.3.5), or a large value
// streamed into a subnode (the slot is the subnode's NID).
type storedValue struct {
	id   uint16
	typ  uint16
	hnid uint32
	size uint32
}

// writePC writes a property context and returns its data tree's BID. The
// properties are stored in ID order, stored values among them.
func (n *nodeParts) writePC(props []Property, objects ...storedValue) (uint64, error) {
	// The caller's lists are sorted here only when they are not already
	// (a copy of another store's object comes in ID order).
	propByID := func(a, b Property) int { return cmp.Compare(a.ID, b.ID) }
	objectByID := func(a, b storedValue) int { return cmp.Compare(a.id, b.id) }
	if !slices.IsSortedFunc(props, propByID) {
		props = slices.Clone(props)
		slices.SortStableFunc(props, propByID)
	}
	if !slices.IsSortedFunc(objects, objectByID) {
		objects = slices.Clone(objects)
		slices.SortFunc(objects, objectByID)
	}
	for _, o := range objects {
		if _, dup := find(props, o.id); dup {
			return 0, fmt.Errorf("pstwrite: property 0x%04X given twice", o.id)
		}
	}
	h := newHeap(n.b, clientPC)
	t := newBTH(h, 2, 6)
	var key [2]byte
	var ent [6]byte
	oi := 0
	for i := 0; i <= len(props); i++ {
		// Objects merge into the ID order.
		for oi < len(objects) && (i == len(props) || objects[oi].id < props[i].ID) {
			o := objects[oi]
			oi++
			slot := o.hnid
			if o.typ == ltp.TypeObject {
				var ref [8]byte
				binary.LittleEndian.PutUint32(ref[:], o.hnid)
				binary.LittleEndian.PutUint32(ref[4:], o.size)
				slot = uint32(h.put(ref[:]))
			}
			binary.LittleEndian.PutUint16(key[:], o.id)
			binary.LittleEndian.PutUint16(ent[:], o.typ)
			binary.LittleEndian.PutUint32(ent[2:], slot)
			if err := t.add(key[:], ent[:]); err != nil {
				return 0, err
			}
		}
		if i == len(props) {
			break
		}
		p := props[i]
		if err := p.Check(); err != nil {
			return 0, err
		}
		if i > 0 && props[i-1].ID == p.ID {
			return 0, fmt.Errorf("pstwrite: property 0x%04X given twice", p.ID)
		}
		slot, err := n.pcSlot(h, p)
		if err != nil {
			return 0, err
		}
		binary.LittleEndian.PutUint16(key[:], p.ID)
		binary.LittleEndian.PutUint16(ent[:], p.Type)
		binary.LittleEndian.PutUint32(ent[2:], slot)
		if err := t.add(key[:], ent[:]); err != nil {
			return 0, err
		}
	}
	t.finish()
	list, err := h.finish(t.header)
	if err != nil {
		return 0, err
	}
	return n.b.dataTree(list)
}

// pcSlot is a property's 4-byte PC slot: the value itself for types of up
// to 4 bytes, else an HNID (MS-PST 2.3.3.3).
func (n *nodeParts) pcSlot(h *heap, p Property) (uint32, error) {
	size := fixedSize(p.Type)
	if size > 0 && size <= 4 {
		var v [4]byte
		copy(v[:], p.Data)
		return binary.LittleEndian.Uint32(v[:]), nil
	}
	return n.value(h, p.Data)
}
