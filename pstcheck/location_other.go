//go:build !linux && !windows

package pstcheck

import "os"

// plainPath is abs: only Windows has other spellings of a path.
func plainPath(abs string) string { return abs }

// onNetwork is not known on this system.
func onNetwork(string, *os.File) bool { return false }
