package export

import (
	"mime"
	"path"
	"strconv"
	"strings"
)

// Attachments and embedded messages as MIME parts.

// attachment renders one attachment; depth is that of the message holding it.
func (o EMLOptions) attachment(a *Attachment, depth int, inline bool) (entity, error) {
	if a.Embedded != nil {
		name := embeddedName(a)
		if depth+1 > MaxEmbedDepth {
			note := "pstcheck: the embedded message " + strconv.Quote(name) +
				" is not included: messages nest more than " + strconv.Itoa(MaxEmbedDepth) + " levels deep here.\n"
			return textPart("plain", "utf-8", []byte(note), nil), nil
		}
		msg, err := o.message(a.Embedded, depth+1)
		if err != nil {
			return entity{}, err
		}
		var e entity
		e.add("Content-Type", "message/rfc822")
		e.add("Content-Disposition", formatParams("attachment", [][2]string{{"filename", name}}))
		if msg.has8bit() {
			e.add("Content-Transfer-Encoding", "8bit")
		}
		e.body = msg
		return e, nil
	}
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	mt, params := attachmentType(a)
	return binaryPart(mt, params, disp, a.Filename, a.ContentID, a.Data, a.Stream), nil
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
