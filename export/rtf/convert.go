package rtf

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ToHTML de-encapsulates the HTML that Outlook keeps inside RTF bodies
// (MS-OXRTFEX, recognised by \fromhtml1 within the first 10 RTF tokens). It
// reports ok=false, returning nothing, when the RTF does not encapsulate
// HTML; use [ToText] for those.
//
// The result is in charset "utf-8" when every text run could be converted:
// runs in code pages 1252, 28591, 20127, 65001 and symbol fonts, \uN
// characters, and pure ASCII in any code page. If some run is in another code
// page, the HTML is returned in that code page instead: such bytes are left
// as they are, characters from elsewhere become numeric character references
// (&#N;), and charset is the code page's label (see [CodePageCharset]). A
// <meta charset> inside the HTML is left untouched either way.
func ToHTML(rtf []byte) (html []byte, charset string, ok bool) {
	return ToHTMLWith(rtf, nil)
}

// ToHTMLWith is [ToHTML] with dec consulted for code pages the package does
// not decode itself. With a decoder that knows every code page met, the
// result is always UTF-8.
func ToHTMLWith(rtf []byte, dec Decoder) (html []byte, charset string, ok bool) {
	h := sniff(rtf)
	if !h.fromHTML {
		return nil, "", false
	}
	c := newConverter(modeHTML, dec)
	c.run(rtf)
	if !c.needRaw {
		return c.out, "utf-8", true
	}
	rawCP := c.unknownCP
	c = newConverter(modeHTML, dec)
	c.raw, c.rawCP = true, rawCP
	c.run(rtf)
	return c.out, CodePageCharset(rawCP), true
}

// ToText extracts the plain text of an RTF document: the original text of an
// encapsulated plain-text body (\fromtext, with \htmlrtf regions left out as
// MS-OXRTFEX requires), or a best-effort rendering of any other RTF,
// including the RTF side of an HTML-encapsulating body. It reports ok=false
// when rtf does not start with "{\rtf".
//
// \par, \line, \row, \sect and \page become CRLF ("\r\n", as in Outlook's
// PidTagBody), \tab and \cell a tab. Bytes in code pages the package cannot
// decode (see [ToHTML]) become U+FFFD; use [ToTextWith] to supply a decoder.
// The result is valid UTF-8.
func ToText(rtf []byte) (text string, ok bool) {
	return ToTextWith(rtf, nil)
}

// ToTextWith is [ToText] with dec consulted for code pages the package does
// not decode itself.
func ToTextWith(rtf []byte, dec Decoder) (text string, ok bool) {
	h := sniff(rtf)
	if !h.rtf {
		return "", false
	}
	c := newConverter(modeText, dec)
	c.fromText = h.fromText
	c.run(rtf)
	return string(c.out), true
}

// Encapsulated reports whether rtf is RTF that encapsulates HTML (\fromhtml)
// or plain text (\fromtext), as recognised per MS-OXRTFEX 2.2.3.1.
func Encapsulated(rtf []byte) (html, text bool) {
	h := sniff(rtf)
	return h.fromHTML, h.fromText
}

// header is what sniff learns from the start of a document.
type header struct {
	rtf      bool // starts with {\rtf
	fromHTML bool
	fromText bool
}

// sniffTokens is how many tokens MS-OXRTFEX lets a reader inspect for
// \fromhtml or \fromtext.
const sniffTokens = 10

func sniff(b []byte) header {
	var h header
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	l := lexer{b: b[i:]}
	var t token
	l.next(&t)
	if t.kind != tokOpen {
		return h
	}
	l.next(&t)
	if t.kind != tokWord || t.word() != "rtf" {
		return h
	}
	h.rtf = true
	depth := 1
	for n := 2; n < sniffTokens; n++ {
		l.next(&t)
		switch t.kind {
		case tokEOF, tokText:
			// Text before the marker: not encapsulated.
			return h
		case tokOpen:
			depth++
		case tokClose:
			depth--
			if depth == 0 {
				return h
			}
		case tokWord:
			if depth != 1 {
				break
			}
			on := !t.hasParam || t.param != 0
			switch t.word() {
			case "fromhtml":
				h.fromHTML = on
				return h
			case "fromtext":
				h.fromText = on
				return h
			}
		}
	}
	return h
}

type mode uint8

const (
	modeText mode = iota
	modeHTML
)

// destKind is what a group's content is for.
type destKind uint8

const (
	destBody    destKind = iota // document text
	destSkip                    // a destination whose content is not output
	destFontTbl                 // \fonttbl: parsed for code pages
	destHTMLTag                 // {\*\htmltag ...} in HTML mode
)

