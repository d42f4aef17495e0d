package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/report"
)

// Tests of what the export says about an item, beyond its bytes: who sent
// it, when it recurs, which folder it came from.

// Mail "sent on behalf of" someone names the person it was sent for in
// From and the delegate who sent it in Sender: enron.pst has such
// messages, e.g. Deleted Items "Program Changes", sent by Enron
// Announcements for ClickAtHome and Community Relations. The store's
// PidTagSentRepresentingName and PidTagSenderName say who is who.
func TestExportOnBehalf(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	type who struct{ represented, sender string }
	onBehalf := map[uint32]who{}
	for _, refs := range itemsByFolder(store) {
		for _, ref := range refs {
			m, err := store.Reader.Message(ref.NID)
			if err != nil {
				continue
			}
			rep, snd := store.Reader.String(m.Props, 0x0042), store.Reader.String(m.Props, 0x0C1A)
			if rep != "" && snd != "" && rep != snd {
				onBehalf[ref.NID] = who{rep, snd}
			}
		}
	}
	if len(onBehalf) < 10 {
		t.Fatalf("enron.pst has %d messages sent on behalf of someone, want at least 10", len(onBehalf))
	}
	x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
	sawProgramChanges := false
	for nid, w := range onBehalf {
		it, ok := x.byNID()[nid]
		if !ok || it.Path == nil {
			t.Errorf("0x%X not exported", nid)
			continue
		}
		msg := checkEML(t, *it.Path, x.file(t, *it.Path), it)
		if msg == nil {
			continue
		}
		from, err1 := mail.ParseAddress(msg.header.Get("From"))
		sender, err2 := mail.ParseAddress(msg.header.Get("Sender"))
		if err1 != nil || err2 != nil || from.Name != w.represented || sender.Name != w.sender {
			t.Errorf("%s: From %q, Sender %q; want the represented %q and the delegate %q",
				*it.Path, msg.header.Get("From"), msg.header.Get("Sender"), w.represented, w.sender)
		}
		if strings.HasSuffix(*it.Path, "Deleted Items/2001-11-21 1616 Program Changes.eml") {
			sawProgramChanges = true
		}
	}
	if !sawProgramChanges {
		t.Error("Deleted Items/2001-11-21 1616 Program Changes.eml is not among the messages sent on behalf")
	}
	t.Logf("%d messages sent on behalf of someone", len(onBehalf))
}

// No sample has a body line starting with "From ", which an mbox must
// quote (mboxrd: ">From ", and one more '>' on a line already quoted) or
// a reader would split the message there. A real message of enron.pst is
// given such lines (its PidTagBody rewritten in place, CRC fixed), and the
// mbox export quotes them, and reads back as the .eml export wrote it.
func TestExportMboxFromQuoting(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	const body = "From the desk of Sally\r\n>From a quoted line\r\n>>From twice\r\nFromage is not quoted\r\n"
	var nid uint32
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 {
			continue
		}
		h := f.NodeHeap(n.NID)
		if p, ok := h.Prop(0x1000); ok && p.Type == 0x001F && pstmut.IsHID(p.Value) && len(h.Item(p.Value)) >= 2*len(body)+20 {
			if _, html := h.Prop(0x1013); html {
				continue
			}
			setString(t, h, 0x1000, body)
			nid = n.NID
			break
		}
	}
	if nid == 0 {
		t.Fatal("no message in enron.pst with a plain body on its heap")
	}
	p := writePST(t, f, t.TempDir(), "from.pst")
	eml := runExport(t, p, filepath.Join(t.TempDir(), "eml"))
	mbox := runExport(t, p, filepath.Join(t.TempDir(), "mbox"), "--format", "mbox")
	e, m := eml.byNID()[nid], mbox.byNID()[nid]
	if e.Path == nil || m.Path == nil {
		t.Fatalf("0x%X not exported: %+v %+v", nid, e, m)
	}
	raw := string(mbox.file(t, *m.Path))
	for _, want := range []string{"\n>From the desk of Sally\n", "\n>>From a quoted line\n", "\n>>>From twice\n", "\nFromage is not quoted\n"} {
		if !strings.Contains(raw, want) {
			t.Errorf("%s lacks the line %q", *m.Path, strings.Trim(want, "\n"))
		}
	}
	msgs, err := export.SplitMbox(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := eml.file(t, *e.Path)
	found := false
	for _, msg := range msgs {
		found = found || bytes.Equal(msg, want)
	}
	if !found {
		t.Errorf("no message of %s reads back as %s", *m.Path, *e.Path)
	}
	msg := checkEML(t, *e.Path, want, e)
	if text, _ := msg.text(); !strings.HasPrefix(strings.ReplaceAll(text, "\r\n", "\n"), strings.ReplaceAll(body, "\r\n", "\n")) {
		t.Errorf("%s: body %q, want it to start with %q", *e.Path, text, body)
	}
}

