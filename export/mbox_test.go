package export

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestMboxRoundTrip(t *testing.T) {
	items := []*Item{
		{Subject: "first", From: Address{"A", "a@example.com"}, Date: date,
			Body: "From x\n>From x\n>>From x\nFrom\nFromage\n From x\n\n\n"},
		{Subject: "no sender, no date", Body: "", HTML: []byte("<p>\nFrom the desk of\n</p>")},
		{Subject: "From header-like", From: Address{"", "/O=ORG/CN=X"}, Date: date.Add(time.Hour),
			Body: "text\n\n\nFrom y\n",
			Attachments: []Attachment{{Filename: "f.txt", Data: []byte("From inside base64 is harmless\n")},
				{Embedded: &Item{Subject: "inner", Body: "From inner\n>From inner\n"}}}},
		{Body: "last message, no final newline"},
	}
	var mbox bytes.Buffer
	if err := WriteMbox(&mbox, items...); err != nil {
		t.Fatal(err)
	}
	raw := mbox.String()
	lines := strings.Split(raw, "\n")
	var seps []string
	for _, l := range lines {
		if strings.HasPrefix(l, "From ") {
			seps = append(seps, l)
		}
		if strings.HasSuffix(l, "\r") {
			t.Errorf("mbox line ends in CR: %q", l)
		}
	}
	want := []string{
		"From a@example.com Tue Mar  5 14:12:07 2024",
		"From MAILER-DAEMON Thu Jan  1 00:00:00 1970",
		"From MAILER-DAEMON Tue Mar  5 15:12:07 2024",
		"From MAILER-DAEMON Thu Jan  1 00:00:00 1970",
	}
	if strings.Join(seps, "\n") != strings.Join(want, "\n") {
		t.Errorf("separator lines:\n%s\nwant\n%s", strings.Join(seps, "\n"), strings.Join(want, "\n"))
	}
	for _, q := range []string{"\n>From x\n", "\n>>From x\n", "\n>>>From x\n", "\nFromage\n", "\n From x\n", "\n>From y\n", "\n>>From inner\n"} {
		if !strings.Contains(raw, q) {
			t.Errorf("mbox lacks the quoted line %q", strings.Trim(q, "\n"))
		}
	}

	msgs, err := SplitMbox(bytes.NewReader(mbox.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != len(items) {
		t.Fatalf("SplitMbox gave %d messages, want %d", len(msgs), len(items))
	}
	for i, it := range items {
		if want := writeEML(t, it); !bytes.Equal(msgs[i], want) {
			t.Errorf("message %d differs after the round trip:\n%q\nwant\n%q", i, msgs[i], want)
		}
		parseEML(t, msgs[i])
	}
}

func TestMboxWriterAppends(t *testing.T) {
	var a, b bytes.Buffer
	it1, it2 := &Item{Subject: "1", Body: "one"}, &Item{Subject: "2", Body: "two"}
	w := NewMboxWriter(&a, EMLOptions{})
	if err := w.Add(it1); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(it2); err != nil {
		t.Fatal(err)
	}
	WriteMbox(&b, it1, it2)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("MboxWriter and WriteMbox differ")
	}
	if err := w.Add(nil); err == nil {
		t.Error("nil item: no error")
	}
}

func TestSplitMboxForeign(t *testing.T) {
	// Text before the first separator is ignored; CRLF mboxes are read too.
	in := "junk\r\nFrom a@b Mon Jan  1 00:00:00 2024\r\nSubject: x\r\n\r\n>From body\r\n\r\nFrom c@d Mon Jan  1 00:00:00 2024\r\nSubject: y\r\n\r\nbody\r\n"
	msgs, err := SplitMbox(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Subject: x\r\n\r\nFrom body\r\n", "Subject: y\r\n\r\nbody\r\n"}
	if len(msgs) != 2 || string(msgs[0]) != want[0] || string(msgs[1]) != want[1] {
		t.Errorf("SplitMbox = %q, want %q", msgs, want)
	}
}
