package export

import (
	"strings"
	"testing"
	"time"
)

// A meeting message is mail with its invitation or answer as a
// text/calendar alternative (iMIP): METHOD and the method parameter say
// what it is; a response names the attendee's answer; attachments stay
// MIME parts of the message.
func TestEMLMeeting(t *testing.T) {
	ev := &Event{Start: time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC), End: time.Date(2024, 5, 2, 10, 0, 0, 0, time.UTC),
		Organizer: Address{"Org", "org@example.com"}, Attendees: []Address{{"Att", "att@example.com"}}, UID: "ABCDEF"}
	for _, c := range []struct {
		class, method string
		want          []string
	}{
		{"IPM.Schedule.Meeting.Request", "REQUEST", []string{"METHOD:REQUEST", `ORGANIZER;CN="Org":mailto:org@example.com`, `ATTENDEE;CN="Att":mailto:att@example.com`}},
		{"IPM.Schedule.Meeting.Canceled", "CANCEL", []string{"METHOD:CANCEL", "STATUS:CANCELLED"}},
		{"IPM.Schedule.Meeting.Resp.Pos", "REPLY", []string{"METHOD:REPLY", `ORGANIZER;CN="Org":mailto:org@example.com`, `ATTENDEE;CN="Att";PARTSTAT=ACCEPTED:mailto:att@example.com`}},
		{"IPM.Schedule.Meeting.Resp.Tent", "REPLY", []string{`ATTENDEE;CN="Att";PARTSTAT=TENTATIVE:mailto:att@example.com`}},
		{"IPM.Schedule.Meeting.Resp.Neg", "REPLY", []string{`ATTENDEE;CN="Att";PARTSTAT=DECLINED:mailto:att@example.com`}},
	} {
		from, to := Address{"Org", "org@example.com"}, []Address{{"Att", "att@example.com"}}
		if c.method == "REPLY" {
			from, to = to[0], []Address{from}
		}
		it := &Item{NID: 0x200104, Class: c.class, Subject: "Sync", From: from, To: to, Date: ev.Start.Add(-time.Hour),
			Body: "Let us meet.", HTML: []byte("<p>Let us meet.</p>"), Event: ev,
			Attachments: []Attachment{{Filename: "agenda.pdf", MimeType: "application/pdf", Data: []byte("%PDF-1.4")}}}
		p := parseEML(t, writeEML(t, it))
		if p.Type != "multipart/mixed" || len(p.Children) != 2 || p.Children[0].Type != "multipart/alternative" {
			t.Fatalf("%s: %s with %d parts", c.class, p.Type, len(p.Children))
		}
		alt := p.Children[0].Children
		if len(alt) != 3 || alt[0].Type != "text/plain" || alt[1].Type != "text/html" || alt[2].Type != "text/calendar" {
			t.Fatalf("%s: alternatives %v", c.class, alt)
		}
		cal := alt[2]
		if cal.Params["method"] != c.method || cal.Params["charset"] != "utf-8" {
			t.Errorf("%s: text/calendar %v", c.class, cal.Params)
		}
		lines := checkContentLines(t, cal.Body)
		for _, w := range c.want {
			if !contains(lines, w) {
				t.Errorf("%s: the calendar lacks %q:\n%s", c.class, w, cal.Body)
			}
		}
		if strings.Contains(string(cal.Body), "ATTACH") {
			t.Errorf("%s: the attachment is repeated in the calendar", c.class)
		}
		if p.Children[1].Type != "application/pdf" {
			t.Errorf("%s: attachment %s", c.class, p.Children[1].Type)
		}
	}
	// Without an event (a store that lost it) the message is plain mail.
	p := parseEML(t, writeEML(t, &Item{Class: "IPM.Schedule.Meeting.Request", Body: "x"}))
	if p.Type != "text/plain" {
		t.Errorf("a meeting request without an event: %s", p.Type)
	}
}
