package export

import (
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// TimeZone is the time zone a recurring series is kept in: Outlook's
// PidLidTimeZoneStruct (MS-OXOCAL 2.2.1.39), a Windows TIME_ZONE_INFORMATION
// without names, with PidLidTimeZoneDescription as its name. A series'
// times are wall-clock times of this zone, and an RRULE repeats them in
// it, so the iCalendar file carries it as a VTIMEZONE.
type TimeZone struct {
	Name string // "(UTC-08:00) Pacific Time (US & Canada)", "" if none
	// Bias is minutes west of UTC (UTC = local + Bias); StandardBias and
	// DaylightBias are added to it in each period.
	Bias, StandardBias, DaylightBias int
	// Standard and Daylight say when each period starts; without
	// daylight saving time, Daylight.Month is 0.
	Standard, Daylight ZoneRule
}

// ZoneRule is a yearly change of a time zone's offset: the Week-th (1-4,
// 5 the last) Weekday of Month, at Hour:Minute local time before the
// change.
type ZoneRule struct {
	Month        time.Month
	Weekday      time.Weekday
	Week         int
	Hour, Minute int
}

// parseTimeZone decodes a PidLidTimeZoneStruct (48 bytes). A transition
// given as an absolute date (wYear set: one year only) cannot repeat
// yearly; the zone then keeps its standard offset all year.
func parseTimeZone(b []byte, name string) (*TimeZone, error) {
	if len(b) < 48 {
		return nil, fmt.Errorf("time zone of %d bytes, want 48", len(b))
	}
	le := binary.LittleEndian
	z := &TimeZone{
		Name:         strings.TrimSpace(name),
		Bias:         int(int32(le.Uint32(b[0:]))),
		StandardBias: int(int32(le.Uint32(b[4:]))),
		DaylightBias: int(int32(le.Uint32(b[8:]))),
	}
	rule := func(st []byte) (ZoneRule, bool) {
		year, month, dow, week := le.Uint16(st[0:]), le.Uint16(st[2:]), le.Uint16(st[4:]), le.Uint16(st[6:])
		hour, minute := le.Uint16(st[8:]), le.Uint16(st[10:])
		if month == 0 || year != 0 || month > 12 || dow > 6 || week < 1 || week > 5 || hour > 23 || minute > 59 {
			return ZoneRule{}, false
		}
		return ZoneRule{time.Month(month), time.Weekday(dow), int(week), int(hour), int(minute)}, true
	}
	std, okStd := rule(b[14:30])
	dst, okDst := rule(b[32:48])
	if okStd && okDst {
		z.Standard, z.Daylight = std, dst
	}
	for _, m := range []int{z.Bias, z.StandardBias, z.DaylightBias, z.Bias + z.StandardBias, z.Bias + z.DaylightBias} {
		if m < -18*60 || m > 18*60 {
			return nil, fmt.Errorf("time zone bias of %d minutes", m)
		}
	}
	return z, nil
}

// fixedZone is a zone offset minutes east of UTC all year: the series'
// zone when the store does not say it, derived from the local and UTC
// times of its first occurrence.
func fixedZone(offset int) *TimeZone { return &TimeZone{Bias: -offset} }

// dst reports whether the zone observes daylight saving time.
func (z *TimeZone) dst() bool { return z.Daylight.Month != 0 }

// isUTC reports whether the zone is UTC all year.
func (z *TimeZone) isUTC() bool { return !z.dst() && z.Bias+z.StandardBias == 0 }

// offsetAt is the zone's offset east of UTC in minutes at wall-clock time
// local (a time.Time in UTC holding local time).
func (z *TimeZone) offsetAt(local time.Time) int {
	std := -(z.Bias + z.StandardBias)
	if !z.dst() {
		return std
	}
	y := local.Year()
	toDST := z.Daylight.in(y)
	toStd := z.Standard.in(y)
	var inDST bool
	if toDST.Before(toStd) { // northern hemisphere: summer inside the year
		inDST = !local.Before(toDST) && local.Before(toStd)
	} else {
		inDST = !local.Before(toDST) || local.Before(toStd)
	}
	if inDST {
		return -(z.Bias + z.DaylightBias)
	}
	return std
}

// ToUTC converts wall-clock time local of the zone to UTC.
func (z *TimeZone) ToUTC(local time.Time) time.Time {
	return local.Add(-time.Duration(z.offsetAt(local)) * time.Minute)
}

// in is the wall-clock time of the change in year y.
func (r ZoneRule) in(y int) time.Time {
	first := time.Date(y, r.Month, 1, r.Hour, r.Minute, 0, 0, time.UTC)
	d := first.AddDate(0, 0, (int(r.Weekday)-int(first.Weekday())+7)%7)
	for w := 1; w < r.Week; w++ {
		if next := d.AddDate(0, 0, 7); next.Month() == r.Month {
			d = next
		}
	}
	return d
}

// ID is the zone's TZID: its name without the "(UTC-08:00) " that
// Windows puts first, kept to characters that need no escaping or quoting
// in iCalendar ("Pacific Time (US & Canada)"); else its offset
// ("UTC-0800").
func (z *TimeZone) ID() string {
	name := z.Name
	if strings.HasPrefix(name, "(") {
		if i := strings.Index(name, ") "); i > 0 && i < 16 {
			name = name[i+2:]
		}
	}
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" ()+-._/&'", r) {
			b.WriteRune(r)
		}
	}
	if id := strings.Join(strings.Fields(b.String()), " "); id != "" {
		return id
	}
	return "UTC" + utcOffset(-(z.Bias + z.StandardBias))
}

// utcOffset formats minutes east of UTC as iCalendar does: "-0800".
func utcOffset(m int) string {
	sign := "+"
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%02d%02d", sign, m/60, m%60)
}

// vtimezone writes the zone as a VTIMEZONE: its standard period and, with
// daylight saving time, the daylight period, each repeating yearly from
// 1601 (as Outlook writes them).
func (z *TimeZone) vtimezone(c *contentLines) {
	std, dl := -(z.Bias + z.StandardBias), -(z.Bias + z.DaylightBias)
	c.add("BEGIN:VTIMEZONE")
	c.add("TZID:" + z.ID())
	period := func(kind string, r ZoneRule, from, to int) {
		c.add("BEGIN:" + kind)
		if r.Month == 0 {
			c.add("DTSTART:16010101T000000")
		} else {
			c.add("DTSTART:" + r.in(1601).Format("20060102T150405"))
			week := fmt.Sprint(r.Week)
			if r.Week == 5 {
				week = "-1"
			}
			c.add(fmt.Sprintf("RRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=%s%s", r.Month, week, dayNames[r.Weekday]))
		}
		c.add("TZOFFSETFROM:" + utcOffset(from))
		c.add("TZOFFSETTO:" + utcOffset(to))
		c.add("END:" + kind)
	}
	if z.dst() {
		period("STANDARD", z.Standard, dl, std)
		period("DAYLIGHT", z.Daylight, std, dl)
	} else {
		period("STANDARD", ZoneRule{}, std, std)
	}
	c.add("END:VTIMEZONE")
}
