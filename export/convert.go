package export

import (
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pstcheck/pstcheck/export/rtf"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// MAPI property IDs read for an item (MS-OXPROPS).
const (
	pidSubject               = 0x0037
	pidMessageClass          = 0x001A
	pidClientSubmitTime      = 0x0039
	pidSentRepresentingName  = 0x0042
	pidSentRepresentingEmail = 0x0065
	pidTransportHeaders      = 0x007D
	pidRecipientType         = 0x0C15
	pidSenderName            = 0x0C1A
	pidSenderEmail           = 0x0C1F
	pidMessageDeliveryTime   = 0x0E06
	pidBody                  = 0x1000
	pidRtfCompressed         = 0x1009
	pidHTML                  = 0x1013
	pidInternetMessageID     = 0x1035
	pidInReplyTo             = 0x1042
	pidDisplayName           = 0x3001
	pidAddrType              = 0x3002
	pidEmailAddress          = 0x3003
	pidCreationTime          = 0x3007
	pidLastModificationTime  = 0x3008
	pidRecordKey             = 0x0FF9
	pidSearchKey             = 0x300B
	pidAttachFilename        = 0x3704
	pidAttachLongFilename    = 0x3707
	pidAttachMethod          = 0x3705
	pidAttachMimeTag         = 0x370E
	pidAttachContentID       = 0x3712
	pidAttachData            = 0x3701 // PidTagAttachDataBinary, or PidTagAttachDataObject
	typeBinary, typeObject   = 0x0102, 0x000D
	typeUnicode              = 0x001F
	pidSmtpAddress           = 0x39FE
	pidInternetCodepage      = 0x3FDE
	pidSenderSmtpAddress     = 0x5D01
	pidSentRepresentingSmtp  = 0x5D02
	psetidAppointment        = "00062002-0000-0000-C000-000000000046"
	psetidMeeting            = "6ED8DA90-450B-101B-98DA-00AA003F1305"
	psetidCommon             = "00062008-0000-0000-C000-000000000046"
	lidReminderDelta         = 0x8501
	lidReminderSet           = 0x8503
	lidAppointmentRecur      = 0x8216
	lidTimeZoneStruct        = 0x8233
	lidTimeZoneDescription   = 0x8234
	lidExceptionReplaceTime  = 0x8228
	// exceptionClass is the message class of the embedded message that
	// holds a changed occurrence of a series (MS-OXOCAL 2.2.10.1).
	exceptionClass           = "IPM.OLE.CLASS.{00061055-0000-0000-C000-000000000046}"
	lidStart, lidEnd         = 0x820D, 0x820E
	lidLocation, lidAllDay   = 0x8208, 0x8215
	lidGlobalObjectID        = 0x0003
	recipientTo, recipientCc = 1, 2
	recipientBcc             = 3
	attachOLE                = 6 // PidTagAttachMethod afOle
	maxEmbeddedItems         = 8
)

// Converter turns messages a messaging.Reader reads into Items.
type Converter struct {
	r *messaging.Reader
	// store identifies the store (its PidTagRecordKey, the provider UID
	// its entry IDs carry): with a NID it names an item for good, for the
	// Message-ID and UIDs made up for items that have none.
	store []byte
	// RTF decodes PidTagRtfCompressed into RTF and, where the RTF
	// encapsulates HTML, that HTML; nil leaves RTF bodies out.
	RTF func(compressed []byte) (rtf, html []byte, err error)
}

// NewConverter returns a converter over r.
func NewConverter(r *messaging.Reader) *Converter {
	c := &Converter{r: r, RTF: RTFBody}
	if p, err := r.Properties(messaging.NIDMessageStore); err == nil {
		c.store = messaging.Bytes(p, pidRecordKey)
	}
	return c
}

// Item converts m, found in folder.
func (c *Converter) Item(m *messaging.Message, folder string) *Item {
	return c.item(m, folder, 0)
}

func (c *Converter) item(m *messaging.Message, folder string, depth int) *Item {
	r, p := c.r, m.Props
	it := &Item{
		NID:       m.NID,
		Heap:      m.Heap,
		Folder:    folder,
		Class:     r.String(p, pidMessageClass),
		Subject:   subject(r.String(p, pidSubject)),
		MessageID: r.String(p, pidInternetMessageID),
		InReplyTo: r.String(p, pidInReplyTo),
		Headers:   r.String(p, pidTransportHeaders),
	}
	if v := p.At(pidBody); !v.Stream.IsZero() {
		it.BodyStream = c.text(v)
	} else {
		it.Body = r.String(p, pidBody)
	}
	it.From, it.Sender = authorAndSender(
		Address{Name: r.String(p, pidSentRepresentingName),
			Email: firstOf(r.String(p, pidSentRepresentingSmtp), r.String(p, pidSentRepresentingEmail))},
		Address{Name: r.String(p, pidSenderName),
			Email: firstOf(r.String(p, pidSenderSmtpAddress), r.String(p, pidSenderEmail))})
	for _, t := range []uint16{pidClientSubmitTime, pidMessageDeliveryTime, pidCreationTime, pidLastModificationTime} {
		if d := messaging.Time(p, t); !d.IsZero() {
			it.Date = d
			break
		}
	}
	if depth == 0 && strings.TrimSpace(it.MessageID) == "" {
		it.MessageID = "<" + c.messageKey(m) + "@pstcheck.invalid>"
	}
	for _, rc := range m.Recipients {
		a := Address{Name: r.String(rc, pidDisplayName), Email: firstOf(r.String(rc, pidSmtpAddress), r.String(rc, pidEmailAddress))}
		switch t, _ := messaging.Int(rc, pidRecipientType); t &^ 0x10000000 {
		case recipientCc:
			it.Cc = append(it.Cc, a)
		case recipientBcc:
			it.Bcc = append(it.Bcc, a)
		default:
			it.To = append(it.To, a)
		}
	}
	if v, ok := p.Get(pidHTML); ok {
		switch {
		case !v.Stream.IsZero() && v.Type == typeUnicode:
			it.HTMLStream = c.text(v)
		case !v.Stream.IsZero():
			it.HTMLStream = c.source(v.Stream)
		case len(v.Data) > 0 && v.Type == typeUnicode: // some stores keep HTML as a string
			it.HTML = []byte(r.String(p, pidHTML))
		default:
			it.HTML = v.Data
		}
		if cp, ok := messaging.Int(p, pidInternetCodepage); ok {
			it.HTMLCharset = charsetOf(cp)
		}
	}
	if raw := messaging.Bytes(p, pidRtfCompressed); len(raw) > 0 && c.RTF != nil {
		if rtf, html, err := c.RTF(raw); err == nil {
			it.RTF = rtf
			if len(it.HTML) == 0 && it.HTMLStream == nil && len(html) > 0 {
				it.HTML = html
			}
		}
	}
	for _, a := range m.Attachments {
		att := Attachment{
			Filename:  firstOf(r.String(a.Props, pidAttachLongFilename), r.String(a.Props, pidAttachFilename), r.String(a.Props, pidDisplayName)),
			MimeType:  r.String(a.Props, pidAttachMimeTag),
			ContentID: r.String(a.Props, pidAttachContentID),
			Data:      a.Data,
		}
		if !a.Stream.IsZero() {
			att.Stream = c.source(a.Stream)
		}
		if method, _ := messaging.Int(a.Props, pidAttachMethod); method == attachOLE && att.Stream == nil {
			if pic, ext, mt, ok := olePicture(att.Data); ok {
				att.Data, att.MimeType = pic, mt
				att.Filename = withExt(att.Filename, ext, "picture")
			}
		}
		if a.Embedded != nil && depth < maxEmbeddedItems {
			att.Embedded = c.item(a.Embedded, folder, depth+1)
		}
		it.Attachments = append(it.Attachments, att)
	}
	switch {
	case messaging.IsClass(it.Class, "IPM.DistList"):
		it.Contact = c.distList(m)
	case KindOf(it.Class) == KindContact:
		it.Contact = c.contact(m)
	case KindOf(it.Class) == KindEvent, isMeeting(it.Class):
		it.Event = c.event(m, it)
	}
	return it
}

// source is a value left in the store, as the item's Source.
func (c *Converter) source(s messaging.Stream) *Source {
	return &Source{Size: s.Size, Open: func() (io.Reader, error) { return c.r.Open(s) }}
}

// text is a Unicode string left in the store, as UTF-8 text; nil when it
// decodes to nothing (String would give ""). A stream that cannot be
// read is kept: its error shows when the item is written.
func (c *Converter) text(v messaging.Value) *Source {
	src := &Source{Size: v.Stream.Size, Open: func() (io.Reader, error) { return c.r.OpenString(v) }}
	if r, err := src.Open(); err == nil {
		var b [1]byte
		n, err := r.Read(b[:])
		closeReader(r)
		if n == 0 && err == io.EOF {
			return nil
		}
	}
	return src
}

// authorAndSender chooses From and Sender: the author is the person the
// message was sent for (PidTagSentRepresenting*), the sender the one who
// sent it (PidTagSender*); they differ for mail "sent on behalf of"
// someone, where the delegate is the Sender (RFC 5322 §3.6.2). When the
// two are one person (same address, or same name where one side has only
// an Exchange address), From takes the better address and there is no
// Sender.
func authorAndSender(represented, sender Address) (from, delegate Address) {
	switch {
	case isZero(represented):
		return sender, Address{}
	case isZero(sender):
		return represented, Address{}
	case samePerson(represented, sender):
		if !isSMTP(represented.Email) && isSMTP(sender.Email) {
			represented.Email = sender.Email
		}
		if represented.Name == "" {
			represented.Name = sender.Name
		}
		return represented, Address{}
	}
	return represented, sender
}

func isZero(a Address) bool {
	return strings.TrimSpace(a.Name) == "" && strings.TrimSpace(a.Email) == ""
}

func samePerson(a, b Address) bool {
	ea, eb := strings.TrimSpace(a.Email), strings.TrimSpace(b.Email)
	if ea != "" && strings.EqualFold(ea, eb) {
		return true
	}
	na, nb := strings.TrimSpace(a.Name), strings.TrimSpace(b.Name)
	return na != "" && strings.EqualFold(na, nb) && (ea == "" || eb == "" || !isSMTP(ea) || !isSMTP(eb))
}

// isSMTP reports whether an address is an Internet address (not an
// Exchange DN, which starts with '/').
func isSMTP(e string) bool {
	e = strings.TrimSpace(e)
	return strings.Contains(e, "@") && !strings.HasPrefix(e, "/")
}

// messageKey names a message for good, for a Message-ID made up for a
// message that has none: its NID and its own PidTagSearchKey, in hex, so
// that the name does not depend on the store's own node (which a damaged
// copy may have lost); a message without a search key falls back to
// itemKey. Exports of the same store, whole or damaged, agree on it.
func (c *Converter) messageKey(m *messaging.Message) string {
	if sk := messaging.Bytes(m.Props, pidSearchKey); len(sk) > 0 {
		return "pstcheck." + identity(m.NID, m.Heap) + "." + hex.EncodeToString(sk[:min(len(sk), 16)])
	}
	return c.itemKey(m)
}

// itemKey names an item of this store for good: the store's record key
// and the item's identity. Exports of the same store agree on it.
func (c *Converter) itemKey(m *messaging.Message) string {
	key := "pstcheck." + identity(m.NID, m.Heap)
	if len(c.store) > 0 {
		key += "." + hex.EncodeToString(c.store[:min(len(c.store), 16)])
	}
	return key
}

// identity names an item in its store, for the names and UIDs made up for
// it: its NID in hex, or, for one recovered without its NID, "b" and the
// block that holds its properties, so that no two such items share one.
func identity(nid uint32, heap uint64) string {
	if nid == 0 && heap != 0 {
		return "b" + strconv.FormatUint(heap, 16)
	}
	return strconv.FormatUint(uint64(nid), 16)
}

// subject drops the prefix marker Outlook keeps in PidTagSubject: a
// leading U+0001 followed by the length of the prefix.
func subject(s string) string {
	if len(s) >= 2 && s[0] == 1 {
		return s[2:]
	}
	return s
}

// withExt gives a file name the extension ext (".bmp") unless it has it
// already (in any case); an empty name becomes stem+ext.
func withExt(name, ext, stem string) string {
	if strings.TrimSpace(name) == "" {
		return stem + ext
	}
	if strings.HasSuffix(strings.ToLower(name), ext) {
		return name
	}
	return name + ext
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// charsetOf names the charset of an Internet code page for a Content-Type
// (rtf.CodePageCharset, the one table of labels), "" when it has no common
// label. US-ASCII and Latin-1 are named windows-1252, their superset, as
// browsers read them anyway: stores mark Western mail with them although
// its bodies hold Windows-1252 punctuation.
func charsetOf(cp uint32) string {
	switch cp {
	case 20127, 28591:
		return "windows-1252"
	}
	label := rtf.CodePageCharset(int(cp))
	if strings.HasPrefix(label, "cp") {
		return ""
	}
	return label
}

func (c *Converter) named(p messaging.Props, set string, lid uint32) (messaging.Value, bool) {
	id, ok := c.r.Named(set, lid)
	if !ok {
		return messaging.Value{}, false
	}
	return p.Get(id)
}

func (c *Converter) namedString(p messaging.Props, set string, lid uint32) string {
	id, ok := c.r.Named(set, lid)
	if !ok {
		return ""
	}
	return c.r.String(p, id)
}

func (c *Converter) namedTime(p messaging.Props, set string, lid uint32) time.Time {
	id, ok := c.r.Named(set, lid)
	if !ok {
		return time.Time{}
	}
	return messaging.Time(p, id)
}

func (c *Converter) event(m *messaging.Message, it *Item) *Event {
	p := m.Props
	ev := &Event{
		Start:     c.namedTime(p, psetidAppointment, lidStart),
		End:       c.namedTime(p, psetidAppointment, lidEnd),
		Location:  c.namedString(p, psetidAppointment, lidLocation),
		Organizer: it.From,
	}
	if v, ok := c.named(p, psetidAppointment, lidAllDay); ok {
		ev.AllDay = v.Inline != 0
	}
	if v, ok := c.named(p, psetidMeeting, lidGlobalObjectID); ok && len(v.Data) > 0 {
		ev.UID = strings.ToUpper(hex.EncodeToString(v.Data))
	}
	ev.Attendees = append(append(ev.Attendees, it.To...), it.Cc...)
	if v, ok := c.named(p, psetidCommon, lidReminderSet); ok {
		ev.ReminderSet = v.Inline != 0
	}
	if v, ok := c.named(p, psetidCommon, lidReminderDelta); ok {
		ev.ReminderMinutes = int(int32(v.Inline))
	}
	if v, ok := c.named(p, psetidAppointment, lidAppointmentRecur); ok && len(v.Data) > 0 {
		c.series(m, it, ev, v.Data)
	}
	return ev
}

// series reads a recurring event's pattern, its time zone, and the
// changed occurrences' own messages.
func (c *Converter) series(m *messaging.Message, it *Item, ev *Event, blob []byte) {
	p := m.Props
	rec, err := parseRecurrence(blob)
	if err != nil {
		ev.RecurrenceProblem = err.Error()
		return
	}
	ev.Recurrence = rec
	// The store's zone, if its first occurrence falls where the event's
	// UTC start says; else the fixed offset between the two.
	local := rec.Start.Add(time.Duration(rec.StartMinute) * time.Minute)
	var tz *TimeZone
	if v, ok := c.named(p, psetidAppointment, lidTimeZoneStruct); ok {
		tz, _ = parseTimeZone(v.Data, c.namedString(p, psetidAppointment, lidTimeZoneDescription))
	}
	if start := ev.Start; !start.IsZero() && (tz == nil || !tz.ToUTC(local).Equal(start)) {
		if off := int(local.Sub(start) / time.Minute); off >= -18*60 && off <= 18*60 {
			tz = fixedZone(off)
		}
	}
	if tz == nil {
		tz = fixedZone(0)
	}
	ev.TimeZone = tz

	// A changed occurrence is also an embedded message (hidden from the
	// user) with its own body and attachments; its
	// PidLidExceptionReplaceTime is the UTC start it replaces.
	kept := it.Attachments[:0:0]
	for i, a := range m.Attachments {
		var att Attachment
		if i < len(it.Attachments) {
			att = it.Attachments[i]
		}
		e := a.Embedded
		if e == nil || !strings.EqualFold(c.r.String(e.Props, pidMessageClass), exceptionClass) || att.Embedded == nil {
			kept = append(kept, att)
			continue
		}
		replaces := c.namedTime(e.Props, psetidAppointment, lidExceptionReplaceTime)
		matched := false
		for k := range rec.Changes {
			ch := &rec.Changes[k]
			if !replaces.IsZero() && tz.ToUTC(ch.OriginalStart).Equal(replaces) {
				ch.Body, ch.HasBody = att.Embedded.Body, true
				ch.Attachments = att.Embedded.Attachments
				matched = true
				break
			}
		}
		if !matched {
			kept = append(kept, att) // not lost: written with the series
		}
	}
	if len(m.Attachments) == len(it.Attachments) {
		it.Attachments = kept
	}
}
