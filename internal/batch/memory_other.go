//go:build !linux

package batch

// physicalMemory is unknown here; the caller assumes a modest machine.
func physicalMemory() int64 { return 0 }
