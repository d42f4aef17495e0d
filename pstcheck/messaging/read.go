package messaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// This file reads items' contents for the export: the properties of a
// message, its recipients, its attachments (with their bytes) and its
// embedded messages, from structures the scan has validated. Unlike the
// checks, values are copied out of the walk's buffers, since they outlive
// the read.

// Value is one property value: inline (4 bytes or less, in Inline) or the
// bytes of its heap item or subnode (in Data, decoded).
type Value struct {
	Type   uint16
	Inline uint32
	Data   []byte
}

// Props are an object's properties by property ID.
type Props map[uint16]Value

// Message is a message object read whole.
type Message struct {
	NID         uint32
	Props       Props
	Recipients  []Props
	Attachments []Attachment
}

// Attachment is an attachment object: its properties, its bytes
// (PidTagAttachDataBinary) or the message it embeds.
type Attachment struct {
	Props    Props
	Data     []byte
	Embedded *Message
}

// Property IDs the reader itself needs.
const (
	propAttachDataBinary = 0x3701    // the same ID holds the embedded object (PtypObject)
	maxValue             = 256 << 20 // largest single value read into memory
)

// Reader reads items from a scanned store.
type Reader struct {
	res      *ndb.Result
	codepage uint32
	named    map[namedKey]uint16
	// names maps named property IDs to their names, read on first use
	// (names.go).
	namesOnce sync.Once
	names     map[uint16]PropertyName
}

type namedKey struct {
	guid [16]byte
	lid  uint32
}

// NewReader returns a reader over a store the scan walked (m).
func NewReader(res *ndb.Result, m *Result) *Reader {
	r := &Reader{res: res, codepage: m.Codepage, named: map[namedKey]uint16{}}
	if r.codepage == 0 {
		r.codepage = 1252
	}
	r.loadNameMap()
	return r
}

// Codepage is the store's 8-bit string code page.
func (r *Reader) Codepage() uint32 { return r.codepage }

// Named returns the property ID a named property (property set GUID in
// its usual string form and numeric ID) has in this store.
func (r *Reader) Named(guid string, lid uint32) (uint16, bool) {
	g, err := parseGUID(guid)
	if err != nil {
		return 0, false
	}
	id, ok := r.named[namedKey{g, lid}]
	return id, ok
}

// loadNameMap reads the named property map (MS-PST 2.4.7): entries of 8
// bytes map 0x8000+index to a GUID and a numeric ID.
func (r *Reader) loadNameMap() {
	props, err := r.Properties(nidNameToIDMap)
	if err != nil {
		return
	}
	guids, entries := props[0x0002].Data, props[0x0003].Data
	for i := 0; i+8 <= len(entries); i += 8 {
		id := binary.LittleEndian.Uint32(entries[i:])
		g := binary.LittleEndian.Uint16(entries[i+4:])
		idx := binary.LittleEndian.Uint16(entries[i+6:])
		if g&1 != 0 {
			continue // a string-named property: not needed here
		}
		var guid [16]byte
		switch k := int(g >> 1); {
		case k == 1:
			guid, _ = parseGUID("00020328-0000-0000-C000-000000000046") // PS_MAPI
		case k == 2:
			guid, _ = parseGUID("00020329-0000-0000-C000-000000000046") // PS_PUBLIC_STRINGS
		case k >= 3 && (k-3)*16+16 <= len(guids):
			copy(guid[:], guids[(k-3)*16:])
		default:
			continue
		}
		r.named[namedKey{guid, id}] = 0x8000 + idx
	}
}

// parseGUID turns "00062004-0000-0000-C000-000000000046" into the bytes a
// store keeps (the first three fields little-endian).
func parseGUID(s string) ([16]byte, error) {
	var g [16]byte
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return g, fmt.Errorf("bad GUID %q", s)
	}
	var raw [16]byte
	for i := range raw {
		var b byte
		if _, err := fmt.Sscanf(h[2*i:2*i+2], "%02x", &b); err != nil {
			return g, err
		}
		raw[i] = b
	}
	g[0], g[1], g[2], g[3] = raw[3], raw[2], raw[1], raw[0]
	g[4], g[5] = raw[5], raw[4]
	g[6], g[7] = raw[7], raw[6]
	copy(g[8:], raw[8:])
	return g, nil
}

// Properties reads the property context of a node that is not a message:
// the message store (NIDMessageStore) or a folder. The export takes the
// store's identity (PidTagRecordKey) from it, and a folder's name as
// stored.
func (r *Reader) Properties(nid uint32) (Props, error) {
	n, ok := r.res.Node(nid)
	if !ok {
		return nil, errMissing
	}
	subs, err := r.res.Subnodes(n.Sub, nil)
	if err != nil {
		return nil, err
	}
	blocks, err := r.res.ReadBlocks(n.Data, nil)
	if err != nil {
		return nil, err
	}
	pc, err := ltp.OpenPC(nil, blocks, r.res.Decode, subnodeSet(subs))
	if err != nil {
		return nil, err
	}
	return r.props(pc, subs, nil)
}

