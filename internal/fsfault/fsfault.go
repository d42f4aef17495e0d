// Package fsfault says why writing to a folder failed, in kinds a person
// can act on: the account may not write there, the path is a file, the
// disk is full, the file system is read-only.
package fsfault

import (
	"errors"
	"io/fs"
	"syscall"
)

// Kind is why a write failed.
type Kind int

const (
	Other      Kind = iota
	Permission      // this account may not write there
	NotFolder       // the folder, or one on its path, is a file
	Full            // the disk (or the account's quota) is full
	ReadOnly        // the file system is mounted read-only
)

// Of classifies err, from the os or syscall packages, by its cause.
func Of(err error) Kind {
	switch {
	case err == nil:
		return Other
	case isFull(err):
		return Full
	case errors.Is(err, syscall.EROFS):
		return ReadOnly
	case errors.Is(err, syscall.ENOTDIR) || isNotFolder(err):
		return NotFolder
	case errors.Is(err, fs.ErrPermission):
		return Permission
	}
	return Other
}
