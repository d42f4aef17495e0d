package export

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// PidLidAppointmentRecur values of the corpus (see TestExportRecurrence
// in cmd/pstcheck for the items they come from).
var recurSamples = []struct {
	name, blob string
	rrule      string
	deleted    []string // EXDATE dates
	changes    int
}{
	{ // java-libpst dist-list.pst, "Test appointment": every Tuesday 8:00-8:30,
		// one occurrence deleted, two moved to 9:00 and 10:00.
		"weekly with exceptions",
		"043004300b2001000000c0210000010000000000000004000000232000000a0000000000000003000000805c070d40ab070da0d2070d0200000040ab070da0d2070d2035070ddf80e95a0630000009300000e0010000fe01000002005cad070d7aad070d20ad070d0002f8d4070d16d5070d80d4070d00020000000004000000000000000000000004000000000000000000000000000000",
		"FREQ=WEEKLY;BYDAY=TU;WKST=SU", []string{"2016-08-09"}, 2,
	},
	{ // npm pstextractortest@outlook.com.ost, "repeats every monday for 10 weeks"
		"weekly, 10 times",
		"043004300b2001000000c0210000010000000000000002000000222000000a000000000000000000000000000000c07b2f0d20de300d06300000093000005802000094020000000000000000000000",
		"FREQ=WEEKLY;COUNT=10;BYDAY=MO;WKST=SU", nil, 0,
	},
	{ // the same, "repeats for 3 days"
		"daily, 3 times",
		"043004300a200000000000000000a005000000000000222000000300000000000000000000000000000060812f0da08c2f0d0630000009300000d0020000ee02000000000000000000000000",
		"FREQ=DAILY;COUNT=3", nil, 0,
	},
	{ // the same, "Occurs every August 13 effective 8/13/2021 from 10:00 AM to 10:30 AM"
		"yearly, never ends",
		"043004300d200200000080a804000c000000000000000d000000232000000a00000000000000000000000000000040922f0ddf80e95a06300000093000005802000076020000000000000000000000",
		"FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=13", nil, 0,
	},
	{ // the same, United States holidays, "Halloween" (all day)
		"yearly, all day",
		"043004300d2002000000a0ff05000c000000000000001f000000232000000a0000000000000000000000000000004015e90cdf80e95a063000000930000000000000a0050000000000000000000000",
		"FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=31", nil, 0,
	},
}