// Message reads a top-level message node whole: any part that cannot be
// read is an error.
func (r *Reader) Message(nid uint32) (*Message, error) {
	n, ok := r.res.Node(nid)
	if !ok {
		return nil, errMissing
	}
	return r.message(nid, n.Data, n.Sub, nil)
}

// Partial reads what can be read of a damaged message: its properties
// must be readable, but a value, the recipients or an attachment that
// cannot be read is left out, and said in problems.
func (r *Reader) Partial(nid uint32) (m *Message, problems []string, err error) {
	n, ok := r.res.Node(nid)
	if !ok {
		return nil, nil, errMissing
	}
	m, err = r.message(nid, n.Data, n.Sub, &problems)
	return m, problems, err
}

// message reads the message object data, sub (a message, or the one an
// attachment embeds) through walkObject. lenient, when not nil, collects
// the problems a partial read passes over; when nil, the first problem is
// the read's error.
func (r *Reader) message(nid uint32, data, sub uint64, lenient *[]string) (*Message, error) {
	keepGoing := func(err error, what string) bool {
		if lenient == nil {
			return false
		}
		*lenient = append(*lenient, what+": "+err.Error())
		return true
	}
	subs, err := r.res.Subnodes(sub, nil)
	if err != nil {
		if !keepGoing(err, "subnodes") {
			return nil, err
		}
		subs = map[uint32]ndb.Subnode{}
	}
	// The walk goes depth first: stack[d] is the message at depth d, the
	// last attachment of stack[d] the one that embeds stack[d+1].
	var stack []*Message
	v := &objectVisit{
		message: func(depth int, pc *ltp.PC, subs map[uint32]ndb.Subnode) error {
			props, err := r.props(pc, subs, keepGoing)
			if err != nil {
				return err
			}
			m := &Message{Props: props}
			if depth == 0 {
				m.NID = nid
			} else {
				parent := stack[depth-1]
				parent.Attachments[len(parent.Attachments)-1].Embedded = m
			}
			stack = append(stack[:depth], m)
			return nil
		},
		recipients: func(depth int, tc *ltp.TC, subs map[uint32]ndb.Subnode) error {
			rows, err := r.rows(tc, subs)
			stack[depth].Recipients = rows
			return err
		},
		attachment: func(depth int, aid uint32, pc *ltp.PC, asubs map[uint32]ndb.Subnode) error {
			props, err := r.props(pc, asubs, nil)
			if err != nil {
				return err
			}
			a := Attachment{Props: props}
			v := props[propAttachData]
			switch {
			case v.Type == ltp.TypeBinary:
				a.Data = v.Data
			case v.Type == ltp.TypeObject && len(v.Data) >= 4 && props[propAttachMethod].Inline != attachEmbedded:
				// An OLE object (afOle): its storage is the subnode the
				// value names; its bytes are the attachment.
				obj, ok := asubs[binary.LittleEndian.Uint32(v.Data)]
				if !ok {
					return fmt.Errorf("OLE object 0x%X does not exist", binary.LittleEndian.Uint32(v.Data))
				}
				if a.Data, err = r.hnid(nil, map[uint32]ndb.Subnode{obj.NID: obj}, obj.NID); err != nil {
					return err
				}
			}
			stack[depth].Attachments = append(stack[depth].Attachments, a)
			return nil
		},
	}
	if lenient != nil {
		v.lenient = keepGoing
	}
	if err := walkObject(r.res, data, subs, 0, v); err != nil {
		return nil, err
	}
	return stack[0], nil
}

// props reads every value of a property context. keepGoing, when it says
// so, passes over a value that cannot be read (nil: it is an error).
func (r *Reader) props(pc *ltp.PC, subs map[uint32]ndb.Subnode, keepGoing func(error, string) bool) (Props, error) {
	out := make(Props, len(pc.Props))
	for _, p := range pc.Props {
		v := Value{Type: p.Type}
		if ltp.Inline(p.Type) {
			v.Inline = p.Value
		} else if data, err := r.hnid(pc.Heap, subs, p.Value); err != nil {
			if keepGoing != nil && keepGoing(err, fmt.Sprintf("property 0x%04X", p.ID)) {
				continue
			}
			return nil, err
		} else {
			v.Data = data
		}
		out[p.ID] = v
	}
	return out, nil
}

