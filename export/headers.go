package export

import (
	"encoding/base64"
	"mime"
	"strings"
	"time"
)

// Header fields: dates, encoded words, folding, and which of a received
// message's original headers are kept.

// hasField reports whether header lines hold a field of the lower-case
// name.
func hasField(lines []string, name string) bool {
	for _, l := range lines {
		if len(l) > len(name) && l[len(name)] == ':' && strings.EqualFold(l[:len(name)], name) {
			return true
		}
	}
	return false
}

func validDate(t time.Time) bool { return !t.IsZero() && t.Year() >= 1 && t.Year() <= 9999 }

// headerDate formats a Date field: RFC 1123 with a numeric zone, in the
// zone of t; the Unix epoch when t is unknown, since RFC 5322 requires a
// Date and a made-up one that looks real would mislead.
func headerDate(t time.Time) string {
	if !validDate(t) {
		t = time.Unix(0, 0).UTC()
	}
	return t.Format(time.RFC1123Z)
}

// msgIDs cleans one or more message IDs: each keeps its angle brackets (added
// when missing), whitespace and control or non-ASCII characters are removed,
// and several are separated by one space.
func msgIDs(s string) string {
	var ids []string
	for _, f := range strings.Fields(s) {
		var b strings.Builder
		for i := 0; i < len(f); i++ {
			if c := f[i]; c > 0x20 && c < 0x7f && c != '<' && c != '>' {
				b.WriteByte(c)
			}
		}
		if b.Len() > 0 {
			ids = append(ids, "<"+b.String()+">")
		}
	}
	return strings.Join(ids, " ")
}

// encodeText encodes an unstructured header value (such as Subject): as is
// when it is printable ASCII without anything unfolding or RFC 2047 decoding
// could change, else as RFC 2047 encoded-words.
func encodeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if plainText(s) {
		return s
	}
	if e := mime.QEncoding.Encode("utf-8", s); e != s {
		return e
	}
	// Printable ASCII that still needs encoding (it contains "=?", or spaces
	// that unfolding would lose): mime's encoders leave such text alone.
	var words []string
	for len(s) > 0 {
		n := min(len(s), 45)
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

func plainText(s string) bool {
	if strings.Contains(s, "=?") || strings.Contains(s, "  ") || strings.TrimSpace(s) != s {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// fold folds a header field at single spaces so that lines stay within 78
// characters where the words allow; lines it already has are kept and
// folded further when long. Unfolding (removing each CRLF) gives the field
// back.
func fold(field string) string {
	if !strings.Contains(field, "\r\n") {
		return foldLine(field)
	}
	lines := strings.Split(field, "\r\n")
	for i, l := range lines {
		lines[i] = foldLine(l)
	}
	return strings.Join(lines, "\r\n")
}

func foldLine(line string) string {
	if len(line) <= 78 {
		return line
	}
	var b strings.Builder
	start := 0                   // start of the current output line in line
	lastSpace, lastSep := -1, -1 // last single space; last one after ',' or ';'
	brk := func() {
		at := lastSep
		if at <= start {
			at = lastSpace
		}
		b.WriteString(line[start:at])
		b.WriteString("\r\n")
		start = at
	}
	for i := 1; i < len(line)-1; i++ {
		if line[i] != ' ' || line[i-1] == ' ' || line[i+1] == ' ' || line[i-1] == ':' {
			continue
		}
		if i-start > 78 && lastSpace > start {
			brk()
		}
		lastSpace = i
		if line[i-1] == ',' || line[i-1] == ';' {
			lastSep = i
		}
	}
	if len(line)-start > 78 && lastSpace > start {
		brk()
	}
	b.WriteString(line[start:])
	return b.String()
}

// origField is one header field of the original headers: its lines, the
// first holding the name.
type origField struct {
	name  string // lower case
	lines []string
}

// keptHeaders returns the original header fields WriteEML keeps, as header
// lines; generated reports, by lower-case name, the fields the item supplies.
func keptHeaders(h string, generated map[string]bool) []string {
	if h == "" {
		return nil
	}
	var fields []origField
	var cur *origField
	for _, line := range strings.Split(h, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			if line == "" && len(fields) > 0 {
				break // end of the header
			}
			continue // leading blank lines, whitespace-only lines: dropped
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != nil {
				cur.lines = append(cur.lines, line)
			}
			continue
		}
		cur = nil
		i := strings.IndexByte(line, ':')
		if i <= 0 || !fieldName(line[:i]) {
			continue // malformed (an mbox "From " line, say): dropped
		}
		fields = append(fields, origField{name: strings.ToLower(line[:i]), lines: []string{line}})
		cur = &fields[len(fields)-1]
	}
	var out []string
	for _, f := range fields {
		if dropHeader(f.name, generated) {
			continue
		}
		joined := strings.Join(f.lines, "\r\n")
		if plainHeader(joined) {
			out = append(out, joined)
			continue
		}
		name, value, _ := strings.Cut(strings.Join(f.lines, ""), ":")
		out = append(out, fold(name+": "+encodeText(strings.TrimSpace(value))))
	}
	return out
}

// fieldName reports whether s is a valid header field name (RFC 5322 ftext).
func fieldName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// plainHeader reports whether a header field is ASCII without control
// characters (CRLF between lines and tabs aside).
func plainHeader(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
			continue
		}
		if c != '\t' && (c < 0x20 || c > 0x7e) {
			return false
		}
	}
	return true
}

// dropHeader reports whether an original header field is left out.
func dropHeader(name string, generated map[string]bool) bool {
	if g, ok := generated[name]; ok {
		return g
	}
	switch name {
	case "mime-version",
		"content-type", "content-transfer-encoding", "content-disposition", "content-id",
		"content-length", "content-md5", "content-description", "content-base", "content-location",
		"dkim-signature", "domainkey-signature", "arc-seal", "arc-message-signature",
		"status", "x-status", "x-mozilla-status", "x-mozilla-status2", "x-uid", "x-imap", "x-imapbase":
		return true
	}
	return false
}
