package pstcheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openForScan opens path for reading as os.Open does, sharing reading and
// writing with other programs (no lock), and also sharing deletion, which
// os.Open does not: without it nobody could rename, move or delete the
// file while a scan runs (OneDrive, a backup tool, the user). The caller
// falls back to os.Open on an error.
func openForScan(path string) (*os.File, error) {
	p, err := syscall.UTF16PtrFromString(extendedLengthPath(path))
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE,
		nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

// extendedLengthPath is path in the \\?\ form, which CreateFile takes
// however long it is (os.Open does the same for long paths): absolute,
// with backslashes. A path already in that form, a device path (\\.\) and
// one that cannot be made absolute are left as they are.
func extendedLengthPath(path string) string {
	if strings.HasPrefix(path, `\\?\`) || strings.HasPrefix(path, `\\.\`) {
		return path
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if strings.HasPrefix(abs, `\\`) { // \\server\share\...
		return `\\?\UNC\` + abs[2:]
	}
	return `\\?\` + abs
}

// ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33): Outlook
// holds the file open without sharing.
func isSharingViolation(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == 32 || errno == 33)
}
