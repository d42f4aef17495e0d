package main

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the streams a command reads and writes. Commands never touch
// os.Stdin, os.Stdout or os.Stderr directly, so tests can run them against
// fake streams that pretend to be a terminal or a pipe.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsStderrTTY reports whether ErrOut is an interactive terminal (progress
	// bars and other decorations are shown only then).
	IsStderrTTY func() bool
}

// stderrTTY reports whether the streams' stderr is a terminal; a nil
// IsStderrTTY means it is not.
func (s *IOStreams) stderrTTY() bool {
	return s.IsStderrTTY != nil && s.IsStderrTTY()
}

// SystemIO returns the process's real streams.
func SystemIO() *IOStreams {
	fd := int(os.Stderr.Fd())
	return &IOStreams{
		In:          os.Stdin,
		Out:         os.Stdout,
		ErrOut:      os.Stderr,
		IsStderrTTY: func() bool { return term.IsTerminal(fd) },
	}
}
