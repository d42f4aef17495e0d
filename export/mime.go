package export

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MIME building blocks: entities, parts, multiparts, RFC 2231 parameters.

// entity is one MIME entity: header lines (without CRLF, continuation lines
// included) and the encoded body.
type entity struct {
	header []string
	body   content
}

func (e *entity) add(name, value string) {
	e.header = append(e.header, fold(name+": "+value))
}

// content is the entity whole: header, empty line, body.
func (e entity) content() content {
	var cb contentBuilder
	cb.buf = make([]byte, 0, e.body.heldSize()+256)
	for _, h := range e.header {
		cb.writeString(h)
		cb.writeString("\r\n")
	}
	cb.writeString("\r\n")
	cb.content(e.body)
	return cb.done()
}

// binaryPart is a base64 part with its disposition and optional name and
// Content-ID, of data or, when src is set, of the bytes it streams.
func binaryPart(mediaType string, params [][2]string, disp, name, cid string, data []byte, src *Source) entity {
	var e entity
	var dp [][2]string
	if name != "" {
		params = append(params, [2]string{"name", name})
		dp = [][2]string{{"filename", name}}
	}
	e.add("Content-Type", formatParams(mediaType, params))
	e.add("Content-Disposition", formatParams(disp, dp))
	if id := strings.Trim(strings.TrimSpace(cid), "<>"); id != "" {
		if id = msgIDs(id); id != "" {
			e.add("Content-ID", id)
		}
	}
	e.add("Content-Transfer-Encoding", "base64")
	if src != nil {
		e.body = content{{stream: base64Stream(src)}}
	} else {
		e.body = heldBytes(base64Lines(data))
	}
	return e
}

// base64Lines encodes data in base64 lines of 76 characters, each ending in
// CRLF.
func base64Lines(data []byte) []byte {
	return appendBase64Lines(make([]byte, 0, (len(data)+56)/57*78), data)
}

// textPart is a quoted-printable text part; its body ends in CRLF (a final
// soft line break when the text does not end in a line break). The text
// is text or, when src is set, what src streams (UTF-8).
func textPart(subtype, charset string, text []byte, src *Source) entity {
	var e entity
	var params [][2]string
	if charset != "" {
		params = [][2]string{{"charset", charset}}
	}
	e.add("Content-Type", formatParams("text/"+subtype, params))
	e.add("Content-Transfer-Encoding", "quoted-printable")
	if src != nil {
		e.body = content{{stream: qpStream(src)}}
		return e
	}
	var qp qpEncoder
	e.body = heldBytes(qpEnd(qp.close(qp.append(make([]byte, 0, len(text)+len(text)/8+8), text))))
	return e
}

// multipartEntity joins parts into a multipart entity whose boundary is derived
// from seed (the item) and checked not to occur in the parts.
func multipartEntity(seed, subtype string, parts []entity, params ...string) entity {
	sum := sha256.Sum256([]byte(seed + "/" + subtype))
	size := 0
	for _, p := range parts {
		for _, l := range p.header {
			size += len(l) + 2
		}
		size += 2 + p.body.heldSize()
	}
	var boundary string
	for n := 0; ; n++ {
		boundary = "=_pst_" + hex.EncodeToString(sum[:12])
		if n > 0 {
			boundary += "_" + strconv.Itoa(n)
		}
		marker := []byte("--" + boundary)
		clash := false
		for _, p := range parts {
			if p.body.contains(marker) || slices.ContainsFunc(p.header, func(l string) bool { return strings.Contains(l, string(marker)) }) {
				clash = true
				break
			}
		}
		if !clash {
			break
		}
	}
	var e entity
	ps := [][2]string{{"boundary", boundary}}
	for i := 0; i+1 < len(params); i += 2 {
		ps = append(ps, [2]string{params[i], params[i+1]})
	}
	e.add("Content-Type", formatParams("multipart/"+subtype, ps))
	var cb contentBuilder
	cb.buf = make([]byte, 0, size+(len(parts)+1)*(len(boundary)+8))
	for _, p := range parts {
		cb.writeString("--" + boundary + "\r\n")
		for _, l := range p.header {
			cb.writeString(l)
			cb.writeString("\r\n")
		}
		cb.writeString("\r\n")
		cb.content(p.body)
		cb.writeString("\r\n")
	}
	cb.writeString("--" + boundary + "--\r\n")
	e.body = cb.done()
	return e
}

// formatParams formats a media type or disposition with parameters, one per
// folded line when the header gets long. Values that are short printable
// ASCII are written as tokens or quoted strings (mime.FormatMediaType's
// rules); others in RFC 2231 extended form (charset utf-8), split into numbered
// continuations of at most about 60 characters, never inside a character.
func formatParams(value string, params [][2]string) string {
	var ps []string
	for _, p := range params {
		k, v := p[0], p[1]
		if plainParam(v) {
			if s := mime.FormatMediaType("x/x", map[string]string{k: v}); s != "" {
				ps = append(ps, strings.TrimPrefix(s, "x/x; "))
				continue
			}
		}
		var segs []string
		var seg strings.Builder
		for i := 0; i < len(v); {
			_, n := utf8.DecodeRuneInString(v[i:])
			var enc strings.Builder
			for _, c := range []byte(v[i : i+n]) {
				if isAttrChar(c) {
					enc.WriteByte(c)
				} else {
					enc.WriteByte('%')
					enc.WriteString(strings.ToUpper(hex.EncodeToString([]byte{c})))
				}
			}
			if seg.Len() > 0 && seg.Len()+enc.Len() > 60 {
				segs = append(segs, seg.String())
				seg.Reset()
			}
			seg.WriteString(enc.String())
			i += n
		}
		segs = append(segs, seg.String())
		if len(segs) == 1 {
			ps = append(ps, k+"*=utf-8''"+segs[0])
			continue
		}
		for i, s := range segs {
			if i == 0 {
				s = "utf-8''" + s
			}
			ps = append(ps, k+"*"+strconv.Itoa(i)+"*="+s)
		}
	}
	if len(ps) == 0 {
		return value
	}
	one := value + "; " + strings.Join(ps, "; ")
	if len(one) <= 50 {
		return one
	}
	// One parameter a line, so folding never has to break inside a value.
	return value + ";\r\n " + strings.Join(ps, ";\r\n ")
}

// plainParam reports whether v can be a plain (token or quoted-string)
// parameter value: printable ASCII, not too long to fit a line, and without
// leading, trailing or doubled spaces that unfolding might change.
func plainParam(v string) bool {
	if len(v) > 60 || strings.Contains(v, "  ") || strings.TrimSpace(v) != v {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// isAttrChar reports whether c may appear unencoded in an RFC 2231 extended
// value (attribute-char: a token character other than * ' %).
func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

// cleanToken keeps a charset-like token: letters, digits and -_.:+ only.
func cleanToken(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.:+", c) >= 0) {
			return ""
		}
	}
	if len(s) > 40 {
		return ""
	}
	return s
}
