package messaging

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
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
// bytes of its heap item or subnode (in Data, decoded), or for a large
// value the reader was told to leave in the store (ReadOptions), where to
// stream it from (in Stream; Data is then nil).
type Value struct {
	Type   uint16
	Inline uint32
	Data   []byte
	Stream Stream
}

// ReadOptions say how Read reads a message.
type ReadOptions struct {
	// Lenient reads what can be read of a damaged message (see Partial).
	Lenient bool
	// StreamAbove, when set, says which values to leave in the store, for
	// the caller to stream (Value.Stream, Attachment.Stream) instead of
	// holding them whole: a value kept in a subnode, of property id and
	// type typ, larger than StreamAbove(id, typ) bytes (never when it
	// returns a negative number). An attachment's OLE object is asked for
	// as property 0x3701 of type PtypObject.
	StreamAbove func(id, typ uint16) int64
	// Verify reads each value left in the store through once, so that a
	// damaged one fails the read now rather than when it is streamed
	// (a Lenient read does so always, to leave such a value out).
	Verify bool
	// Reads, when set, is the calling goroutine's own ReadWindow, passed
	// to each of its reads: the blocks of item after item are read through
	// it instead of a system call each.
	Reads *ReadWindow
}

// ReadWindow holds the bytes around a goroutine's last reads, for the
// reads of items whose values outlive them (ndb.NewKeepingArena). One
// serves one goroutine.
type ReadWindow = ndb.Arena

// NewReadWindow returns a ReadWindow for one goroutine's reads.
func NewReadWindow() *ReadWindow { return ndb.NewKeepingArena() }

// Message is a message object read whole.
type Message struct {
	NID uint32
	// Heap is, for a message read from its remains (its node lost), the
	// block its properties were read from: what names it in the file when
	// no row gives its NID (0).
	Heap        uint64
	Props       Props
	Recipients  []Props
	Attachments []Attachment
	// Unverified, of a damaged message read leniently, are the data blocks
	// read as they are although they fail their checksum: some of the
	// bytes read from them are not what was written.
	Unverified []uint64
}

// Attachment is an attachment object: its properties, its bytes
// (PidTagAttachDataBinary, or an OLE object's storage) or the message it
// embeds. Bytes left in the store (ReadOptions.StreamAbove) are in Stream
// instead of Data.
type Attachment struct {
	Props    Props
	Data     []byte
	Stream   Stream
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
	// nameMapAsItIs: the name-to-ID map is read through the blocks whose
	// one fault is their checksum (Result.NameMapAsItIs).
	nameMapAsItIs bool
	// salvaged are where the store's own nodes survive when their node is
	// lost (Result.StoreNodes).
	salvaged map[uint32]Remains
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
	r := &Reader{res: res, codepage: m.Codepage, salvaged: m.StoreNodes, named: map[namedKey]uint16{}, nameMapAsItIs: m.NameMapAsItIs}
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
	props, err := r.nameMapProperties()
	if err != nil {
		return
	}
	guids, entries := props.At(0x0002).Data, props.At(0x0003).Data
	for i := 0; i+8 <= len(entries); i += 8 {
		n := nameRecordAt(entries[i:])
		if n.str {
			continue // a string-named property: not needed here
		}
		if guid, ok := n.propertySet(guids); ok {
			r.named[namedKey{guid, n.id}] = 0x8000 + n.index
		}
	}
}

// nameMapProperties reads the name-to-ID map's properties: through the
// blocks whose one fault is their checksum too where the scan found the
// map reads as a map only so (Result.NameMapAsItIs).
func (r *Reader) nameMapProperties() (Props, error) {
	props, err := r.Properties(nidNameToIDMap)
	if err == nil || !r.nameMapAsItIs {
		return props, err
	}
	asItIs := Reader{res: r.res.Tolerant(nil), salvaged: r.salvaged}
	return asItIs.Properties(nidNameToIDMap)
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
	if rem, ok := r.salvaged[nid]; ok {
		return r.propertiesAt(rem.Data, rem.Sub)
	}
	n, ok := r.res.Node(nid)
	if !ok {
		return nil, errMissing
	}
	return r.propertiesAt(n.Data, n.Sub)
}

