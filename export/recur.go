package export

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// A recurring appointment keeps its series in PidLidAppointmentRecur, a
// binary AppointmentRecurrencePattern (MS-OXOCAL 2.2.1.44): the
// RecurrencePattern (how often, which days, until when, the dates of
// deleted and changed occurrences), then the time of day and one
// ExceptionInfo per changed occurrence (new times, subject, location,
// reminder), then the same changes again with Unicode strings
// (ExtendedException). All times in it are local to the series' time
// zone, as minutes since 1601-01-01.

// Recurrence is a recurring series, decoded. Dates and times are wall
// clock times of the series' time zone, held as time.Time in UTC.
type Recurrence struct {
	// Frequency is "DAILY", "WEEKLY", "MONTHLY" or "YEARLY" (RFC 5545).
	Frequency string
	// Interval is every how many days, weeks, months or years.
	Interval int
	// Weekdays are the days of a weekly series, or those a monthly or
	// yearly one picks the Nth of (Nth).
	Weekdays []time.Weekday
	// MonthDay is the day of the month of a monthly or yearly series
	// (1-31; -1 the last day), 0 when the series picks a weekday.
	MonthDay int
	// Nth picks the 1st to 4th of the Weekdays in a month, -1 the last.
	Nth int
	// Month is the month of a yearly series.
	Month time.Month
	// FirstDay is the first day of the week (RFC 5545 WKST).
	FirstDay time.Weekday
	// Count is the number of occurrences when the series ends after a
	// number of them; Until the date of the last occurrence when it ends
	// by a date. Neither: it never ends.
	Count int
	Until time.Time
	// Start is the first occurrence's date, StartMinute and EndMinute its
	// start and end as minutes after that midnight (EndMinute may reach
	// into a later day).
	Start                  time.Time
	StartMinute, EndMinute int
	// Deleted are the original dates (midnight) of occurrences deleted
	// from the series: EXDATE. Occurrences that were changed rather than
	// deleted are in Changes instead.
	Deleted []time.Time
	// Changes are the occurrences changed from the series' pattern.
	Changes []Change
}

// Change is one occurrence of a series that differs from the pattern
// (MS-OXOCAL ExceptionInfo): at least in its times, and in whatever else
// its fields say. Strings are "" and pointers nil when not changed.
type Change struct {
	OriginalStart time.Time // the occurrence it replaces: local date and time
	Start, End    time.Time // local
	Subject       *string
	Location      *string
	ReminderSet   *bool
	ReminderDelta *int  // minutes before the start
	AllDay        *bool // PidLidAppointmentSubType
	// Body and Attachments come from the exception's embedded message,
	// when the item has one for this change.
	Body        string
	HasBody     bool
	Attachments []Attachment
}

// ErrRecurrence is wrapped by every error parseRecurrence returns.
var ErrRecurrence = errors.New("recurrence pattern unreadable")

// Field values of the RecurrencePattern (MS-OXOCAL 2.2.1.44.1).
const (
	recurDaily   = 0x200A
	recurWeekly  = 0x200B
	recurMonthly = 0x200C
	recurYearly  = 0x200D

	patternDay       = 0x0
	patternWeek      = 0x1
	patternMonth     = 0x2
	patternMonthNth  = 0x3
	patternMonthEnd  = 0x4
	patternHjMonth   = 0xA
	patternHjNth     = 0xB
	patternHjMonthEd = 0xC

	endAfterDate  = 0x2021
	endAfterCount = 0x2022
	endNever      = 0x2023
	endNeverOld   = 0xFFFFFFFF

	writerVersion2Highlight = 0x3009 // ExtendedException has ChangeHighlight from this version on

	aroSubject       = 0x0001
	aroMeetingType   = 0x0002
	aroReminderDelta = 0x0004
	aroReminder      = 0x0008
	aroLocation      = 0x0010
	aroBusyStatus    = 0x0020
	aroAttachment    = 0x0040
	aroSubType       = 0x0080
	aroAppointColor  = 0x0100

	// maxInstanceDates bounds DeletedInstanceCount and
	// ModifiedInstanceCount before anything is allocated: each date takes
	// 4 bytes of the blob, so a count the blob cannot hold is refused
	// anyway; this only keeps a hostile count from reserving memory.
	maxInstanceDates = 1 << 16
)

// recurReader reads little-endian fields of an untrusted blob, remembering
// the first overrun instead of panicking.
type recurReader struct {
	b   []byte
	off int
	err error
}

func (r *recurReader) take(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = fmt.Errorf("%w: %s at byte %d needs %d bytes, %d left", ErrRecurrence, what, r.off, n, len(r.b)-r.off)
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *recurReader) u16(what string) uint16 {
	if p := r.take(2, what); p != nil {
		return binary.LittleEndian.Uint16(p)
	}
	return 0
}

