package ltp

import (
	"cmp"
	"encoding/binary"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Property types (MS-OXCDATA) a PC or TC may hold.
const (
	TypeInt16    = 0x0002
	TypeInt32    = 0x0003
	TypeFloat    = 0x0004
	TypeDouble   = 0x0005
	TypeCurrency = 0x0006
	TypeAppTime  = 0x0007
	TypeError    = 0x000A
	TypeBoolean  = 0x000B
	TypeObject   = 0x000D
	TypeInt64    = 0x0014
	TypeString8  = 0x001E
	TypeString   = 0x001F
	TypeTime     = 0x0040
	TypeGUID     = 0x0048
	TypeServerID = 0x00FB
	TypeRestrict = 0x00FD
	TypeRule     = 0x00FE
	TypeBinary   = 0x0102
	mvFlag       = 0x1000
)

// fixedSize returns the size of a fixed-size type, 0 for variable ones and
// -1 for a type that is not defined.
func fixedSize(t uint16) int {
	switch t {
	case TypeInt16:
		return 2
	case TypeInt32, TypeFloat, TypeError, TypeBoolean:
		return 4
	case TypeDouble, TypeCurrency, TypeAppTime, TypeInt64, TypeTime:
		return 8
	case TypeGUID:
		return 16
	case TypeObject, TypeString8, TypeString, TypeServerID, TypeRestrict, TypeRule, TypeBinary:
		return 0
	}
	if t&mvFlag != 0 {
		switch t &^ mvFlag {
		case TypeInt16, TypeInt32, TypeFloat, TypeDouble, TypeCurrency, TypeAppTime, TypeInt64,
			TypeString8, TypeString, TypeTime, TypeGUID, TypeBinary:
			return 0
		}
	}
	return -1
}

// Inline reports whether a value of type t is stored in the 4-byte slot
// itself rather than through an HNID.
func Inline(t uint16) bool {
	n := fixedSize(t)
	return n > 0 && n <= 4
}

// Property is one PC entry.
type Property struct {
	ID   uint16
	Type uint16
	// Value is the 4-byte slot: the value itself for inline types, else
	// an HNID (heap item or subnode).
	Value uint32
}

// PC is a validated property context.
type PC struct {
	Heap  *Heap
	Props []Property
}

// SubnodeSet says whether a subnode NID exists in the node's subnode tree.
type SubnodeSet interface {
	Has(nid uint32) bool
}

// OpenPC validates a property context: a heap with client signature PC,
// a BTH of 2-byte keys and 6-byte entries, every property's type defined
// and every value reachable (heap item of the right size, or subnode). It
// is made in sp (nil: fresh memory).
func OpenPC(sp *Space, blocks []ndb.Block, decode Decoder, subnodes SubnodeSet) (*PC, error) {
	return openPC(sp, blocks, decode, subnodes, nil)
}

// SalvagePC opens a property context as OpenPC does, but leaves out each
// property whose value cannot be found, instead of failing: what survives
// of an object whose subnodes are unknown (its node is lost), or whose
// heap has a page-map offset changed (salvageHeap). dropped says why each
// was left out.
func SalvagePC(sp *Space, blocks []ndb.Block, decode Decoder, subnodes SubnodeSet) (pc *PC, dropped []error, err error) {
	pc, err = openPC(sp, blocks, decode, subnodes, &dropped)
	return pc, dropped, err
}

// openPC is OpenPC; with dropped set, a property whose value cannot be
// found is left out and its error added there.
func openPC(sp *Space, blocks []ndb.Block, decode Decoder, subnodes SubnodeSet, dropped *[]error) (*PC, error) {
	open := OpenHeap
	if dropped != nil {
		open = salvageHeap
	}
	h, err := open(sp, blocks, decode)
	if err != nil {
		return nil, err
	}
	if h.ClientSig != ClientPC {
		return nil, errorf(finding.HeapHeader, "heap client signature 0x%02X, want 0xBC (property context)", h.ClientSig)
	}
	t, err := OpenBTH(h, h.UserRoot)
	if err != nil {
		return nil, err
	}
	if t.KeySize != 2 || t.EntrySize != 6 {
		return nil, errorf(finding.BTHHeader, "property context BTH has %d-byte keys and %d-byte entries (want 2 and 6)", t.KeySize, t.EntrySize)
	}
	t.unordered = dropped != nil
	props := sp.scratchProps()
	err = t.Walk(func(key, data []byte) error {
		p := Property{ID: binary.LittleEndian.Uint16(key), Type: binary.LittleEndian.Uint16(data), Value: binary.LittleEndian.Uint32(data[2:])}
		if err := checkValue(h, subnodes, p.Type, p.Value); err != nil {
			err.Detail = "property 0x" + hex4(p.ID) + ": " + err.Detail
			if dropped != nil {
				*dropped = append(*dropped, err)
				return nil
			}
			return err
		}
		props = append(props, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if dropped != nil {
		props = dropUnordered(props, dropped)
	}
	return sp.newPC(h, props), nil
}

// dropUnordered keeps the longest run of properties whose IDs rise, as a
// sound BTH holds them, and drops the others with an error each: an ID
// out of that order is one a changed byte made, and its value is not
// that property's.
func dropUnordered(props []Property, dropped *[]error) []Property {
	rising := true
	for i := 1; i < len(props) && rising; i++ {
		rising = props[i-1].ID < props[i].ID
	}
	if rising {
		return props
	}
	// tails[k] is the index of the smallest last ID of a rising run of
	// k+1 properties; from[i] the property before i in its run.
	tails, from := []int{}, make([]int, len(props))
	for i, p := range props {
		k, _ := slices.BinarySearchFunc(tails, p.ID, func(j int, id uint16) int { return cmp.Compare(props[j].ID, id) })
		from[i] = -1
		if k > 0 {
			from[i] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, i)
		} else {
			tails[k] = i
		}
	}
	keep := make([]bool, len(props))
	if len(tails) > 0 {
		for i := tails[len(tails)-1]; i >= 0; i = from[i] {
			keep[i] = true
		}
	}
	out := props[:0]
	for i, p := range props {
		if keep[i] {
			out = append(out, p)
			continue
		}
		*dropped = append(*dropped, errorf(finding.BTHRecords, "property 0x%s: its key is out of the BTH's order (a changed byte)", hex4(p.ID)))
	}
	return out
}

// scratchProps is where a PC's properties are gathered while its BTH is
// walked (nil: a fresh slice).
func (s *Space) scratchProps() []Property {
	if s == nil {
		return nil
	}
	return s.tmpProps[:0]
}

// newPC makes a PC of h and the properties gathered.
func (s *Space) newPC(h *Heap, props []Property) *PC {
	pc := s.pcBump().one()
	pc.Heap = h
	if s == nil {
		pc.Props = props
		return pc
	}
	s.tmpProps = props[:0]
	pc.Props = s.propBump().take(len(props))
	copy(pc.Props, props)
	return pc
}

// PeekPC reads a property context without requiring its values to be
// reachable: it names what a heap found without its node holds (the node's
// subnodes, and heap blocks past the ones given, may be gone). Only Get and
// Bytes of values inside the blocks given are meaningful.
func PeekPC(sp *Space, blocks []ndb.Block, decode Decoder) (*PC, error) {
	h, err := OpenHeap(sp, blocks, decode)
	if err != nil {
		return nil, err
	}
	if h.ClientSig != ClientPC {
		return nil, errorf(finding.HeapHeader, "heap client signature 0x%02X, not a property context", h.ClientSig)
	}
	t, err := OpenBTH(h, h.UserRoot)
	if err != nil {
		return nil, err
	}
	if t.KeySize != 2 || t.EntrySize != 6 {
		return nil, errorf(finding.BTHHeader, "property context BTH has %d-byte keys and %d-byte entries", t.KeySize, t.EntrySize)
	}
	props := sp.scratchProps()
	err = t.Walk(func(key, data []byte) error {
		props = append(props, Property{ID: binary.LittleEndian.Uint16(key), Type: binary.LittleEndian.Uint16(data), Value: binary.LittleEndian.Uint32(data[2:])})
		return nil
	})
	return sp.newPC(h, props), err
}

// checkValue checks that a value of type t in slot v can be found.
func checkValue(h *Heap, subnodes SubnodeSet, t uint16, v uint32) *Error {
	size := fixedSize(t)
	switch {
	case size < 0:
		return errorf(finding.PCProperty, "type 0x%04X is not a property type", t)
	case size > 0 && size <= 4:
		return nil
	}
	if !IsHID(v) {
		if subnodes == nil || !subnodes.Has(v) {
			return errorf(finding.PCProperty, "type 0x%04X value is in subnode 0x%X, which does not exist", t, v)
		}
		return nil
	}
	if size == 0 { // any size: the item need only exist
		if err := h.Has(HID(v)); err != nil {
			return errorf(finding.PCProperty, "type 0x%04X value: %s", t, err.(*Error).Detail)
		}
		return nil
	}
	n, err := h.ItemSize(HID(v))
	if e, ok := err.(*Error); ok {
		return errorf(finding.PCProperty, "type 0x%04X value: %s", t, e.Detail)
	} else if err != nil { // its block, read again, cannot be read
		return errorf(finding.PCProperty, "type 0x%04X value: %v", t, err)
	}
	if n != size {
		return errorf(finding.PCProperty, "type 0x%04X value is %d bytes, want %d", t, n, size)
	}
	return nil
}

func hex4(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[v>>12], digits[v>>8&0xF], digits[v>>4&0xF], digits[v&0xF]})
}

// Get returns the property with id, if present.
func (pc *PC) Get(id uint16) (Property, bool) {
	for _, p := range pc.Props {
		if p.ID == id {
			return p, true
		}
	}
	return Property{}, false
}

// Bytes returns the value bytes of a property stored in the heap (nil for
// inline values and values in subnodes).
func (pc *PC) Bytes(p Property) []byte {
	if Inline(p.Type) || !IsHID(p.Value) {
		return nil
	}
	b, _ := pc.Heap.Item(HID(p.Value))
	return b
}