// propertiesAt reads the property context in data tree data, with the
// subnode tree sub.
func (r *Reader) propertiesAt(data, sub uint64) (Props, error) {
	subs, err := r.res.Subnodes(sub, nil)
	if err != nil {
		return nil, err
	}
	blocks, err := r.res.ReadBlocks(data, nil)
	if err != nil {
		return nil, err
	}
	pc, err := ltp.OpenPC(nil, blocks, r.res.Decoder(), subnodeSet(subs))
	if err != nil {
		return nil, err
	}
	return valueReader{res: r.res}.props(pc, subs, nil)
}

// Message reads a top-level message node whole: any part that cannot be
// read is an error.
func (r *Reader) Message(nid uint32) (*Message, error) {
	m, _, err := r.Read(nid, ReadOptions{})
	return m, err
}

// Partial reads what can be read of a damaged message: its properties
// must be readable, but a value, the recipients or an attachment that
// cannot be read is left out, and said in problems.
func (r *Reader) Partial(nid uint32) (m *Message, problems []string, err error) {
	return r.Read(nid, ReadOptions{Lenient: true})
}

// Read reads a top-level message node as opts say: whole (any part that
// cannot be read is an error) or, Lenient, what can be read of it, with
// the problems passed over.
func (r *Reader) Read(nid uint32, opts ReadOptions) (m *Message, problems []string, err error) {
	n, ok := r.res.Node(nid)
	if !ok {
		return nil, nil, errMissing
	}
	var lenient *[]string
	if opts.Lenient {
		lenient = &problems
	}
	m, err = r.message(nid, n.Data, n.Sub, lenient, opts, false)
	return m, problems, err
}

// Salvage reads what is left of message nid, whose node is lost, from the
// blocks that still hold it (Result.Salvage, or an unlinked message's):
// the properties its heap holds and, when its subnode tree was told apart
// (rem.Sub), its recipients, attachments and large values. Without that
// tree, those are missing. The read is always lenient: problems names
// what could not be read.
func (r *Reader) Salvage(nid uint32, rem Remains, opts ReadOptions) (m *Message, problems []string, err error) {
	m, err = r.message(nid, rem.Data, rem.Sub, &problems, opts, true)
	return m, problems, err
}

// ReadRemains reads message nid, whose node is lost, from the blocks that
// hold it whole (Remains.Whole), as Read reads a message from its node.
func (r *Reader) ReadRemains(nid uint32, rem Remains, opts ReadOptions) (m *Message, problems []string, err error) {
	var lenient *[]string
	if opts.Lenient {
		lenient = &problems
	}
	m, err = r.message(nid, rem.Data, rem.Sub, lenient, opts, true)
	return m, problems, err
}

