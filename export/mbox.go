package export

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/mail"
	"strings"
	"time"
)

// MboxWriter appends items to an mbox in the mboxrd format:
//
//   - each message starts with a separator line "From SENDER DATE", where
//     SENDER is the item's SMTP sender address (MAILER-DAEMON when it has
//     none) and DATE its date in UTC in asctime form ("Mon Jan  2 15:04:05
//     2006"; the Unix epoch when it has none);
//   - then the message as WriteEML writes it, with LF line ends (the mbox
//     convention; WriteEML's CRLF become LF), and every line that matches
//     ^>*From  (any number of '>' then "From ") gets one more '>';
//   - then one empty line.
//
// SplitMbox reverses all of that exactly.
type MboxWriter struct {
	w   io.Writer
	opt EMLOptions
}

// NewMboxWriter returns an MboxWriter appending to w, writing messages with
// opt.
func NewMboxWriter(w io.Writer, opt EMLOptions) *MboxWriter {
	return &MboxWriter{w: w, opt: opt}
}

// Add appends it.
func (m *MboxWriter) Add(it *Item) error {
	if it == nil {
		return errors.New("export: nil item")
	}
	msg, err := m.opt.message(it, 0)
	if err != nil {
		return err
	}
	return writeMboxMessage(m.w, mboxSender(it.From), it.Date, msg)
}

// WriteMbox writes items as an mbox (see MboxWriter).
func WriteMbox(w io.Writer, items ...*Item) error {
	m := NewMboxWriter(w, EMLOptions{})
	for _, it := range items {
		if err := m.Add(it); err != nil {
			return err
		}
	}
	return nil
}

// mboxSender is the address on the "From " line.
func mboxSender(a Address) string {
	e := strings.TrimSpace(a.Email)
	if strings.HasPrefix(strings.ToLower(e), "smtp:") {
		e = e[5:]
	}
	if e == "" || strings.ContainsAny(e, " \t\r\n") {
		return "MAILER-DAEMON"
	}
	for i := 0; i < len(e); i++ {
		if e[i] < 0x21 || e[i] > 0x7e {
			return "MAILER-DAEMON"
		}
	}
	if p, err := mail.ParseAddress("<" + e + ">"); err != nil || p.Address != e {
		return "MAILER-DAEMON"
	}
	return e
}

// writeMboxMessage writes one mboxrd message: separator, quoted lines, empty
// line.
func writeMboxMessage(w io.Writer, sender string, date time.Time, eml content) error {
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("From " + sender + " " + date.UTC().Format(time.ANSIC) + "\n")
	lw := &mboxLines{w: bw, deciding: true}
	if err := eml.writeTo(lw); err != nil {
		return err
	}
	lw.end()
	bw.WriteByte('\n')
	return bw.Flush()
}

// mboxLines writes a message's lines as an mbox holds them, however the
// message comes cut: CRLF line ends become LF, a line that matches
// ^>*From  gets one more '>', and a last line without a line end gets
// one.
type mboxLines struct {
	w *bufio.Writer
	// At the start of a line, until it is known whether it matches:
	// the '>' seen (quotes) and how much of "From " followed (from).
	deciding     bool
	quotes, from int
	started, cr  bool // a line is under way; a '\r' is held, dropped if '\n' follows
}

func (m *mboxLines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		c := p[0]
		if m.deciding {
			switch {
			case c == '>' && m.from == 0:
				m.quotes++
			case c == "From "[m.from]:
				m.from++
				if m.from == len("From ") {
					m.w.WriteByte('>')
					m.flushPrefix()
				}
			default:
				m.flushPrefix()
				continue // c is the line's, past the prefix
			}
			m.started = true
			p = p[1:]
			continue
		}
		if m.cr {
			m.cr = false
			if c != '\n' {
				m.w.WriteByte('\r')
			}
		}
		switch c {
		case '\n':
			m.w.WriteByte('\n')
			m.deciding, m.started = true, false
			p = p[1:]
			continue
		case '\r':
			m.cr, m.started = true, true
			p = p[1:]
			continue
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			i = len(p)
		}
		m.w.Write(p[:i])
		m.started = true
		p = p[i:]
	}
	return n, nil
}

// flushPrefix writes the start of a line held while deciding.
func (m *mboxLines) flushPrefix() {
	for ; m.quotes > 0; m.quotes-- {
		m.w.WriteByte('>')
	}
	m.w.WriteString("From "[:m.from])
	m.from, m.deciding = 0, false
}

// end ends a last line that has no line end.
func (m *mboxLines) end() {
	if m.deciding {
		m.flushPrefix()
	}
	if m.started {
		m.w.WriteByte('\n')
	}
}

// isFromLine reports whether line matches ^>*From .
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// SplitMbox reads an mboxrd mbox and returns its messages as WriteEML wrote
// them: the "From " separators and the empty line closing each message are
// removed, one '>' is taken off lines matching ^>+From , and line ends become
// CRLF. Text before the first "From " line is ignored.
func SplitMbox(r io.Reader) ([][]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var msgs [][]byte
	var cur *bytes.Buffer
	empties := 0 // empty lines not yet written: the last one closes the message
	finish := func() {
		if cur != nil {
			cur.Write(bytes.Repeat([]byte("\r\n"), max(empties-1, 0)))
			msgs = append(msgs, cur.Bytes())
		}
		empties = 0
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			switch {
			case bytes.HasPrefix(line, []byte("From ")):
				finish()
				cur = new(bytes.Buffer)
			case cur == nil:
			case len(line) == 0:
				empties++
			default:
				cur.Write(bytes.Repeat([]byte("\r\n"), empties))
				empties = 0
				if line[0] == '>' && isFromLine(line) {
					line = line[1:]
				}
				cur.Write(line)
				cur.WriteString("\r\n")
			}
		}
		if err == io.EOF {
			finish()
			return msgs, nil
		}
		if err != nil {
			return msgs, err
		}
	}
}
