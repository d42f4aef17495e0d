package rtf

// tokKind is the kind of an RTF token.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokOpen           // {
	tokClose          // }
	tokWord           // \word or \wordN
	tokSymbol         // \x for a non-letter x other than '
	tokHex            // \'hh
	tokText           // a run of plain text bytes
)

// maxWordLen is the longest control word name kept for matching; the RTF
// specification allows 32 letters. Longer names are consumed but truncated,
// so they match nothing.
const maxWordLen = 32

// token is one lexical RTF token. name and text alias the input.
type token struct {
	kind     tokKind
	nameLen  int // tokWord: length of the name in lower
	param    int // tokWord: the numeric parameter, clamped to int32
	hasParam bool
	sym      byte             // tokSymbol: the character; tokHex: the byte value
	text     []byte           // tokText
	lower    [maxWordLen]byte // tokWord: the letters, lower-cased
}

// word returns the lower-cased control word name of a tokWord token.
func (t *token) word() string { return string(t.lower[:t.nameLen]) }

// lexer splits RTF into tokens. It never fails: malformed escapes are
// skipped, and it always makes progress, so a loop over next ends.
type lexer struct {
	b   []byte
	pos int
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// next fills t with the next token. Bare CR and LF are ignored, as RTF
// requires.
func (l *lexer) next(t *token) {
	for {
		if l.pos >= len(l.b) {
			t.kind = tokEOF
			return
		}
		c := l.b[l.pos]
		switch c {
		case '{':
			l.pos++
			t.kind = tokOpen
			return
		case '}':
			l.pos++
			t.kind = tokClose
			return
		case '\r', '\n':
			l.pos++
			continue
		case '\\':
			if l.escape(t) {
				return
			}
			continue
		default:
			start := l.pos
			for l.pos < len(l.b) {
				c := l.b[l.pos]
				if c == '{' || c == '}' || c == '\\' || c == '\r' || c == '\n' {
					break
				}
				l.pos++
			}
			t.kind = tokText
			t.text = l.b[start:l.pos]
			return
		}
	}
}

// escape lexes the token starting at a backslash. It reports false when the
// escape produced no token (a malformed \' or a trailing backslash).
func (l *lexer) escape(t *token) bool {
	l.pos++ // the backslash
	if l.pos >= len(l.b) {
		return false
	}
	c := l.b[l.pos]
	if c == '\'' {
		l.pos++
		if l.pos+2 <= len(l.b) {
			hi, ok1 := hexVal(l.b[l.pos])
			lo, ok2 := hexVal(l.b[l.pos+1])
			if ok1 && ok2 {
				l.pos += 2
				t.kind = tokHex
				t.sym = hi<<4 | lo
				return true
			}
		}
		return false
	}
	if !isLetter(c) {
		l.pos++
		t.kind = tokSymbol
		t.sym = c
		return true
	}

	start := l.pos
	for l.pos < len(l.b) && isLetter(l.b[l.pos]) {
		l.pos++
	}
	n := l.pos - start
	if n > maxWordLen {
		n = maxWordLen
	}
	for i := 0; i < n; i++ {
		ch := l.b[start+i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		t.lower[i] = ch
	}
	t.kind = tokWord
	t.nameLen = n
	t.param = 0
	t.hasParam = false

	neg := false
	if l.pos+1 < len(l.b) && l.b[l.pos] == '-' && isDigit(l.b[l.pos+1]) {
		neg = true
		l.pos++
	}
	if l.pos < len(l.b) && isDigit(l.b[l.pos]) {
		t.hasParam = true
		v := 0
		for l.pos < len(l.b) && isDigit(l.b[l.pos]) {
			if v < 1<<31 {
				v = v*10 + int(l.b[l.pos]-'0')
			}
			l.pos++
		}
		if v > 1<<31-1 {
			v = 1<<31 - 1
		}
		if neg {
			v = -v
		}
		t.param = v
	}
	if l.pos < len(l.b) && l.b[l.pos] == ' ' {
		l.pos++ // the delimiting space belongs to the control word
	}
	// \binN: N bytes of binary data follow; skip them here so they are never
	// read as RTF.
	if t.word() == "bin" && t.hasParam && t.param > 0 {
		skip := t.param
		if skip > len(l.b)-l.pos {
			skip = len(l.b) - l.pos
		}
		l.pos += skip
	}
	return true
}