// icsEvent is what a test reads of an exported .ics: the first VEVENT's
// DTSTART, RRULE and EXDATEs, and how many VEVENTs replace an occurrence
// (RECURRENCE-ID), plus whether a VALARM is there.
type icsEvent struct {
	dtstart, rrule, trigger string
	exdates                 []string
	overrides               int
}

func readICS(t *testing.T, rel string, b []byte) icsEvent {
	t.Helper()
	var ev icsEvent
	unfolded := strings.ReplaceAll(string(b), "\r\n ", "")
	events := 0
	for _, line := range strings.Split(unfolded, "\r\n") {
		name, value, _ := strings.Cut(line, ":")
		prop, _, _ := strings.Cut(name, ";")
		switch {
		case line == "BEGIN:VEVENT":
			events++
		case events != 1 && prop == "RECURRENCE-ID":
			ev.overrides++
		case events != 1:
		case prop == "DTSTART":
			ev.dtstart = line[len("DTSTART"):]
		case prop == "RRULE":
			ev.rrule = value
		case prop == "EXDATE":
			ev.exdates = append(ev.exdates, line[len("EXDATE"):])
		case prop == "TRIGGER" && ev.trigger == "":
			ev.trigger = value
		}
	}
	if events == 0 {
		t.Errorf("%s: no VEVENT", rel)
	}
	return ev
}

// lastOccurrence expands a DAILY or WEEKLY rule with COUNT from its first
// occurrence's date, the way RFC 5545 does; "" for a rule that never ends,
// "?" for one this test cannot expand.
func lastOccurrence(first time.Time, rrule string) string {
	parts := map[string]string{}
	for _, p := range strings.Split(rrule, ";") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	if parts["COUNT"] == "" && parts["UNTIL"] == "" {
		return ""
	}
	count, err := strconv.Atoi(parts["COUNT"])
	if err != nil || parts["INTERVAL"] != "" && parts["INTERVAL"] != "1" {
		return "?"
	}
	days := map[time.Weekday]bool{}
	for _, d := range strings.Split(parts["BYDAY"], ",") {
		for i, n := range []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"} {
			if d == n {
				days[time.Weekday(i)] = true
			}
		}
	}
	d, n := first, 0
	for ; ; d = d.AddDate(0, 0, 1) {
		switch parts["FREQ"] {
		case "DAILY":
		case "WEEKLY":
			if !days[d.Weekday()] {
				continue
			}
		default:
			return "?"
		}
		if n++; n == count {
			return d.Format(time.DateOnly)
		}
	}
}