// group is the state RTF saves on '{' and restores on '}'.
type group struct {
	dest    destKind
	htmlrtf bool
	uc      int // \ucN: fallback characters to skip after \uN
	font    int // \fN; -1 = the default font (\deffN)
}

// Limits that keep hostile input cheap.
const (
	maxDepth = 1024 // deeper groups are ignored along with their content
	maxFonts = 4096 // font table entries remembered
)

type converter struct {
	mode     mode
	dec      Decoder
	fromText bool // text mode: honour \htmlrtf

	cur      group
	stack    []group
	overflow int // groups opened beyond maxDepth and not yet closed

	ansiCP  int
	deff    int
	fonts   map[int]int // font number -> code page; 0 = the \ansicpg one
	fontDef int         // font being defined in the font table

	groupStart bool // last token was '{', possibly followed by \*
	star       bool // saw \* right after '{'
	ucSkip     int  // fallback characters still to skip

	out    []byte
	pend   []byte // undecoded text bytes, all in code page pendCP
	pendCP int
	hiSurr rune // high surrogate from \uN awaiting its low half

	// HTML output in a code page we cannot convert (see ToHTML).
	raw       bool
	rawCP     int
	needRaw   bool // first pass met a run no decoder understood
	unknownCP int
}

func newConverter(m mode, dec Decoder) *converter {
	return &converter{
		mode:   m,
		dec:    dec,
		cur:    group{uc: 1, font: -1},
		ansiCP: cpDefault,
		fonts:  make(map[int]int),
	}
}

// run converts a whole document into c.out.
func (c *converter) run(b []byte) {
	l := lexer{b: b}
	var t token
	for {
		l.next(&t)
		switch t.kind {
		case tokEOF:
			c.finish()
			return
		case tokOpen:
			c.ucSkip = 0
			if c.overflow > 0 || len(c.stack) >= maxDepth {
				c.overflow++
			} else {
				c.stack = append(c.stack, c.cur)
			}
			c.groupStart, c.star = true, false
			continue
		case tokClose:
			c.ucSkip = 0
			if c.overflow > 0 {
				c.overflow--
				break
			}
			if len(c.stack) == 0 {
				break // unbalanced; ignore
			}
			c.cur = c.stack[len(c.stack)-1]
			c.stack = c.stack[:len(c.stack)-1]
			if len(c.stack) == 0 {
				// The document group closed; anything after it is not RTF.
				c.finish()
				return
			}
		case tokSymbol:
			if c.ucSkip > 0 {
				c.ucSkip--
				break
			}
			if t.sym == '*' && c.groupStart {
				c.star = true
				continue // still at the start of the group
			}
			c.symbol(t.sym)
		case tokWord:
			if c.ucSkip > 0 {
				c.ucSkip--
				break
			}
			c.word(&t)
		case tokHex:
			if c.ucSkip > 0 {
				c.ucSkip--
				break
			}
			if !c.suppressed() {
				c.emitBytes([]byte{t.sym})
			}
		case tokText:
			text := t.text
			if c.ucSkip > 0 {
				n := min(c.ucSkip, len(text))
				text = text[n:]
				c.ucSkip -= n
			}
			if len(text) > 0 && !c.suppressed() {
				c.emitBytes(text)
			}
		}
		c.groupStart, c.star = false, false
		if c.needRaw {
			return // the caller starts over in raw mode
		}
	}
}

func (c *converter) finish() {
	c.flush()
	c.dropSurrogate()
}

// suppressed reports whether text at this point is left out of the output.
func (c *converter) suppressed() bool {
	if c.overflow > 0 {
		return true
	}
	switch c.cur.dest {
	case destSkip, destFontTbl:
		return true
	}
	return c.cur.htmlrtf && (c.mode == modeHTML || c.fromText)
}

// skipDestinations are destinations whose content is never document text.
// Any {\*\name ...} group is skipped too (except \htmltag in HTML mode).
var skipDestinations = map[string]bool{
	"colortbl": true, "stylesheet": true, "info": true, "listtable": true,
	"listoverridetable": true, "revtbl": true, "rsidtbl": true, "filetbl": true,
	"pict": true, "object": true, "objdata": true, "objclass": true,
	"nonshppict": true, "shppict": true, "shpinst": true, "sp": true, "sn": true, "sv": true,
	"header": true, "headerl": true, "headerr": true, "headerf": true,
	"footer": true, "footerl": true, "footerr": true, "footerf": true,
	"footnote": true, "ftnsep": true, "ftnsepc": true, "ftncn": true,
	"aftnsep": true, "aftnsepc": true, "aftncn": true,
	"fldinst": true, "datafield": true, "pntext": true, "pntxta": true, "pntxtb": true,
	"listtext": true, "annotation": true, "atnid": true, "atnauthor": true,
	"atndate": true, "atnicn": true, "atnref": true, "atnparent": true,
	"xe": true, "tc": true, "txe": true, "rxe": true, "template": true,
	"author": true, "operator": true, "title": true, "subject": true,
	"keywords": true, "comment": true, "doccomm": true, "company": true,
	"creatim": true, "revtim": true, "printim": true, "buptim": true,
	"userprops": true, "docvar": true, "bkmkstart": true, "bkmkend": true,
	"themedata": true, "colorschememapping": true, "datastore": true,
	"latentstyles": true, "xmlnstbl": true, "generator": true, "mmathpr": true,
	"background": true, "pgdsctbl": true, "protusertbl": true, "fchars": true,
	"lchars": true, "panose": true, "falt": true, "picprop": true,
	"blipuid": true, "wgrffmtfilter": true, "passwordhash": true, "mhtmltag": true,
}

