package pstcheck

import (
	"context"
	"errors"
	"fmt"
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
	f, size, err := openInput(path)
	if err != nil {
		return openFailure(path, err)
	}
	defer f.Close()
	opts.Name = path
	rep := Check(ctx, f, size, opts)
	rep.Stats.Duration = time.Since(start)
	return rep
}

// openInput opens path read-only and returns it with its size; only a
// regular file is scanned.
func openInput(path string) (*os.File, int64, error) {
	f, err := openReadOnly(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

func openFailure(path string, err error) *Report {
	rep := &Report{Path: path, Verdict: Failed, Action: ActionNone, Stats: Stats{FreeBytes: -1}}
	rep.Findings = append(rep.Findings, finding.Finding{
		Code: finding.FileRead, Offset: finding.NoOffset,
		Detail: "cannot open: " + err.Error(),
	})
	rep.Cause = "the file could not be opened: " + plainOpenError(err)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rep.NextStep = "check the path"
	case errors.Is(err, fs.ErrPermission) || isSharingViolation(err):
		rep.NextStep = "close Outlook (or anything holding the file) and scan again, or scan a copy"
	default:
		rep.NextStep = "check the path and permissions, or scan a copy"
	}
	return rep
}

func plainOpenError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "it does not exist"
	case isSharingViolation(err):
		return "another program (usually Outlook) has it open"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// openReadOnly is os.Open plus, where the platform has it, a flag that
// keeps the access time unchanged (see open_*.go).
func openReadOnly(path string) (*os.File, error) {
	if f, err := openNoATime(path); err == nil {
		return f, nil
	}
	return os.Open(path)
}
