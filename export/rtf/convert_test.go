package rtf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func readTestdata(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("testdata", name))
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// MS-OXRTFEX 3.1, de-encapsulated.
func TestToHTMLSpecExample(t *testing.T) {
	in, err := readTestdata("spec_oxrtfex_3_1.rtf")
	if err != nil {
		t.Fatal(err)
	}
	wantLF, err := readTestdata("spec_oxrtfex_3_1.html")
	if err != nil {
		t.Fatal(err)
	}
	want := crlf(string(wantLF))

	html, charset, ok := ToHTML(in)
	if !ok {
		t.Fatal("ToHTML: not recognised as encapsulated HTML")
	}
	if charset != "utf-8" {
		t.Errorf("charset = %q, want utf-8", charset)
	}
	if string(html) != want {
		t.Errorf("ToHTML mismatch\n got: %q\nwant: %q", html, want)
	}

	// The same through LZFu, as it comes out of PidTagRtfCompressed, and
	// with CRLF line ends in the RTF (which RTF ignores).
	raw, err := Decompress(compress(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, variant := range [][]byte{raw, []byte(crlf(string(in)))} {
		html, _, ok := ToHTML(variant)
		if !ok || string(html) != want {
			t.Errorf("variant: ok=%v, html=%q", ok, html)
		}
	}

	if h, tx := Encapsulated(in); !h || tx {
		t.Errorf("Encapsulated = %v, %v; want true, false", h, tx)
	}

	// As plain text the RTF rendering comes out: \htmlrtf regions included,
	// HTML tags left out, the list number (\pntext) skipped.
	text, ok := ToTextWith(in, cyrillic) // \ansicpg1251
	if !ok {
		t.Fatal("ToText: not RTF")
	}
	for _, s := range []string{
		"Note the line break inside a P tag. This is bold text \r\n",
		"character references:\u00a0 < \u00a8\r\n",
		"special meaning in RTF: {}\\\r\n",
		"This is a list item\r\n",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("ToText lacks %q in %q", s, text)
		}
	}
	if strings.Contains(text, "<b>") || strings.Contains(text, "<HTML>") {
		t.Errorf("ToText contains HTML markup: %q", text)
	}
}

func TestToHTML(t *testing.T) {
	const head = `{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\fmodern Courier New;}{\f2\fnil\fcharset2 Symbol;}}` + "\r\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"tags and text", head + `{\*\htmltag19 <html>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 Hello\htmlrtf }\htmlrtf0 {\*\htmltag58 </body>}}`,
			"<html><body>Hello</body>"},
		{"escapes in tag", head + `{\*\htmltag <style>p \{color:red\}\\ \par\tab x</style>}}`,
			"<style>p {color:red}\\ \r\n\tx</style>"},
		{"hex in ansicpg", head + `{\*\htmltag <p title="caf\'e9 \'80">}}`,
			"<p title=\"café €\">"},
		{"hex in font code page", head + `\f2 {\*\htmltag <p>}\'b7 \f0\'b7}`,
			"<p>\uf0b7 ·"},
		{"unicode with fallback", head + `{\*\htmltag <p>}\u8364?\uc2\u8212 --\uc0\u8230 x}`,
			"<p>€—…x"},
		{"unicode fallback is a hex escape", head + `\u233\'e9 x}`,
			"é x"},
		{"surrogate pair", head + `\u-10179?\u-8694?}`,
			"\U0001F60A"},
		{"lone surrogate", head + `\u-10179?x}`,
			"\uFFFDx"},
		{"htmlrtf nesting", head + `a\htmlrtf b{c\htmlrtf0 d}e\htmlrtf0 f{\htmlrtf g}h}`,
			"adfh"},
		{"htmlrtf hides tags too", head + `\htmlrtf {\*\htmltag <x>}\htmlrtf0 {\*\htmltag <y>}}`,
			"<y>"},
		{"mhtmltag skipped", head + `{\*\mhtmltag84 <img src="cid:1">}{\*\htmltag84 <img src="a.png">}}`,
			`<img src="a.png">`},
		{"unknown ignorable destination", head + `{\*\foo bar}{\*\htmltag <p>}baz}`,
			"<p>baz"},
		{"special characters", head + `\lquote\rquote\ldblquote\rdblquote\bullet\endash\emdash\~\_\-x}`,
			"‘’“”•–—\u00a0\u00adx"},
		{"control words in tag ignored", head + `{\*\htmltag <p\line\b\fs20 >}}`,
			"<p>"},
		{"line outside tag", head + `a\line b}`,
			"a\r\nb"},
		{"bin skipped", head + `a\bin3 {}\b}`,
			"ab"},
		{"stops at the end of the document", head + `x}garbage{\*\htmltag <p>}`,
			"x"},
		{"NUL dropped", head + "a\x00b\\'00c}",
			"abc"},
		{"uppercase control words", `{\rtf1\ANSI\ANSICPG1252\FROMHTML1 {\*\HTMLTAG <p>}\'e9}`,
			"<p>é"},
	} {
		got, charset, ok := ToHTML([]byte(tc.in))
		if !ok {
			t.Errorf("%s: not recognised", tc.name)
			continue
		}
		if string(got) != tc.want || charset != "utf-8" {
			t.Errorf("%s: got %q (%s), want %q", tc.name, got, charset, tc.want)
		}
	}
}

