package export

// Text bodies are quoted-printable. qpEncoder writes exactly the bytes
// mime/quotedprintable's Writer (text mode) writes, into a slice and a
// run of plain characters at a time instead of a byte and a Write call
// per line: a text body then costs a fraction of what it did. The rules
// are the Writer's, quirks included: lines of at most 76 characters with
// soft breaks ("=" CRLF); '=', control and 8-bit bytes as =XX; CR, LF
// and CRLF become CRLF, a space or tab before it (or at the end) =20 or
// =09; an encoded byte between CR and LF does not part them.

// qpEncoder is the state carried from one input chunk to the next.
type qpEncoder struct {
	line int  // characters in the output line begun: the last ones appended
	cr   bool // the last byte taken as text was a CR
}

const qpLineMax = 76

// qpClass: what becomes of each input byte.
const (
	qpEncode  = iota // written as =XX
	qpLiteral        // written as it is
	qpBreak          // CR or LF: a line break
)

var qpClasses = func() (c [256]uint8) {
	for b := '!'; b <= '~'; b++ {
		c[b] = qpLiteral
	}
	c['='] = qpEncode
	c[' '], c['\t'] = qpLiteral, qpLiteral
	c['\r'], c['\n'] = qpBreak, qpBreak
	return c
}()

// append encodes p after out.
func (e *qpEncoder) append(out, p []byte) []byte {
	for i := 0; i < len(p); {
		b := p[i]
		switch qpClasses[b] {
		case qpLiteral:
			j := i + 1
			for j < len(p) && qpClasses[p[j]] == qpLiteral {
				j++
			}
			for i < j {
				if e.line == qpLineMax-1 {
					out = e.softBreak(out)
				}
				k := min(j-i, qpLineMax-1-e.line)
				out = append(out, p[i:i+k]...)
				e.line += k
				i += k
			}
			e.cr = false
			continue
		case qpBreak:
			if e.cr && b == '\n' {
				e.cr = false
				break
			}
			e.cr = b == '\r'
			out = e.endLine(out)
			out = append(out, '\r', '\n')
			e.line = 0
		default:
			out = e.encode(out, b)
		}
		i++
	}
	return out
}

// close ends the text: a space or tab at its very end is encoded.
func (e *qpEncoder) close(out []byte) []byte { return e.endLine(out) }

// endLine encodes a space or tab that ends the line.
func (e *qpEncoder) endLine(out []byte) []byte {
	if e.line == 0 {
		return out
	}
	if b := out[len(out)-1]; b == ' ' || b == '\t' {
		out = out[:len(out)-1]
		e.line--
		out = e.encode(out, b)
	}
	return out
}

func (e *qpEncoder) encode(out []byte, b byte) []byte {
	if qpLineMax-1-e.line < 3 {
		out = e.softBreak(out)
	}
	const hex = "0123456789ABCDEF"
	e.line += 3
	return append(out, '=', hex[b>>4], hex[b&0x0F])
}

func (e *qpEncoder) softBreak(out []byte) []byte {
	e.line = 0
	return append(out, '=', '\r', '\n')
}
