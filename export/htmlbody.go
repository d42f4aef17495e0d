package export

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// An HTML body: the charset it is labelled with, and which attachments it
// shows inline (by "cid:" reference). A body held in memory is looked at
// directly; one streamed from the store is read once for this, before it
// is written, with the same results.

// refersTo reports whether the HTML refers to the content ID ("cid:id").
func refersTo(html []byte, cid string) bool {
	needle := cidNeedle(cid)
	return needle != nil && bytes.Contains(bytes.ToLower(html), needle)
}

// cidNeedle is what an HTML body holds, lowered, when it refers to the
// content ID; nil for an empty ID.
func cidNeedle(cid string) []byte {
	id := strings.Trim(strings.TrimSpace(cid), "<>")
	if id == "" {
		return nil
	}
	return []byte("cid:" + strings.ToLower(id))
}

// htmlHead is how much of an HTML body is searched for a <meta> charset.
const htmlHead = 4096

// htmlCharset chooses the charset label of an HTML body.
func htmlCharset(declared string, html []byte) string {
	return htmlCharsetOf(declared, html[:min(len(html), htmlHead)], func() bool { return utf8.Valid(html) })
}

// htmlCharsetOf chooses the charset label of an HTML body that starts with
// head: the declared one, else the one a <meta> in head names, else utf-8
// when valid says the whole body is valid UTF-8, else none.
func htmlCharsetOf(declared string, head []byte, valid func() bool) string {
	if cs := cleanToken(declared); cs != "" {
		return strings.ToLower(cs)
	}
	head = bytes.ToLower(head)
	for off := 0; ; {
		i := bytes.Index(head[off:], []byte("charset"))
		if i < 0 {
			break
		}
		rest := head[off+i+len("charset"):]
		off += i + len("charset")
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if len(rest) == 0 || rest[0] != '=' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n\"'")
		n := 0
		for n < len(rest) && cleanToken(string(rest[n:n+1])) != "" {
			n++
		}
		if n > 0 && n <= 40 {
			return string(rest[:n])
		}
	}
	if valid() {
		return "utf-8"
	}
	return ""
}

// scanHTML reads a streamed HTML body once and says what htmlCharset and
// refersTo would say of it held whole: its charset label (declared
// first), and which of cids (content IDs, "" for none) it refers to.
func scanHTML(src *Source, declared string, cids []string) (charset string, refs []bool, err error) {
	r, err := src.open()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	needles := make([][]byte, len(cids))
	longest := 0
	for i, c := range cids {
		needles[i] = cidNeedle(c)
		longest = max(longest, len(needles[i]))
	}
	refs = make([]bool, len(cids))
	var head []byte
	valid := true
	var carry []byte   // the end of the input that may be the start of a rune
	var lowered []byte // the end of the lowered text, which a match may start in
	buf := make([]byte, 64<<10)
	for {
		n, rerr := io.ReadFull(r, buf)
		if len(head) < htmlHead {
			head = append(head, buf[:min(n, htmlHead-len(head))]...)
		}
		in := append(carry, buf[:n]...)
		end := len(in)
		if rerr == nil {
			end = runeCut(in)
		}
		chunk := in[:end]
		if valid && !utf8.Valid(chunk) {
			valid = false
		}
		if longest > 0 {
			// bytes.ToLower works rune by rune: a chunk cut between runes
			// lowers as the whole body would.
			lowered = append(lowered, bytes.ToLower(chunk)...)
			for i, nd := range needles {
				if nd != nil && !refs[i] && bytes.Contains(lowered, nd) {
					refs[i] = true
				}
			}
			lowered = append(lowered[:0], lowered[max(len(lowered)-longest+1, 0):]...)
		}
		carry = append(carry[:0:0], in[end:]...)
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return "", nil, rerr
		}
	}
	return htmlCharsetOf(declared, head, func() bool { return valid }), refs, nil
}

// runeCut is where to cut b so that no rune is split: before a last rune
// that is not complete yet.
func runeCut(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}