func TestToHTMLRecognition(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0 x}`, true},
		{"  \r\n{\\rtf1\\fromhtml1 x}", true},
		{`{\rtf1\fromhtml x}`, true},
		{`{\rtf1\fromhtml0 x}`, false},
		{`{\rtf1\ansi\fromtext \deff0 x}`, false},
		{`{\rtf1\ansi\deff0 x}`, false},
		{`{\rtf1 x\fromhtml1}`, false},                 // text first
		{`{\rtf1{\fromhtml1}}`, false},                 // not in the document group
		{`{\rtf1\a\b\c\d\e\f\g\h\fromhtml1 x}`, false}, // 11th token
		{`{\rtf1\a\b\c\d\e\f\g\fromhtml1 x}`, true},    // 10th token
		{`{\foo\fromhtml1 x}`, false},                  // not RTF
		{`\fromhtml1`, false},
		{``, false},
	} {
		_, _, ok := ToHTML([]byte(tc.in))
		if ok != tc.want {
			t.Errorf("ToHTML(%q) ok = %v, want %v", tc.in, ok, tc.want)
		}
	}
}

// cyrillic is a test Decoder that knows a little of Windows-1251.
func cyrillic(cp int, b []byte) (string, bool) {
	if cp != 1251 {
		return "", false
	}
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c == 0xA0:
			sb.WriteRune('\u00a0')
		case c >= 0xC0:
			sb.WriteRune(rune(c) - 0xC0 + 'А')
		default:
			sb.WriteRune('?')
		}
	}
	return sb.String(), true
}

func TestToHTMLOtherCodePage(t *testing.T) {
	in := []byte(`{\rtf1\ansi\ansicpg1251\fromhtml1 \deff0{\fonttbl{\f0\fswiss\fcharset204 Arial;}{\f1\fswiss\fcharset0 Arial;}}` +
		`{\*\htmltag <p title="\'c0\u8364?">}\'c1\f1\'e9{\*\htmltag </p>}}`)

	// Without a decoder: bytes stay in windows-1251, the rest becomes &#N;.
	html, charset, ok := ToHTML(in)
	if !ok || charset != "windows-1251" {
		t.Fatalf("ok=%v charset=%q", ok, charset)
	}
	if want := "<p title=\"\xc0&#8364;\">\xc1&#233;</p>"; string(html) != want {
		t.Errorf("raw: got %q, want %q", html, want)
	}

	// With one: UTF-8.
	html, charset, ok = ToHTMLWith(in, cyrillic)
	if !ok || charset != "utf-8" {
		t.Fatalf("ok=%v charset=%q", ok, charset)
	}
	if want := "<p title=\"А€\">Бé</p>"; string(html) != want {
		t.Errorf("decoded: got %q, want %q", html, want)
	}

	// ASCII-only text in an unknown code page needs no conversion.
	html, charset, ok = ToHTML([]byte(`{\rtf1\ansi\ansicpg932\fromhtml1 {\*\htmltag <p>}hi}`))
	if !ok || charset != "utf-8" || string(html) != "<p>hi" {
		t.Errorf("ASCII in cp932: %q %q %v", html, charset, ok)
	}

	// A DBCS character split across two hex escapes reaches the decoder whole.
	var seen []byte
	dec := func(cp int, b []byte) (string, bool) {
		if cp != 932 {
			return "", false
		}
		seen = append(seen, b...)
		return strings.ReplaceAll(string(b), "\x93\xfa", "日"), true
	}
	html, _, _ = ToHTMLWith([]byte(`{\rtf1\ansi\ansicpg932\fromhtml1 {\*\htmltag <p>}\'93\'fa}`), dec)
	if !strings.Contains(string(seen), "\x93\xfa") || string(html) != "<p>日" {
		t.Errorf("DBCS: decoder saw % x, html %q", seen, html)
	}
}

