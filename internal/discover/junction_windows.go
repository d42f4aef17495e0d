//go:build windows

package discover

import (
	"io/fs"
	"syscall"
)

// isLegacyJunction reports whether fi (from Lstat) is one of the hidden
// system junctions Windows keeps in every profile for old programs ("My
// Documents", "Application Data", "Local Settings", ...). Listing them is
// denied, AppData\Local\Application Data leads back to its own parent, and
// each leads to a folder of the same profile that is searched by its real
// name, so they are skipped without a word.
func isLegacyJunction(fi fs.FileInfo) bool {
	d, ok := fi.Sys().(*syscall.Win32FileAttributeData)
	const want = syscall.FILE_ATTRIBUTE_HIDDEN | syscall.FILE_ATTRIBUTE_SYSTEM | syscall.FILE_ATTRIBUTE_REPARSE_POINT
	return ok && d != nil && d.FileAttributes&want == want
}
