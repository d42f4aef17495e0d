package fsfault

import (
	"errors"
	"syscall"
)

// Windows error codes (winerror.h) the syscall package does not name.
const (
	errorHandleDiskFull syscall.Errno = 39
	errorDiskFull       syscall.Errno = 112
	errorDirectory      syscall.Errno = 267 // ERROR_DIRECTORY: the directory name is invalid
)

func isFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull)
}

// isNotFolder: Windows answers a path through a file with "the directory
// name is invalid" or "the system cannot find the path specified".
func isNotFolder(err error) bool {
	return errors.Is(err, errorDirectory)
}