// Recurring appointments keep their series: every item of the corpus with
// a PidLidAppointmentRecur gets an RRULE, equal to what the peers show:
// pffexport prints Outlook's description of the pattern
// (PidLidRecurrencePattern) and the first and last effective dates,
// readpst writes an RRULE for 17 of them. Deleted occurrences are EXDATEs
// and moved ones VEVENTs of their own; reminders are VALARMs.
func TestExportRecurrence(t *testing.T) {
	type want struct {
		rrule     string
		exdates   []string
		overrides int
		last      string // last occurrence, as pffexport's "Last effective time" ("" never ends)
	}
	wants := map[string]want{
		// pffexport: "every Tuesday from 8:00 AM to 8:30 AM", last effective
		// 4500 (never ends); the store deletes Aug 9 and moves Aug 23 and 30.
		"java-libpst__dist-list.pst/Test appointment": {"FREQ=WEEKLY;BYDAY=TU;WKST=SU",
			[]string{";TZID=Pacific Time (US & Canada):20160809T080000"}, 2, ""},
		// pffexport: "every Monday from 10:00 AM to 11:00 AM", Aug 09 to Oct 11, 2021.
		"pstextractortest/repeats every monday for 10 weeks": {"FREQ=WEEKLY;COUNT=10;BYDAY=MO;WKST=SU", nil, 0, "2021-10-11"},
		// pffexport: "every day from 12:00 PM to 12:30 PM", Aug 10 to Aug 12, 2021.
		"pstextractortest/repeats for 3 days": {"FREQ=DAILY;COUNT=3", nil, 0, "2021-08-12"},
		// pffexport: "every August 13 from 10:00 AM to 10:30 AM", never ends.
		"pstextractortest/Occurs every August 13 effective 8/13/2021 from 10:00 AM to 10:30 AM": {"FREQ=YEARLY;BYMONTH=8;BYMONTHDAY=13", nil, 0, ""},
		// readpst: RRULE:FREQ=YEARLY;BYMONTHDAY=31;BYMONTH=10 (and so on).
		"pstextractortest/Halloween":     {"FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=31", nil, 0, ""},
		"pstextractortest/Christmas Day": {"FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=25", nil, 0, ""},
		"pstextractortest/Flag Day":      {"FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=14", nil, 0, ""},
	}
	seen := map[string]bool{}
	recurring := 0
	for _, name := range []string{"java-libpst__dist-list.pst", "npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"} {
		src := corpusFile(t, name)
		store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
		if err != nil {
			t.Fatal(err)
		}
		recur, ok := store.Reader.Named("00062002-0000-0000-C000-000000000046", 0x8216)
		reminder, _ := store.Reader.Named("00062008-0000-0000-C000-000000000046", 0x8503) // PidLidReminderSet
		has, remind := map[uint32]bool{}, map[uint32]bool{}
		for _, refs := range itemsByFolder(store) {
			for _, ref := range refs {
				if m, err := store.Reader.Message(ref.NID); err == nil && ok && len(m.Props.At(recur).Data) > 0 {
					has[ref.NID] = true
					remind[ref.NID] = m.Props.At(reminder).Inline != 0
				}
			}
		}
		store.Close()
		recurring += len(has)
		x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
		for _, it := range x.man.Items {
			if !has[it.NID] {
				continue
			}
			if it.Path == nil || *it.Kind != export.KindEvent {
				t.Errorf("recurring item 0x%X %q: not written as an event", it.NID, it.Subject)
				continue
			}
			ev := readICS(t, *it.Path, x.file(t, *it.Path))
			if ev.rrule == "" {
				t.Errorf("%s: no RRULE", *it.Path)
			}
			if (ev.trigger != "") != remind[it.NID] {
				t.Errorf("%s: VALARM trigger %q; reminder set in the store: %v", *it.Path, ev.trigger, remind[it.NID])
			}
			key := it.Subject
			if strings.HasPrefix(name, "npm") {
				key = "pstextractortest/" + key
			} else {
				key = name + "/" + key
			}
			w, ok := wants[key]
			if !ok {
				continue
			}
			seen[key] = true
			if ev.rrule != w.rrule || strings.Join(ev.exdates, " ") != strings.Join(w.exdates, " ") || ev.overrides != w.overrides {
				t.Errorf("%s: RRULE %s EXDATE %q, %d changed; want %s %q, %d", *it.Path, ev.rrule, ev.exdates, ev.overrides, w.rrule, w.exdates, w.overrides)
			}
			first, err := time.Parse("20060102", strings.TrimPrefix(ev.dtstart[strings.LastIndex(ev.dtstart, ":")+1:], "")[:8])
			if err != nil {
				t.Errorf("%s: DTSTART%s: %v", *it.Path, ev.dtstart, err)
				continue
			}
			if got := lastOccurrence(first, ev.rrule); got != w.last {
				t.Errorf("%s: last occurrence %q, pffexport says %q", *it.Path, got, w.last)
			}
		}
	}
	for k := range wants {
		if !seen[k] {
			t.Errorf("%s: not found", k)
		}
	}
	if recurring != 17 {
		t.Errorf("%d recurring items, want the 17 readpst writes an RRULE for", recurring)
	}
}