func TestParseRecurrenceSamples(t *testing.T) {
	for _, c := range recurSamples {
		b, _ := hex.DecodeString(c.blob)
		rec, err := parseRecurrence(b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := rec.RRule(func(t time.Time) string { return t.Format("20060102") }); got != c.rrule {
			t.Errorf("%s: RRULE %s, want %s", c.name, got, c.rrule)
		}
		var del []string
		for _, d := range rec.Deleted {
			del = append(del, d.Format(time.DateOnly))
		}
		if strings.Join(del, ",") != strings.Join(c.deleted, ",") || len(rec.Changes) != c.changes {
			t.Errorf("%s: deleted %v, %d changes; want %v, %d", c.name, del, len(rec.Changes), c.deleted, c.changes)
		}
		// A prefix is refused, or (cut in the optional Unicode strings
		// and reserved blocks at the end) gives the same rule.
		for n := range len(b) - 1 {
			if r, err := parseRecurrence(b[:n]); err == nil && r.RRule(func(t time.Time) string { return "" }) != rec.RRule(func(t time.Time) string { return "" }) {
				t.Errorf("%s: %d of %d bytes give another rule", c.name, n, len(b))
				break
			}
		}
	}
	// The exceptions of the first: moved from 8:00 to 9:00 and 10:00.
	b, _ := hex.DecodeString(recurSamples[0].blob)
	rec, _ := parseRecurrence(b)
	var got []string
	for _, ch := range rec.Changes {
		got = append(got, ch.OriginalStart.Format("2006-01-02 15:04")+" -> "+ch.Start.Format("15:04")+"-"+ch.End.Format("15:04"))
	}
	want := "2016-08-23 08:00 -> 09:00-09:30, 2016-08-30 08:00 -> 10:00-10:30"
	if strings.Join(got, ", ") != want {
		t.Errorf("changes %q, want %q", strings.Join(got, ", "), want)
	}
	if rec.Start.Format(time.DateOnly) != "2016-08-02" || rec.StartMinute != 480 || rec.EndMinute != 510 {
		t.Errorf("starts %s minute %d to %d", rec.Start, rec.StartMinute, rec.EndMinute)
	}
}

// recurBlob builds an AppointmentRecurrencePattern (MS-OXOCAL 2.2.1.44).
type recurBlob struct {
	freq, ptype       uint16
	calendar          uint16
	period            uint32
	specific          []uint32
	endType, count    uint32
	firstDOW          uint32
	deleted, modified []uint32
	start, end        time.Time
	startMin, endMin  uint32
	exceptions        [][]byte
	writer2           uint32
}

func minutes1601(t time.Time) uint32 {
	return uint32((t.Unix() + 11644473600) / 60)
}

func (r recurBlob) bytes() []byte {
	var b []byte
	le := binary.LittleEndian
	b = le.AppendUint16(b, 0x3004)
	b = le.AppendUint16(b, 0x3004)
	b = le.AppendUint16(b, r.freq)
	b = le.AppendUint16(b, r.ptype)
	b = le.AppendUint16(b, r.calendar)
	b = le.AppendUint32(b, 0)
	b = le.AppendUint32(b, r.period)
	b = le.AppendUint32(b, 0)
	for _, s := range r.specific {
		b = le.AppendUint32(b, s)
	}
	b = le.AppendUint32(b, r.endType)
	b = le.AppendUint32(b, r.count)
	b = le.AppendUint32(b, r.firstDOW)
	for _, list := range [][]uint32{r.deleted, r.modified} {
		b = le.AppendUint32(b, uint32(len(list)))
		for _, d := range list {
			b = le.AppendUint32(b, d)
		}
	}
	end := r.end
	if end.IsZero() {
		end = time.Date(4500, 8, 31, 23, 59, 0, 0, time.UTC)
	}
	b = le.AppendUint32(b, minutes1601(r.start))
	b = le.AppendUint32(b, minutes1601(end))
	b = le.AppendUint32(b, 0x3006)
	w2 := r.writer2
	if w2 == 0 {
		w2 = 0x3009
	}
	b = le.AppendUint32(b, w2)
	b = le.AppendUint32(b, r.startMin)
	b = le.AppendUint32(b, r.endMin)
	b = le.AppendUint16(b, uint16(len(r.exceptions)))
	for _, e := range r.exceptions {
		b = append(b, e...)
	}
	b = le.AppendUint32(b, 0)
	for range r.exceptions {
		if w2 >= 0x3009 {
			b = le.AppendUint32(b, 4)
			b = le.AppendUint32(b, 0)
		}
		b = le.AppendUint32(b, 0)
	}
	return le.AppendUint32(b, 0)
}

var jan1 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func TestRecurrenceRules(t *testing.T) {
	until := func(t time.Time) string { return t.Format("20060102") }
	for _, c := range []struct {
		name string
		blob recurBlob
		want string
	}{
		{"every weekday (a daily frequency with a week pattern)",
			recurBlob{freq: recurDaily, ptype: patternWeek, period: 1, specific: []uint32{0x3E}, endType: endNever, firstDOW: 1, start: jan1},
			"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"},
		{"every other week on Monday and Friday, Sunday first, until a date",
			recurBlob{freq: recurWeekly, ptype: patternWeek, period: 2, specific: []uint32{0x22}, endType: endAfterDate, start: jan1, end: jan1.AddDate(0, 3, 0)},
			"FREQ=WEEKLY;INTERVAL=2;UNTIL=20240401;BYDAY=MO,FR;WKST=SU"},
		{"every 3 days",
			recurBlob{freq: recurDaily, ptype: patternDay, period: 3 * 1440, endType: endAfterCount, count: 5, firstDOW: 1, start: jan1},
			"FREQ=DAILY;INTERVAL=3;COUNT=5"},
		{"day 31 of every month: the last day of shorter months",
			recurBlob{freq: recurMonthly, ptype: patternMonth, period: 1, specific: []uint32{31}, endType: endNever, start: jan1},
			"FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;BYSETPOS=-1"},
		{"day 15 of every 2 months",
			recurBlob{freq: recurMonthly, ptype: patternMonth, period: 2, specific: []uint32{15}, endType: endAfterCount, count: 6, start: jan1},
			"FREQ=MONTHLY;INTERVAL=2;COUNT=6;BYMONTHDAY=15"},
		{"the last weekday of every month",
			recurBlob{freq: recurMonthly, ptype: patternMonthNth, period: 1, specific: []uint32{0x3E, 5}, endType: endNever, start: jan1},
			"FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"},
		{"the second Tuesday of every month",
			recurBlob{freq: recurMonthly, ptype: patternMonthNth, period: 1, specific: []uint32{0x04, 2}, endType: endNever, start: jan1},
			"FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2"},
		{"the end of every month",
			recurBlob{freq: recurMonthly, ptype: patternMonthEnd, period: 1, specific: []uint32{31}, endType: endNever, start: jan1},
			"FREQ=MONTHLY;BYMONTHDAY=-1"},
		{"the fourth Thursday of November (yearly Nth)",
			recurBlob{freq: recurYearly, ptype: patternMonthNth, period: 12, specific: []uint32{0x10, 4}, endType: endNever, start: time.Date(2024, 11, 28, 0, 0, 0, 0, time.UTC)},
			"FREQ=YEARLY;BYMONTH=11;BYDAY=TH;BYSETPOS=4"},
		{"February 29 every 4 years",
			recurBlob{freq: recurYearly, ptype: patternMonth, period: 48, specific: []uint32{29}, endType: endNeverOld, start: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
			"FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1"},
	} {
		rec, err := parseRecurrence(c.blob.bytes())
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := rec.RRule(until); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}

	// Patterns RFC 5545 cannot say, and counts the blob cannot hold, are
	// errors (the event is then written as a single one, saying so).
	for _, c := range []struct {
		name string
		blob recurBlob
	}{
		{"Hijri monthly", recurBlob{freq: recurMonthly, ptype: patternHjMonth, period: 1, specific: []uint32{1}, endType: endNever, start: jan1}},
		{"Hebrew calendar monthly", recurBlob{freq: recurMonthly, ptype: patternMonth, calendar: 8, period: 1, specific: []uint32{1}, endType: endNever, start: jan1}},
		{"daily period not whole days", recurBlob{freq: recurDaily, ptype: patternDay, period: 90, endType: endNever, start: jan1}},
		{"weekly without days", recurBlob{freq: recurWeekly, ptype: patternWeek, period: 1, specific: []uint32{0}, endType: endNever, start: jan1}},
		{"day 32", recurBlob{freq: recurMonthly, ptype: patternMonth, period: 1, specific: []uint32{32}, endType: endNever, start: jan1}},
		{"unknown end", recurBlob{freq: recurDaily, ptype: patternDay, period: 1440, endType: 7, start: jan1}},
		{"ends before it starts", recurBlob{freq: recurDaily, ptype: patternDay, period: 1440, endType: endAfterDate, start: jan1, end: jan1.AddDate(0, 0, -1)}},
	} {
		if _, err := parseRecurrence(c.blob.bytes()); !errors.Is(err, ErrRecurrence) {
			t.Errorf("%s: %v, want ErrRecurrence", c.name, err)
		}
	}
	// A deleted count larger than the blob.
	b := recurBlob{freq: recurDaily, ptype: patternDay, period: 1440, endType: endNever, start: jan1}.bytes()
	binary.LittleEndian.PutUint32(b[34:], 0xFFFFFFF0)
	if _, err := parseRecurrence(b); !errors.Is(err, ErrRecurrence) {
		t.Errorf("huge DeletedInstanceCount: %v", err)
	}
}

// An exception's subject and location: the 8-bit ones first, replaced by
// the Unicode ones of the ExtendedException.
func TestRecurrenceExceptionStrings(t *testing.T) {
	le := binary.LittleEndian
	orig := jan1.AddDate(0, 0, 7).Add(9 * time.Hour)
	var e []byte
	e = le.AppendUint32(e, minutes1601(orig.Add(time.Hour)))
	e = le.AppendUint32(e, minutes1601(orig.Add(2*time.Hour)))
	e = le.AppendUint32(e, minutes1601(orig))
	e = le.AppendUint16(e, aroSubject|aroLocation|aroReminder)
	e = le.AppendUint16(e, 5)
	e = le.AppendUint16(e, 4)
	e = append(e, "Moin"...)
	e = le.AppendUint32(e, 0) // reminder off
	e = le.AppendUint16(e, 3)
	e = le.AppendUint16(e, 2)
	e = append(e, "R1"...)
	blob := recurBlob{freq: recurWeekly, ptype: patternWeek, period: 1, specific: []uint32{0x02}, endType: endNever, firstDOW: 1,
		start: jan1, startMin: 540, endMin: 600, exceptions: [][]byte{e}, writer2: 0x3008,
		deleted: []uint32{minutes1601(day(orig)), minutes1601(jan1.AddDate(0, 0, 14))}, modified: []uint32{minutes1601(day(orig))}}
	b := blob.bytes()
	rec, err := parseRecurrence(b)
	if err != nil {
		t.Fatal(err)
	}
	ch := rec.Changes[0]
	if ch.Subject == nil || *ch.Subject != "Moin" || ch.Location == nil || *ch.Location != "R1" || ch.ReminderSet == nil || *ch.ReminderSet {
		t.Errorf("change %+v", ch)
	}
	if len(rec.Deleted) != 1 || !rec.Deleted[0].Equal(jan1.AddDate(0, 0, 14)) {
		t.Errorf("deleted %v: the changed occurrence is not a deletion", rec.Deleted)
	}
	// With the ExtendedException (no ChangeHighlight before 0x3009).
	ext := le.AppendUint32(nil, 0) // ReservedBlockEE1Size
	ext = le.AppendUint32(ext, minutes1601(orig.Add(time.Hour)))
	ext = le.AppendUint32(ext, minutes1601(orig.Add(2*time.Hour)))
	ext = le.AppendUint32(ext, minutes1601(orig))
	ext = le.AppendUint16(ext, 4)
	for _, r := range "Grüß" {
		ext = le.AppendUint16(ext, uint16(r))
	}
	ext = le.AppendUint16(ext, 2)
	for _, r := range "Rü" {
		ext = le.AppendUint16(ext, uint16(r))
	}
	ext = le.AppendUint32(ext, 0) // ReservedBlockEE2Size
	cut := len(b) - 8             // before ReservedBlockEE1Size and ReservedBlock2Size
	full := append(append(bytes.Clone(b[:cut]), ext...), 0, 0, 0, 0)
	rec, err = parseRecurrence(full)
	if err != nil {
		t.Fatal(err)
	}
	if ch := rec.Changes[0]; *ch.Subject != "Grüß" || *ch.Location != "Rü" {
		t.Errorf("Unicode subject %q, location %q", *ch.Subject, *ch.Location)
	}
}

// The pattern is untrusted input: parseRecurrence never panics, and what
// it accepts can be written.
func FuzzParseRecurrence(f *testing.F) {
	for _, c := range recurSamples {
		b, _ := hex.DecodeString(c.blob)
		f.Add(b)
	}
	f.Add(recurBlob{freq: recurMonthly, ptype: patternMonthNth, period: 1, specific: []uint32{0x3E, 5}, endType: endNever, start: jan1}.bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := parseRecurrence(b)
		if err != nil {
			return
		}
		rec.RRule(func(t time.Time) string { return t.Format("20060102") })
		it := &Item{Class: "IPM.Appointment", Subject: "x", Event: &Event{Recurrence: rec, TimeZone: fixedZone(60), ReminderSet: true}}
		var buf bytes.Buffer
		if err := WriteICal(&buf, it); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTimeZone(t *testing.T) {
	pacific, _ := hex.DecodeString("e001000000000000c4ffffff000000000b00000001000200000000000000000000000300000002000200000000000000")
	z, err := parseTimeZone(pacific, "(UTC-08:00) Pacific Time (US & Canada)")
	if err != nil {
		t.Fatal(err)
	}
	if z.ID() != "Pacific Time (US & Canada)" {
		t.Errorf("ID %q", z.ID())
	}
	for local, want := range map[string]string{
		"2021-08-09 10:00": "2021-08-09 17:00", // daylight saving time
		"2021-12-06 10:00": "2021-12-06 18:00",
		"2021-03-14 01:59": "2021-03-14 09:59", // before the change at 2:00 on the second Sunday of March
		"2021-03-14 03:00": "2021-03-14 10:00",
		"2021-11-07 02:00": "2021-11-07 10:00", // back to standard time on the first Sunday of November
	} {
		l, _ := time.Parse("2006-01-02 15:04", local)
		if got := z.ToUTC(l).Format("2006-01-02 15:04"); got != want {
			t.Errorf("%s Pacific is %s UTC, want %s", local, got, want)
		}
	}
	// Southern hemisphere: AUS Eastern, daylight time from the first
	// Sunday of October to the first Sunday of April.
	le := binary.LittleEndian
	sydney := make([]byte, 48)
	le.PutUint32(sydney[0:], uint32(0xFFFFFDA8)) // -600
	le.PutUint32(sydney[8:], uint32(0xFFFFFFC4)) // -60
	for off, v := range map[int]uint16{16: 4, 18: 0, 20: 1, 22: 3, 34: 10, 36: 0, 38: 1, 40: 2} {
		le.PutUint16(sydney[off:], v)
	}
	z, err = parseTimeZone(sydney, "")
	if err != nil {
		t.Fatal(err)
	}
	for local, want := range map[string]string{"2024-01-15 12:00": "2024-01-15 01:00", "2024-07-15 12:00": "2024-07-15 02:00"} {
		l, _ := time.Parse("2006-01-02 15:04", local)
		if got := z.ToUTC(l).Format("2006-01-02 15:04"); got != want {
			t.Errorf("%s Sydney is %s UTC, want %s", local, got, want)
		}
	}
	if z.ID() != "UTC+1000" {
		t.Errorf("ID of a nameless zone %q", z.ID())
	}
	var c contentLines
	z.vtimezone(&c)
	for _, want := range []string{"BEGIN:DAYLIGHT\r\nDTSTART:16011007T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU\r\nTZOFFSETFROM:+1000\r\nTZOFFSETTO:+1100\r\n"} {
		if !strings.Contains(c.b.String(), want) {
			t.Errorf("VTIMEZONE lacks %q:\n%s", want, c.b.String())
		}
	}
	if _, err := parseTimeZone(pacific[:40], ""); err == nil {
		t.Error("a short time zone parses")
	}
}

// A recurring event in iCalendar: the zone, the series with its rule, the
// deleted occurrence, the moved ones with their own body, reminders.
func TestICalRecurring(t *testing.T) {
	b, _ := hex.DecodeString(recurSamples[0].blob)
	rec, err := parseRecurrence(b)
	if err != nil {
		t.Fatal(err)
	}
	rec.Changes[0].Body, rec.Changes[0].HasBody = "This is the appointment at 9", true
	pacific, _ := hex.DecodeString("e001000000000000c4ffffff000000000b00000001000200000000000000000000000300000002000200000000000000")
	tz, _ := parseTimeZone(pacific, "(UTC-08:00) Pacific Time (US & Canada)")
	it := &Item{NID: 0x2000C4, Class: "IPM.Appointment", Subject: "Test appointment", Body: "This is a complete test",
		Date: time.Date(2016, 8, 2, 0, 27, 12, 0, time.UTC),
		Event: &Event{Start: time.Date(2016, 8, 2, 15, 0, 0, 0, time.UTC), End: time.Date(2016, 8, 2, 15, 30, 0, 0, time.UTC),
			Organizer: Address{"Org", "org@example.com"}, UID: "040000008200E00074C5B7101A82E008",
			ReminderSet: true, ReminderMinutes: 15, Recurrence: rec, TimeZone: tz}}
	var out bytes.Buffer
	if err := WriteICal(&out, it); err != nil {
		t.Fatal(err)
	}
	lines := checkContentLines(t, out.Bytes())
	for _, want := range []string{
		"TZID:Pacific Time (US & Canada)",
		"DTSTART;TZID=Pacific Time (US & Canada):20160802T080000",
		"DTEND;TZID=Pacific Time (US & Canada):20160802T083000",
		"RRULE:FREQ=WEEKLY;BYDAY=TU;WKST=SU",
		"EXDATE;TZID=Pacific Time (US & Canada):20160809T080000",
		"RECURRENCE-ID;TZID=Pacific Time (US & Canada):20160823T080000",
		"DTSTART;TZID=Pacific Time (US & Canada):20160823T090000",
		"DESCRIPTION:This is the appointment at 9",
		"TRIGGER:-PT15M",
	} {
		if !contains(lines, want) {
			t.Errorf("lacks %q", want)
		}
	}
	golden(t, "event-recurring.ics", out.Bytes())

	// An unreadable series: the first occurrence, and a COMMENT saying so.
	it.Event.Recurrence, it.Event.RecurrenceProblem = nil, "recurrence pattern unreadable: unknown EndType 0x7"
	out.Reset()
	WriteICal(&out, it)
	lines = checkContentLines(t, out.Bytes())
	if !contains(lines, "DTSTART:20160802T150000Z") || !strings.HasPrefix(strings.Join(lines, "\n"), "BEGIN:VCALENDAR") ||
		!strings.Contains(out.String(), "COMMENT:pstcheck: this is a recurring event") {
		t.Errorf("unreadable series:\n%s", out.String())
	}
}
