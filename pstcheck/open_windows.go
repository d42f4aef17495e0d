package pstcheck

import (
	"errors"
	"os"
	"syscall"
)

// os.Open on Windows already shares read and write access with other
// programs (no exclusive lock), so there is no special flag to add.
func openNoATime(path string) (*os.File, error) { return os.Open(path) }

// ERROR_SHARING_VIOLATION (32) and ERROR_LOCK_VIOLATION (33): Outlook
// holds the file open without sharing.
func isSharingViolation(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == 32 || errno == 33)
}
