package export

import (
	"bytes"
	"mime"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Attachments and embedded messages as MIME parts, and the charset of an
// HTML body.

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
