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
	return writeMboxMessage(m.w, mboxSender(it.From), it.Date, m.opt.message(it, 0))
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
func writeMboxMessage(w io.Writer, sender string, date time.Time, eml []byte) error {
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString("From " + sender + " " + date.UTC().Format(time.ANSIC) + "\n")
	for len(eml) > 0 {
		var line []byte
		if i := bytes.IndexByte(eml, '\n'); i >= 0 {
			line, eml = eml[:i], eml[i+1:]
		} else {
			line, eml = eml, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if isFromLine(line) {
			bw.WriteByte('>')
		}
		bw.Write(line)
		bw.WriteByte('\n')
	}
	bw.WriteByte('\n')
	return bw.Flush()
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
