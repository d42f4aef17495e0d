package ndb

import (
	"errors"
	"io"
)

type readerAt = io.ReaderAt

// readFull reads exactly len(b) bytes at off. io.ReaderAt may return io.EOF
// together with a full read; that is success.
func readFull(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
