package rtf

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func readReal(t *testing.T, name string) []byte {
	t.Helper()
	b, err := readTestdata(filepath.Join("real", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRealWordHTMLShiftJIS(t *testing.T) {
	raw, err := Decompress(readReal(t, "ruby-msg_msgInMsg.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := Encapsulated(raw); !h || !strings.Contains(string(raw[:100]), `\ansicpg932`) {
		t.Fatalf("unexpected RTF start %q", raw[:100])
	}
	html, charset, ok := ToHTML(raw)
	if !ok {
		t.Fatal("not recognised as encapsulated HTML")
	}
	// The document has Shift_JIS text (font names) that the package does not
	// decode itself, so the HTML stays in Shift_JIS.
	if charset != "shift_jis" {
		t.Errorf("charset = %q", charset)
	}
	s := string(html)
	if !strings.HasPrefix(s, `<html xmlns:v="urn:schemas-microsoft-com:vml"`) ||
		!strings.HasSuffix(s, "I have attachments!<o:p></o:p></span></p></div></body></html>") {
		t.Errorf("HTML start/end: %.80q ... %q", s, s[max(0, len(s)-80):])
	}
	if strings.Contains(s, `\htmltag`) || strings.Contains(s, `\par`) {
		t.Error("RTF left in the HTML")
	}
	if text, _ := ToText(raw); text != "I have attachments!\r\n" {
		t.Errorf("ToText = %q, PidTagBody is %q", text, "I have attachments!\r\n")
	}
}

func TestRealWordRTF(t *testing.T) {
	raw, err := Decompress(readReal(t, "tika_variousBodyTypes.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := ToHTML(raw); ok {
		t.Error("ordinary RTF taken for encapsulated HTML")
	}
	// Equal to the message's PidTagBody.
	const body = "From: Allison, Timothy B. \r\nSent: Wednesday, August 30, 2017 3:26 PM\r\n" +
		"To: Allison, Timothy B. <tallison@mitre.org>\r\nSubject: original email\r\n\r\n" +
		"This is the original email (html)\r\n\r\nForwarded RTF\r\n"
	if text, ok := ToText(raw); !ok || text != body {
		t.Errorf("ToText = %q", text)
	}
}

func TestRealExchangeHTML(t *testing.T) {
	raw, err := Decompress(readReal(t, "aspose_SampleOstFile_html.bin"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "<HTML><HEAD></HEAD>\r\n<BODY dir=ltr>\r\n<DIV dir=ltr>\r\n" +
		"<DIV style=\"FONT-FAMILY: 'Arial'; COLOR: #000000; FONT-SIZE: 10pt\">\r\n" +
		"<DIV>Hej!bonusspelet.</DIV>\r\n<DIV>Jag har koder.</DIV>\r\n<DIV>Kundnummer; 213570739</DIV>\r\n" +
		"<DIV>Kod Bonusspelet; OSU-19208</DIV>\r\n<DIV>Hur rättar jag detta</DIV>\r\n<DIV>MVH</DIV>\r\n" +
		"<DIV>Rolf</DIV></DIV></DIV></BODY></HTML>\r\n"
	html, charset, ok := ToHTML(raw)
	if !ok || charset != "utf-8" || string(html) != want {
		t.Errorf("ToHTML: ok=%v charset=%q\n%q", ok, charset, html)
	}
	text, _ := ToText(raw)
	if !strings.Contains(text, "Hur rättar jag detta\r\nMVH\r\nRolf") {
		t.Errorf("ToText = %q", text)
	}
}

// gbk decodes just the GBK characters of the Aspose sample.
func gbk(cp int, b []byte) (string, bool) {
	if cp != 936 {
		return "", false
	}
	m := map[string]string{
		"\xcf\xea": "详", "\xcf\xb8": "细", "\xc4\xda": "内", "\xc8\xdd": "容", "\xc7\xeb": "请",
		"\xb2\xe9": "查", "\xd4\xc4": "阅", "\xb8\xbd": "附", "\xbc\xfe": "件",
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			sb.WriteByte(b[i])
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", false
		}
		r, ok := m[string(b[i:i+2])]
		if !ok {
			return "", false
		}
		sb.WriteString(r)
		i += 2
	}
	return sb.String(), true
}

func TestRealExchangeMELA(t *testing.T) {
	in := readReal(t, "aspose_passwordprotected_mela.bin")
	raw, err := Decompress(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != len(in)-16 || !strings.HasSuffix(string(raw), "}}\r\n") {
		t.Errorf("got %d bytes ending %q", len(raw), raw[max(0, len(raw)-8):])
	}
	const body = "117391117391117391117391/asposeemail.test4@aspose.com\r\n\r\n" +
		"*详*细*内*容*请*查*阅*附*件*\r\n\r\n2017-01-04\r\n14:04:29\r\n"
	if text, ok := ToTextWith(raw, gbk); !ok || text != body {
		t.Errorf("ToTextWith = %q", text)
	}
	// Without a decoder each undecodable byte becomes U+FFFD.
	text, _ := ToText(raw)
	if n := strings.Count(text, "\uFFFD"); n != 18 || !strings.HasPrefix(text, "117391") {
		t.Errorf("ToText = %q (%d U+FFFD)", text, n)
	}
	if h, tx := Encapsulated(raw); h || !tx {
		t.Errorf("Encapsulated = %v, %v", h, tx)
	}
	// Cut short, it is truncated, not silently accepted.
	if _, err := Decompress(in[:len(in)-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("cut MELA: %v", err)
	}
}
