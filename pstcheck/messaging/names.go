package messaging

import (
	"encoding/binary"
	"iter"
	"maps"
	"slices"
	"unicode/utf16"
)

// PropertyName is the name of a named property (MS-PST 2.4.7): its
// property set and a numeric ID, or a string.
type PropertyName struct {
	GUID [16]byte // in the byte order a store keeps it
	LID  uint32   // the numeric name, when Name is ""
	Name string
}

// PropertyName returns the name the store's name-to-ID map gives a
// property ID of the named range (0x8000 and up): what a copy of the
// property into another store must be named by, since IDs are the
// store's own.
func (r *Reader) PropertyName(id uint16) (PropertyName, bool) {
	r.namesOnce.Do(r.loadNames)
	n, ok := r.names[id]
	return n, ok
}

// PropertyNames yields each ID the store's name-to-ID map names, with its
// name (as PropertyName gives it), in ID order: a copy of a store's named
// properties goes through these few hundred, not the 32,768 IDs the range
// could hold.
func (r *Reader) PropertyNames() iter.Seq2[uint16, PropertyName] {
	r.namesOnce.Do(r.loadNames)
	return func(yield func(uint16, PropertyName) bool) {
		for _, id := range slices.Sorted(maps.Keys(r.names)) {
			if !yield(id, r.names[id]) {
				return
			}
		}
	}
}

// loadNames reads every entry of the name-to-ID map: numeric names and,
// unlike loadNameMap, string names too. Entries that point outside their
// streams are left out.
func (r *Reader) loadNames() {
	r.names = map[uint16]PropertyName{}
	props, err := r.nameMapProperties()
	if err != nil {
		return
	}
	guids, entries, strs := props.At(0x0002).Data, props.At(0x0003).Data, props.At(0x0004).Data
	for i := 0; i+8 <= len(entries); i += 8 {
		n := nameRecordAt(entries[i:])
		id, idx := n.id, n.index
		var name PropertyName
		var ok bool
		if name.GUID, ok = n.propertySet(guids); !ok {
			continue
		}
		if !n.str {
			name.LID = id
		} else {
			// A string: its byte length, then UTF-16LE.
			if uint64(id)+4 > uint64(len(strs)) {
				continue
			}
			l := binary.LittleEndian.Uint32(strs[id:])
			if uint64(id)+4+uint64(l) > uint64(len(strs)) || l%2 != 0 || l == 0 {
				continue
			}
			u := make([]uint16, l/2)
			for k := range u {
				u[k] = binary.LittleEndian.Uint16(strs[int(id)+4+2*k:])
			}
			name.Name = string(utf16.Decode(u))
		}
		if idx <= 0x7FFF {
			r.names[0x8000+idx] = name
		}
	}
}

// nameRecord is one record of the name-to-ID map's entry stream (NAMEID,
// MS-PST 2.4.7.1): a numeric name, or with str the offset of a string name
// in the string stream (id); the property set (guid: 1 PS_MAPI, 2
// PS_PUBLIC_STRINGS, 3 and up the GUID stream's); and the property's
// index, its ID being 0x8000 + index.
type nameRecord struct {
	id    uint32
	str   bool
	guid  int
	index uint16
}

// nameRecordAt reads the record at the start of b (8 bytes at least).
func nameRecordAt(b []byte) nameRecord {
	g := binary.LittleEndian.Uint16(b[4:])
	return nameRecord{id: binary.LittleEndian.Uint32(b), str: g&1 != 0, guid: int(g >> 1), index: binary.LittleEndian.Uint16(b[6:])}
}

// propertySet is the GUID of the record's property set, the map's GUID
// stream being guids; false when the record names none there.
func (n nameRecord) propertySet(guids []byte) ([16]byte, bool) {
	var guid [16]byte
	switch k := n.guid; {
	case k == 1:
		guid, _ = parseGUID("00020328-0000-0000-C000-000000000046") // PS_MAPI
	case k == 2:
		guid, _ = parseGUID("00020329-0000-0000-C000-000000000046") // PS_PUBLIC_STRINGS
	case k >= 3 && (k-3)*16+16 <= len(guids):
		copy(guid[:], guids[(k-3)*16:])
	default:
		return guid, false
	}
	return guid, true
}
