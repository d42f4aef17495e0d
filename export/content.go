package export

import (
	"bytes"
	"io"
	"sync"
)

// Content streamed from the store: an attachment's bytes, a large body.
// A message is rendered as content, bytes held in memory and streams
// read (and verified, block by block) only as the message is written, so
// that an attachment or body of any size passes through a small buffer.

// Source is content an item keeps in the store instead of in memory: Open
// reads it from the start (it may be opened more than once), Size is its
// length in bytes as stored.
type Source struct {
	Size int64
	Open func() (io.Reader, error)
}

// storeReadError is an error reading a Source: the store's bytes could
// not be read (a block that no longer verifies), as opposed to an error
// writing the output.
type storeReadError struct{ err error }

func (e *storeReadError) Error() string { return e.err.Error() }
func (e *storeReadError) Unwrap() error { return e.err }

// open opens the source for reading; its errors are storeReadErrors. It
// should be closed after reading: a reader of the store left open keeps
// its buffer from the next one.
func (src *Source) open() (io.ReadCloser, error) {
	r, err := src.Open()
	if err != nil {
		return nil, &storeReadError{err}
	}
	return sourceReader{r}, nil
}

type sourceReader struct{ r io.Reader }

func (s sourceReader) Close() error { return closeReader(s.r) }

// closeReader closes r if it can be closed.
func closeReader(r io.Reader) error {
	if c, ok := r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (s sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &storeReadError{err}
	}
	return n, err
}

// content is a MIME entity's body, or a whole message: held bytes and
// streams, in order. A stream writes base64 or quoted-printable text
// lines, ASCII that starts after and ends with a line break: it can never
// hold, nor help form, a multipart boundary ("=_pst_" has characters
// neither encoding writes there), and it holds no 8-bit byte.
type content []segment

type segment struct {
	b      []byte
	stream func(w io.Writer) error
}

// contentBuilder joins bytes into as few segments as streams allow.
type contentBuilder struct {
	c   content
	buf []byte
}

func (cb *contentBuilder) write(b []byte)       { cb.buf = append(cb.buf, b...) }
func (cb *contentBuilder) writeString(s string) { cb.buf = append(cb.buf, s...) }
func (cb *contentBuilder) stream(f func(io.Writer) error) {
	cb.flush()
	cb.c = append(cb.c, segment{stream: f})
}

// content appends c.
func (cb *contentBuilder) content(c content) {
	for _, s := range c {
		if s.stream != nil {
			cb.stream(s.stream)
		} else {
			cb.write(s.b)
		}
	}
}

func (cb *contentBuilder) flush() {
	if len(cb.buf) > 0 {
		cb.c = append(cb.c, segment{b: cb.buf})
		cb.buf = nil
	}
}

func (cb *contentBuilder) done() content {
	cb.flush()
	return cb.c
}

// heldBytes is content that holds only bytes.
func heldBytes(b []byte) content { return content{{b: b}} }

// writeTo writes the content, reading its streams.
func (c content) writeTo(w io.Writer) error {
	for _, s := range c {
		var err error
		if s.stream != nil {
			err = s.stream(w)
		} else {
			_, err = w.Write(s.b)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// bytes is the content in one slice, streams read.
func (c content) bytes() ([]byte, error) {
	if len(c) == 1 && c[0].stream == nil {
		return c[0].b, nil
	}
	var buf bytes.Buffer
	err := c.writeTo(&buf)
	return buf.Bytes(), err
}

// contains reports whether the held bytes contain marker (streams never
// do, see content).
func (c content) contains(marker []byte) bool {
	for _, s := range c {
		if bytes.Contains(s.b, marker) {
			return true
		}
	}
	return false
}

// has8bit reports whether the held bytes have a byte above 0x7F.
func (c content) has8bit() bool {
	for _, s := range c {
		for _, x := range s.b {
			if x >= 0x80 {
				return true
			}
		}
	}
	return false
}

// heldSize is the length of the held bytes.
func (c content) heldSize() int {
	n := 0
	for _, s := range c {
		n += len(s.b)
	}
	return n
}

// base64Chunk is how much a base64 stream reads at a time: whole lines of
// 57 bytes (76 characters).
const base64Chunk = 57 * 1024

// base64Buffers hold a chunk read and the lines it makes.
type base64Buffer struct{ in, out []byte }

var base64Buffers = sync.Pool{New: func() any {
	return &base64Buffer{make([]byte, base64Chunk), make([]byte, 0, base64Chunk/57*78)}
}}

// base64Stream writes src's bytes as base64Lines does.
func base64Stream(src *Source) func(io.Writer) error {
	return func(w io.Writer) error {
		r, err := src.open()
		if err != nil {
			return err
		}
		defer r.Close()
		buf := base64Buffers.Get().(*base64Buffer)
		defer base64Buffers.Put(buf)
		for {
			n, err := io.ReadFull(r, buf.in)
			if n > 0 {
				if _, werr := w.Write(appendBase64Lines(buf.out[:0], buf.in[:n])); werr != nil {
					return werr
				}
			}
			switch err {
			case nil:
			case io.EOF, io.ErrUnexpectedEOF:
				return nil
			default:
				return err
			}
		}
	}
}

// qpStream writes src's text as textPart encodes it: quoted-printable,
// ending in a line break. The line begun stays held, since the end of the
// text may change its last character (qpEncoder.close).
func qpStream(src *Source) func(io.Writer) error {
	return func(w io.Writer) error {
		r, err := src.open()
		if err != nil {
			return err
		}
		defer r.Close()
		var e qpEncoder
		in := make([]byte, 32<<10)
		out := make([]byte, 0, 128<<10)
		for {
			n, rerr := r.Read(in)
			out = e.append(out, in[:n])
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return rerr
			}
			if len(out) >= 64<<10 {
				done := len(out) - e.line
				if _, err := w.Write(out[:done]); err != nil {
					return err
				}
				out = append(out[:0], out[done:]...)
			}
		}
		out = qpEnd(e.close(out))
		_, err = w.Write(out)
		return err
	}
}

// qpEnd ends quoted-printable text that does not end in a line break with
// a soft one. Text of nothing stays nothing.
func qpEnd(out []byte) []byte {
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
		out = append(out, "=\r\n"...)
	}
	return out
}
