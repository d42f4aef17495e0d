package messaging

import (
	"cmp"
	"encoding/binary"
	"slices"
	"strings"
)

// Prop is one property of an object: its ID and value.
type Prop struct {
	ID uint16
	Value
}

// Props are an object's properties in ID order, each ID once. A list, not
// a map: an object's properties are read, then copied in order (export,
// repair) far more often than looked up one by one, and a map made per
// object cost more than reading the values.
type Props []Prop

// Get returns the value of property id; false when the object has none.
func (p Props) Get(id uint16) (Value, bool) {
	i, ok := slices.BinarySearchFunc(p, id, func(x Prop, id uint16) int { return cmp.Compare(x.ID, id) })
	if !ok {
		return Value{}, false
	}
	return p[i].Value, true
}

// At returns the value of property id, the zero Value when the object
// has none.
func (p Props) At(id uint16) Value {
	v, _ := p.Get(id)
	return v
}

// inIDOrder puts properties read in a structure's order into ID order. A
// property context or table lists them so already (its BTH and columns
// are sorted); a damaged or odd one may not, or may list an ID twice:
// the last one read is kept, as it always was.
func inIDOrder(p Props) Props {
	sorted := true
	for i := 1; i < len(p) && sorted; i++ {
		sorted = p[i-1].ID < p[i].ID
	}
	if sorted {
		return p
	}
	slices.SortStableFunc(p, func(a, b Prop) int { return cmp.Compare(a.ID, b.ID) })
	out := p[:0]
	for i := range p {
		if i+1 < len(p) && p[i+1].ID == p[i].ID {
			continue // a later one of the same ID is kept
		}
		out = append(out, p[i])
	}
	return out
}

// maxMultiple bounds the values read of one multi-valued property.
const maxMultiple = 1 << 16

// Multiple splits the value of a multi-valued property of variable-size
// values (PtypMultipleBinary, PtypMultipleString) as a store keeps it
// (MS-PST 2.3.3.4.2): a count, that many offsets from the start, then the
// values. An offset out of order or out of range ends the list there;
// whole says none did (and the count is at most 65,536).
func Multiple(b []byte) (values [][]byte, whole bool) {
	if len(b) < 4 {
		return nil, false
	}
	n := binary.LittleEndian.Uint32(b)
	if n > maxMultiple || int64(n)*4+4 > int64(len(b)) {
		return nil, false
	}
	end := func(i int) int {
		if i+1 == int(n) {
			return len(b)
		}
		return int(binary.LittleEndian.Uint32(b[4+4*(i+1):]))
	}
	for i := range int(n) {
		start, stop := int(binary.LittleEndian.Uint32(b[4+4*i:])), end(i)
		if start < 4+4*int(n) || start > stop || stop > len(b) {
			return values, false
		}
		values = append(values, b[start:stop])
	}
	return values, true
}

// IsClass reports whether message class class is base or a class
// derived from it ("IPM.Contact.Custom" of "IPM.Contact"), in any case.
func IsClass(class, base string) bool {
	class = strings.TrimSpace(class)
	if len(class) < len(base) || !strings.EqualFold(class[:len(base)], base) {
		return false
	}
	return len(class) == len(base) || class[len(base)] == '.'
}