func TestToText(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"tables skipped",
			`{\rtf1\ansi\deff0{\fonttbl{\f0\froman Times;}}{\colortbl;\red255\green0\blue0;}{\stylesheet{\s0 Normal;}}{\info{\title T}{\author A}}\pard Hello\par World}`,
			"Hello\r\nWorld"},
		{"tab line cell row",
			`{\rtf1 a\tab b\line c\cell d\row e}`,
			"a\tb\r\nc\td\r\ne"},
		{"hex 1252 and unicode",
			`{\rtf1\ansi\ansicpg1252 caf\'e9 \'80 \u8364? \uc0\u8364 x}`,
			"café € € €x"},
		{"field result only",
			`{\rtf1 see {\field{\*\fldinst HYPERLINK "http://x/"}{\fldrslt link}} now}`,
			"see link now"},
		{"field instruction without star",
			`{\rtf1 {\field{\fldinst PAGE}{\fldrslt 3}}}`,
			"3"},
		{"pictures and objects skipped",
			`{\rtf1 a{\pict\wmetafile8 0123abcd}{\*\shppict{\pict 00}}{\object{\*\objdata 01}{\result b}}c}`,
			"ac"},
		{"list text skipped",
			`{\rtf1 {\pntext\f1 \'b7\tab}{\*\pn\pnlvlblt{\pntxtb \'b7}}item\par}`,
			"item\r\n"},
		{"htmltag skipped, htmlrtf kept in html body",
			`{\rtf1\ansi\fromhtml1 {\*\htmltag <p>}\htmlrtf {\b\htmlrtf0 a\htmlrtf\par}\htmlrtf0}`,
			"a\r\n"},
		{"fromtext honours htmlrtf",
			`{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0\fmodern Courier New;}}\htmlrtf\f0\htmlrtf0 line one\par line\htmlrtf  hidden\htmlrtf0  two}`,
			"line one\r\nline two"},
		{"font code pages",
			`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fnil\fcharset0 A;}{\f1\fnil\fcharset2 Symbol;}}\'e9{\f1\'b7}\'e9\plain\'e9}`,
			"é\uf0b7éé"},
		{"cpg in font table",
			`{\rtf1\ansi\ansicpg1251{\fonttbl{\f0\cpg1252 A;}}\f0\'e9}`,
			"é"},
		{"unknown code page",
			`{\rtf1\ansi\ansicpg1251 a\'c0b}`,
			"a\uFFFDb"},
		{"symbols",
			`{\rtf1 \{\}\\\~\_\-x}`,
			"{}\\\u00a0\u2011x"},
		{"escaped newline is par",
			"{\\rtf1 a\\\nb}",
			"a\r\nb"},
		{"bare newlines ignored",
			"{\\rtf1 a\r\nb\nc}",
			"abc"},
		{"bin data skipped",
			"{\\rtf1 a\\bin4 }{\\xb}",
			"ab"},
		{"bin larger than input",
			"{\\rtf1 a\\bin999 xyz",
			"a"},
		{"unbalanced close ignored and end of document",
			`{\rtf1 a}}b`,
			"a"},
		{"unterminated document",
			`{\rtf1 a{b`,
			"ab"},
		{"uc skip counts control words",
			`{\rtf1\uc2\u8364\par\'80 x}`,
			"€ x"},
		{"uc skip ends at group",
			`{\rtf1\uc3\u8364{a}b}`,
			"€ab"},
		{"malformed hex",
			`{\rtf1 a\'zz\'4}`,
			"azz4"},
		{"negative and huge parameters",
			`{\rtf1\u-1 ?\u99999999999 ?\f-5 \uc-3 x}`,
			"\uffff\uFFFDx"},
		{"utf-8 code page",
			`{\rtf1\ansi\ansicpg65001 \'c3\'a9 \'c3}`,
			"é \uFFFD"},
		{"latin-1 and ascii code pages",
			`{\rtf1\ansicpg28591 \'80{\fonttbl{\f1\cpg20127 A;}}{\f1\'80}}`,
			"\u0080\uFFFD"},
		{"mac and pc code pages are not built in",
			`{\rtf1\mac \'8e{\pc \'82}{\pca \'82}}`,
			"\uFFFD\uFFFD\uFFFD"},
		{"lone low surrogate and NUL character",
			`{\rtf1 \u-8694?\u0 ?x}`,
			"\uFFFDx"},
		{"deep unknown destinations",
			`{\rtf1 {\*\a{\b{\c text}}}ok}`,
			"ok"},
	} {
		got, ok := ToText([]byte(tc.in))
		if !ok {
			t.Errorf("%s: not RTF", tc.name)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("%s: invalid UTF-8", tc.name)
		}
	}

	if _, ok := ToText([]byte("plain text")); ok {
		t.Error("ToText accepted non-RTF")
	}
	if got, ok := ToTextWith([]byte(`{\rtf1\ansi\ansicpg1251 \'c0\'c1}`), cyrillic); !ok || got != "АБ" {
		t.Errorf("ToTextWith: %q %v", got, ok)
	}
	// A decoder returning invalid UTF-8 cannot break the output.
	bad := func(int, []byte) (string, bool) { return "\xff", true }
	if got, _ := ToTextWith([]byte(`{\rtf1\ansicpg1251 \'c0}`), bad); got != "\uFFFD" {
		t.Errorf("bad decoder: %q", got)
	}
	if h, tx := Encapsulated([]byte(`{\rtf1\ansi\fromtext x}`)); h || !tx {
		t.Errorf("Encapsulated(fromtext) = %v, %v", h, tx)
	}
}

