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

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// icalProdID names the producer in every iCalendar object.
const icalProdID = "-//pstcheck//pstcheck export//EN"

// WriteICal writes it as an iCalendar object (RFC 5545) holding its
// VEVENT. Lines end in CRLF and are folded at 75 octets; text values are
// escaped. There is no METHOD: the file is a copy of the event, not an
// invitation.
//
//   - UID: it.Event.UID, else one derived from the item (NID, folder,
//     subject, start), stable across runs: "pstcheck-<hash>@pstcheck.invalid".
//   - DTSTAMP: it.Date, else the start, else 1970-01-01, in UTC.
//   - DTSTART/DTEND: UTC date-times; for an all-day event DATE values, each
//     the nearest UTC midnight (Outlook stores local midnight in UTC), with
//     DTEND at least a day after DTSTART. Without it.Event the start is
//     it.Date. A missing end is left out, and so is the start of an item
//     with no date at all (such a file may not import).
//   - A recurring event (Event.Recurrence) starts at its first occurrence
//     in the series' time zone, written as a VTIMEZONE before the VEVENT
//     (DTSTART;TZID=...; all-day series as DATE values; UTC when the zone
//     is UTC), with an RRULE (see Recurrence.RRule; UNTIL is the end of
//     the last occurrence's day, in UTC), one EXDATE per deleted
//     occurrence, and one more VEVENT per changed occurrence: the same
//     UID, RECURRENCE-ID the occurrence it replaces, its own times, and
//     its subject, location, reminder, body and attachments where they
//     differ. A series that cannot be read is written as its first
//     occurrence, with a COMMENT saying so.
//   - SUMMARY (Subject), LOCATION, DESCRIPTION (Body).
//   - ORGANIZER: Event.Organizer, else it.From; ATTENDEE: Event.Attendees,
//     else the To and Cc recipients; as mailto: URIs with CN, addresses that
//     are not SMTP in the IMCEAEX form WriteEML uses.
//   - STATUS:CANCELLED for IPM.Schedule.Meeting.Canceled items.
//   - VALARM (ACTION:DISPLAY, TRIGGER relative to the start) when the
//     event has its reminder set.
//   - ATTACH: attachments as inline binary (an attached message as its
//     RFC 5322 bytes), so nothing is lost.
func WriteICal(w io.Writer, it *Item) error {
	if it == nil {
		return errors.New("export: nil item")
	}
	_, err := w.Write(calendar(it, ""))
	return err
}

