package pstcheck

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// ScanFile opens path read-only (never for writing, never with an exclusive
// lock, and on Linux without updating its access time where the OS allows)
// and checks it. A file that cannot be opened or read yields a report with
// verdict "error" and advice, never a Go error.
func ScanFile(ctx context.Context, path string, opts Options) *Report {
	start := time.Now()
	in, err := openInput(path)
	if err != nil {
		return openFailure(path, err)
	}
	defer in.Close()
	opts.Name = path
	rep := Check(ctx, in.r, in.size, opts)
	rep.Location = locate(path, in.f)
	rep.Stats.Duration = time.Since(start)
	return rep
}

// errNotRegular: only regular files are scanned.
var errNotRegular = errors.New("not a regular file")

// notRegularError names what a path is instead of a regular file.
type notRegularError struct{ what string }

func (e *notRegularError) Error() string { return "not a regular file: " + e.what }
func (e *notRegularError) Unwrap() error { return errNotRegular }

func notRegular(m fs.FileMode) error {
	what := "special file"
	switch t := m.Type(); {
	case t.IsDir():
		what = "folder"
	case t&fs.ModeNamedPipe != 0:
		what = "named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		what = "socket"
	case t&fs.ModeDevice != 0:
		what = "device"
	}
	return &notRegularError{what: what}
}

// input is a file opened for checking, size bytes long, read through r:
// a read-only mapping of it where the platform has one (mapped_linux.go),
// else the file itself.
type input struct {
	f     *os.File
	r     io.ReaderAt
	size  int64
	unmap func() error
}

// openInput opens path read-only; only a regular file is scanned.
func openInput(path string) (*input, error) {
	// A FIFO or device is never opened: opening a FIFO for reading waits
	// for a writer, and reading a device may never end.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: path, Err: notRegular(st.Mode())}
	}
	f, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = notRegular(st.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	in := &input{f: f, r: f, size: st.Size()}
	if m, unmap := mapInput(f, in.size); m != nil {
		in.r, in.unmap = m, unmap
	}
	return in, nil
}

// Close lets go of the mapping and closes the file; no read may follow.
func (in *input) Close() error {
	if in.unmap != nil {
		in.unmap()
	}
	return in.f.Close()
}

func openFailure(path string, err error) *Report {
	kind := FailOpen
	switch {
	case errors.Is(err, fs.ErrNotExist):
		kind = FailNotFound
	case isSharingViolation(err):
		kind = FailLocked
	case errors.Is(err, fs.ErrPermission):
		kind = FailPermission
	case errors.Is(err, errNotRegular):
		kind = FailNotRegular
	}
	why := systemWords(err)
	var nr *notRegularError
	if errors.As(err, &nr) {
		why = nr.what
	}
	detail := "cannot open: " + err.Error()
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		detail = "cannot " + finding.ErrorText(err) // "cannot open "path": ..."
	}
	return FailureReport(path, finding.FileRead, detail, kind, why)
}

// FailureReport is the report of a path that could not be checked at all:
// verdict "error", one finding of code with detail, and why in kind and
// the system's words (shown to people by report/). Its size is the
// file's where the system says it (a file that may not be read may still
// be looked at), else unknown (-1); its action is none known (""): the
// file was not checked, so nothing is said of what it needs.
func FailureReport(path string, code finding.Code, detail string, kind FailureKind, why string) *Report {
	size := int64(-1)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return &Report{Path: path, Size: size, Verdict: Failed, Stats: Stats{FreeBytes: -1},
		Findings: []finding.Finding{{Code: code, Offset: finding.NoOffset, Detail: detail}},
		Failure:  &Failure{Kind: kind, Detail: why}}
}

// systemWords is what an error says without the operation and path a
// *fs.PathError adds.
func systemWords(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// openReadOnly opens path the platform's best read-only way (openForScan
// in open_*.go: on Linux without updating the access time, on Windows
// sharing deletion as well as reading and writing), or else with os.Open.
func openReadOnly(path string) (*os.File, error) {
	if f, err := openForScan(path); err == nil {
		return f, nil
	}
	return os.Open(path)
}
