package export

import (
	"io"
	"time"
)

// Rendering: an item formatted for its file (EML, vCard, iCalendar) or
// for its folder's mbox, and named, before it is placed.

// Rendered is an item formatted for its file, ready for AddRendered.
type Rendered struct {
	kind, base, ext string
	sp              *spool // the bytes, their size and SHA-256
	err             error
}

// Render formats an item for its file: the costly part of adding it,
// which changes nothing of the tree (it writes a temporary file in DIR),
// so several goroutines may render while AddRendered places the results
// in order. The bytes of what the item streams (Source) are read now. A
// Rendered must be placed (AddRendered) or discarded.
func (t *Tree) Render(it *Item) *Rendered {
	r := &Rendered{kind: KindOf(it.Class)}
	held := 0
	var write func(io.Writer) error
	switch {
	case r.kind == KindContact:
		write = func(w io.Writer) error { return WriteVCard(w, it) }
		r.base, r.ext = contactName(it), ".vcf"
	case r.kind == KindEvent:
		write = func(w io.Writer) error { return WriteICal(w, it) }
		start := it.Date
		if it.Event != nil && !it.Event.Start.IsZero() {
			start = it.Event.Start
		}
		r.base, r.ext = datePrefix(start)+subjectOr(it.Subject), ".ics"
	case t.opt.Format == FormatMbox:
		// Appended to its folder's mbox when placed.
		held = spoolMemory
		write = func(w io.Writer) error {
			msg, err := t.opt.EML.message(it, 0)
			if err != nil {
				return err
			}
			return writeMboxMessage(w, mboxSender(it.From), it.Date, msg)
		}
	default:
		write = func(w io.Writer) error { return t.opt.EML.WriteEML(w, it) }
		r.base, r.ext = datePrefix(it.Date)+subjectOr(it.Subject), ".eml"
	}
	sp := t.newSpool(held)
	err := write(sp)
	if e := sp.finish(); err == nil {
		err = e
	}
	if err != nil {
		sp.discard()
		r.err = err
		return r
	}
	r.sp = sp
	return r
}

// discard drops a rendered item that is not placed.
func (r *Rendered) discard() {
	if r.sp != nil {
		r.sp.discard()
		r.sp = nil
	}
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