// calendar renders the iCalendar object of it; method, when not "", is
// the iTIP method (RFC 5546) of an invitation or reply sent by mail.
func calendar(it *Item, method string) []byte {
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
	if method != "" {
		c.add("METHOD:" + method)
	}
	rec, tz := ev.Recurrence, ev.TimeZone
	if tz == nil {
		tz = fixedZone(0)
	}
	timed := rec != nil && !ev.AllDay
	if timed && !tz.isUTC() {
		tz.vtimezone(&c)
	}
	// at formats a wall-clock time of the series as a property value with
	// its parameters: DATE, local time with TZID, or UTC.
	at := func(local time.Time, allDay bool) string {
		switch {
		case allDay:
			return ";VALUE=DATE:" + local.Format("20060102")
		case tz.isUTC():
			return ":" + local.Format("20060102T150405Z")
		}
		return ";TZID=" + tz.ID() + ":" + local.Format("20060102T150405")
	}

	uid := escapeText(eventUID(it, ev))
	stamp := it.Date
	if stamp.IsZero() {
		stamp = ev.Start
	}
	if stamp.IsZero() {
		stamp = time.Unix(0, 0)
	}
	c.add("BEGIN:VEVENT")
	c.add("UID:" + uid)
	c.add("DTSTAMP:" + icalTime(stamp))
	if rec != nil {
		first := rec.Start.Add(time.Duration(rec.StartMinute) * time.Minute)
		last := rec.Start.Add(time.Duration(rec.EndMinute) * time.Minute)
		if ev.AllDay {
			first = rec.Start
			last = day(last.Add(24*time.Hour - time.Minute)) // the day after the last one it covers
			if !last.After(first) {
				last = first.AddDate(0, 0, 1)
			}
		}
		c.add("DTSTART" + at(first, ev.AllDay))
		c.add("DTEND" + at(last, ev.AllDay))
		c.add("RRULE:" + rec.RRule(func(until time.Time) string {
			if ev.AllDay {
				return until.Format("20060102")
			}
			return icalTime(tz.ToUTC(until.Add(24*time.Hour - time.Second)))
		}))
		for _, d := range rec.Deleted {
			if !ev.AllDay {
				d = d.Add(time.Duration(rec.StartMinute) * time.Minute)
			}
			c.add("EXDATE" + at(d, ev.AllDay))
		}
	} else {
		writeTimes(&c, it, ev)
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
	if ev.RecurrenceProblem != "" {
		c.add("COMMENT:" + escapeText("pstcheck: this is a recurring event, but its recurrence pattern could not be read ("+
			ev.RecurrenceProblem+"); only its first occurrence is written."))
	}
	people := func() {
		org, attendees, partstat := ev.Organizer, ev.Attendees, ""
		if org == (Address{}) {
			org = it.From
		}
		if method == "REPLY" {
			// A response goes from the attendee (From) to the organizer.
			var who Address
			org, who = replyPeople(it)
			_, partstat = meetingMethod(it.Class)
			attendees = []Address{who}
		}
		if s := calAddress("ORGANIZER", org, ""); s != "" {
			c.add(s)
		}
		for _, a := range attendees {
			if s := calAddress("ATTENDEE", a, partstat); s != "" {
				c.add(s)
			}
		}
	}
	people()
	if messaging.IsClass(it.Class, "IPM.Schedule.Meeting.Canceled") {
		c.add("STATUS:CANCELLED")
	}
	if method == "" {
		// In a meeting message, the attachments are MIME parts of the
		// message.
		writeAttachments(&c, it.Attachments)
	}
	if ev.ReminderSet {
		writeAlarm(&c, it.Subject, ev.ReminderMinutes)
	}
	if it.Damage != "" {
		// As an EML's X-Pstcheck-Damaged header: an extension property
		// (RFC 5545 3.8.8.2), kept by calendars that do not show it.
		c.add("X-PSTCHECK-DAMAGED:" + escapeText(it.Damage))
	}
	c.add("END:VEVENT")

	if rec != nil {
		for _, ch := range rec.Changes {
			allDay := ev.AllDay
			if ch.AllDay != nil {
				allDay = *ch.AllDay
			}
			orig := ch.OriginalStart
			if ev.AllDay {
				orig = day(orig)
			}
			c.add("BEGIN:VEVENT")
			c.add("UID:" + uid)
			c.add("DTSTAMP:" + icalTime(stamp))
			c.add("RECURRENCE-ID" + at(orig, ev.AllDay))
			start, end := ch.Start, ch.End
			if allDay {
				start, end = day(start), day(end.Add(24*time.Hour-time.Minute))
				if !end.After(start) {
					end = start.AddDate(0, 0, 1)
				}
			}
			c.add("DTSTART" + at(start, allDay))
			c.add("DTEND" + at(end, allDay))
			summary, location, body := it.Subject, ev.Location, it.Body
			if ch.Subject != nil {
				summary = *ch.Subject
			}
			if ch.Location != nil {
				location = *ch.Location
			}
			if ch.HasBody {
				body = ch.Body
			}
			if summary != "" {
				c.add("SUMMARY:" + escapeText(summary))
			}
			if location != "" {
				c.add("LOCATION:" + escapeText(location))
			}
			if body = strings.TrimRight(body, "\r\n"); body != "" {
				c.add("DESCRIPTION:" + escapeText(body))
			}
			people()
			writeAttachments(&c, ch.Attachments)
			set, minutes := ev.ReminderSet, ev.ReminderMinutes
			if ch.ReminderSet != nil {
				set = *ch.ReminderSet
			}
			if ch.ReminderDelta != nil {
				minutes = *ch.ReminderDelta
			}
			if set {
				writeAlarm(&c, summary, minutes)
			}
			c.add("END:VEVENT")
		}
	}
	c.add("END:VCALENDAR")
	return c.b.Bytes()
}

// writeTimes writes DTSTART and DTEND of a single event (see WriteICal).
func writeTimes(c *contentLines, it *Item, ev *Event) {
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
		return
	}
	if !start.IsZero() {
		c.add("DTSTART:" + icalTime(start))
	}
	if !end.IsZero() && (start.IsZero() || !end.Before(start)) {
		c.add("DTEND:" + icalTime(end))
	}
}

// writeAttachments writes attachments as inline binary ATTACH properties
// (RFC 5545), an attached message as its RFC 5322 bytes.
func writeAttachments(c *contentLines, atts []Attachment) {
	for _, a := range atts {
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
}

// writeAlarm writes a VALARM that shows a reminder minutes before the
// start (after it, for a negative value).
func writeAlarm(c *contentLines, summary string, minutes int) {
	trigger := "-PT" + strconv.Itoa(minutes) + "M"
	if minutes < 0 {
		trigger = "PT" + strconv.Itoa(-minutes) + "M"
	}
	if summary = strings.TrimSpace(summary); summary == "" {
		summary = "Reminder"
	}
	c.add("BEGIN:VALARM")
	c.add("ACTION:DISPLAY")
	c.add("DESCRIPTION:" + escapeText(summary))
	c.add("TRIGGER:" + trigger)
	c.add("END:VALARM")
}

func icalTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// eventUID is the event's UID, derived from the item when the store has
// none: from what names it in its store (its NID and Message-ID, made of
// the store's identity when it has none), not from its folder, so that it
// keeps its UID when a damaged copy saves it under "Recovered items".
func eventUID(it *Item, ev *Event) string {
	if u := strings.TrimSpace(ev.UID); u != "" {
		return u
	}
	h := sha256.New()
	for _, s := range []string{identity(it.NID, it.Heap), it.MessageID, it.Subject, icalTime(ev.Start)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "pstcheck-" + hex.EncodeToString(h.Sum(nil)[:16]) + "@pstcheck.invalid"
}

// calAddress formats an ORGANIZER or ATTENDEE property, "" when a has no
// address; partstat, when not "", is the attendee's answer.
func calAddress(prop string, a Address, partstat string) string {
	email := addrSpec(a.Email)
	if email == "" {
		return ""
	}
	s := prop
	if n := strings.TrimSpace(a.Name); n != "" {
		s += ";CN=" + paramValue(n)
	}
	if partstat != "" {
		s += ";PARTSTAT=" + partstat
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
