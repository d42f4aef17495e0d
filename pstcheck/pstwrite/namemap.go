package pstwrite

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// PropertyName names a named property (MS-PST 2.4.7): a property set GUID
// and either a numeric ID (LID) or, when Name is set, a string.
type PropertyName struct {
	// GUID is the property set in the byte order a store keeps it (the
	// first three fields little-endian); ParseGUID makes one.
	GUID [16]byte
	LID  uint32
	Name string
}

// Well-known property sets with their own wGuid values.
var (
	PSMapi            = MustParseGUID("00020328-0000-0000-C000-000000000046")
	PSPublicStrings   = MustParseGUID("00020329-0000-0000-C000-000000000046")
	PSETIDCommon      = MustParseGUID("00062008-0000-0000-C000-000000000046")
	PSInternetHeaders = MustParseGUID("00020386-0000-0000-C000-000000000046")
)

// ParseGUID turns "00062008-0000-0000-C000-000000000046" into a store's
// byte order.
func ParseGUID(s string) ([16]byte, error) {
	var g [16]byte
	h := strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	if len(h) != 32 {
		return g, fmt.Errorf("pstwrite: bad GUID %q", s)
	}
	var raw [16]byte
	for i := range raw {
		var v byte
		for _, c := range h[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				v |= byte(c - 'a' + 10)
			case c >= 'A' && c <= 'F':
				v |= byte(c - 'A' + 10)
			default:
				return g, fmt.Errorf("pstwrite: bad GUID %q", s)
			}
		}
		raw[i] = v
	}
	g = [16]byte{raw[3], raw[2], raw[1], raw[0], raw[5], raw[4], raw[7], raw[6]}
	copy(g[8:], raw[8:])
	return g, nil
}

// MustParseGUID is ParseGUID for constants.
func MustParseGUID(s string) [16]byte {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err)
	}
	return g
}

// nameMap is the store's name-to-ID map: property IDs 0x8000 and up, in
// the order names are first asked for.
type nameMap struct {
	ids   map[PropertyName]uint16
	names []PropertyName
}

const (
	firstNamedID   = 0x8000
	maxNamedProps  = 0xFFFE - firstNamedID + 1
	nameidBuckets  = 251 // PidTagNameidBucketCount (MS-PST 2.4.7.5)
	propBucketBase = 0x1000
)

// NamedProperty returns the property ID this store gives a named
// property, assigning the next free one the first time it is asked.
func (w *Writer) NamedProperty(n PropertyName) (uint16, error) {
	if w.names.ids == nil {
		w.names.ids = map[PropertyName]uint16{}
	}
	if id, ok := w.names.ids[n]; ok {
		return id, nil
	}
	if len(w.names.names) >= maxNamedProps {
		return 0, fmt.Errorf("pstwrite: more than %d named properties", maxNamedProps)
	}
	id := uint16(firstNamedID + len(w.names.names))
	w.names.ids[n] = id
	w.names.names = append(w.names.names, n)
	return id, nil
}

// ensureStreams gives the map a name in the GUID stream and a name in the
// string stream if it has none: libpff will not open a store whose
// name-to-ID map has no entry, nor go-pst one whose string stream is
// empty. Outlook's maps always have both: these two are among the names it
// registers in every new store (PidLidCurrentVersion, and the
// content-class header).
func (m *nameMap) ensureStreams(w *Writer) error {
	guid, str := false, false
	for _, n := range m.names {
		guid = guid || n.GUID != PSMapi && n.GUID != PSPublicStrings
		str = str || n.Name != ""
	}
	if !guid {
		if _, err := w.NamedProperty(PropertyName{GUID: PSETIDCommon, LID: 0x8552}); err != nil {
			return err
		}
	}
	if !str {
		if _, err := w.NamedProperty(PropertyName{GUID: PSInternetHeaders, Name: "content-class"}); err != nil {
			return err
		}
	}
	return nil
}

// named says whether a property ID in the named range has been assigned.
func (m *nameMap) named(id uint16) bool { return int(id)-firstNamedID < len(m.names) }

// props returns the name-to-ID map's properties: the bucket count, the
// GUID, entry and string streams, and the hash buckets that are not empty.
func (m *nameMap) props() []Property {
	var guids, entries, strs []byte
	guidIndex := map[[16]byte]int{}
	buckets := make([][]byte, nameidBuckets)
	for i, n := range m.names {
		var wGuid int
		switch n.GUID {
		case PSMapi:
			wGuid = 1
		case PSPublicStrings:
			wGuid = 2
		default:
			k, ok := guidIndex[n.GUID]
			if !ok {
				k = len(guidIndex)
				guidIndex[n.GUID] = k
				guids = append(guids, n.GUID[:]...)
			}
			wGuid = 3 + k
		}
		id, hash, kind := n.LID, n.LID, 0
		if n.Name != "" {
			s := UTF16(n.Name)
			id, hash, kind = uint32(len(strs)), ndb.CRC(s), 1
			strs = binary.LittleEndian.AppendUint32(strs, uint32(len(s)))
			strs = append(strs, s...)
			for len(strs)%4 != 0 {
				strs = append(strs, 0)
			}
		}
		guidField := uint16(wGuid<<1 | kind)
		entries = binary.LittleEndian.AppendUint32(entries, id)
		entries = binary.LittleEndian.AppendUint16(entries, guidField)
		entries = binary.LittleEndian.AppendUint16(entries, uint16(i))
		b := (hash ^ uint32(guidField)) % nameidBuckets
		buckets[b] = binary.LittleEndian.AppendUint32(buckets[b], hash)
		buckets[b] = binary.LittleEndian.AppendUint16(buckets[b], guidField)
		buckets[b] = binary.LittleEndian.AppendUint16(buckets[b], uint16(i))
	}
	props := []Property{Int32(0x0001, nameidBuckets),
		Binary(0x0002, guids), Binary(0x0003, entries), Binary(0x0004, strs)}
	for i, b := range buckets {
		if len(b) > 0 {
			props = append(props, Binary(uint16(propBucketBase+i), b))
		}
	}
	return props
}