// word handles a control word.
func (c *converter) word(t *token) {
	name := t.word()

	if c.groupStart && c.cur.dest != destSkip {
		switch {
		case c.star:
			if name == "htmltag" && c.mode == modeHTML && (c.cur.dest == destBody || c.cur.dest == destHTMLTag) {
				c.cur.dest = destHTMLTag
			} else {
				c.cur.dest = destSkip
			}
			return
		case name == "fonttbl":
			c.cur.dest = destFontTbl
			return
		case skipDestinations[name]:
			c.cur.dest = destSkip
			return
		}
	}

	switch c.cur.dest {
	case destSkip:
		return
	case destFontTbl:
		c.fontTableWord(name, t)
		return
	}

	// State that applies whether or not text is being output.
	switch name {
	case "ansi":
		c.ansiCP = cp1252
		return
	case "mac":
		c.ansiCP = 10000
		return
	case "pc":
		c.ansiCP = 437
		return
	case "pca":
		c.ansiCP = 850
		return
	case "ansicpg":
		if t.hasParam && t.param > 0 {
			c.ansiCP = t.param
		}
		return
	case "deff":
		if t.hasParam {
			c.deff = t.param
		}
		return
	case "f":
		if t.hasParam {
			c.cur.font = t.param
		}
		return
	case "plain":
		c.cur.font = -1
		return
	case "uc":
		if t.hasParam && t.param >= 0 {
			c.cur.uc = t.param
		}
		return
	case "htmlrtf":
		c.cur.htmlrtf = !t.hasParam || t.param != 0
		return
	case "u":
		if t.hasParam && !c.suppressed() {
			r := t.param
			if r < 0 {
				r += 0x10000
			}
			c.emitUnicode(rune(r))
		}
		c.ucSkip = c.cur.uc
		return
	}

	if c.suppressed() {
		return
	}
	inTag := c.cur.dest == destHTMLTag
	switch name {
	case "par":
		c.emitString("\r\n")
	case "tab":
		c.emitString("\t")
	case "lquote":
		c.emitRune('\u2018')
	case "rquote":
		c.emitRune('\u2019')
	case "ldblquote":
		c.emitRune('\u201C')
	case "rdblquote":
		c.emitRune('\u201D')
	case "bullet":
		c.emitRune('\u2022')
	case "endash":
		c.emitRune('\u2013')
	case "emdash":
		c.emitRune('\u2014')
	}
	if inTag {
		// MS-OXRTFEX 2.1.3.1.4.2: other control words in HTMLTAG content
		// are ignored.
		return
	}
	switch name {
	case "line", "row", "nestrow", "sect", "page":
		c.emitString("\r\n")
	case "cell", "nestcell":
		c.emitString("\t")
	case "enspace":
		c.emitRune('\u2002')
	case "emspace":
		c.emitRune('\u2003')
	case "qmspace":
		c.emitRune('\u2005')
	case "zwj":
		c.emitRune('\u200D')
	case "zwnj":
		c.emitRune('\u200C')
	}
}

// fontTableWord handles a control word inside \fonttbl.
func (c *converter) fontTableWord(name string, t *token) {
	if !t.hasParam {
		return
	}
	switch name {
	case "f":
		c.fontDef = t.param
		c.setFont(t.param, 0, false)
	case "fcharset":
		c.setFont(c.fontDef, charsetCodePage(t.param), true)
	case "cpg":
		if t.param > 0 {
			c.setFont(c.fontDef, t.param, true)
		}
	}
}

func (c *converter) setFont(f, cp int, overwrite bool) {
	if _, ok := c.fonts[f]; ok {
		if overwrite {
			c.fonts[f] = cp
		}
		return
	}
	if len(c.fonts) < maxFonts {
		c.fonts[f] = cp
	}
}

