package pstmut

import (
	"errors"
	"fmt"
	"io"
)

// ErrInjected is the error FailingReader returns.
var ErrInjected = errors.New("pstmut: injected read error")

// FailingReader is an io.ReaderAt over R that fails every read touching
// the bad range [Off, Off+Len) with Err (ErrInjected when nil), as a disk
// with a bad sector or a dropped network share would. Len 0 means to the
// end: the reader serves the first Off bytes and nothing after them. A read
// that starts before the bad range returns the bytes before it and the
// error; reads that end before it or start after it succeed.
type FailingReader struct {
	R   io.ReaderAt
	Off int64
	Len int64
	Err error
}

// FailAfter returns a reader that serves the first n bytes of r and fails
// every read past them.
func FailAfter(r io.ReaderAt, n int64) FailingReader { return FailingReader{R: r, Off: n} }

// ReadAt implements io.ReaderAt.
func (r FailingReader) ReadAt(p []byte, off int64) (int, error) {
	fail := r.Err
	if fail == nil {
		fail = ErrInjected
	}
	end := off + int64(len(p))
	badEnd := r.Off + r.Len
	if end <= r.Off || (r.Len > 0 && off >= badEnd) {
		return r.R.ReadAt(p, off)
	}
	if off >= r.Off {
		return 0, fmt.Errorf("read at 0x%X: %w", off, fail)
	}
	n, err := r.R.ReadAt(p[:r.Off-off], off)
	if err != nil {
		return n, err
	}
	return n, fmt.Errorf("read at 0x%X: %w", r.Off, fail)
}

// ZeroExtended is an io.ReaderAt of Size bytes: the bytes of R (which is
// RSize bytes long), then zeros. It stands for a huge file without the
// disk space, for size-limit tests: pair it with Size as the file's size.
type ZeroExtended struct {
	R     io.ReaderAt
	RSize int64
	Size  int64
}

// ReadAt implements io.ReaderAt.
func (z ZeroExtended) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("pstmut: negative offset")
	}
	if off >= z.Size {
		return 0, io.EOF
	}
	want := len(p)
	if rest := z.Size - off; int64(want) > rest {
		want = int(rest)
	}
	n := 0
	if off < z.RSize {
		k := want
		if rest := z.RSize - off; int64(k) > rest {
			k = int(rest)
		}
		m, err := z.R.ReadAt(p[:k], off)
		if m < k {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return m, err
		}
		n = k
	}
	clear(p[n:want])
	if want < len(p) {
		return want, io.EOF
	}
	return want, nil
}