// message reads the message object data, sub (a message, or the one an
// attachment embeds) through walkObject. lenient, when not nil, collects
// the problems a partial read passes over; when nil, the first problem is
// the read's error. opts says which values to leave in the store.
// salvage says the message's node is lost (Salvage).
func (r *Reader) message(nid uint32, data, sub uint64, lenient *[]string, opts ReadOptions, salvage bool) (*Message, error) {
	keepGoing := func(err error, what string) bool {
		if lenient == nil {
			return false
		}
		*lenient = append(*lenient, what+": "+err.Error())
		return true
	}
	// A lenient read of a damaged message also takes the data blocks whose
	// one fault is their checksum, as they are (ndb.Result.Tolerant): most
	// of such a block is what was written, and a flipped bit in a property
	// heap would otherwise cost the whole message. They are named in
	// Message.Unverified.
	res := r.res
	var unverified []uint64
	if lenient != nil && !salvage {
		res = r.res.Tolerant(&unverified)
	}
	// A lenient read checks a value left in the store right away, so that
	// a damaged one is left out like any value that cannot be read.
	vr := valueReader{res: res, streamAbove: opts.StreamAbove, verify: opts.Verify || lenient != nil, tolerant: res != r.res}
	var mem *memory
	if opts.Reads != nil {
		mem = &memory{reads: opts.Reads}
		res.Prefetch(opts.Reads, data, sub)
	}
	subs, err := res.Subnodes(sub, mem.blocks())
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
		mem: mem,
		message: func(depth int, pc *ltp.PC, subs map[uint32]ndb.Subnode) error {
			props, err := vr.props(pc, subs, keepGoing)
			if err != nil {
				return err
			}
			m := &Message{Props: props}
			if depth == 0 {
				m.NID = nid
				if salvage {
					m.Heap = data // a lost message: the block it was read from
				}
			} else {
				parent := stack[depth-1]
				parent.Attachments[len(parent.Attachments)-1].Embedded = m
			}
			stack = append(stack[:depth], m)
			return nil
		},
		recipients: func(depth int, tc *ltp.TC, subs map[uint32]ndb.Subnode) error {
			rows, err := vr.rows(tc, subs)
			stack[depth].Recipients = rows
			return err
		},
		attachment: func(depth int, aid uint32, pc *ltp.PC, asubs map[uint32]ndb.Subnode) error {
			props, err := vr.props(pc, asubs, nil)
			if err != nil {
				return err
			}
			a := Attachment{Props: props}
			v, method := props.At(propAttachData), props.At(propAttachMethod)
			switch {
			case v.Type == ltp.TypeBinary:
				a.Data, a.Stream = v.Data, v.Stream
			case v.Type == ltp.TypeObject && len(v.Data) >= 4 && method.Inline != attachEmbedded:
				// An OLE object (afOle): its storage is the subnode the
				// value names; its bytes are the attachment.
				obj, ok := asubs[binary.LittleEndian.Uint32(v.Data)]
				if !ok {
					return fmt.Errorf("OLE object 0x%X does not exist", binary.LittleEndian.Uint32(v.Data))
				}
				ov, err := vr.subnode(obj, propAttachData, ltp.TypeObject)
				if err != nil {
					return err
				}
				a.Data, a.Stream = ov.Data, ov.Stream
			}
			stack[depth].Attachments = append(stack[depth].Attachments, a)
			return nil
		},
	}
	if lenient != nil {
		v.lenient = keepGoing
	}
	if err := walkObject(res, data, subs, 0, v); err != nil {
		return nil, err
	}
	slices.Sort(unverified)
	stack[0].Unverified = slices.Compact(unverified)
	return stack[0], nil
}

// valueReader reads the values of one message's objects, leaving large
// ones in the store as ReadOptions.StreamAbove says.
type valueReader struct {
	res         *ndb.Result
	streamAbove func(id, typ uint16) int64
	verify      bool // read a value left in the store through once, to check it
	tolerant    bool // res is a Tolerant view: so are the streams it leaves
}

// props reads every value of a property context. keepGoing, when it says
// so, passes over a value that cannot be read (nil: it is an error).
func (vr valueReader) props(pc *ltp.PC, subs map[uint32]ndb.Subnode, keepGoing func(error, string) bool) (Props, error) {
	out := make(Props, 0, len(pc.Props))
	for _, p := range pc.Props {
		v := Value{Type: p.Type}
		if ltp.Inline(p.Type) {
			v.Inline = p.Value
		} else if val, err := vr.hnid(pc.Heap, subs, p.Value, p.ID, p.Type); err != nil {
			if keepGoing != nil && keepGoing(err, fmt.Sprintf("property 0x%04X", p.ID)) {
				continue
			}
			return nil, err
		} else {
			v.Data, v.Stream = val.Data, val.Stream
		}
		out = append(out, Prop{ID: p.ID, Value: v})
	}
	return inIDOrder(out), nil
}

// hnid reads the value an HNID names: a heap item, or a subnode's data.
func (vr valueReader) hnid(h *ltp.Heap, subs map[uint32]ndb.Subnode, hnid uint32, id, typ uint16) (Value, error) {
	if ltp.IsHID(hnid) {
		// The heap's blocks were read for this message alone (not into a
		// reused arena), so the item can be kept where it lies.
		b, err := h.Item(ltp.HID(hnid))
		return Value{Data: b}, err
	}
	s, ok := subs[hnid]
	if !ok {
		return Value{}, fmt.Errorf("subnode 0x%X does not exist", hnid)
	}
	return vr.subnode(s, id, typ)
}

