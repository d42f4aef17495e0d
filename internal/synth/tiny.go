package synth

import (
	"fmt"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// Tiny returns the smallest stores that still hold every structure a
// message store has, as fuzz seeds: the file is trimmed after its last
// block, so a seed is tens of kilobytes instead of the quarter megabyte
// even an empty Outlook store takes. Variant 0 holds one message with a
// body of two data blocks (an XBLOCK), recipients, an attachment, an
// embedded message with an attachment of its own and a named property,
// next to a folder associated (FAI) item and a subfolder; variant 1 a
// folder of 40 messages, whose contents table keeps its rows in a
// subnode.
func Tiny(variant int) ([]byte, error) {
	var buf pstwrite.Buffer
	w, err := pstwrite.New(&buf, pstwrite.Options{DisplayName: "tiny", Trim: true})
	if err != nil {
		return nil, err
	}
	inbox, err := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "Inbox", Class: "IPF.Note"})
	if err != nil {
		return nil, err
	}
	switch variant {
	case 0:
		err = tinyMessage(w, inbox)
	default:
		for i := range 40 {
			m := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, fmt.Sprintf("m%d", i))}}
			if err = w.AddMessage(inbox, m); err != nil {
				break
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func tinyMessage(w *pstwrite.Writer, inbox pstwrite.FolderID) error {
	sub, err := w.AddFolder(inbox, pstwrite.Folder{Name: "Sub"})
	if err != nil {
		return err
	}
	kw, err := w.NamedProperty(pstwrite.PropertyName{GUID: pstwrite.PSPublicStrings, Name: "Keywords"})
	if err != nil {
		return err
	}
	rcpt := func(name string) []pstwrite.Property {
		return []pstwrite.Property{pstwrite.Int32(0x0C15, 1), pstwrite.String(0x3001, name),
			pstwrite.String(0x3003, name+"@example.com"), pstwrite.String(0x3002, "SMTP")}
	}
	m := &pstwrite.Message{
		Props: []pstwrite.Property{
			pstwrite.String(0x0037, "tiny"),
			pstwrite.String(0x1000, strings.Repeat("body ", 820)), // 8,200 bytes: two blocks
			pstwrite.MultiString(kw, "a", "b"),
		},
		Recipients: [][]pstwrite.Property{rcpt("ann"), rcpt("bob")},
		Attachments: []pstwrite.Attachment{
			{Props: []pstwrite.Property{pstwrite.String(0x3707, "a.txt"), pstwrite.Binary(0x3701, []byte("attached"))}},
			{Props: []pstwrite.Property{pstwrite.String(0x3001, "inner")}, Embedded: &pstwrite.Message{
				Props:       []pstwrite.Property{pstwrite.String(0x0037, "inner")},
				Recipients:  [][]pstwrite.Property{rcpt("cy")},
				Attachments: []pstwrite.Attachment{{Props: []pstwrite.Property{pstwrite.Binary(0x3701, []byte("x"))}}},
			}},
		},
	}
	if err := w.AddMessage(inbox, m); err != nil {
		return err
	}
	if err := w.AddMessage(sub, &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "other")}}); err != nil {
		return err
	}
	return w.AddAssociated(inbox, &pstwrite.Message{Props: []pstwrite.Property{
		pstwrite.String(0x001A, "IPM.Microsoft.FolderDesign.NamedView"), pstwrite.String(0x3001, "view")}})
}