// Nesting far beyond the depth limit costs nothing and loses only the text
// nested too deep.
func TestDeepNesting(t *testing.T) {
	const n = 200000
	in := "{\\rtf1\\fromhtml1 a" + strings.Repeat("{", n) + "deep" + strings.Repeat("}", n) + "b}"
	got, ok := ToText([]byte(in))
	if !ok || got != "ab" {
		t.Errorf("ToText: %q, %v", got, ok)
	}
	html, _, ok := ToHTML([]byte(in))
	if !ok || string(html) != "ab" {
		t.Errorf("ToHTML: %q, %v", html, ok)
	}
	// Within the limit the text is kept.
	in = "{\\rtf1 a" + strings.Repeat("{", 1000) + "mid" + strings.Repeat("}", 1000) + "b}"
	if got, _ := ToText([]byte(in)); got != "amidb" {
		t.Errorf("1000 levels: %q", got)
	}
}

func TestCodePageCharset(t *testing.T) {
	for cp, want := range map[int]string{
		1252: "windows-1252", 1251: "windows-1251", 932: "shift_jis", 936: "gbk",
		949: "euc-kr", 950: "big5", 65001: "utf-8", 28592: "iso-8859-2", 28605: "iso-8859-15",
		10000: "macintosh", 12345: "cp12345",
	} {
		if got := CodePageCharset(cp); got != want {
			t.Errorf("CodePageCharset(%d) = %q, want %q", cp, got, want)
		}
	}
}

func TestCP1252(t *testing.T) {
	var all []byte
	for i := 0x80; i < 0x100; i++ {
		all = append(all, byte(i))
	}
	got, ok := builtinDecode(nil, cp1252, all)
	if !ok || !utf8.Valid(got) || utf8.RuneCount(got) != 128 {
		t.Fatalf("decode: ok=%v valid=%v", ok, utf8.Valid(got))
	}
	rs := []rune(string(got))
	for i, want := range map[int]rune{0x80: '€', 0x85: '…', 0x8a: 'Š', 0x92: '’', 0x99: '™', 0x9f: 'Ÿ', 0xa0: 0xa0, 0xe9: 'é', 0xff: 'ÿ', 0x81: 0x81} {
		if rs[i-0x80] != want {
			t.Errorf("0x%02x -> %U, want %U", i, rs[i-0x80], want)
		}
	}
}