// Meeting requests and responses in mail folders are mail: written as
// .eml (and into their folder's mbox) in Inbox, Sent Items and Deleted
// Items, with the invitation or answer as a text/calendar part whose
// METHOD says which. The two OSTs of the corpus hold 12 of them (their
// mail folders hold 4 more calendar items: appointments deleted from the
// calendar, IPM.Appointment in Deleted Items, which stay .ics files).
func TestExportMeetingsAsMail(t *testing.T) {
	total := 0
	for _, name := range []string{"aspose-email-dotnet__SampleOstFile.ost", "npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"} {
		src := corpusFile(t, name)
		store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
		if err != nil {
			t.Fatal(err)
		}
		class := map[uint32]string{}
		for _, refs := range itemsByFolder(store) {
			for _, ref := range refs {
				if m, err := store.Reader.Message(ref.NID); err == nil {
					if c := store.Reader.String(m.Props, 0x001A); strings.HasPrefix(c, "IPM.Schedule.Meeting.") {
						class[ref.NID] = c
					}
				}
			}
		}
		store.Close()
		total += len(class)
		eml := runExport(t, src, filepath.Join(t.TempDir(), "eml"))
		mbox := runExport(t, src, filepath.Join(t.TempDir(), "mbox"), "--format", "mbox")
		for nid, c := range class {
			it := eml.byNID()[nid]
			if it.Path == nil || *it.Kind != export.KindMail || !strings.HasSuffix(*it.Path, ".eml") {
				t.Errorf("%s 0x%X: not written as mail: %+v", c, nid, it)
				continue
			}
			if f := it.Folder[strings.LastIndex(it.Folder, "/")+1:]; f != "Inbox" && f != "Sent Items" && f != "Deleted Items" {
				t.Errorf("%s: a meeting message in %q", *it.Path, it.Folder)
			}
			msg := checkEML(t, *it.Path, eml.file(t, *it.Path), it)
			var cal *emlPart
			for i, p := range msg.parts {
				if p.mediaType == "text/calendar" {
					cal = &msg.parts[i]
				}
			}
			want := map[string]string{"Request": "REQUEST", "Canceled": "CANCEL", "Resp": "REPLY"}[strings.Split(c, ".")[3]]
			if cal == nil || !bytes.Contains(cal.body, []byte("\r\nMETHOD:"+want+"\r\n")) || !bytes.Contains(cal.body, []byte("BEGIN:VEVENT")) {
				t.Errorf("%s (%s): no text/calendar part with METHOD:%s", *it.Path, c, want)
			}
			if m := mbox.byNID()[nid]; m.Path == nil || !strings.HasSuffix(*m.Path, ".mbox") {
				t.Errorf("%s: not in an mbox: %+v", *it.Path, m)
			}
		}
	}
	if total != 12 {
		t.Errorf("%d meeting messages, want 12", total)
	}
}

// vcardLine is one unfolded content line of a vCard: name, parameters,
// value (still escaped).
type vcardLine struct{ name, params, value string }

