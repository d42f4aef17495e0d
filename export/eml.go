package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxEmbedDepth is how deep WriteEML nests embedded messages: a message
// attached to a message attached to ... the item. An embedded message deeper
// than that is replaced by a short text/plain part saying so, which also ends
// any cycle a damaged store might produce.
const MaxEmbedDepth = 8

// EMLOptions adjusts WriteEML. The zero value is the default.
type EMLOptions struct {
	// RTFToHTML, when set, is tried for an item with an RTF body and no HTML
	// body; the signature is that of rtf.ToHTML. When it reports ok, the HTML
	// (in charset, "" meaning utf-8) takes the place of the RTF, which is then
	// not attached. Otherwise the RTF is attached as "body.rtf".
	RTFToHTML func(rtf []byte) (html []byte, charset string, ok bool)
}

// WriteEML writes it as one RFC 5322 Internet message with MIME (RFC 2045-2049)
// body parts. It is EMLOptions{}.WriteEML.
func WriteEML(w io.Writer, it *Item) error { return EMLOptions{}.WriteEML(w, it) }

// WriteEML writes it as one RFC 5322 Internet message with MIME body parts.
//
// Every line ends in CRLF, including the last: the output is the canonical
// form mail servers exchange, parses with net/mail and mime/multipart, and is
// 7-bit ASCII unless an address has a non-ASCII (RFC 6532) mailbox name.
//
// Headers, in this order:
//   - Original headers (it.Headers, the transport headers of a received
//     message) in their original order and folding, except those listed next;
//     a value with non-ASCII or control characters is re-encoded as an
//     RFC 2047 encoded-word. Dropped: MIME-Version and Content-Type,
//     -Transfer-Encoding, -Disposition, -ID, -Length, -MD5, -Description,
//     -Base, -Location (the body is rebuilt); DKIM-Signature,
//     DomainKey-Signature, ARC-Seal and ARC-Message-Signature (the rebuilt
//     message no longer matches them); Status, X-Status, X-Mozilla-Status,
//     X-Mozilla-Status2, X-UID, X-IMAP, X-IMAPbase (mail-store state that
//     would mark the message read, deleted or renumbered on import); and
//     From, To, Cc, Bcc, Subject, Date, Message-ID and In-Reply-To when the
//     item has a value for them, since those are generated next. Everything
//     else is kept: Received, Return-Path, Reply-To, Sender, References,
//     List-*, Authentication-Results, X-*, ...
//   - From, Sender, To, Cc, Bcc, Subject, Date, Message-ID, In-Reply-To
//     from the item, each only when it has a value, except that every
//     message (embedded ones too) has From and Date, which RFC 5322
//     requires: a sender without an address is written with the
//     address no-address@pstcheck.invalid; when neither the item nor its
//     original headers have a sender, From is "Unknown sender"
//     <no-address@pstcheck.invalid>, and without a date, Date is the Unix
//     epoch. Sender is the delegate of a message sent on behalf of From.
//     Bcc is written: a store holds Bcc
//     recipients only for messages its owner sent, and RFC 5322 §3.6.3 lets
//     the sender's copy carry them. Subject and display names that are not
//     plain ASCII become RFC 2047 encoded-words; Date is RFC 1123 with a
//     numeric zone, in the zone of it.Date. An address whose Email is not a
//     valid addr-spec (an Exchange X.500 DN, say) is written in Exchange's
//     IMCEAEX form in the domain "pstcheck.invalid"; a recipient with a name
//     and no address is written as an empty group, "Name:;".
//   - MIME-Version: 1.0 and the body's Content-Type. No X- headers are added.
//
// Body structure, from the inside out:
//   - text/plain (utf-8, quoted-printable) for it.Body, left out only when
//     there is an HTML body and Body is empty; line ends become CRLF;
//   - text/html (quoted-printable) for it.HTML, in HTMLCharset, else the
//     charset a <meta> in the first 4 KiB declares, else utf-8 if the bytes
//     are valid UTF-8, else no charset; plain and HTML together make a
//     multipart/alternative;
//   - attachments with a ContentID the HTML refers to ("cid:...") go with the
//     HTML into a multipart/related; other attachments, an RTF body without
//     HTML ("body.rtf", application/rtf) and embedded messages (message/rfc822,
//     named with ".eml",
//     written by this function recursively, see MaxEmbedDepth) make the
//     whole a multipart/mixed.
//
// Attachment names go in Content-Type name= and Content-Disposition
// filename= exactly as stored, with RFC 2231 encoding (and continuations for
// long names) where needed, so any name round-trips; writers of files make
// names safe, not this function. The type is MimeType, else the one
// mime.TypeByExtension gives for the name (Go's table plus the system's,
// so that one may differ between machines), else application/octet-stream;
// message/* and multipart/* become application/octet-stream for attachments
// stored as bytes (MIME forbids base64 for them). Attachment bodies are base64
// in lines of 76 characters.
//
// The output is deterministic: boundaries are derived from a hash of the
// content they enclose, so writing the same item again gives the same bytes.
func (o EMLOptions) WriteEML(w io.Writer, it *Item) error {
	if it == nil {
		return errors.New("export: nil item")
	}
	b := o.message(it, 0)
	_, err := w.Write(b)
	return err
}

