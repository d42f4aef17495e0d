package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Rendering: an item formatted for its file (EML, vCard, iCalendar) and
// named, before it is placed.

// Rendered is an item formatted for its file, ready for AddRendered.
type Rendered struct {
	kind, base, ext string
	data            []byte
	sum             string
	err             error
}

// Render formats an item for its file: the costly part of adding it,
// which touches nothing of the tree, so several goroutines may render
// while AddRendered places the results in order.
func (t *Tree) Render(it *Item) *Rendered {
	r := &Rendered{kind: KindOf(it.Class)}
	var buf bytes.Buffer
	switch {
	case r.kind == KindContact:
		r.err = WriteVCard(&buf, it)
		r.base, r.ext = contactName(it), ".vcf"
	case r.kind == KindEvent:
		r.err = WriteICal(&buf, it)
		start := it.Date
		if it.Event != nil && !it.Event.Start.IsZero() {
			start = it.Event.Start
		}
		r.base, r.ext = datePrefix(start)+subjectOr(it.Subject), ".ics"
	case t.opt.Format == FormatMbox:
		return r // appended to its folder's mbox when placed
	default:
		buf.Grow(4096 + len(it.Body) + len(it.HTML) + 2*len(it.RTF))
		r.err = t.opt.EML.WriteEML(&buf, it)
		r.base, r.ext = datePrefix(it.Date)+subjectOr(it.Subject), ".eml"
	}
	r.data = buf.Bytes()
	sum := sha256.Sum256(r.data)
	r.sum = hex.EncodeToString(sum[:])
	return r
}

// subjectOr is the subject part of a file name: "(no subject)" for none,
// and a subject of dots ("." or "..", which SafeName would strip) in
// brackets.
func subjectOr(s string) string { return visibleName(s, "(no subject)") }

func datePrefix(t time.Time) string {
	if !validDate(t) {
		return ""
	}
	return t.UTC().Format("2006-01-02 1504") + " "
}