// parseVCard reads a vCard 3.0 strictly (RFC 2426): CRLF lines folded at
// 75 octets, BEGIN, VERSION:3.0 and END around it, one UID, FN and N (with
// its five components), "name[;param=value...]:value" lines with valid
// names, seven ADR components, TEL types RFC 2426 or x-names. It fails
// the test on anything else.
func parseVCard(t *testing.T, rel string, b []byte) []vcardLine {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("%s: lines do not all end in CRLF", rel)
	}
	var lines []vcardLine
	count := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n ", ""), "\r\n"), "\r\n") {
		head, value, ok := strings.Cut(l, ":")
		name, params, _ := strings.Cut(head, ";")
		if !ok || name == "" || strings.Trim(strings.ToUpper(name), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
			t.Errorf("%s: bad content line %q", rel, l)
			continue
		}
		name = strings.ToUpper(name)
		count[name]++
		lines = append(lines, vcardLine{name, params, value})
		switch name {
		case "N":
			if n := len(splitUnescaped(value, ';')); n != 5 {
				t.Errorf("%s: N has %d components, want 5", rel, n)
			}
		case "ADR":
			if n := len(splitUnescaped(value, ';')); n != 7 {
				t.Errorf("%s: ADR has %d components, want 7", rel, n)
			}
		case "TEL":
			types, _ := strings.CutPrefix(params, "TYPE=")
			for _, ty := range strings.Split(types, ",") {
				if !strings.HasPrefix(ty, "X-") && !strings.Contains(",HOME,MSG,WORK,PREF,VOICE,FAX,CELL,VIDEO,PAGER,BBS,MODEM,CAR,ISDN,PCS,", ","+ty+",") {
					t.Errorf("%s: TEL type %q", rel, ty)
				}
			}
		}
	}
	if len(lines) < 2 || lines[0] != (vcardLine{"BEGIN", "", "VCARD"}) || lines[1] != (vcardLine{"VERSION", "", "3.0"}) || lines[len(lines)-1] != (vcardLine{"END", "", "VCARD"}) {
		t.Errorf("%s: not BEGIN:VCARD, VERSION:3.0 ... END:VCARD", rel)
	}
	for _, p := range []string{"UID", "FN", "N"} {
		if count[p] != 1 {
			t.Errorf("%s: %d %s, want 1", rel, count[p], p)
		}
	}
	return lines
}

// splitUnescaped splits a vCard value at sep, except where escaped, and
// unescapes the parts.
func splitUnescaped(v string, sep byte) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && i+1 < len(v):
			i++
			if v[i] == 'n' || v[i] == 'N' {
				cur.WriteByte('\n')
			} else {
				cur.WriteByte(v[i])
			}
		case c == sep:
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(out, cur.String())
}

