package messaging

import (
	"encoding/binary"
	"errors"
	"io"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// Values left in the store (ReadOptions.StreamAbove) are read as streams:
// an attachment or a body of any size then passes through a buffer of a
// few blocks on its way to the output, never held whole.

// Stream is a value left in the store, to be read as a stream (Open):
// the data tree that holds it, and its size. The zero Stream is none.
type Stream struct {
	tree uint64
	Size int64
	// tolerant: it was left by a lenient read, which takes the blocks that
	// fail only their checksum (ndb.Result.Tolerant); so does Open.
	tolerant bool
}

// IsZero reports whether s is none.
func (s Stream) IsZero() bool { return s.tree == 0 }

var errNoStream = errors.New("no stream")

// Open streams a value left in the store, verifying every block as it
// reads it (ndb.DataReader): a read error means the value is damaged.
// A reader left before its end should be closed: that hands its buffer
// to the next stream.
func (r *Reader) Open(s Stream) (io.ReadCloser, error) {
	if s.IsZero() {
		return nil, errNoStream
	}
	if s.tolerant {
		return r.res.Tolerant(nil).OpenData(s.tree)
	}
	return r.res.OpenData(s.tree)
}

// OpenString streams a string value left in the store as UTF-8, as
// String decodes it: a Unicode (PtypString) value only, trailing NULs
// dropped.
func (r *Reader) OpenString(v Value) (io.ReadCloser, error) {
	if v.Type != ltp.TypeString {
		return nil, errors.New("not a Unicode string")
	}
	d, err := r.Open(v.Stream)
	if err != nil {
		return nil, err
	}
	return &utf16Reader{src: d}, nil
}

// HasStreams reports whether anything of m (its properties, recipients,
// attachments, embedded messages) was left in the store.
func (m *Message) HasStreams() bool {
	for _, p := range append([]Props{m.Props}, m.Recipients...) {
		for _, v := range p {
			if !v.Stream.IsZero() {
				return true
			}
		}
	}
	for _, a := range m.Attachments {
		if !a.Stream.IsZero() || a.Embedded != nil && a.Embedded.HasStreams() {
			return true
		}
		for _, v := range a.Props {
			if !v.Stream.IsZero() {
				return true
			}
		}
	}
	return false
}

// utf16Reader decodes little-endian UTF-16 into UTF-8 as decodeUTF16
// does, a chunk at a time: an unpaired surrogate becomes U+FFFD, an odd
// last byte is ignored, and NULs at the very end are dropped (held back
// until something else follows them).
type utf16Reader struct {
	src   io.Reader
	in    []byte // undecoded input: at most one unit, or a high surrogate and part of the next, is carried over
	out   []byte // decoded, not yet returned
	nuls  int    // NULs decoded, not yet returned: dropped at the end
	eof   bool
	err   error
	chunk []byte
}

// Close closes the source when it can be.
func (u *utf16Reader) Close() error {
	if c, ok := u.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.eof {
			return 0, u.err
		}
		u.fill()
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

// fill decodes the next chunk of input into out.
func (u *utf16Reader) fill() {
	if u.chunk == nil {
		u.chunk = make([]byte, 32<<10)
	}
	n, err := u.src.Read(u.chunk)
	u.in = append(u.in, u.chunk[:n]...)
	if err != nil {
		u.eof = true
		if err != io.EOF {
			u.err = err
		} else {
			u.err = io.EOF
		}
	}
	out := u.out[:0]
	b := u.in
	i := 0
	for ; i+1 < len(b); i += 2 {
		c := rune(binary.LittleEndian.Uint16(b[i:]))
		if c == 0 {
			u.nuls++
			continue
		}
		if utf16.IsSurrogate(c) && c < 0xDC00 {
			if i+3 >= len(b) && !u.eof {
				break // the low half may be in the next chunk
			}
			if i+3 < len(b) {
				if d := rune(binary.LittleEndian.Uint16(b[i+2:])); d >= 0xDC00 && d < 0xE000 {
					out = u.flushNULs(out)
					out = utf8.AppendRune(out, utf16.DecodeRune(c, d))
					i += 2
					continue
				}
			}
		}
		out = u.flushNULs(out)
		if c < 0x80 {
			out = append(out, byte(c))
			continue
		}
		if utf16.IsSurrogate(c) {
			c = utf8.RuneError
		}
		out = utf8.AppendRune(out, c)
	}
	u.in = append(u.in[:0], b[i:]...)
	u.out = out
	if u.eof && u.err != io.EOF {
		u.out = nil // a damaged stream gives nothing more
	}
}

func (u *utf16Reader) flushNULs(out []byte) []byte {
	for ; u.nuls > 0; u.nuls-- {
		out = append(out, 0)
	}
	return out
}
