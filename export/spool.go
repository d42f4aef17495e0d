package export

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
)

// A rendered item on its way into the output folder: the goroutine that
// renders it writes it to a spool, which takes its size and SHA-256 as it
// goes, so that placing items in order (Tree.AddRendered) is only naming
// them. A file's spool is a temporary file in DIR from the start, renamed
// into place; an mbox message's is held in memory while small, and
// appended to its folder's mbox.

// spoolMemory is how much of an mbox message a spool holds in memory
// before it moves to a temporary file.
const spoolMemory = 1 << 20

type spool struct {
	t    *Tree
	held int    // bytes it may hold in memory (0: a file from the start)
	mem  []byte // the bytes, while in memory
	tmp  string // the temporary file in DIR, once there
	f    io.WriteCloser
	bw   *bufio.Writer
	h    hash.Hash
	size int64
	sum  string // hex SHA-256, once finished
	err  error
}

var spoolBuffers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

func (t *Tree) newSpool(held int) *spool {
	return &spool{t: t, held: held, h: sha256.New()}
}

func (s *spool) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.f == nil && len(s.mem)+len(p) <= s.held {
		s.mem = append(s.mem, p...)
		s.h.Write(p)
		s.size += int64(len(p))
		return len(p), nil
	}
	if s.f == nil {
		if s.err = s.toFile(); s.err != nil {
			return 0, s.err
		}
	}
	n, err := s.bw.Write(p)
	s.h.Write(p[:n])
	s.size += int64(n)
	s.err = err
	return n, err
}

// toFile moves the spool to a new temporary file in DIR.
func (s *spool) toFile() error {
	name, f, err := s.t.createSpoolFile()
	if err != nil {
		return err
	}
	s.tmp, s.f = name, f
	s.bw = spoolBuffers.Get().(*bufio.Writer)
	s.bw.Reset(f)
	if len(s.mem) > 0 {
		if _, err := s.bw.Write(s.mem); err != nil {
			return err
		}
		s.mem = nil
	}
	return nil
}

// finish ends the writing: the bytes are complete, their SHA-256 known.
func (s *spool) finish() error {
	if s.err == nil && s.f == nil && s.held == 0 {
		s.err = s.toFile() // an empty file is a file too
	}
	if s.bw != nil {
		if err := s.bw.Flush(); s.err == nil {
			s.err = err
		}
		s.bw.Reset(nil)
		spoolBuffers.Put(s.bw)
		s.bw = nil
	}
	if s.f != nil {
		if err := s.f.Close(); s.err == nil {
			s.err = err
		}
		s.f = nil
	}
	s.sum = hex.EncodeToString(s.h.Sum(nil))
	return s.err
}

// open reads the spool's bytes back.
func (s *spool) open() (io.ReadCloser, error) {
	if s.tmp == "" {
		return io.NopCloser(bytes.NewReader(s.mem)), nil
	}
	return s.t.root.Open(s.tmp)
}

// discard removes the spool's temporary file, if any.
func (s *spool) discard() {
	if s.f != nil {
		s.finish()
	}
	if s.tmp != "" {
		s.t.removeSpoolFile(s.tmp)
		s.tmp = ""
	}
	s.mem = nil
}

// createSpoolFile creates a new temporary file in DIR, from any goroutine.
func (t *Tree) createSpoolFile() (string, io.WriteCloser, error) {
	name := fmt.Sprintf("%s%d-%d%s", tempPrefix, os.Getpid(), t.spoolSeq.Add(1), tempSuffix)
	if fastWrites && t.rootDir != nil {
		f, err := createInDir(t.rootDir, name)
		return name, f, err
	}
	f, err := t.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	return name, f, err
}

func (t *Tree) removeSpoolFile(name string) {
	if fastWrites && t.rootDir != nil && removeInDir(t.rootDir, name) == nil {
		return
	}
	t.root.Remove(name)
}
