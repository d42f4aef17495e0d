package pstwrite

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// Message is a message object: its properties, its recipients (each a set
// of properties: one row of its recipient table) and its attachments.
type Message struct {
	Props       []Property
	Recipients  [][]Property
	Attachments []Attachment
}

// Attachment is an attachment object. Its content is one of: Data (Size
// bytes, streamed into PidTagAttachDataBinary without being held), a
// PidTagAttachDataBinary property in Props, an embedded message, or the
// bytes of an OLE object's storage (PidTagAttachDataObject).
type Attachment struct {
	Props    []Property
	Data     io.Reader
	Size     int64
	Embedded *Message
	Object   []byte
}

// Message and attachment properties the writer reads or supplies.
const (
	propMessageClass    = 0x001A
	propMessageFlags    = 0x0E07
	propMessageSize     = 0x0E08
	propMessageStatus   = 0x0E17
	propCreationTime    = 0x3007
	propLastModified    = 0x3008
	propSearchKey       = 0x300B
	propAttachSize      = 0x0E20
	propAttachData      = 0x3701
	propAttachMethod    = 0x3705
	propRenderPosition  = 0x370B
	msgFlagRead         = 0x01
	msgFlagHasAttach    = 0x10
	attachByValue       = 1
	attachEmbedded      = 5
	maxEmbeddedDepth    = 32
	nidRecipientSubnode = nidRecipientTable
	nidAttachSubnode    = nidAttachmentTable
)

// AddMessage writes a message into a folder. It is written at once, whole:
// only its row in the folder's contents table waits for the folder to be
// closed.
func (w *Writer) AddMessage(folder FolderID, m *Message) error { return w.addMessage(folder, m, false) }

// AddAssociated writes a folder associated information (FAI) message: a
// hidden item such as a view or a rule.
func (w *Writer) AddAssociated(folder FolderID, m *Message) error {
	return w.addMessage(folder, m, true)
}

func (w *Writer) addMessage(id FolderID, m *Message, assoc bool) error {
	if err := w.usable(); err != nil {
		return err
	}
	f := w.folders[uint32(id)]
	if f == nil || f.search() {
		return fmt.Errorf("%w: 0x%X cannot hold items", errNoFolder, uint32(id))
	}
	if err := w.validate(m, 0); err != nil {
		return err
	}
	t, err := w.itemTable(f, assoc)
	if err != nil {
		return err
	}
	if w.nextMsg > maxNIDIndex {
		return w.fail(fmt.Errorf("pstwrite: more than %d messages", maxNIDIndex-firstStreamedIndex))
	}
	typ := uint32(nidTypeMessage)
	if assoc {
		typ = nidTypeAssocMessage
	}
	nid := makeNID(w.nextMsg, typ)
	w.nextMsg++
	parts := &nodeParts{b: w.b}
	props, _, err := w.writeMessage(parts, m, nid, 0)
	if err != nil {
		// validate let it through: the output failed, or the writer did.
		return w.fail(err)
	}
	data, err := parts.writePC(props)
	if err != nil {
		return w.fail(err)
	}
	sub, err := w.b.subnodeTree(parts.subs)
	if err != nil {
		return w.fail(err)
	}
	if err := w.nbt.add(nbtEntry{nid: nid, data: data, sub: sub, parent: f.nid}); err != nil {
		return w.fail(err)
	}
	if err := t.addRow(nid, props); err != nil {
		return w.fail(err)
	}
	unread := true // a message without flags has not been read
	if f, ok := find(props, propMessageFlags); ok && f.Type == ltp.TypeInt32 && len(f.Data) == 4 {
		unread = binary.LittleEndian.Uint32(f.Data)&msgFlagRead == 0
	}
	if assoc {
		f.assocCount++
		if unread {
			f.assocNew++
		}
	} else {
		f.count++
		if unread {
			f.unread++
		}
	}
	w.messages++
	w.lastMessage = nid
	return nil
}

// LastMessage is the NID the message added last was given (0: none yet):
// what entry IDs of the new store name it by.
func (w *Writer) LastMessage() uint32 { return w.lastMessage }

