package repair

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// Property types, as MS-OXCDATA numbers them.
const (
	typeInt16   = 0x0002
	typeInt32   = 0x0003
	typeFloat   = 0x0004
	typeError   = 0x000A
	typeBoolean = 0x000B
	typeObject  = 0x000D
	typeString8 = 0x001E
	typeString  = 0x001F
	typeBinary  = 0x0102
	typeMV      = 0x1000
)

// Properties the copy handles itself.
const (
	propAttachData   = 0x3701 // binary data, or the embedded message or OLE object
	propAttachMethod = 0x3705
	propLtpRowID     = 0x67F2
	propLtpRowVer    = 0x67F3
	attachOLE        = 6
	firstNamedID     = 0x8000
)

// converter turns what the engine read from the old store into what the
// writer writes to the new one: 8-bit strings become Unicode (the new
// store is Unicode, and the old one's code page is known only to it),
// named properties take the new store's IDs for their names, values the
// writer stores itself (object references, table row IDs) are left out.
//
// Every name of the old store is given its new ID when the converter is
// made, in the old store's order, so that converting only reads: the
// goroutines reading items convert them side by side (each with a copy of
// the converter, forReader), and the new store is the same on every run.
type converter struct {
	w *pstwrite.Writer
	r *messaging.Reader
	// named maps an old named property ID (less firstNamedID) to its new
	// one, 0 when the old store has no name for it (new named IDs are
	// firstNamedID and up).
	named *[namedIDs]uint16
	// dropped counts properties that could not be copied (a named
	// property without a name, a value of an unknown type).
	dropped int
	// used and fixed are props's scratch: which new named IDs the
	// object has taken (used[id] == object), and the bytes of its
	// fixed-size values.
	fixed  []byte
	used   *[namedIDs]uint32
	object uint32
}

const namedIDs = 0x10000 - firstNamedID

func newConverter(w *pstwrite.Writer, r *messaging.Reader) *converter {
	c := &converter{w: w, r: r, named: new([namedIDs]uint16), used: new([namedIDs]uint32)}
	for old, n := range r.PropertyNames() { // in ID order: the new IDs follow it
		if id, err := w.NamedProperty(pstwrite.PropertyName{GUID: n.GUID, LID: n.LID, Name: n.Name}); err == nil {
			c.named[old-firstNamedID] = id
		}
	}
	return c
}

// forReader returns a converter for one goroutine: the same names, a
// count and scratch of its own.
func (c *converter) forReader() *converter {
	return &converter{w: c.w, r: c.r, named: c.named, used: new([namedIDs]uint32)}
}

// id maps a property ID to the new store's; false when it cannot be.
func (c *converter) id(old uint16) (uint16, bool) {
	if old < firstNamedID {
		return old, true
	}
	id := c.named[old-firstNamedID]
	return id, id != 0
}

// props converts an object's properties, leaving out those skip names.
// Two IDs of the old store may carry one name (a writer that registered
// a name twice): the first, in ID order, keeps it.
func (c *converter) props(p messaging.Props, skip ...uint16) []pstwrite.Property {
	out := make([]pstwrite.Property, 0, len(p))
	if c.object++; c.object == 0 {
		// The marks wrapped around: old ones could pass for this object's.
		clear(c.used[:])
		c.object = 1
	}
	// Values of 2 and 4 bytes take their bytes from one slice per object.
	c.fixed = nil
	for _, v := range p { // in ID order
		old := v.ID
		if slices.Contains(skip, old) {
			continue
		}
		id, ok := c.id(old)
		if ok && id >= firstNamedID {
			// Only named IDs can repeat: two old IDs of one name.
			if ok = c.used[id-firstNamedID] != c.object; ok {
				c.used[id-firstNamedID] = c.object
			}
		}
		if !ok {
			c.dropped++
			continue
		}
		prop, ok := c.value(p, old, v.Value)
		if prop.ID = id; !ok || prop.Check() != nil {
			c.dropped++
			continue
		}
		out = append(out, prop)
	}
	return out
}

// value converts one value; false when it cannot be stored as such.
func (c *converter) value(p messaging.Props, id uint16, v messaging.Value) (pstwrite.Property, bool) {
	var size int
	switch v.Type {
	case typeObject:
		return pstwrite.Property{}, false // an attachment's content: copied as such
	case typeBoolean:
		return pstwrite.Bool(0, v.Inline != 0), true
	case typeInt16:
		size = 2
	case typeInt32, typeFloat, typeError:
		size = 4
	case typeString8:
		return pstwrite.String(0, c.r.String(p, id)), true
	case typeString8 | typeMV:
		return c.multiString8(v.Data)
	}
	if size > 0 {
		if cap(c.fixed)-len(c.fixed) < 4 {
			c.fixed = make([]byte, 0, 4*len(p))
		}
		c.fixed = binary.LittleEndian.AppendUint32(c.fixed, v.Inline)
		return pstwrite.Property{Type: v.Type, Data: c.fixed[len(c.fixed)-4 : len(c.fixed)-4+size : len(c.fixed)-4+size]}, true
	}
	prop := pstwrite.Property{Type: v.Type, Data: v.Data}
	if prop.Data == nil {
		prop.Data = []byte{}
	}
	return prop, true
}

