package pstwrite

import (
	"fmt"
	"slices"
)

// validate checks a message before anything of it is written: a message
// the writer would refuse halfway (a property of no known type, a
// property twice, a named ID without a name, more recipient columns than
// a table holds, an attachment with two contents) is refused whole, and
// the store stays as it was. Errors found later are the output's, and
// stop the writer.
func (w *Writer) validate(m *Message, depth int) error {
	if depth > maxEmbeddedDepth {
		return fmt.Errorf("pstwrite: embedded messages nest deeper than %d", maxEmbeddedDepth)
	}
	if err := w.checkProps(m.Props); err != nil {
		return err
	}
	tags := slices.Clone(recipientColumns)
	tags = append(tags, tagLtpRowID, tagLtpRowVer)
	for i, r := range m.Recipients {
		if err := w.checkProps(r); err != nil {
			return fmt.Errorf("recipient %d: %w", i+1, err)
		}
		for _, p := range r {
			tags = append(tags, p.Tag())
		}
	}
	slices.Sort(tags)
	if n := len(slices.Compact(tags)); n > 255 {
		return fmt.Errorf("pstwrite: the recipients have %d distinct properties; a table holds 255 columns", n)
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if err := w.checkProps(a.Props); err != nil {
			return fmt.Errorf("attachment %d: %w", i+1, err)
		}
		contents := 0
		for _, has := range []bool{a.Data != nil, a.Embedded != nil, a.Object != nil} {
			if has {
				contents++
			}
		}
		if _, ok := find(a.Props, propAttachData); ok {
			contents++
		}
		switch {
		case contents > 1:
			return fmt.Errorf("pstwrite: attachment %d has %d contents (data, embedded message or object: one)", i+1, contents)
		case a.Data != nil && a.Size < 0:
			return fmt.Errorf("pstwrite: attachment %d has a size of %d", i+1, a.Size)
		case a.Embedded != nil:
			if err := w.validate(a.Embedded, depth+1); err != nil {
				return fmt.Errorf("attachment %d: %w", i+1, err)
			}
		}
	}
	return nil
}

// checkProps checks one object's properties: each storable, each ID once,
// every named ID assigned.
func (w *Writer) checkProps(props []Property) error {
	// An ID is marked with the number of the object checked, so that no
	// set is made or cleared per object.
	if w.seen == nil {
		w.seen = new([1 << 16]uint32)
	}
	if w.object++; w.object == 0 {
		clear(w.seen[:]) // the numbers wrapped around
		w.object = 1
	}
	for _, p := range props {
		if err := p.Check(); err != nil {
			return fmt.Errorf("pstwrite: %w", err)
		}
		if w.seen[p.ID] == w.object {
			return fmt.Errorf("pstwrite: property 0x%04X given twice", p.ID)
		}
		w.seen[p.ID] = w.object
	}
	return w.checkNamed(props)
}

// Err is the error that stopped the writer, if any: after it, every call
// fails. A message refused for what it holds does not stop the writer.
func (w *Writer) Err() error {
	if w.closed {
		return w.err
	}
	return w.usable()
}