func (r *recurReader) u32(what string) uint32 {
	if p := r.take(4, what); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

// minutes reads a date-time field: minutes since 1601-01-01, local time.
func (r *recurReader) minutes(what string) time.Time { return minutesTime(r.u32(what)) }

// minutesTime converts minutes since 1601-01-01 (more than a
// time.Duration holds) to a time.
func minutesTime(m uint32) time.Time {
	const secondsTo1970 = 11644473600 // from 1601-01-01 to 1970-01-01
	return time.Unix(int64(m)*60-secondsTo1970, 0).UTC()
}

// parseRecurrence decodes an AppointmentRecurrencePattern. Every count and
// size is checked against what the blob holds; a pattern it cannot
// express in RFC 5545 (a Hijri or other non-Gregorian calendar for a
// monthly or yearly series, an unknown pattern type) is an error too, so
// that the event is not written with a wrong rule.
func parseRecurrence(b []byte) (*Recurrence, error) {
	r := &recurReader{b: b}
	if v := r.u16("ReaderVersion"); r.err == nil && v != 0x3004 {
		return nil, fmt.Errorf("%w: ReaderVersion 0x%04X, not 0x3004", ErrRecurrence, v)
	}
	r.u16("WriterVersion")
	freq := r.u16("RecurFrequency")
	ptype := r.u16("PatternType")
	calendar := r.u16("CalendarType")
	r.u32("FirstDateTime")
	period := r.u32("Period")
	r.u32("SlidingFlag")
	var days, nth, monthDay uint32
	switch ptype {
	case patternDay:
	case patternWeek:
		days = r.u32("PatternTypeSpecific days")
	case patternMonth, patternMonthEnd, patternHjMonth, patternHjMonthEd:
		monthDay = r.u32("PatternTypeSpecific day")
	case patternMonthNth, patternHjNth:
		days = r.u32("PatternTypeSpecific days")
		nth = r.u32("PatternTypeSpecific N")
	default:
		if r.err == nil {
			return nil, fmt.Errorf("%w: unknown PatternType 0x%X", ErrRecurrence, ptype)
		}
	}
	endType := r.u32("EndType")
	count := r.u32("OccurrenceCount")
	firstDOW := r.u32("FirstDOW")
	deleted := r.dates("DeletedInstance")
	r.dates("ModifiedInstance") // the changes' new dates: ExceptionInfo has them with their times
	start := r.minutes("StartDate")
	end := r.minutes("EndDate")
	if r.err != nil {
		return nil, r.err
	}

	rec := &Recurrence{Start: start, FirstDay: time.Weekday(firstDOW % 7)}
	if firstDOW > 6 {
		return nil, fmt.Errorf("%w: FirstDOW %d", ErrRecurrence, firstDOW)
	}
	gregorian := calendar <= 2 || calendar >= 9 && calendar <= 12 // default, Gregorian and its localised variants
	switch {
	case ptype == patternDay:
		if freq != recurDaily || period == 0 || period%1440 != 0 {
			return nil, fmt.Errorf("%w: daily period of %d minutes", ErrRecurrence, period)
		}
		rec.Frequency, rec.Interval = "DAILY", int(period/1440)
	case ptype == patternWeek:
		// "Every weekday" is a daily frequency with a week pattern.
		if freq != recurWeekly && freq != recurDaily || days&0x7F == 0 {
			return nil, fmt.Errorf("%w: weekly pattern with days 0x%X", ErrRecurrence, days)
		}
		rec.Frequency, rec.Interval = "WEEKLY", int(max(period, 1))
		rec.Weekdays = weekdays(days)
	case !gregorian || ptype >= patternHjMonth:
		return nil, fmt.Errorf("%w: calendar type %d, pattern type 0x%X: not a Gregorian calendar", ErrRecurrence, calendar, ptype)
	default:
		rec.Frequency, rec.Interval = "MONTHLY", int(period)
		if freq == recurYearly {
			if period%12 != 0 {
				return nil, fmt.Errorf("%w: yearly period of %d months", ErrRecurrence, period)
			}
			rec.Frequency, rec.Interval, rec.Month = "YEARLY", int(period/12), start.Month()
		} else if freq != recurMonthly {
			return nil, fmt.Errorf("%w: RecurFrequency 0x%X with a monthly pattern", ErrRecurrence, freq)
		}
		if rec.Interval == 0 {
			return nil, fmt.Errorf("%w: period 0", ErrRecurrence)
		}
		switch ptype {
		case patternMonth:
			if monthDay < 1 || monthDay > 31 {
				return nil, fmt.Errorf("%w: day %d of the month", ErrRecurrence, monthDay)
			}
			rec.MonthDay = int(monthDay)
		case patternMonthEnd:
			rec.MonthDay = -1
		case patternMonthNth:
			if days&0x7F == 0 || nth < 1 || nth > 5 {
				return nil, fmt.Errorf("%w: the %dth of days 0x%X", ErrRecurrence, nth, days)
			}
			rec.Weekdays, rec.Nth = weekdays(days), int(nth)
			if nth == 5 {
				rec.Nth = -1
			}
		}
	}
	if rec.Interval > 999 {
		return nil, fmt.Errorf("%w: interval %d", ErrRecurrence, rec.Interval)
	}
	switch endType {
	case endAfterCount:
		if count == 0 || count > 999999 {
			return nil, fmt.Errorf("%w: %d occurrences", ErrRecurrence, count)
		}
		rec.Count = int(count)
	case endAfterDate:
		if end.Before(start) {
			return nil, fmt.Errorf("%w: ends %s, before it starts %s", ErrRecurrence, end.Format(time.DateOnly), start.Format(time.DateOnly))
		}
		rec.Until = end
	case endNever, endNeverOld:
	default:
		return nil, fmt.Errorf("%w: unknown EndType 0x%X", ErrRecurrence, endType)
	}

	// The AppointmentRecurrencePattern around it.
	if v := r.u32("ReaderVersion2"); r.err == nil && v != 0x3006 {
		return nil, fmt.Errorf("%w: ReaderVersion2 0x%X, not 0x3006", ErrRecurrence, v)
	}
	writer2 := r.u32("WriterVersion2")
	rec.StartMinute = int(r.u32("StartTimeOffset"))
	rec.EndMinute = int(r.u32("EndTimeOffset"))
	nExc := int(r.u16("ExceptionCount"))
	if r.err != nil {
		return nil, r.err
	}
	if rec.StartMinute >= 1440 || rec.EndMinute < rec.StartMinute || rec.EndMinute-rec.StartMinute > 5*365*1440 {
		return nil, fmt.Errorf("%w: occurrences from minute %d to %d", ErrRecurrence, rec.StartMinute, rec.EndMinute)
	}
	// Each ExceptionInfo takes at least 14 bytes.
	if nExc*14 > len(b)-r.off {
		return nil, fmt.Errorf("%w: %d exceptions in %d bytes", ErrRecurrence, nExc, len(b)-r.off)
	}
	flags := make([]uint16, nExc)
	rec.Changes = make([]Change, nExc)
	for i := range nExc {
		c := &rec.Changes[i]
		c.Start = r.minutes("ExceptionInfo StartDateTime")
		c.End = r.minutes("ExceptionInfo EndDateTime")
		c.OriginalStart = r.minutes("ExceptionInfo OriginalStartDate")
		f := r.u16("OverrideFlags")
		flags[i] = f
		if f&aroSubject != 0 {
			n := int(r.u16("SubjectLength"))
			n2 := int(r.u16("SubjectLength2"))
			if r.err == nil && n2+1 != n {
				return nil, fmt.Errorf("%w: exception %d: subject lengths %d and %d", ErrRecurrence, i, n, n2)
			}
			s := string(r.take(n2, "Subject")) // 8-bit; replaced by the Unicode form below when there is one
			c.Subject = &s
		}
		if f&aroMeetingType != 0 {
			r.u32("MeetingType")
		}
		if f&aroReminderDelta != 0 {
			d := int(int32(r.u32("ReminderDelta")))
			c.ReminderDelta = &d
		}
		if f&aroReminder != 0 {
			set := r.u32("ReminderSet") != 0
			c.ReminderSet = &set
		}
		if f&aroLocation != 0 {
			n := int(r.u16("LocationLength"))
			n2 := int(r.u16("LocationLength2"))
			if r.err == nil && n2+1 != n {
				return nil, fmt.Errorf("%w: exception %d: location lengths %d and %d", ErrRecurrence, i, n, n2)
			}
			s := string(r.take(n2, "Location"))
			c.Location = &s
		}
		if f&aroBusyStatus != 0 {
			r.u32("BusyStatus")
		}
		if f&aroAttachment != 0 {
			r.u32("Attachment")
		}
		if f&aroSubType != 0 {
			allDay := r.u32("SubType") != 0
			c.AllDay = &allDay
		}
		if f&aroAppointColor != 0 {
			r.u32("AppointmentColor")
		}
		if r.err != nil {
			return nil, r.err
		}
		if c.End.Before(c.Start) {
			return nil, fmt.Errorf("%w: exception %d ends before it starts", ErrRecurrence, i)
		}
	}
	r.take(int(r.u32("ReservedBlock1Size")), "ReservedBlock1")
	if r.err != nil {
		return nil, r.err
	}
	// The Unicode subjects and locations. Older writers may leave this
	// part out or get it wrong: what was read so far stands either way.
	ext := *r
	for i := range nExc {
		if writer2 >= writerVersion2Highlight {
			ext.take(int(ext.u32("ChangeHighlightSize")), "ChangeHighlight")
		}
		ext.take(int(ext.u32("ReservedBlockEE1Size")), "ReservedBlockEE1")
		if flags[i]&(aroSubject|aroLocation) == 0 {
			continue
		}
		ext.take(12, "ExtendedException dates")
		if flags[i]&aroSubject != 0 {
			s := utf16String(ext.take(2*int(ext.u16("WideCharSubjectLength")), "WideCharSubject"))
			if ext.err == nil {
				rec.Changes[i].Subject = &s
			}
		}
		if flags[i]&aroLocation != 0 {
			s := utf16String(ext.take(2*int(ext.u16("WideCharLocationLength")), "WideCharLocation"))
			if ext.err == nil {
				rec.Changes[i].Location = &s
			}
		}
		ext.take(int(ext.u32("ReservedBlockEE2Size")), "ReservedBlockEE2")
		if ext.err != nil {
			break
		}
	}

	// Deleted dates list changed occurrences too (by their original
	// date): those are written as changes, not as deletions.
	changed := map[time.Time]bool{}
	for _, c := range rec.Changes {
		changed[day(c.OriginalStart)] = true
	}
	for _, d := range deleted {
		if !changed[day(d)] {
			rec.Deleted = append(rec.Deleted, day(d))
		}
	}
	return rec, nil
}

// dates reads a count and that many date fields.
func (r *recurReader) dates(what string) []time.Time {
	n := r.u32(what + "Count")
	if r.err != nil {
		return nil
	}
	if n > maxInstanceDates || int(n)*4 > len(r.b)-r.off {
		r.err = fmt.Errorf("%w: %d %s dates in %d bytes", ErrRecurrence, n, what, len(r.b)-r.off)
		return nil
	}
	out := make([]time.Time, n)
	for i := range out {
		out[i] = r.minutes(what + "Dates")
	}
	return out
}

func day(t time.Time) time.Time { return t.Truncate(24 * time.Hour) }

// weekdays turns a day bit mask (bit 0 Sunday ... bit 6 Saturday) into
// days in week order.
func weekdays(mask uint32) []time.Weekday {
	var out []time.Weekday
	for d := time.Sunday; d <= time.Saturday; d++ {
		if mask&(1<<d) != 0 {
			out = append(out, d)
		}
	}
	return out
}

func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.ToValidUTF8(string(utf16.Decode(u)), "\uFFFD")
}