// symbol handles a control symbol (\ followed by a non-letter).
func (c *converter) symbol(s byte) {
	if c.suppressed() {
		return
	}
	switch s {
	case '\\', '{', '}':
		c.emitBytes([]byte{s})
	case '~':
		c.emitRune('\u00A0')
	case '_':
		if c.mode == modeHTML {
			c.emitRune('\u00AD') // as MS-OXRTFEX's table has it
		} else {
			c.emitRune('\u2011')
		}
	case '\r', '\n':
		c.emitString("\r\n") // \<newline> is \par
	}
}

// textCP is the code page of text bytes at this point: the document's
// default inside HTMLTAG groups (MS-OXRTFEX 2.2.3.2), else the current
// font's.
func (c *converter) textCP() int {
	if c.cur.dest == destHTMLTag {
		return c.ansiCP
	}
	f := c.cur.font
	if f < 0 {
		f = c.deff
	}
	if cp := c.fonts[f]; cp != 0 {
		return cp
	}
	return c.ansiCP
}

func (c *converter) emitBytes(p []byte) {
	c.dropSurrogate()
	cp := c.textCP()
	if len(c.pend) > 0 && cp != c.pendCP {
		c.flush()
	}
	c.pendCP = cp
	for _, b := range p {
		if b != 0 {
			c.pend = append(c.pend, b)
		}
	}
}

func (c *converter) emitString(s string) {
	c.flush()
	c.dropSurrogate()
	c.out = append(c.out, s...)
}

func (c *converter) emitRune(r rune) {
	c.flush()
	c.dropSurrogate()
	c.appendRune(r)
}

func (c *converter) appendRune(r rune) {
	if c.raw && r >= utf8.RuneSelf {
		c.out = append(c.out, "&#"...)
		c.out = strconv.AppendInt(c.out, int64(r), 10)
		c.out = append(c.out, ';')
		return
	}
	c.out = utf8.AppendRune(c.out, r) // invalid runes become U+FFFD
}

// emitUnicode outputs the character of a \uN control word, pairing UTF-16
// surrogates.
func (c *converter) emitUnicode(r rune) {
	c.flush()
	switch {
	case r >= 0xD800 && r < 0xDC00:
		c.dropSurrogate()
		c.hiSurr = r
	case r >= 0xDC00 && r < 0xE000:
		if c.hiSurr != 0 {
			r = 0x10000 + (c.hiSurr-0xD800)<<10 + (r - 0xDC00)
			c.hiSurr = 0
			c.appendRune(r)
		} else {
			c.appendRune(utf8.RuneError)
		}
	default:
		c.dropSurrogate()
		if r == 0 {
			return
		}
		c.appendRune(r)
	}
}

// dropSurrogate replaces a high surrogate left without its low half.
func (c *converter) dropSurrogate() {
	if c.hiSurr != 0 {
		c.hiSurr = 0
		c.appendRune(utf8.RuneError)
	}
}

// decodeRun converts b in code page cp to valid UTF-8, appending to dst.
func (c *converter) decodeRun(dst []byte, cp int, b []byte) ([]byte, bool) {
	if out, ok := builtinDecode(dst, cp, b); ok {
		return out, true
	}
	if c.dec != nil {
		if s, ok := c.dec(cp, b); ok {
			return append(dst, strings.ToValidUTF8(s, "\uFFFD")...), true
		}
	}
	return dst, false
}

// flush converts the pending text bytes into the output.
func (c *converter) flush() {
	if len(c.pend) == 0 {
		return
	}
	p, cp := c.pend, c.pendCP
	c.pend = c.pend[:0]
	switch {
	case c.raw && cp == c.rawCP:
		c.out = append(c.out, p...)
	case c.raw:
		start := len(c.out)
		decoded, ok := c.decodeRun(c.out, cp, p)
		if !ok {
			c.out = append(c.out, p...) // another unknown code page: best effort
			return
		}
		// Re-emit the decoded characters as ASCII or references.
		tmp := append([]byte(nil), decoded[start:]...)
		c.out = decoded[:start]
		for len(tmp) > 0 {
			r, n := utf8.DecodeRune(tmp)
			c.appendRune(r)
			tmp = tmp[n:]
		}
	default:
		out, ok := c.decodeRun(c.out, cp, p)
		if ok {
			c.out = out
			return
		}
		if c.mode == modeHTML {
			c.needRaw = true
			c.unknownCP = cp
			return
		}
		for _, b := range p {
			if b < utf8.RuneSelf {
				c.out = append(c.out, b)
			} else {
				c.out = utf8.AppendRune(c.out, utf8.RuneError)
			}
		}
	}
}
