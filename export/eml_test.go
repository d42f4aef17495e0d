package export

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

// mimePart is a parsed MIME entity (testkit's strict walk).
type mimePart = testkit.Part

// parseEML parses a message with net/mail and walks its MIME structure with
// mime/multipart, failing the test on any error.
func parseEML(t *testing.T, b []byte) *mimePart {
	t.Helper()
	p, err := testkit.ParseMessage(b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return p
}

func writeEML(t *testing.T, it *Item) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteEML(&b, it); err != nil {
		t.Fatal(err)
	}
	checkLines(t, b.Bytes())
	return b.Bytes()
}

// checkLines checks that every line ends in CRLF and is at most 998
// characters, and that the text is 7-bit.
func checkLines(t *testing.T, b []byte) {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Errorf("output does not end in CRLF")
	}
	for i, line := range bytes.Split(b, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d characters long", i+1, len(line))
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Errorf("line %d is not 7-bit: %q", i+1, line)
				break
			}
		}
	}
}

func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

var date = time.Date(2024, 3, 5, 14, 12, 7, 0, time.UTC)

func TestEMLPlainHeaders(t *testing.T) {
	it := &Item{
		NID:       0x200024,
		Class:     "IPM.Note",
		Subject:   "Quarterly report",
		From:      Address{"Jane Doe", "jane@example.com"},
		To:        []Address{{"Bob", "bob@example.com"}, {"Smith, Carol", "carol@example.com"}},
		Cc:        []Address{{"", "dave@example.com"}},
		Bcc:       []Address{{"Eve", "eve@example.com"}},
		Date:      time.Date(2024, 3, 5, 14, 12, 7, 0, time.FixedZone("", 3600)),
		MessageID: "<123@example.com>",
		InReplyTo: "456@example.com",
		Body:      "Hello,\nsee = attached.\n\nJane\n",
	}
	b := writeEML(t, it)
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	addrs := func(name string) string {
		l, err := h.AddressList(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var s []string
		for _, a := range l {
			s = append(s, a.Name+"|"+a.Address)
		}
		return strings.Join(s, ",")
	}
	for name, want := range map[string]string{
		"From": "Jane Doe|jane@example.com",
		"To":   "Bob|bob@example.com,Smith, Carol|carol@example.com",
		"Cc":   "|dave@example.com",
		"Bcc":  "Eve|eve@example.com",
	} {
		if got := addrs(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(it.Date) {
		t.Errorf("Date = %v, %v; want %v", d, err, it.Date)
	}
	if got := h.Get("Date"); got != "Tue, 05 Mar 2024 14:12:07 +0100" {
		t.Errorf("Date header %q", got)
	}
	for name, want := range map[string]string{
		"Subject": "Quarterly report", "Message-Id": "<123@example.com>", "In-Reply-To": "<456@example.com>",
		"Mime-Version": "1.0",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	p := parseEML(t, b)
	if p.Type != "text/plain" || p.Params["charset"] != "utf-8" || len(p.Children) != 0 {
		t.Errorf("structure %s %v, want a single text/plain utf-8", p.Type, p.Params)
	}
	if string(p.Body) != crlf(it.Body) {
		t.Errorf("body %q, want %q", p.Body, crlf(it.Body))
	}
}

func TestEMLMinimal(t *testing.T) {
	for _, it := range []*Item{{}, {Body: "no newline at the end"}, {Date: time.Time{}, Subject: " "}} {
		b := writeEML(t, it)
		p := parseEML(t, b)
		if p.Type != "text/plain" || string(p.Body) != it.Body {
			t.Errorf("%+v: %s %q", it, p.Type, p.Body)
		}
		// RFC 5322 requires From and Date: placeholders that say they
		// are none.
		msg, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := msg.Header.Get("Date"); got != "Thu, 01 Jan 1970 00:00:00 +0000" {
			t.Errorf("Date %q for a zero date", got)
		}
		if from, err := msg.Header.AddressList("From"); err != nil || len(from) != 1 ||
			from[0].Name != "Unknown sender" || from[0].Address != "no-address@pstcheck.invalid" {
			t.Errorf("From %v, %v for an item without a sender", from, err)
		}
	}
	if err := WriteEML(io.Discard, nil); err == nil {
		t.Error("nil item: no error")
	}
}

func TestEMLSubjectEncoding(t *testing.T) {
	dec := new(mime.WordDecoder)
	for _, s := range []string{
		"plain ASCII",
		"Grüße aus Köln",
		"日本語の件名、とても長い件名がここに続きます。日本語の件名、とても長い件名がここに続きます。日本語の件名",
		"=?utf-8?q?not_an_encoded_word?=",
		"  leading and trailing  ",
		"double  space",
		"injection\r\nBcc: evil@example.com",
		"tab\there",
		"emoji 🎉 and RTL \u202Eevil",
		strings.Repeat("a long subject without any encoding needed ", 5),
		strings.Repeat("x", 200), // no place to fold
	} {
		b := writeEML(t, &Item{Subject: s, Body: "b"})
		msg, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if len(msg.Header["Bcc"]) != 0 {
			t.Errorf("%q: a Bcc header appeared", s)
		}
		got, err := dec.DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != s {
			t.Errorf("subject %q decodes to %q, %v\n%s", s, got, err, b)
		}
	}
}

func TestEMLAddresses(t *testing.T) {
	it := &Item{
		From: Address{"Müller, Jörg", "joerg@example.de"},
		To: []Address{
			{"", "/O=ORG/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=JOHN_DOE"},
			{"Name Only", ""},
			{"", ""},
			{"Evil\r\nBcc: x@y", "a@b.example"},
			{"Quote \" and \\", "SMTP:q@example.com"},
		},
	}
	b := writeEML(t, it)
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Header["Bcc"]) != 0 {
		t.Error("a Bcc header appeared")
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Müller, Jörg" || from[0].Address != "joerg@example.de" {
		t.Errorf("From = %v, %v", from, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil {
		t.Fatalf("To: %v\n%s", err, b)
	}
	var got []string
	for _, a := range to {
		got = append(got, a.Name+"|"+a.Address)
	}
	want := []string{
		"|IMCEAEX-_O=ORG_OU=EXCHANGE+20ADMINISTRATIVE+20GROUP_CN=RECIPIENTS_CN=JOHN+5FDOE@pstcheck.invalid",
		// "Name Only" is an empty group: no address.
		"Evil\r\nBcc: x@y|a@b.example",
		"Quote \" and \\|q@example.com",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("To = %q, want %q", got, want)
	}
	if !strings.Contains(msg.Header.Get("To"), `"Name Only":;`) {
		t.Errorf("To %q lacks the group for a name without address", msg.Header.Get("To"))
	}
}

// From is the author, Sender the delegate who sent on the author's
// behalf; a From with a name but no address is a mailbox in the .invalid
// domain, never a group (which From cannot be).
func TestEMLFromAndSender(t *testing.T) {
	for _, c := range []struct {
		name                string
		represented, sender Address
		from, senderHeader  string // name|address, "" for none
	}{
		{"on behalf", Address{"Boss", "boss@example.com"}, Address{"Assistant", "assistant@example.com"},
			"Boss|boss@example.com", "Assistant|assistant@example.com"},
		{"same person", Address{"Jane", "jane@example.com"}, Address{"Jane", "JANE@example.com"},
			"Jane|jane@example.com", ""},
		{"same name, Exchange and SMTP", Address{"Jane", "/O=ORG/CN=JANE"}, Address{"Jane", "jane@example.com"},
			"Jane|jane@example.com", ""},
		{"only the sender", Address{}, Address{"Jane", "jane@example.com"}, "Jane|jane@example.com", ""},
		{"only the represented", Address{"Jane", "jane@example.com"}, Address{}, "Jane|jane@example.com", ""},
		{"name without address", Address{}, Address{"Name Only", ""}, "Name Only|no-address@pstcheck.invalid", ""},
		{"nobody", Address{}, Address{}, "Unknown sender|no-address@pstcheck.invalid", ""},
	} {
		from, sender := authorAndSender(c.represented, c.sender)
		b := writeEML(t, &Item{From: from, Sender: sender, Body: "x"})
		msg, err := mail.ReadMessage(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		get := func(field string) string {
			if msg.Header.Get(field) == "" {
				return ""
			}
			a, err := mail.ParseAddress(msg.Header.Get(field))
			if err != nil {
				t.Errorf("%s: %s %q: %v", c.name, field, msg.Header.Get(field), err)
				return ""
			}
			return a.Name + "|" + a.Address
		}
		if got := get("From"); got != c.from {
			t.Errorf("%s: From %q, want %q", c.name, got, c.from)
		}
		if got := get("Sender"); got != c.senderHeader {
			t.Errorf("%s: Sender %q, want %q", c.name, got, c.senderHeader)
		}
	}
}

func TestEMLHTMLRelatedMixedEmbedded(t *testing.T) {
	png := bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0, 0xff, '\r', '\n'}, 100)
	pdf := []byte("%PDF-1.4\n\x00\x01\x02 binary \r\n--=_pst_ not a boundary\n")
	inner := &Item{Subject: "Inner ü", From: Address{"In", "in@example.com"}, Body: "inner body\n",
		Attachments: []Attachment{{Filename: "deep.txt", Data: []byte("deep\n")}}}
	it := &Item{
		Subject: "Mixed",
		Body:    "plain text",
		HTML:    []byte(`<html><body><p>Hi <img src="cid:image001.png@01DA"></p></body></html>`),
		Attachments: []Attachment{
			{Filename: "image001.png", MimeType: "image/png", ContentID: "<image001.png@01DA>", Data: png},
			{Filename: "../../report, final; \"v2\".pdf", Data: pdf},
			{Filename: "unused.gif", ContentID: "not-referenced@x", Data: []byte("GIF89a")},
			{Filename: "", Data: []byte{}},
			{Embedded: inner},
		},
	}
	b := writeEML(t, it)
	p := parseEML(t, b)
	if p.Type != "multipart/mixed" || len(p.Children) != 5 {
		t.Fatalf("top: %s with %d parts, want multipart/mixed with 5", p.Type, len(p.Children))
	}
	alt := p.Children[0]
	if alt.Type != "multipart/alternative" || len(alt.Children) != 2 {
		t.Fatalf("first part: %s with %d parts", alt.Type, len(alt.Children))
	}
	if c := alt.Children[0]; c.Type != "text/plain" || string(c.Body) != "plain text" {
		t.Errorf("plain part %s %q", c.Type, c.Body)
	}
	rel := alt.Children[1]
	if rel.Type != "multipart/related" || rel.Params["type"] != "text/html" || len(rel.Children) != 2 {
		t.Fatalf("related: %s %v %d parts", rel.Type, rel.Params, len(rel.Children))
	}
	if h := rel.Children[0]; h.Type != "text/html" || !bytes.Equal(h.Body, it.HTML) || h.Params["charset"] != "utf-8" {
		t.Errorf("html part %s %v %q", h.Type, h.Params, h.Body)
	}
	img := rel.Children[1]
	if d, ps := img.Disposition(); d != "inline" || ps["filename"] != "image001.png" {
		t.Errorf("inline image disposition %q %v", d, ps)
	}
	if img.Header.Get("Content-Id") != "<image001.png@01DA>" || img.Type != "image/png" || !bytes.Equal(img.Body, png) {
		t.Errorf("inline image: %q %s, %d bytes", img.Header.Get("Content-Id"), img.Type, len(img.Body))
	}
	att := p.Children[1]
	if d, ps := att.Disposition(); d != "attachment" || ps["filename"] != it.Attachments[1].Filename {
		t.Errorf("attachment disposition %q %q", d, ps["filename"])
	}
	if att.Params["name"] != it.Attachments[1].Filename || att.Type != "application/pdf" || !bytes.Equal(att.Body, pdf) {
		t.Errorf("attachment: %s name %q, body equal %v", att.Type, att.Params["name"], bytes.Equal(att.Body, pdf))
	}
	if gif := p.Children[2]; gif.Header.Get("Content-Id") != "<not-referenced@x>" || gif.Type != "image/gif" {
		t.Errorf("unreferenced inline image: %s %q", gif.Type, gif.Header.Get("Content-Id"))
	}
	if empty := p.Children[3]; empty.Type != "application/octet-stream" || len(empty.Body) != 0 {
		t.Errorf("empty attachment: %s %q", empty.Type, empty.Body)
	}
	emb := p.Children[4]
	if emb.Type != "message/rfc822" || emb.Message == nil {
		t.Fatalf("embedded: %s", emb.Type)
	}
	if _, ps := emb.Disposition(); ps["filename"] != "Inner ü.eml" {
		t.Errorf("embedded filename %q", ps["filename"])
	}
	if !bytes.Equal(emb.Body, writeEML(t, inner)) {
		t.Error("embedded message differs from WriteEML of the inner item")
	}
	leaves := emb.Message.Leaves()
	if len(leaves) != 2 || string(leaves[0].Body) != "inner body\r\n" || string(leaves[1].Body) != "deep\n" {
		t.Errorf("embedded message parts: %d", len(leaves))
	}

	// Deterministic, and boundaries unique.
	if again := writeEML(t, it); !bytes.Equal(again, b) {
		t.Error("WriteEML is not deterministic")
	}
	seen := map[string]bool{}
	var walk func(p *mimePart)
	walk = func(p *mimePart) {
		if bd := p.Params["boundary"]; bd != "" {
			if seen[bd] {
				t.Errorf("boundary %q used twice", bd)
			}
			seen[bd] = true
		}
		for _, c := range p.Children {
			walk(c)
		}
		if p.Message != nil {
			walk(p.Message)
		}
	}
	walk(p)
}

func TestEMLAttachmentNames(t *testing.T) {
	names := []string{
		"../../x",
		"/etc/passwd",
		`C:\Windows\x.exe`,
		"résumé.pdf",
		"a\x00b.txt",
		"\u202Etxt.exe",
		"semi;colon \"quoted\" (paren).txt",
		"two  spaces.txt",
		" leading.txt",
		strings.Repeat("ü", 150) + ".docx",
		strings.Repeat("long-ascii-", 30) + ".txt",
		"日本語のファイル名.xlsx",
	}
	it := &Item{Body: "x"}
	for i, n := range names {
		it.Attachments = append(it.Attachments, Attachment{Filename: n, Data: []byte{byte(i)}})
	}
	b := writeEML(t, it)
	p := parseEML(t, b)
	if len(p.Children) != len(names)+1 {
		t.Fatalf("%d parts, want %d", len(p.Children), len(names)+1)
	}
	for i, n := range names {
		c := p.Children[i+1]
		if _, ps := c.Disposition(); ps["filename"] != n {
			t.Errorf("filename %q round-trips as %q", n, ps["filename"])
		}
		if c.Params["name"] != n {
			t.Errorf("name %q round-trips as %q", n, c.Params["name"])
		}
		if !bytes.Equal(c.Body, []byte{byte(i)}) {
			t.Errorf("%q: body %v", n, c.Body)
		}
	}
}

func TestEMLRTF(t *testing.T) {
	rtf := []byte(`{\rtf1\ansi\ansicpg1252\fromhtml1 {\*\htmltag1 <html>}hello}`)
	it := &Item{Body: "hello", RTF: rtf}
	p := parseEML(t, writeEML(t, it))
	if p.Type != "multipart/mixed" || len(p.Children) != 2 {
		t.Fatalf("%s with %d parts", p.Type, len(p.Children))
	}
	r := p.Children[1]
	if _, ps := r.Disposition(); r.Type != "application/rtf" || ps["filename"] != "body.rtf" || !bytes.Equal(r.Body, rtf) {
		t.Errorf("RTF part %s %v %q", r.Type, ps, r.Body)
	}

	// With a converter, the HTML it gives replaces the RTF.
	opt := EMLOptions{RTFToHTML: func(b []byte) ([]byte, string, bool) { return []byte("<p>hello</p>"), "windows-1252", true }}
	var b bytes.Buffer
	if err := opt.WriteEML(&b, it); err != nil {
		t.Fatal(err)
	}
	p = parseEML(t, b.Bytes())
	if p.Type != "multipart/alternative" || p.Children[1].Type != "text/html" || p.Children[1].Params["charset"] != "windows-1252" {
		t.Errorf("with RTFToHTML: %s", p.Type)
	}
	// A converter that fails leaves the RTF attached.
	opt.RTFToHTML = func([]byte) ([]byte, string, bool) { return nil, "", false }
	b.Reset()
	opt.WriteEML(&b, it)
	if p = parseEML(t, b.Bytes()); p.Type != "multipart/mixed" || p.Children[1].Type != "application/rtf" {
		t.Errorf("failing RTFToHTML: %s", p.Type)
	}
	// HTML present: the RTF is not written.
	it.HTML = []byte("<b>hello</b>")
	if p = parseEML(t, writeEML(t, it)); p.Type != "multipart/alternative" {
		t.Errorf("HTML and RTF: %s", p.Type)
	}
}

func TestEMLHTMLOnlyCharset(t *testing.T) {
	for _, c := range []struct {
		html     string
		declared string
		want     string
	}{
		{`<p>ü</p>`, "", "utf-8"},
		{"<meta charset=\"iso-8859-1\"><p>\xfc</p>", "", "iso-8859-1"},
		{"<meta http-equiv=Content-Type content=\"text/html; charset=windows-1252\">\xfc", "", "windows-1252"},
		{"<p>\xfc</p>", "", ""},
		{"<p>\xfc</p>", "Windows-1252", "windows-1252"},
	} {
		it := &Item{HTML: []byte(c.html), HTMLCharset: c.declared}
		p := parseEML(t, writeEML(t, it))
		if p.Type != "text/html" || p.Params["charset"] != c.want || string(p.Body) != c.html {
			t.Errorf("%q: %s charset %q, want text/html %q", c.html, p.Type, p.Params["charset"], c.want)
		}
	}
}

func TestEMLEmbeddedDepth(t *testing.T) {
	// A chain deeper than MaxEmbedDepth, and a cycle.
	top := &Item{Subject: "level 0"}
	cur := top
	for i := 1; i <= MaxEmbedDepth+3; i++ {
		next := &Item{Subject: "level " + string(rune('0'+i))}
		cur.Attachments = []Attachment{{Embedded: next}}
		cur = next
	}
	p := parseEML(t, writeEML(t, top))
	depth := 0
	for {
		var emb *mimePart
		for _, c := range p.Children {
			if c.Message != nil {
				emb = c
			}
		}
		if emb == nil {
			break
		}
		depth++
		p = emb.Message
	}
	if depth != MaxEmbedDepth {
		t.Errorf("embedded messages nest %d deep, want %d", depth, MaxEmbedDepth)
	}
	if note := p.Children[1]; note.Type != "text/plain" || !strings.Contains(string(note.Body), "not included") {
		t.Errorf("deepest level: %s %q", note.Type, note.Body)
	}

	loop := &Item{Subject: "loop"}
	loop.Attachments = []Attachment{{Embedded: loop}}
	parseEML(t, writeEML(t, loop))
}

func TestEMLOriginalHeaders(t *testing.T) {
	orig := "Return-Path: <bounce@lists.example>\r\n" +
		"Received: from mx.example (mx.example [192.0.2.1])\r\n\tby mail.example; Tue, 5 Mar 2024 14:12:09 +0000\r\n" +
		"Received: from a by b\n" +
		"DKIM-Signature: v=1; a=rsa-sha256; d=example; b=abc\r\n" +
		"From: Old <old@example.com>\r\n" +
		"Date: Tue, 5 Mar 2024 14:12:07 +0000\r\n" +
		"Subject: old subject\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/alternative; boundary=xyz\r\n" +
		"Content-Transfer-Encoding: 7bit\r\n" +
		"X-Mozilla-Status: 0009\r\n" +
		"List-Id: <list.example>\r\n" +
		"X-Custom: caf\xc3\xa9 \x01\r\n" +
		"References: <1@x>\r\n <2@x>\r\n" +
		"   \r\n" +
		"Not a header line\r\n" +
		"\r\n" +
		"X-After-Blank: dropped\r\n"
	it := &Item{Subject: "new subject", From: Address{"New", "new@example.com"}, Headers: orig, Body: "b"}
	b := writeEML(t, it)
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if got := h["Received"]; len(got) != 2 || got[0] != "from mx.example (mx.example [192.0.2.1]) by mail.example; Tue, 5 Mar 2024 14:12:09 +0000" {
		t.Errorf("Received = %q", got)
	}
	if !bytes.HasPrefix(b, []byte("Return-Path: <bounce@lists.example>\r\nReceived: from mx.example")) {
		t.Errorf("original trace headers are not first:\n%s", b)
	}
	for name, want := range map[string]string{
		"Return-Path": "<bounce@lists.example>", "List-Id": "<list.example>", "References": "<1@x> <2@x>",
		"Subject": "new subject", "From": `"New" <new@example.com>`, "Date": "Tue, 5 Mar 2024 14:12:07 +0000",
		"Content-Type": "text/plain; charset=utf-8", "Mime-Version": "1.0",
	} {
		if got := h[name]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %q, want [%q]", name, got, want)
		}
	}
	for _, name := range []string{"Dkim-Signature", "X-Mozilla-Status", "Content-Transfer-Encoding", "X-After-Blank"} {
		if name == "Content-Transfer-Encoding" {
			if got := h[name]; len(got) != 1 || got[0] != "quoted-printable" {
				t.Errorf("%s = %q", name, got)
			}
			continue
		}
		if got, ok := h[name]; ok {
			t.Errorf("%s kept: %q", name, got)
		}
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(h.Get("X-Custom")); err != nil || got != "café \x01" {
		t.Errorf("X-Custom decodes to %q, %v", got, err)
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{
		"Subject: " + strings.Repeat("word ", 40),
		"To: " + strings.Repeat(`"Some Person" <person@example.com>, `, 6) + "x@y",
		"X: " + strings.Repeat("a", 300),
		"X: a  b " + strings.Repeat("c ", 60),
	} {
		f := fold(s)
		if strings.ReplaceAll(f, "\r\n", "") != s {
			t.Errorf("fold(%q) does not unfold back: %q", s, f)
		}
		for _, l := range strings.Split(f, "\r\n") {
			if len(l) > 78 && strings.Contains(strings.TrimSpace(l[2:]), " ") && !strings.Contains(l, "  ") {
				t.Errorf("line of %d characters with a place to fold: %q", len(l), l)
			}
		}
	}
}

// FuzzEML feeds arbitrary text to every field WriteEML copies from the store
// and requires a message that parses, with the subject and attachment name
// intact and no header the input did not ask for.
func FuzzEML(f *testing.F) {
	f.Add("subject", "body", "name.txt", "Received: x\r\n", "a@b.example", "Name")
	f.Add("=?utf-8?q?x?=\r\nBcc: e@x", "From x\r\n.\r\n", "../../x\x00", "X: \xff\r\n bad\r\n\r\nBcc: y", "/O=ORG", "\"q\"")
	f.Fuzz(func(t *testing.T, subject, body, name, headers, email, display string) {
		it := &Item{Subject: subject, Body: body, Headers: headers, MessageID: email,
			From: Address{display, email}, To: []Address{{display, email}},
			HTML:        []byte(body),
			Attachments: []Attachment{{Filename: name, ContentID: name, Data: []byte(body)}, {Embedded: &Item{Subject: subject, Headers: headers}}},
		}
		var b bytes.Buffer
		if err := WriteEML(&b, it); err != nil {
			t.Fatal(err)
		}
		p := parseEML(t, b.Bytes())
		msg, _ := mail.ReadMessage(bytes.NewReader(b.Bytes()))
		if len(msg.Header["Bcc"]) != 0 && !strings.Contains(strings.ToLower(headers), "bcc") {
			t.Fatalf("Bcc header from nowhere:\n%s", b.Bytes())
		}
		want := strings.ToValidUTF8(subject, "\uFFFD")
		if got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subject != "" && (err != nil || got != want) {
			t.Fatalf("subject %q decodes to %q, %v", want, got, err)
		}
		if name != "" {
			found := false
			var walk func(p *mimePart)
			walk = func(p *mimePart) {
				if _, ps := p.Disposition(); ps["filename"] == name {
					found = true
				}
				for _, c := range p.Children {
					walk(c)
				}
			}
			walk(p)
			if !found {
				t.Fatalf("attachment name %q lost:\n%s", name, b.Bytes())
			}
		}
	})
}

// An attached message is written as message/rfc822: its file name ends in
// ".eml" whatever Outlook stored (often the subject alone, or ".msg").
func TestEmbeddedName(t *testing.T) {
	for _, c := range []struct {
		stored, subject, want string
	}{
		{"Weekly report", "x", "Weekly report.eml"},
		{"Weekly report.msg", "x", "Weekly report.eml"},
		{"Weekly report.EML", "x", "Weekly report.EML"},
		{"", "Re: budget", "Re: budget.eml"},
		{"", "", "message.eml"},
		{" ", " ", "message.eml"},
	} {
		a := &Attachment{Filename: c.stored, Embedded: &Item{Subject: c.subject}}
		if got := embeddedName(a); got != c.want {
			t.Errorf("stored %q, subject %q: %q, want %q", c.stored, c.subject, got, c.want)
		}
	}
}