// writeMessage writes a message object's attachments and recipient and
// attachment tables into parts, and returns the properties for its
// property context, completed with those MS-PST 2.4.5.1 requires, and
// its size (messageSize). validate has checked m whole: its depth, its
// properties and names, its recipients' columns, its attachments.
func (w *Writer) writeMessage(parts *nodeParts, m *Message, nid uint32, depth int) ([]Property, int64, error) {
	var size int64
	if len(m.Attachments) > 0 {
		t, err := newTable(&nodeParts{b: w.b}, attachmentColumns, &w.rowVer)
		if err != nil {
			return nil, 0, err
		}
		for i := range m.Attachments {
			anid := parts.newSubnodeNID(nidTypeAttachment)
			row, n, err := w.writeAttachment(parts, &m.Attachments[i], anid, depth)
			if err != nil {
				return nil, 0, fmt.Errorf("attachment %d: %w", i+1, err)
			}
			size += n
			if err := t.addRow(anid, row); err != nil {
				return nil, 0, err
			}
		}
		if err := w.tableSubnode(parts, t, nidAttachSubnode); err != nil {
			return nil, 0, err
		}
	}
	// Recipient tables carry every property their recipients have, not
	// only the template's columns: they are the recipients' only store.
	cols := slices.Clone(recipientColumns)
	for _, r := range m.Recipients {
		for _, p := range r {
			cols = append(cols, p.Tag())
			size += int64(len(p.Data))
		}
	}
	t, err := newTable(&nodeParts{b: w.b}, cols, &w.rowVer)
	if err != nil {
		return nil, 0, err
	}
	for i, r := range m.Recipients {
		if err := t.addRow(uint32(i), r); err != nil {
			return nil, 0, fmt.Errorf("recipient %d: %w", i+1, err)
		}
	}
	if err := w.tableSubnode(parts, t, nidRecipientSubnode); err != nil {
		return nil, 0, err
	}

	for _, p := range m.Props {
		size += int64(len(p.Data))
	}
	if w.opts.Verbatim {
		return m.Props, messageSize(m.Props, size), nil // only read from here on
	}
	props := slices.Clone(m.Props)
	add := func(p Property) {
		if _, ok := find(props, p.ID); !ok {
			props = append(props, p)
		}
	}
	add(String(propMessageClass, "IPM.Note"))
	add(Int32(propMessageFlags, 0))
	add(Int32(propMessageSize, int32(min(size, 1<<31-1))))
	add(Int32(propMessageStatus, 0))
	add(Time(propCreationTime, w.opts.Time))
	add(Time(propLastModified, w.opts.Time))
	key := sha256.Sum256(binary.LittleEndian.AppendUint32(w.opts.RecordKey[:], nid))
	add(Binary(propSearchKey, key[:16]))
	for i, p := range props {
		if p.ID == propMessageFlags && p.Type == ltp.TypeInt32 && len(p.Data) == 4 && len(m.Attachments) > 0 {
			v := binary.LittleEndian.Uint32(p.Data) | msgFlagHasAttach
			props[i] = Property{ID: p.ID, Type: p.Type, Data: binary.LittleEndian.AppendUint32(nil, v)}
		}
	}
	return props, messageSize(props, size), nil
}

// messageSize is a message's PidTagMessageSize, or held, the bytes it
// holds, when it has none of its type (a Verbatim copy may lack it).
func messageSize(props []Property, held int64) int64 {
	if v, ok := find(props, propMessageSize); ok && v.Type == ltp.TypeInt32 && len(v.Data) == 4 {
		return int64(binary.LittleEndian.Uint32(v.Data))
	}
	return min(held, 1<<31-1)
}

// tableSubnode writes a table as a subnode of the node parts belongs to.
func (w *Writer) tableSubnode(parts *nodeParts, t *table, nid uint32) error {
	data, sub, err := t.finish()
	if err != nil {
		return err
	}
	parts.subs = append(parts.subs, subnode{nid: nid, data: data, sub: sub})
	return nil
}

