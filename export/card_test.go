package export

import (
	"bytes"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in export/testdata")

// goldenDir holds the package's golden vCards and iCalendars.
const goldenDir = "testdata"

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testkit.Golden(t, filepath.Join(goldenDir, name), got, *update)
}

// checkContentLines checks CRLF line ends and folding at 75 octets, and
// returns the unfolded lines.
func checkContentLines(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("does not end in CRLF")
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("bare CR or LF in %q", l)
		}
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if strings.HasPrefix(l, " ") {
			out[len(out)-1] += l[1:]
		} else {
			out = append(out, l)
		}
	}
	for _, l := range out {
		if !strings.ContainsRune(l, ':') {
			t.Errorf("content line without a colon: %q", l)
		}
	}
	return out
}

func contactItem() *Item {
	return &Item{
		NID: 0x200044, Class: "IPM.Contact", Subject: "Jane Doe",
		Contact: &Contact{
			DisplayName: "Doe, Jane", GivenName: "Jane", Surname: "Doe", MiddleName: "Q.",
			Company: "Example; Inc.", Department: "R&D, Lab 2", Title: `Chief \ Tester`,
			Emails: []string{"jane@example.com", "j.doe@example.org"},
			Phones: []Phone{{"work primary", "+1 555 0100"}, {"home", "+1 555 0101"}, {"cell", "+1 555 0102"}, {"fax", "+1 555 0103"}, {"home fax", "+1 555 0104"}, {"assistant", "+1 555 0105"}},
			Prefix: "Dr.", Suffix: "Jr.", UID: "5e1b7c2a-8f3d-5b6e-9a0c-1d2e3f405162",
			Addresses: []PostalAddress{
				{Kind: "work", Preferred: true, Street: "1 Main Street\r\nSuite 5", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "USA"},
				{Kind: "home", Label: "Am Markt 3; 50667 Köln"},
				{Kind: "other", POBox: "PO Box 12", City: "大阪市", Country: "日本"},
			},
			Notes: "Met at the conference in Köln; likes tea.\nSecond line with a very long text that has to be folded because it goes past seventy-five octets — with ünïcödé near the fold.",
			// Outlook keeps a birthday as local midnight in UTC: 1980-07-15 in UTC+2.
			Birthday: time.Date(1980, 7, 14, 22, 0, 0, 0, time.UTC),
		},
	}
}

