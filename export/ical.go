package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// icalProdID names the producer in every iCalendar object.
const icalProdID = "-//pstcheck//pstcheck export//EN"

// WriteICal writes it as an iCalendar object (RFC 5545) holding one VEVENT.
// Lines end in CRLF and are folded at 75 octets; text values are escaped.
// There is no METHOD: the file is a copy of the event, not an invitation.
//
//   - UID: it.Event.UID, else one derived from the item (NID, folder,
//     subject, start), stable across runs: "pstcheck-<hash>@pstcheck.invalid".
//   - DTSTAMP: it.Date, else the start, else 1970-01-01, in UTC.
//   - DTSTART/DTEND: UTC date-times; for an all-day event DATE values, each
//     the nearest UTC midnight (Outlook stores local midnight in UTC), with
//     DTEND at least a day after DTSTART. Without it.Event the start is
//     it.Date. A missing end is left out, and so is the start of an item
//     with no date at all (such a file may not import).
//   - SUMMARY (Subject), LOCATION, DESCRIPTION (Body).
//   - ORGANIZER: Event.Organizer, else it.From; ATTENDEE: Event.Attendees,
//     else the To and Cc recipients; as mailto: URIs with CN, addresses that
//     are not SMTP in the IMCEAEX form WriteEML uses.
//   - STATUS:CANCELLED for IPM.Schedule.Meeting.Canceled items.
func WriteICal(w io.Writer, it *Item) error {
	if it == nil {
		return errors.New("export: nil item")
	}
	ev := it.Event
	if ev == nil {
		ev = &Event{Start: it.Date, Organizer: it.From}
		ev.Attendees = append(append(ev.Attendees, it.To...), it.Cc...)
	}
	var c contentLines
	c.add("BEGIN:VCALENDAR")
	c.add("VERSION:2.0")
	c.add("PRODID:" + icalProdID)
	c.add("CALSCALE:GREGORIAN")
	c.add("BEGIN:VEVENT")
	c.add("UID:" + escapeText(eventUID(it, ev)))
	stamp := it.Date
	if stamp.IsZero() {
		stamp = ev.Start
	}
	if stamp.IsZero() {
		stamp = time.Unix(0, 0)
	}
	c.add("DTSTAMP:" + icalTime(stamp))
	start, end := ev.Start, ev.End
	if start.IsZero() {
		start = it.Date
	}
	if ev.AllDay && !start.IsZero() {
		s := nearestDay(start)
		e := s.AddDate(0, 0, 1)
		if !end.IsZero() && nearestDay(end).After(s) {
			e = nearestDay(end)
		}
		c.add("DTSTART;VALUE=DATE:" + s.Format("20060102"))
		c.add("DTEND;VALUE=DATE:" + e.Format("20060102"))
	} else {
		if !start.IsZero() {
			c.add("DTSTART:" + icalTime(start))
		}
		if !end.IsZero() && (start.IsZero() || !end.Before(start)) {
			c.add("DTEND:" + icalTime(end))
		}
	}
	if it.Subject != "" {
		c.add("SUMMARY:" + escapeText(it.Subject))
	}
	if ev.Location != "" {
		c.add("LOCATION:" + escapeText(ev.Location))
	}
	if body := strings.TrimRight(it.Body, "\r\n"); body != "" {
		c.add("DESCRIPTION:" + escapeText(body))
	}
	org := ev.Organizer
	if org == (Address{}) {
		org = it.From
	}
	if s := calAddress("ORGANIZER", org); s != "" {
		c.add(s)
	}
	for _, a := range ev.Attendees {
		if s := calAddress("ATTENDEE", a); s != "" {
			c.add(s)
		}
	}
	if classIs(it.Class, "IPM.Schedule.Meeting.Canceled") {
		c.add("STATUS:CANCELLED")
	}
	// Attachments travel inside the event (RFC 5545 inline binary), an
	// attached message as its RFC 5322 bytes, so nothing is lost.
	for _, a := range it.Attachments {
		data, mt, name := a.Data, a.MimeType, a.Filename
		if a.Embedded != nil {
			var b bytes.Buffer
			if err := WriteEML(&b, a.Embedded); err == nil {
				data, mt, name = b.Bytes(), "message/rfc822", embeddedName(&a)
			}
		}
		if len(data) == 0 {
			continue
		}
		if mt == "" {
			mt = "application/octet-stream"
		}
		line := "ATTACH;FMTTYPE=" + mt + ";ENCODING=BASE64;VALUE=BINARY"
		if name != "" {
			line += ";X-FILENAME=" + paramValue(name)
		}
		c.add(line + ":" + base64.StdEncoding.EncodeToString(data))
	}
	c.add("END:VEVENT")
	c.add("END:VCALENDAR")
	_, err := w.Write(c.b.Bytes())
	return err
}

func icalTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// eventUID is the event's UID, derived from the item when the store has none.
func eventUID(it *Item, ev *Event) string {
	if u := strings.TrimSpace(ev.UID); u != "" {
		return u
	}
	h := sha256.New()
	for _, s := range []string{strconv.FormatUint(uint64(it.NID), 16), it.Folder, it.Subject, icalTime(ev.Start)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "pstcheck-" + hex.EncodeToString(h.Sum(nil)[:16]) + "@pstcheck.invalid"
}

// calAddress formats an ORGANIZER or ATTENDEE property, "" when a has no
// address.
func calAddress(prop string, a Address) string {
	email := addrSpec(a.Email)
	if email == "" {
		return ""
	}
	s := prop
	if n := strings.TrimSpace(a.Name); n != "" {
		s += ";CN=" + paramValue(n)
	}
	return s + ":mailto:" + uriEscape(email)
}

// uriEscape percent-encodes the bytes of an address that may not appear in a
// mailto: URI as they are.
func uriEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~!$'*+=@", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}