// hnid reads the value an HNID names: a heap item, or a subnode's data.
func (r *Reader) hnid(h *ltp.Heap, subs map[uint32]ndb.Subnode, hnid uint32) ([]byte, error) {
	if ltp.IsHID(hnid) {
		// The heap's blocks were read for this message alone (not into a
		// reused arena), so the item can be kept where it lies.
		return h.Item(ltp.HID(hnid))
	}
	s, ok := subs[hnid]
	if !ok {
		return nil, fmt.Errorf("subnode 0x%X does not exist", hnid)
	}
	blocks, err := r.res.ReadData(s.Data)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 1 {
		return blocks[0], nil
	}
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	if n > maxValue {
		return nil, fmt.Errorf("value of %d bytes is larger than %d", n, maxValue)
	}
	out := make([]byte, 0, n)
	for _, b := range blocks {
		out = append(out, b...)
	}
	return out, nil
}

// rows reads every row of a table.
func (r *Reader) rows(tc *ltp.TC, subs map[uint32]ndb.Subnode) ([]Props, error) {
	rows := make([]Props, len(tc.RowIDs))
	for i := range rows {
		row := Props{}
		var rerr error
		tc.RowCells(i, func(c ltp.Column, cell []byte) {
			v := Value{Type: c.Type()}
			switch {
			case ltp.Inline(v.Type) || c.Size != 4 && !isVariable(v.Type):
				if len(cell) >= 4 {
					v.Inline = binary.LittleEndian.Uint32(cell)
				} else if len(cell) == 2 {
					v.Inline = uint32(binary.LittleEndian.Uint16(cell))
				} else if len(cell) == 1 {
					v.Inline = uint32(cell[0])
				}
				v.Data = bytes.Clone(cell)
			default:
				var err error
				if v.Data, err = r.hnid(tc.Heap, subs, binary.LittleEndian.Uint32(cell)); err != nil && rerr == nil {
					rerr = err
				}
			}
			row[uint16(c.Tag>>16)] = v
		})
		if rerr != nil {
			return nil, rerr
		}
		rows[i] = row
	}
	return rows, nil
}

func isVariable(t uint16) bool {
	switch t {
	case ltp.TypeString, ltp.TypeString8, ltp.TypeBinary, ltp.TypeObject, ltp.TypeGUID:
		return true
	}
	return t&0x1000 != 0
}

// String decodes a string property (Unicode, or 8-bit in the store's code
// page); "" when absent or not a string.
func (r *Reader) String(p Props, id uint16) string {
	v, ok := p[id]
	if !ok {
		return ""
	}
	s, _ := decodeString(v.Type, v.Data, r.codepage)
	return s
}

// decodeString decodes a string value: Unicode, or 8-bit in code page
// cp; trailing NULs dropped. ok is false for other types.
func decodeString(t uint16, b []byte, cp uint32) (string, bool) {
	switch t {
	case ltp.TypeString:
		return strings.TrimRight(decodeUTF16(b), "\x00"), true
	case ltp.TypeString8:
		return strings.TrimRight(DecodeANSI(cp, b), "\x00"), true
	}
	return "", false
}

// Time decodes a PtypTime (FILETIME) property; zero when absent.
func Time(p Props, id uint16) time.Time {
	v, ok := p[id]
	if !ok || v.Type != ltp.TypeTime || len(v.Data) != 8 {
		return time.Time{}
	}
	return FileTime(binary.LittleEndian.Uint64(v.Data))
}

// Int returns an integer or boolean property; ok false when absent.
func Int(p Props, id uint16) (uint32, bool) {
	v, ok := p[id]
	if !ok || !ltp.Inline(v.Type) {
		return 0, false
	}
	return v.Inline, true
}

// Bytes returns a binary property's bytes.
func Bytes(p Props, id uint16) []byte {
	if v, ok := p[id]; ok && v.Type == ltp.TypeBinary {
		return v.Data
	}
	return nil
}

// decodeUTF16 decodes little-endian UTF-16 into UTF-8 in one pass (bodies
// are long: this is most of what reading a message costs); an unpaired
// surrogate becomes U+FFFD.
func decodeUTF16(b []byte) string {
	out := make([]byte, 0, len(b)/2+len(b)/4)
	for i := 0; i+1 < len(b); i += 2 {
		c := rune(binary.LittleEndian.Uint16(b[i:]))
		if c < 0x80 {
			out = append(out, byte(c))
			continue
		}
		if utf16.IsSurrogate(c) {
			if c < 0xDC00 && i+3 < len(b) {
				if d := rune(binary.LittleEndian.Uint16(b[i+2:])); d >= 0xDC00 && d < 0xE000 {
					out = utf8.AppendRune(out, utf16.DecodeRune(c, d))
					i += 2
					continue
				}
			}
			c = utf8.RuneError
		}
		out = utf8.AppendRune(out, c)
	}
	return string(out)
}