// Contacts round-trip: every .vcf of every sample is a strict vCard 3.0
// with a UID (the same on a second export); the telephone numbers it lists
// are exactly those the store holds for the contact (PidTagPrimaryTelephoneNumber
// and the others, MS-OXOCNTC), and each postal address it lists has the
// store's street, city, state, postal code and country as separate
// components. Distribution lists are vCard groups.
func TestExportContacts(t *testing.T) {
	srcs := append(samples.GoPstAll(), samples.CorpusFiles(false)...)
	phoneIDs := []uint16{0x3A1A, 0x3A08, 0x3A1B, 0x3A57, 0x3A09, 0x3A2F, 0x3A1C, 0x3A24, 0x3A25, 0x3A23, 0x3A21, 0x3A1E,
		0x3A2D, 0x3A2E, 0x3A02, 0x3A1D, 0x3A2C, 0x3A4B, 0x3A1F}
	vcards, groups, phones, addresses := 0, 0, 0, 0
	for _, src := range srcs {
		store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
		if err != nil {
			continue
		}
		type contact struct {
			phones map[string]bool
			adrs   map[string]bool // "street|city|state|postal|country" of each address the store has
			group  bool
		}
		want := map[uint32]contact{}
		named := func(lid uint32) uint16 {
			id, _ := store.Reader.Named("00062004-0000-0000-C000-000000000046", lid)
			return id
		}
		for _, refs := range itemsByFolder(store) {
			for _, ref := range refs {
				m, err := store.Reader.Message(ref.NID)
				if err != nil {
					continue
				}
				class := store.Reader.String(m.Props, 0x001A)
				if !strings.HasPrefix(class, "IPM.Contact") && !strings.HasPrefix(class, "IPM.DistList") {
					continue
				}
				c := contact{phones: map[string]bool{}, adrs: map[string]bool{}, group: strings.HasPrefix(class, "IPM.DistList")}
				for _, id := range phoneIDs {
					if n := strings.TrimSpace(store.Reader.String(m.Props, id)); n != "" {
						c.phones[n] = true
					}
				}
				s := func(id uint16) string { return store.Reader.String(m.Props, id) }
				for _, a := range [][5]uint16{
					{0x3A5D, 0x3A59, 0x3A5C, 0x3A5B, 0x3A5A},                                    // home
					{0x3A63, 0x3A5F, 0x3A62, 0x3A61, 0x3A60},                                    // other
					{named(0x8045), named(0x8046), named(0x8047), named(0x8048), named(0x8049)}, // work
				} {
					if k := strings.Join([]string{s(a[0]), s(a[1]), s(a[2]), s(a[3]), s(a[4])}, "|"); k != "||||" {
						c.adrs[k] = true
					}
				}
				want[ref.NID] = c
			}
		}
		store.Close()
		if len(want) == 0 {
			continue
		}
		x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
		again := runExport(t, src, filepath.Join(t.TempDir(), "again"))
		for nid, c := range want {
			it := x.byNID()[nid]
			if it.Path == nil || !strings.HasSuffix(*it.Path, ".vcf") {
				t.Errorf("%s 0x%X: not a .vcf: %+v", filepath.Base(src), nid, it)
				continue
			}
			vcards++
			b := x.file(t, *it.Path)
			if !bytes.Equal(b, again.file(t, *again.byNID()[nid].Path)) {
				t.Errorf("%s: differs between two exports", *it.Path)
			}
			gotPhones := map[string]bool{}
			gotAdrs := map[string]bool{}
			isGroup := false
			for _, l := range parseVCard(t, *it.Path, b) {
				switch l.name {
				case "TEL":
					gotPhones[splitUnescaped(l.value, 0)[0]] = true
				case "ADR":
					p := splitUnescaped(l.value, ';')
					gotAdrs[strings.Join(p[2:], "|")] = true
				case "X-ADDRESSBOOKSERVER-KIND":
					isGroup = l.value == "group"
				}
			}
			if !mapsEqual(boolCounts(gotPhones), boolCounts(c.phones)) {
				t.Errorf("%s: phones %v, the store has %v", *it.Path, keysOf(gotPhones), keysOf(c.phones))
			}
			for a := range c.adrs {
				if !gotAdrs[a] {
					t.Errorf("%s: no ADR with the parts %q (has %v)", *it.Path, a, keysOf(gotAdrs))
				}
			}
			if isGroup != c.group {
				t.Errorf("%s: group %v, the store's class says %v", *it.Path, isGroup, c.group)
			}
			phones += len(c.phones)
			addresses += len(c.adrs)
			if c.group {
				groups++
			}
		}
	}
	if vcards == 0 {
		t.Skip("no contacts in the samples here")
	}
	if groups == 0 || phones == 0 || addresses == 0 {
		t.Errorf("%d vCards: %d groups, %d phones, %d addresses; want some of each", vcards, groups, phones, addresses)
	}
	t.Logf("%d vCards (%d groups): %d phones and %d postal addresses round-trip", vcards, groups, phones, addresses)
}

func boolCounts(m map[string]bool) map[string]int {
	out := map[string]int{}
	for k := range m {
		out[k] = 1
	}
	return out
}

