// Package gcpolicy sets the garbage collector for the commands that copy
// a store's items (export, repair). They format and drop an item after
// item while what they keep is small and flat, so the collector may let
// the heap grow well past what is live before it runs (GOGC 400, fewer
// collections), but never past a soft limit: peak memory then stays flat
// however large the store, instead of growing with four times the live
// heap.
package gcpolicy

import (
	"runtime/debug"
	"runtime/metrics"
)

// Limit is the soft memory limit the collector keeps to.
const Limit = 192 << 20

// ForItems sets the collector for copying items and returns a function
// that restores the settings before.
func ForItems() (restore func()) {
	pct := debug.SetGCPercent(400)
	lim := debug.SetMemoryLimit(Limit)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	}
}

// Fit raises the limit above what is live now (the scan's results), when
// that is more than half of it: a collector held under a limit the live
// heap nearly fills would run without end. Call it once the store is
// open.
func Fit() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if live := int64(s[0].Value.Uint64()); live > Limit/2 {
		debug.SetMemoryLimit(2 * live)
	}
}