// writeAttachment writes an attachment object as subnode anid of parts and
// returns its properties (for its attachment table row) and its size.
func (w *Writer) writeAttachment(parts *nodeParts, a *Attachment, anid uint32, depth int) ([]Property, int64, error) {
	ap := &nodeParts{b: w.b}
	// Room for the properties added below, so that adding them does not
	// copy the list again.
	props := append(make([]Property, 0, len(a.Props)+4), a.Props...)
	var objects []storedValue
	var size int64
	for _, p := range props {
		size += int64(len(p.Data))
	}
	content := 0
	if a.Data != nil {
		content++
		p, stored, err := w.streamValue(ap, a.Data, a.Size)
		if err != nil {
			return nil, 0, err
		}
		if stored != nil {
			objects = append(objects, *stored)
		} else {
			props = append(props, p)
		}
		size += a.Size
	}
	if a.Embedded != nil {
		content++
		eparts := &nodeParts{b: w.b}
		// A message NID of its own, as Outlook gives one: readers that
		// tell messages apart by NID tell embedded ones apart too. It is
		// never in the NBT, so the gap it leaves there is harmless.
		if w.nextMsg > maxNIDIndex {
			return nil, 0, fmt.Errorf("pstwrite: more than %d messages", maxNIDIndex-firstStreamedIndex)
		}
		enid := makeNID(w.nextMsg, nidTypeMessage)
		w.nextMsg++
		eprops, esize, err := w.writeMessage(eparts, a.Embedded, enid, depth+1)
		if err != nil {
			return nil, 0, err
		}
		data, err := eparts.writePC(eprops)
		if err != nil {
			return nil, 0, err
		}
		sub, err := w.b.subnodeTree(eparts.subs)
		if err != nil {
			return nil, 0, err
		}
		ap.subs = append(ap.subs, subnode{nid: enid, data: data, sub: sub})
		n := uint32(esize)
		size += esize
		objects = append(objects, storedValue{id: propAttachData, typ: ltp.TypeObject, hnid: enid, size: n})
		if _, ok := find(props, propAttachMethod); !ok {
			props = append(props, Int32(propAttachMethod, attachEmbedded))
		}
	}
	if a.Object != nil {
		content++
		dw := dataWriter{b: w.b}
		if _, err := dw.Write(a.Object); err != nil {
			return nil, 0, err
		}
		bid, err := dw.finish()
		if err != nil {
			return nil, 0, err
		}
		onid := ap.newSubnodeNID(nidTypeLTP)
		ap.subs = append(ap.subs, subnode{nid: onid, data: bid})
		objects = append(objects, storedValue{id: propAttachData, typ: ltp.TypeObject, hnid: onid, size: uint32(len(a.Object))})
		size += int64(len(a.Object))
	}
	if _, ok := find(a.Props, propAttachData); ok {
		content++
	}
	if content > 1 {
		return nil, 0, fmt.Errorf("pstwrite: an attachment has one content (data, embedded message or object)")
	}
	add := func(p Property) {
		if _, ok := find(props, p.ID); !ok {
			props = append(props, p)
		}
	}
	add(Int32(propAttachSize, int32(min(size, 1<<31-1))))
	add(Int32(propAttachMethod, attachByValue))
	add(Int32(propRenderPosition, -1))
	data, err := ap.writePC(props, objects...)
	if err != nil {
		return nil, 0, err
	}
	sub, err := w.b.subnodeTree(ap.subs)
	if err != nil {
		return nil, 0, err
	}
	parts.subs = append(parts.subs, subnode{nid: anid, data: data, sub: sub})
	return props, size, nil
}

// streamValue copies n bytes from r into PidTagAttachDataBinary: a heap
// value when small, else a subnode written block by block as it is read
// (returned as a value already stored).
func (w *Writer) streamValue(ap *nodeParts, r io.Reader, n int64) (Property, *storedValue, error) {
	if n <= maxHeapItem {
		b := make([]byte, n)
		if _, err := io.ReadFull(r, b); err != nil {
			return Property{}, nil, fmt.Errorf("reading attachment data: %w", err)
		}
		return Binary(propAttachData, b), nil, nil
	}
	dw := dataWriter{b: w.b}
	if w.copyBuf == nil {
		w.copyBuf = make([]byte, 32<<10)
	}
	got, err := io.CopyBuffer(&dw, io.LimitReader(r, n), w.copyBuf)
	if err == nil && got < n {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return Property{}, nil, fmt.Errorf("reading attachment data (%d of %d bytes): %w", got, n, err)
	}
	bid, err := dw.finish()
	if err != nil {
		return Property{}, nil, err
	}
	nid := ap.newSubnodeNID(nidTypeLTP)
	ap.subs = append(ap.subs, subnode{nid: nid, data: bid})
	return Property{}, &storedValue{id: propAttachData, typ: ltp.TypeBinary, hnid: nid}, nil
}