func keysOf(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// setName sets a PtypString heap item to exactly s (no longer than the
// value it replaces), shrinking the item as a writer would (checksums
// fixed): a folder renamed in place.
func setName(t *testing.T, h *pstmut.Heap, id uint16, s string) {
	t.Helper()
	p, ok := h.Prop(id)
	if !ok || p.Type != 0x001F || !pstmut.IsHID(p.Value) {
		t.Fatalf("property 0x%04X is not a PtypString heap item", id)
	}
	u := utf16.Encode([]rune(s))
	old := len(h.Item(p.Value))
	if 2*len(u) > old {
		t.Fatalf("%q is longer than the %d bytes it replaces", s, old)
	}
	h.EditItem(p.Value, func(b []byte) {
		for i, c := range u {
			binary.LittleEndian.PutUint16(b[2*i:], c)
		}
	})
	h.RemoveFromItem(p.Value, 2*len(u), old-2*len(u))
}

// Every store folder keeps its own output folder and mbox, and the
// manifest tells them apart: enron.pst's bailey-s folders renamed (in a
// copy with every checksum valid) to share a name with a sibling ("Sent
// Items" becomes a second "Sent"), to have no name (Notes inbox and
// Contacts), and to differ only by "/" against its look-alike U+2215
// (All documents "a/b", Drafts "a∕b").
func TestExportFolderIdentity(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	const parent = "Top of Personal Folders/bailey-s/"
	renames := map[string]string{"Sent Items": "Sent", "Notes inbox": "", "Contacts": "", "All documents": "a/b", "Drafts": "a\u2215b"}
	nids := map[string]uint32{}
	rep := scanReport(t, src)
	for _, fo := range rep.Folders {
		if name, ok := strings.CutPrefix(fo.Path, parent); ok {
			nids[name] = fo.NID
		}
	}
	for from, to := range renames {
		if nids[from] == 0 {
			t.Fatalf("enron.pst has no %s%s", parent, from)
		}
		setName(t, f.NodeHeap(nids[from]), 0x3001, to)
	}
	p := writePST(t, f, t.TempDir(), "renamed.pst")
	hrep := scanReport(t, p)
	if hrep.Verdict != pstcheck.Healthy {
		t.Fatalf("the renamed copy is %s: %s", hrep.Verdict, report.Explain(hrep).Cause)
	}
	items := map[uint32]int{} // per folder NID, as the scan counts them
	for _, fo := range hrep.Folders {
		items[fo.NID] = fo.Items
	}
	for _, format := range []string{export.FormatEML, export.FormatMbox} {
		t.Run(format, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "out")
			x := runExport(t, p, dir, "--format", format)
			if x.status != 0 {
				t.Fatalf("exit %d\n%s%s", x.status, x.stdout, x.stderr)
			}
			checkFiles(t, x)
			checkInside(t, base, dir)
			where := map[uint32]string{}  // folder NID -> output folder (eml) or mbox
			owner := map[string]uint32{}  // output folder or mbox -> folder NID
			pathOf := map[uint32]string{} // folder NID -> manifest folder
			counted := map[uint32]int{}   // items per folder NID
			for _, it := range x.man.Items {
				if it.Path == nil || it.FolderNID == nil || *it.Kind != export.KindMail {
					continue
				}
				nid := *it.FolderNID
				counted[nid]++
				at := path.Dir(*it.Path)
				if format == export.FormatMbox {
					at = *it.Path
				}
				if prev, ok := where[nid]; ok && prev != at {
					t.Errorf("folder 0x%X is written to %s and %s", nid, prev, at)
				}
				if o, ok := owner[at]; ok && o != nid {
					t.Errorf("%s holds folders 0x%X (%q) and 0x%X (%q)", at, o, pathOf[o], nid, it.Folder)
				}
				if prev, ok := pathOf[nid]; ok && prev != it.Folder {
					t.Errorf("folder 0x%X is %q and %q in the manifest", nid, prev, it.Folder)
				}
				where[nid], owner[at], pathOf[nid] = at, nid, it.Folder
			}
			seenPaths := map[string]uint32{}
			for from, to := range renames {
				nid := nids[from]
				if counted[nid] != items[nid] || items[nid] == 0 {
					t.Errorf("%q (was %s): %d items exported, the scan lists %d", to, from, counted[nid], items[nid])
				}
				if to != "" { // the two without a name share the path "bailey-s/", told apart by folder_nid
					if o, dup := seenPaths[pathOf[nid]]; dup {
						t.Errorf("folders 0x%X and 0x%X share the manifest path %q", o, nid, pathOf[nid])
					}
					seenPaths[pathOf[nid]] = nid
				}
				t.Logf("%-14s -> %-10q manifest %-40q %s", from, to, pathOf[nid], where[nid])
			}
			if sent := where[nids["Sent"]]; sent == "" || sent == where[nids["Sent Items"]] {
				t.Errorf("the two folders named Sent: %q and %q", sent, where[nids["Sent Items"]])
			}
		})
	}
}

