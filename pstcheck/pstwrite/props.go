package pstwrite

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// typeMV marks a multi-valued property type (MS-OXCDATA 2.11.1); the
// types themselves are ltp's, the reader's.
const typeMV = 0x1000

// Property is one property of an object. Data is the value as MS-PST
// stores it: the little-endian value of a fixed-size type in its own size
// (1 byte for a boolean, 2 for PtypInteger16, 4, 8, or 16 for a GUID),
// UTF-16LE without a terminator for PtypString, the bytes of PtypString8
// and PtypBinary, and the packed array of a multi-valued type (MS-PST
// 2.3.3.4). PtypObject is written through Attachment (an embedded message
// or an OLE object), not as a Property.
type Property struct {
	ID   uint16
	Type uint16
	Data []byte
}

// Tag is the property tag: ID and type.
func (p Property) Tag() uint32 { return uint32(p.ID)<<16 | uint32(p.Type) }

// fixedSize is the size of a fixed-size type's value, 0 for a
// variable-size one and -1 for a type MS-PST does not define.
func fixedSize(t uint16) int {
	switch t {
	case ltp.TypeBoolean:
		return 1
	case ltp.TypeInt16:
		return 2
	case ltp.TypeInt32, ltp.TypeFloat, ltp.TypeError:
		return 4
	case ltp.TypeDouble, ltp.TypeCurrency, ltp.TypeAppTime, ltp.TypeInt64, ltp.TypeTime:
		return 8
	case ltp.TypeGUID:
		return 16
	case ltp.TypeObject, ltp.TypeString8, ltp.TypeString, ltp.TypeBinary:
		return 0
	}
	if t&typeMV != 0 {
		switch t &^ typeMV {
		case ltp.TypeInt16, ltp.TypeInt32, ltp.TypeFloat, ltp.TypeDouble, ltp.TypeCurrency, ltp.TypeAppTime, ltp.TypeInt64,
			ltp.TypeString8, ltp.TypeString, ltp.TypeTime, ltp.TypeGUID, ltp.TypeBinary:
			return 0
		}
	}
	return -1
}

// Check says whether a property can be stored as given.
func (p Property) Check() error {
	n := fixedSize(p.Type)
	switch {
	case n < 0:
		return fmt.Errorf("property 0x%04X: type 0x%04X is not a property type", p.ID, p.Type)
	case p.Type == ltp.TypeObject:
		return fmt.Errorf("property 0x%04X: PtypObject values are written as attachments", p.ID)
	case n > 0 && len(p.Data) != n:
		return fmt.Errorf("property 0x%04X: type 0x%04X value is %d bytes, want %d", p.ID, p.Type, len(p.Data), n)
	case p.Type == ltp.TypeString && len(p.Data)%2 != 0:
		return fmt.Errorf("property 0x%04X: UTF-16 string of odd length %d", p.ID, len(p.Data))
	}
	return nil
}

// String is a PtypString property.
func String(id uint16, s string) Property {
	return Property{ID: id, Type: ltp.TypeString, Data: UTF16(s)}
}

// UTF16 encodes s as UTF-16LE, as PtypString values are stored.
func UTF16(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			b = binary.LittleEndian.AppendUint16(b, uint16(r1))
			b = binary.LittleEndian.AppendUint16(b, uint16(r2))
			continue
		}
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b
}

// Int32 is a PtypInteger32 property.
func Int32(id uint16, v int32) Property {
	return Property{ID: id, Type: ltp.TypeInt32, Data: binary.LittleEndian.AppendUint32(nil, uint32(v))}
}

// Int64 is a PtypInteger64 property.
func Int64(id uint16, v int64) Property {
	return Property{ID: id, Type: ltp.TypeInt64, Data: binary.LittleEndian.AppendUint64(nil, uint64(v))}
}

// Bool is a PtypBoolean property.
func Bool(id uint16, v bool) Property {
	b := byte(0)
	if v {
		b = 1
	}
	return Property{ID: id, Type: ltp.TypeBoolean, Data: []byte{b}}
}

// Double is a PtypFloating64 property.
func Double(id uint16, v float64) Property {
	return Property{ID: id, Type: ltp.TypeDouble, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(v))}
}

// Binary is a PtypBinary property.
func Binary(id uint16, b []byte) Property { return Property{ID: id, Type: ltp.TypeBinary, Data: b} }

// Time is a PtypTime property (a FILETIME: 100 ns since 1601).
func Time(id uint16, t time.Time) Property {
	return Property{ID: id, Type: ltp.TypeTime, Data: binary.LittleEndian.AppendUint64(nil, uint64(FileTime(t)))}
}

// FileTime converts t to a FILETIME; the zero time is 0.
func FileTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	const epochDiff = 116444736000000000 // 1601-01-01 to 1970-01-01 in 100 ns
	return t.UnixNano()/100 + epochDiff
}

// MultiString is a PtypMultipleString property.
func MultiString(id uint16, values ...string) Property {
	items := make([][]byte, len(values))
	for i, v := range values {
		items[i] = UTF16(v)
	}
	return Property{ID: id, Type: ltp.TypeString | typeMV, Data: packMV(items)}
}

// MultiBinary is a multi-valued binary property (PtypMultipleBinary).
func MultiBinary(id uint16, values ...[]byte) Property {
	return Property{ID: id, Type: ltp.TypeBinary | typeMV, Data: packMV(values)}
}

// packMV packs variable-size values as MS-PST 2.3.3.4.2 stores them: a
// count, each item's offset from the start, then the items.
func packMV(items [][]byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(items)))
	off := 4 + 4*len(items)
	for _, it := range items {
		b = binary.LittleEndian.AppendUint32(b, uint32(off))
		off += len(it)
	}
	for _, it := range items {
		b = append(b, it...)
	}
	return b
}

// find returns the property with id, if present.
func find(props []Property, id uint16) (Property, bool) {
	for _, p := range props {
		if p.ID == id {
			return p, true
		}
	}
	return Property{}, false
}