func TestVCard(t *testing.T) {
	for _, c := range []struct {
		name string
		it   *Item
	}{
		{"contact.vcf", contactItem()},
		{"contact-minimal.vcf", &Item{Class: "IPM.Contact", Subject: "Only a subject", Body: "notes from the body"}},
		{"contact-empty.vcf", &Item{Class: "IPM.Contact"}},
	} {
		var b bytes.Buffer
		if err := WriteVCard(&b, c.it); err != nil {
			t.Fatal(err)
		}
		lines := checkContentLines(t, b.Bytes())
		if lines[0] != "BEGIN:VCARD" || lines[1] != "VERSION:3.0" || lines[len(lines)-1] != "END:VCARD" {
			t.Errorf("%s: not a vCard 3.0: %q", c.name, lines)
		}
		golden(t, c.name, b.Bytes())
	}
	var b bytes.Buffer
	WriteVCard(&b, contactItem())
	lines := checkContentLines(t, b.Bytes())
	for _, want := range []string{
		`FN:Doe\, Jane`, `N:Doe;Jane;Q.;Dr.;Jr.`, `ORG:Example\; Inc.;R&D\, Lab 2`, `TITLE:Chief \\ Tester`,
		`UID:5e1b7c2a-8f3d-5b6e-9a0c-1d2e3f405162`,
		`ADR;TYPE=WORK,PREF:;;1 Main Street\nSuite 5;Springfield;IL;62701;USA`,
		`ADR;TYPE=HOME:;;Am Markt 3\; 50667 Köln;;;;`,
		`ADR;TYPE=POSTAL:PO Box 12;;;大阪市;;;日本`,
		`TEL;TYPE=WORK,VOICE,PREF:+1 555 0100`, `TEL;TYPE=X-ASSISTANT,VOICE:+1 555 0105`,
		`TEL;TYPE=HOME,FAX:+1 555 0104`, `TEL;TYPE=CELL:+1 555 0102`, `BDAY:1980-07-15`,
	} {
		if !contains(lines, want) {
			t.Errorf("vCard lacks %q", want)
		}
	}
	if WriteVCard(&b, nil) == nil {
		t.Error("nil item: no error")
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

func eventItem() *Item {
	return &Item{
		NID: 0x200064, Class: "IPM.Appointment", Subject: "Design review; phase 2, final",
		Date: time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC),
		From: Address{"Jane Doe", "jane@example.com"},
		Body: "Agenda:\n1. Slides\n2. Questions, comments\n\nBring the \\ printouts.",
		Event: &Event{
			Start: time.Date(2024, 3, 7, 9, 0, 0, 0, time.UTC), End: time.Date(2024, 3, 7, 10, 30, 0, 0, time.UTC),
			Location:  "Room 4.01, Building \"B\"",
			Organizer: Address{"Jane Doe", "jane@example.com"},
			Attendees: []Address{{"Bob \"the builder\"", "bob@example.com"}, {"Carol; Ops", "carol@example.com"},
				{"X500 User", "/O=ORG/OU=EXCHANGE/CN=RECIPIENTS/CN=XUSER"}, {"No Address", ""}},
			UID: "040000008200E00074C5B7101A82E00800000000D0B6E3C3A17DDA01000000000000000010000000A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6",
		},
	}
}

func TestICal(t *testing.T) {
	allDay := &Item{NID: 0x200084, Class: "IPM.Appointment", Subject: "Holiday",
		Event: &Event{AllDay: true,
			// Local midnight of 2024-12-24 and 2024-12-27 in UTC+1.
			Start: time.Date(2024, 12, 23, 23, 0, 0, 0, time.UTC), End: time.Date(2024, 12, 26, 23, 0, 0, 0, time.UTC)}}
	request := &Item{NID: 0x2000A4, Class: "IPM.Schedule.Meeting.Canceled", Subject: "Cancelled: sync",
		Date: time.Date(2024, 4, 2, 8, 0, 0, 0, time.UTC), From: Address{"Org", "org@example.com"},
		To: []Address{{"A", "a@example.com"}}, Cc: []Address{{"B", "b@example.com"}}}
	for _, c := range []struct {
		name string
		it   *Item
	}{
		{"event.ics", eventItem()},
		{"event-allday.ics", allDay},
		{"event-noevent.ics", request},
		{"event-empty.ics", &Item{Class: "IPM.Appointment"}},
	} {
		var b bytes.Buffer
		if err := WriteICal(&b, c.it); err != nil {
			t.Fatal(err)
		}
		lines := checkContentLines(t, b.Bytes())
		for _, want := range []string{"BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "END:VEVENT", "END:VCALENDAR"} {
			if !contains(lines, want) {
				t.Errorf("%s lacks %q", c.name, want)
			}
		}
		for _, p := range []string{"UID:", "DTSTAMP:"} {
			n := 0
			for _, l := range lines {
				if strings.HasPrefix(l, p) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s has %d %s lines, want 1", c.name, n, p)
			}
		}
		golden(t, c.name, b.Bytes())
	}

	var b bytes.Buffer
	WriteICal(&b, allDay)
	lines := checkContentLines(t, b.Bytes())
	if !contains(lines, "DTSTART;VALUE=DATE:20241224") || !contains(lines, "DTEND;VALUE=DATE:20241227") {
		t.Errorf("all-day dates: %q", lines)
	}
	b.Reset()
	WriteICal(&b, eventItem())
	lines = checkContentLines(t, b.Bytes())
	for _, want := range []string{
		`SUMMARY:Design review\; phase 2\, final`,
		`DESCRIPTION:Agenda:\n1. Slides\n2. Questions\, comments\n\nBring the \\ printouts.`,
		`ATTENDEE;CN="Bob ^'the builder^'":mailto:bob@example.com`,
		`ATTENDEE;CN="Carol; Ops":mailto:carol@example.com`,
		`DTSTART:20240307T090000Z`, `DTEND:20240307T103000Z`,
	} {
		if !contains(lines, want) {
			t.Errorf("iCalendar lacks %q", want)
		}
	}

	// The derived UID is stable and differs between items.
	uid := func(it *Item) string {
		var b bytes.Buffer
		WriteICal(&b, it)
		for _, l := range checkContentLines(t, b.Bytes()) {
			if strings.HasPrefix(l, "UID:") {
				return l
			}
		}
		return ""
	}
	if uid(allDay) != uid(allDay) || uid(allDay) == uid(request) {
		t.Error("derived UIDs are not stable or not distinct")
	}
}

func TestKindOf(t *testing.T) {
	for class, want := range map[string]string{
		"IPM.Contact": KindContact, "ipm.contact": KindContact, "IPM.Contact.MyForm": KindContact,
		"IPM.Contacts": KindMail, "IPM.DistList": KindContact,
		"IPM.Appointment": KindEvent, "IPM.Appointment.Occurrence": KindEvent,
		"IPM.Schedule.Meeting.Request": KindMail, "IPM.Schedule.Meeting.Canceled": KindMail,
		"IPM.Schedule.Meeting.Resp.Pos": KindMail, "IPM.Note": KindMail, "IPM.Task": KindMail,
		"REPORT.IPM.Note.NDR": KindMail, "": KindMail, "IPM": KindMail,
	} {
		if got := KindOf(class); got != want {
			t.Errorf("KindOf(%q) = %q, want %q", class, got, want)
		}
	}
}

// A UID made for an item the store gives none does not depend on its
// folder: the same item saved from a damaged copy under "Recovered items"
// keeps the UID the clean file's export gave it, so that a calendar or
// address book that has both keeps one.
func TestDerivedUIDsIgnoreFolder(t *testing.T) {
	for _, write := range []func(io.Writer, *Item) error{WriteICal, WriteVCard} {
		var outs [2]bytes.Buffer
		for i, folder := range []string{"Top of Personal Folders/Calendar", "Recovered items/Calendar"} {
			it := &Item{NID: 0x200024, Folder: folder, Subject: "Training", MessageID: "<pstcheck.200024.0a0b@pstcheck.invalid>",
				Event: &Event{Start: time.Date(2004, 8, 19, 18, 30, 0, 0, time.UTC)}, Contact: &Contact{}}
			if err := write(&outs[i], it); err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Contains(outs[0].Bytes(), []byte("UID:pstcheck-")) || !bytes.Equal(outs[0].Bytes(), outs[1].Bytes()) {
			t.Errorf("the same item in two folders is written\n%s\nand\n%s", outs[0].Bytes(), outs[1].Bytes())
		}
	}
}

// A damaged item written as a vCard or an iCalendar event carries what is
// wrong with it as an EML carries X-Pstcheck-Damaged: an extension
// property a client keeps, so that the file does not pass for a sound one.
func TestCardsMarkedDamaged(t *testing.T) {
	const damage = "STORE-NAMEMAP: named through a damaged map, any name may be wrong"
	for _, it := range []*Item{contactItem(), eventItem()} {
		var b bytes.Buffer
		write := WriteVCard
		if it.Event != nil {
			write = WriteICal
		}
		if err := write(&b, it); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "X-PSTCHECK-DAMAGED") {
			t.Errorf("%s: a sound item marked damaged:\n%s", it.Class, b.String())
		}
		it.Damage = damage
		b.Reset()
		if err := write(&b, it); err != nil {
			t.Fatal(err)
		}
		if unfolded := strings.ReplaceAll(b.String(), "\r\n ", ""); !strings.Contains(unfolded, "X-PSTCHECK-DAMAGED:"+escapeText(damage)+"\r\n") {
			t.Errorf("%s: no X-PSTCHECK-DAMAGED with the damage:\n%s", it.Class, b.String())
		}
	}
}