// The RRULEs against pffexport itself, when it is installed: for every
// appointment whose Appointment.txt shows a recurrence pattern (Outlook's
// words: "every Monday from 10:00 AM to 11:00 AM", "every day ...",
// "every August 13 ..."), the exported RRULE repeats on those days, and
// its last occurrence is pffexport's "Last effective time" (a date in
// 4500 for a series that never ends).
func TestExportRecurrencePffexport(t *testing.T) {
	bin, err := exec.LookPath("pffexport")
	if err != nil {
		t.Skip("pffexport (Debian pff-tools) is not installed")
	}
	compared := 0
	for _, name := range []string{"java-libpst__dist-list.pst", "npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"} {
		src := corpusFile(t, name)
		target := filepath.Join(t.TempDir(), "pff")
		if b, err := exec.Command(bin, "-m", "items", "-q", "-t", target, src).CombinedOutput(); err != nil {
			t.Fatalf("pffexport: %v\n%s", err, b)
		}
		x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
		bySubject := map[string]icsEvent{}
		for _, it := range x.man.Items {
			if it.Path != nil && *it.Kind == export.KindEvent {
				bySubject[it.Subject] = readICS(t, *it.Path, x.file(t, *it.Path))
			}
		}
		txts, _ := filepath.Glob(filepath.Join(target+".export", "*", "*", "*", "Appointment*", "Appointment.txt"))
		more, _ := filepath.Glob(filepath.Join(target+".export", "*", "*", "Appointment*", "Appointment.txt"))
		for _, p := range append(txts, more...) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			field := func(name string) string {
				m := regexp.MustCompile(`(?m)^` + name + `:[ \t]*(.*?)[ \t]*$`).FindStringSubmatch(string(b))
				if m == nil {
					return ""
				}
				return m[1]
			}
			pattern := field("Recurrence pattern")
			if pattern == "" {
				continue
			}
			ev, ok := bySubject[field("Subject")]
			if !ok {
				t.Errorf("%s: %q not exported as an event", name, field("Subject"))
				continue
			}
			compared++
			rule := ev.rrule
			words := strings.Fields(strings.SplitN(pattern, " from ", 2)[0])
			switch {
			case len(words) == 2 && words[1] == "day":
				if !strings.HasPrefix(rule, "FREQ=DAILY") {
					t.Errorf("%q: pffexport %q, RRULE %s", field("Subject"), pattern, rule)
				}
			case len(words) == 3: // "every August 13"
				mo, err := time.Parse("January 2", words[1]+" "+words[2])
				if err != nil || !strings.Contains(rule, fmt.Sprintf("BYMONTH=%d;BYMONTHDAY=%d", mo.Month(), mo.Day())) {
					t.Errorf("%q: pffexport %q, RRULE %s", field("Subject"), pattern, rule)
				}
			default: // "every Monday", "every Monday and Friday", ...
				for _, w := range words[1:] {
					if w == "and" {
						continue
					}
					if !strings.Contains(rule, "BYDAY=") || !strings.Contains(rule, strings.ToUpper(strings.TrimSuffix(w, ",")[:2])) {
						t.Errorf("%q: pffexport %q, RRULE %s", field("Subject"), pattern, rule)
					}
				}
			}
			last, err := time.Parse("Jan 02, 2006 15:04:05", strings.TrimSuffix(field("Last effective time"), ".000000000 UTC"))
			if err != nil {
				t.Errorf("%q: Last effective time %q: %v", field("Subject"), field("Last effective time"), err)
				continue
			}
			first, _ := time.Parse("20060102", ev.dtstart[strings.LastIndex(ev.dtstart, ":")+1:][:8])
			want := last.Add(12 * time.Hour).Format(time.DateOnly) // local midnight in UTC: the nearest midnight is the date
			if last.Year() == 4500 {
				want = ""
			}
			if got := lastOccurrence(first, rule); got != want {
				t.Errorf("%q: last occurrence %q, pffexport's last effective time %s", field("Subject"), got, last)
			}
		}
	}
	if compared < 4 {
		t.Errorf("%d recurring appointments compared with pffexport, want the 4 it shows a pattern for", compared)
	}
}

// itemsByFolder groups a store's items by their folder's NID.
func itemsByFolder(s *pstcheck.Store) map[uint32][]pstcheck.Item {
	out := map[uint32][]pstcheck.Item{}
	for it := range s.Items(nil) {
		out[it.FolderNID] = append(out[it.FolderNID], it)
	}
	return out
}