// entity is one MIME entity: header lines (without CRLF, continuation lines
// included) and the encoded body.
type entity struct {
	header []string
	body   []byte
}

func (e *entity) add(name, value string) {
	e.header = append(e.header, fold(name+": "+value))
}

func (e entity) bytes() []byte {
	var b bytes.Buffer
	b.Grow(len(e.body) + 256)
	for _, h := range e.header {
		b.WriteString(h)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	b.Write(e.body)
	return b.Bytes()
}

// message renders it at the given nesting depth (0 for the item itself).
func (o EMLOptions) message(it *Item, depth int) []byte {
	// Boundaries derive from the item (checked against
	// the parts they separate), so the same item always gives the same
	// bytes without hashing its whole content at every level.
	seed := fmt.Sprintf("%x.%s", it.NID, it.Subject)
	html, charset := it.HTML, it.HTMLCharset
	var rtfBody []byte
	if len(html) == 0 && len(it.RTF) > 0 {
		if o.RTFToHTML != nil {
			if h, cs, ok := o.RTFToHTML(it.RTF); ok && len(h) > 0 {
				html, charset = h, cs
				if charset == "" {
					charset = "utf-8"
				}
			}
		}
		if len(html) == 0 {
			rtfBody = it.RTF
		}
	}

	// Attachments the HTML shows inline go with it in a multipart/related.
	isRelated := func(a *Attachment) bool {
		return a.Embedded == nil && len(html) > 0 && refersTo(html, a.ContentID)
	}
	var related, mixed []entity
	for i := range it.Attachments {
		if a := &it.Attachments[i]; isRelated(a) {
			related = append(related, o.attachment(a, depth, true))
		}
	}
	// The alternatives: plain text (left out only for an HTML body with
	// no text), HTML with what it shows inline, and a meeting message's
	// invitation or answer.
	var alts []entity
	if it.Body != "" || len(html) == 0 {
		alts = append(alts, textPart("plain", "utf-8", []byte(strings.ToValidUTF8(it.Body, "\uFFFD"))))
	}
	if len(html) > 0 {
		h := textPart("html", htmlCharset(charset, html), html)
		if len(related) > 0 {
			h = multipartEntity(seed, "related", append([]entity{h}, related...), "type", "text/html")
		}
		alts = append(alts, h)
	}
	if cal := calendarPart(it); cal != nil {
		alts = append(alts, *cal)
	}
	body := alts[0]
	if len(alts) > 1 {
		body = multipartEntity(seed, "alternative", alts)
	}
	if rtfBody != nil {
		// application/rtf: RTF may carry 8-bit bytes in any code page
		// (its \ansicpg says which), so text/rtf without a charset would
		// be wrong, and it is the type mail clients open with a word
		// processor.
		mixed = append(mixed, binaryPart("application/rtf", nil, "attachment", "body.rtf", "", rtfBody))
	}
	for i := range it.Attachments {
		if a := &it.Attachments[i]; !isRelated(a) {
			mixed = append(mixed, o.attachment(a, depth, false))
		}
	}
	if len(mixed) > 0 {
		body = multipartEntity(seed, "mixed", append([]entity{body}, mixed...))
	}

	var top entity
	type field struct{ name, value string }
	fields := []field{
		{"From", ""},
		{"Sender", ""},
		{"To", formatAddressList(it.To)},
		{"Cc", formatAddressList(it.Cc)},
		{"Bcc", formatAddressList(it.Bcc)},
		{"Subject", ""},
		{"Date", ""},
		{"Message-ID", msgIDs(it.MessageID)},
		{"In-Reply-To", msgIDs(it.InReplyTo)},
	}
	if !isZero(it.From) {
		fields[0].value = formatMailbox(it.From)
	}
	if !isZero(it.Sender) {
		fields[1].value = formatMailbox(it.Sender)
	}
	if it.Subject != "" {
		fields[5].value = encodeText(it.Subject)
	}
	if validDate(it.Date) {
		fields[6].value = headerDate(it.Date)
	}
	generated := map[string]bool{}
	for _, f := range fields {
		generated[strings.ToLower(f.name)] = f.value != ""
	}
	top.header = keptHeaders(it.Headers, generated)
	// RFC 5322 requires From and Date: when neither the item nor its
	// original headers have one, a placeholder says it is unknown.
	if fields[0].value == "" && !hasField(top.header, "from") {
		fields[0].value = formatMailbox(Address{})
	}
	if fields[6].value == "" && !hasField(top.header, "date") {
		fields[6].value = headerDate(time.Time{})
	}
	for _, f := range fields {
		if f.value != "" {
			top.add(f.name, f.value)
		}
	}
	if it.Damage != "" {
		// An item written with --include-damaged says so where any mail
		// client shows headers, and what was wrong with it.
		top.add("X-Pstcheck-Damaged", encodeText(it.Damage))
	}
	top.add("MIME-Version", "1.0")
	top.header = append(top.header, body.header...)
	top.body = body.body
	return top.bytes()
}

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

// refersTo reports whether the HTML refers to the content ID ("cid:id").
func refersTo(html []byte, cid string) bool {
	id := strings.Trim(strings.TrimSpace(cid), "<>")
	if id == "" {
		return false
	}
	return bytes.Contains(bytes.ToLower(html), []byte("cid:"+strings.ToLower(id)))
}

// attachment renders one attachment; depth is that of the message holding it.
func (o EMLOptions) attachment(a *Attachment, depth int, inline bool) entity {
	if a.Embedded != nil {
		name := embeddedName(a)
		if depth+1 > MaxEmbedDepth {
			note := "pstcheck: the embedded message " + strconv.Quote(name) +
				" is not included: messages nest more than " + strconv.Itoa(MaxEmbedDepth) + " levels deep here.\n"
			return textPart("plain", "utf-8", []byte(note))
		}
		msg := o.message(a.Embedded, depth+1)
		var e entity
		e.add("Content-Type", "message/rfc822")
		e.add("Content-Disposition", formatParams("attachment", [][2]string{{"filename", name}}))
		for _, c := range msg {
			if c >= 0x80 {
				e.add("Content-Transfer-Encoding", "8bit")
				break
			}
		}
		e.body = msg
		return e
	}
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	mt, params := attachmentType(a)
	return binaryPart(mt, params, disp, a.Filename, a.ContentID, a.Data)
}

// embeddedName is the file name of an attached message, which is written
// as message/rfc822: the stored name (often the subject, with no
// extension), else the subject, else "message", ending in ".eml" (which
// replaces Outlook's ".msg").
func embeddedName(a *Attachment) string {
	name := strings.TrimSpace(a.Filename)
	if name == "" && a.Embedded != nil {
		name = strings.TrimSpace(a.Embedded.Subject)
	}
	if name == "" {
		name = "message"
	}
	if strings.HasSuffix(strings.ToLower(name), ".msg") {
		name = name[:len(name)-4]
	}
	return withExt(name, ".eml", "message")
}

// attachmentType chooses the media type of an attachment stored as bytes.
func attachmentType(a *Attachment) (string, [][2]string) {
	byExt := mime.TypeByExtension(strings.ToLower(path.Ext(strings.ReplaceAll(a.Filename, `\`, "/"))))
	for i, s := range []string{a.MimeType, byExt} {
		if s == "" {
			continue
		}
		mt, p, err := mime.ParseMediaType(s)
		if err != nil || !strings.Contains(mt, "/") || strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") {
			continue
		}
		var params [][2]string
		// A charset is kept only when the store gives it: the extension
		// table's "charset=utf-8" for .txt says nothing about the bytes.
		if cs := cleanToken(p["charset"]); cs != "" && i == 0 {
			params = append(params, [2]string{"charset", cs})
		}
		return mt, params
	}
	return "application/octet-stream", nil
}

// binaryPart is a base64 part with its disposition and optional name and
// Content-ID.
func binaryPart(mediaType string, params [][2]string, disp, name, cid string, data []byte) entity {
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
	e.body = base64Lines(data)
	return e
}

// base64Lines encodes data in base64 lines of 76 characters, each ending in
// CRLF.
func base64Lines(data []byte) []byte {
	const in = 57 // bytes per 76-character line
	out := make([]byte, 0, (len(data)+in-1)/in*78)
	line := make([]byte, 76)
	for len(data) > 0 {
		n := min(len(data), in)
		m := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(line, data[:n])
		out = append(out, line[:m]...)
		out = append(out, '\r', '\n')
		data = data[n:]
	}
	return out
}

// textPart is a quoted-printable text part; its body ends in CRLF (a final
// soft line break when the text does not end in a line break).
func textPart(subtype, charset string, text []byte) entity {
	var e entity
	var params [][2]string
	if charset != "" {
		params = [][2]string{{"charset", charset}}
	}
	e.add("Content-Type", formatParams("text/"+subtype, params))
	e.add("Content-Transfer-Encoding", "quoted-printable")
	var b bytes.Buffer
	qp := quotedprintable.NewWriter(&b)
	qp.Write(text)
	qp.Close()
	if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("=\r\n")
	}
	e.body = b.Bytes()
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
		size += 2 + len(p.body)
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
			if bytes.Contains(p.body, marker) || slices.ContainsFunc(p.header, func(l string) bool { return strings.Contains(l, string(marker)) }) {
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
	var b bytes.Buffer
	b.Grow(size + (len(parts)+1)*(len(boundary)+8))
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n")
		for _, l := range p.header {
			b.WriteString(l)
			b.WriteString("\r\n")
		}
		b.WriteString("\r\n")
		b.Write(p.body)
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	e.body = b.Bytes()
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

// htmlCharset chooses the charset label of an HTML body.
func htmlCharset(declared string, html []byte) string {
	if cs := cleanToken(declared); cs != "" {
		return strings.ToLower(cs)
	}
	head := bytes.ToLower(html[:min(len(html), 4096)])
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
	if utf8.Valid(html) {
		return "utf-8"
	}
	return ""
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
