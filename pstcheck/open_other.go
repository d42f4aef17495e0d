//go:build !linux && !windows

package pstcheck

import "os"

func openForScan(path string) (*os.File, error) { return os.Open(path) }

func isSharingViolation(error) bool { return false }