// subnode reads a value kept in subnode s: whole, or left in the store
// when it is large and streamAbove says so. Either way its blocks are
// read through an ndb.DataReader, which verifies each one: a value read
// whole has been verified; one left in the store is verified when it is
// streamed.
func (vr valueReader) subnode(s ndb.Subnode, id, typ uint16) (Value, error) {
	d, err := vr.res.OpenData(s.Data)
	if err != nil {
		return Value{}, err
	}
	n := d.Size()
	if vr.streamAbove != nil {
		if limit := vr.streamAbove(id, typ); limit >= 0 && n > limit {
			if vr.verify {
				if _, err := io.Copy(io.Discard, d); err != nil {
					return Value{}, err
				}
			}
			d.Close()
			return Value{Stream: Stream{tree: s.Data, Size: n, tolerant: vr.tolerant}}, nil
		}
	}
	if n > maxValue {
		d.Close()
		return Value{}, fmt.Errorf("value of %d bytes is larger than %d", n, maxValue)
	}
	out := make([]byte, n)
	if _, err := io.ReadFull(d, out); err != nil {
		return Value{}, err
	}
	// The tree must end where it says it does.
	var one [1]byte
	if _, err := d.Read(one[:]); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("value runs past its %d bytes", n)
		}
		return Value{}, err
	}
	return Value{Data: out}, nil
}

// rows reads every row of a table.
func (vr valueReader) rows(tc *ltp.TC, subs map[uint32]ndb.Subnode) ([]Props, error) {
	rows := make([]Props, len(tc.RowIDs))
	for i := range rows {
		row := make(Props, 0, len(tc.Columns))
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
				val, err := vr.hnid(tc.Heap, subs, binary.LittleEndian.Uint32(cell), uint16(c.Tag>>16), v.Type)
				if err != nil && rerr == nil {
					rerr = err
				}
				v.Data, v.Stream = val.Data, val.Stream
			}
			row = append(row, Prop{ID: uint16(c.Tag >> 16), Value: v})
		})
		if rerr != nil {
			return nil, rerr
		}
		rows[i] = inIDOrder(row)
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
	v, ok := p.Get(id)
	if !ok {
		return ""
	}
	s, _ := decodeString(v.Type, v.Data, r.codepage)
	return s
}

// String8 decodes an 8-bit string in the store's code page, as String
// decodes a PtypString8 property.
func (r *Reader) String8(b []byte) string {
	s, _ := decodeString(ltp.TypeString8, b, r.codepage)
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
	v, ok := p.Get(id)
	if !ok || v.Type != ltp.TypeTime || len(v.Data) != 8 {
		return time.Time{}
	}
	return FileTime(binary.LittleEndian.Uint64(v.Data))
}

// Int returns an integer or boolean property; ok false when absent.
func Int(p Props, id uint16) (uint32, bool) {
	v, ok := p.Get(id)
	if !ok || !ltp.Inline(v.Type) {
		return 0, false
	}
	return v.Inline, true
}

// Bytes returns a binary property's bytes.
func Bytes(p Props, id uint16) []byte {
	if v, ok := p.Get(id); ok && v.Type == ltp.TypeBinary {
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
		// Most text is ASCII: four units at a time while it is.
		for i+8 <= len(b) && len(out)+4 <= cap(out) {
			v := binary.LittleEndian.Uint64(b[i:])
			if v&0xFF80_FF80_FF80_FF80 != 0 {
				break
			}
			n := len(out)
			out = out[:n+4]
			binary.LittleEndian.PutUint32(out[n:], uint32(v&0x7F)|uint32(v>>16&0x7F)<<8|uint32(v>>32&0x7F)<<16|uint32(v>>48&0x7F)<<24)
			i += 8
		}
		if i+1 >= len(b) {
			break
		}
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