var dayNames = [...]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// shortestMonth is the fewest days month m has (any month: 28).
func shortestMonth(m time.Month) int {
	switch m {
	case 0, time.February:
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// RRule formats the series as an RFC 5545 RRULE value. until formats the
// last occurrence's date as UNTIL wants it (a UTC date-time, or a DATE
// for all-day events).
func (rec *Recurrence) RRule(until func(time.Time) string) string {
	parts := []string{"FREQ=" + rec.Frequency}
	if rec.Interval > 1 {
		parts = append(parts, "INTERVAL="+strconv.Itoa(rec.Interval))
	}
	switch {
	case rec.Count > 0:
		parts = append(parts, "COUNT="+strconv.Itoa(rec.Count))
	case !rec.Until.IsZero():
		parts = append(parts, "UNTIL="+until(rec.Until))
	}
	if rec.Month != 0 {
		parts = append(parts, "BYMONTH="+strconv.Itoa(int(rec.Month)))
	}
	switch {
	case rec.MonthDay == -1:
		parts = append(parts, "BYMONTHDAY=-1")
	case rec.MonthDay > shortestMonth(rec.Month):
		// Outlook moves day 29, 30 or 31 to the last day of a shorter
		// month; RFC 5545 would skip that month: take the last of the
		// days from the 28th to the one asked for.
		var ds []string
		for d := 28; d <= rec.MonthDay; d++ {
			ds = append(ds, strconv.Itoa(d))
		}
		parts = append(parts, "BYMONTHDAY="+strings.Join(ds, ","), "BYSETPOS=-1")
	case rec.MonthDay > 0:
		parts = append(parts, "BYMONTHDAY="+strconv.Itoa(rec.MonthDay))
	}
	if len(rec.Weekdays) > 0 {
		var ds []string
		for _, d := range rec.Weekdays {
			ds = append(ds, dayNames[d])
		}
		parts = append(parts, "BYDAY="+strings.Join(ds, ","))
		if rec.Nth != 0 {
			parts = append(parts, "BYSETPOS="+strconv.Itoa(rec.Nth))
		}
	}
	if rec.Frequency == "WEEKLY" && rec.FirstDay != time.Monday {
		parts = append(parts, "WKST="+dayNames[rec.FirstDay])
	}
	return strings.Join(parts, ";")
}