// multiString8 converts a PtypMultipleString8 value to PtypMultipleString.
func (c *converter) multiString8(b []byte) (pstwrite.Property, bool) {
	if len(b) < 4 {
		return pstwrite.Property{}, false
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 0 || 4+4*n > len(b) {
		return pstwrite.Property{}, false
	}
	values := make([]string, n)
	for i := range n {
		start := int(binary.LittleEndian.Uint32(b[4+4*i:]))
		end := len(b)
		if i+1 < n {
			end = int(binary.LittleEndian.Uint32(b[8+4*i:]))
		}
		if start < 4+4*n || start > end || end > len(b) {
			return pstwrite.Property{}, false
		}
		values[i] = c.r.String8(b[start:end])
	}
	return pstwrite.MultiString(0, values...), true
}

// message converts a message read whole (or in part) with its
// recipients, attachments and embedded messages.
func (c *converter) message(m *messaging.Message) *pstwrite.Message {
	out := &pstwrite.Message{Props: c.props(m.Props)}
	for _, r := range m.Recipients {
		out.Recipients = append(out.Recipients, c.props(r, propLtpRowID, propLtpRowVer))
	}
	c.capColumns(out.Recipients)
	for _, a := range m.Attachments {
		att := pstwrite.Attachment{Props: c.props(a.Props, propAttachData)}
		method, _ := messaging.Int(a.Props, propAttachMethod)
		switch {
		case a.Embedded != nil:
			att.Embedded = c.message(a.Embedded)
		case method == attachOLE && a.Props.At(propAttachData).Type == typeObject:
			att.Object = a.Data
			if att.Object == nil {
				att.Object = []byte{}
			}
		case !a.Stream.IsZero():
			att.Data, att.Size = &streamReader{r: c.r, s: a.Stream}, a.Stream.Size
		case a.Data != nil:
			att.Data, att.Size = bytes.NewReader(a.Data), int64(len(a.Data))
		}
		out.Attachments = append(out.Attachments, att)
	}
	return out
}

// maxRecipientColumns is what a recipient table holds besides its
// template's 14 columns and its row ID and version (a table has at most
// 255).
const maxRecipientColumns = 255 - 16

// capColumns keeps a message's recipients within what one table holds:
// every recipient property is a column of it. Properties past the limit,
// in tag order, are left out (counted as dropped): a real message never
// comes near it.
func (c *converter) capColumns(recips [][]pstwrite.Property) {
	var tags []uint32
	for _, r := range recips {
		for _, p := range r {
			tags = append(tags, p.Tag())
		}
	}
	slices.Sort(tags)
	tags = slices.Compact(tags)
	if len(tags) <= maxRecipientColumns {
		return
	}
	keep := map[uint32]bool{}
	for _, t := range tags[:maxRecipientColumns] {
		keep[t] = true
	}
	for i, r := range recips {
		n := len(r)
		recips[i] = slices.DeleteFunc(r, func(p pstwrite.Property) bool { return !keep[p.Tag()] })
		c.dropped += n - len(recips[i])
	}
}

// markDamaged adds the category that marks a message written with what
// could be read of it: Outlook shows categories, so the user sees which
// items are incomplete.
func (c *converter) markDamaged(m *pstwrite.Message) {
	id, err := c.w.NamedProperty(pstwrite.PropertyName{GUID: pstwrite.PSPublicStrings, Name: "Keywords"})
	if err != nil {
		return
	}
	const mark = "pstcheck: damaged"
	for i, p := range m.Props {
		if p.ID == id && p.Type == typeString|typeMV {
			m.Props[i] = pstwrite.MultiString(id, append(multiStrings(p.Data), mark)...)
			return
		}
	}
	m.Props = append(m.Props, pstwrite.MultiString(id, mark))
}

// multiStrings unpacks a PtypMultipleString value.
func multiStrings(b []byte) []string {
	if len(b) < 4 {
		return nil
	}
	n := int(binary.LittleEndian.Uint32(b))
	if n < 0 || 4+4*n > len(b) {
		return nil
	}
	var out []string
	for i := range n {
		start := int(binary.LittleEndian.Uint32(b[4+4*i:]))
		end := len(b)
		if i+1 < n {
			end = int(binary.LittleEndian.Uint32(b[8+4*i:]))
		}
		if start < 4+4*n || start > end || end > len(b) || (end-start)%2 != 0 {
			return nil
		}
		u := make([]uint16, (end-start)/2)
		for k := range u {
			u[k] = binary.LittleEndian.Uint16(b[start+2*k:])
		}
		out = append(out, string(utf16.Decode(u)))
	}
	return out
}

// streamReader reads an attachment left in the store, opened when the
// writer first reads it.
type streamReader struct {
	r   *messaging.Reader
	s   messaging.Stream
	src io.Reader
}

func (s *streamReader) Read(p []byte) (int, error) {
	if s.src == nil {
		src, err := s.r.Open(s.s)
		if err != nil {
			return 0, err
		}
		s.src = src
	}
	return s.src.Read(p)
}
