//go:build !linux && !windows

package pstcheck

import "os"

// onNetwork is not known on this system.
func onNetwork(string, *os.File) bool { return false }
