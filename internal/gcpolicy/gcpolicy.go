// Package gcpolicy sets the garbage collector for the commands. Those that
// copy a store's items (export, repair) format and drop an item after item
// while what they keep is small and flat, so the collector may let the
// heap grow well past what is live before it runs (GOGC 400, fewer
// collections), but never past a soft limit: peak memory then stays flat
// however large the store, instead of growing with four times the live
// heap. A scan holds the store's index (a few dozen bytes per block and
// item) and allocates little else, so its heap is kept near what is live
// instead of growing to twice that.
package gcpolicy

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
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
	if live := liveHeap(); live > Limit/2 {
		debug.SetMemoryLimit(2 * live)
	}
}

// ScanLimit is the soft memory limit a scan keeps to while what it holds
// live leaves the collector room.
const ScanLimit = 200 << 20

// ForScan sets the collector for a scan in this process: a soft limit of
// ScanLimit, raised once the live heap passes nine tenths of the limit (it
// is looked at every 100 ms) to a quarter above it, so that the collector
// of a store too large for the limit runs a little more often, not
// without end. It returns a function that stops watching and restores the
// limit before.
func ForScan() (restore func()) {
	old := debug.SetMemoryLimit(ScanLimit)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		limit := int64(ScanLimit)
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if live := liveHeap(); live > limit/10*9 {
				limit = live / 4 * 5
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() {
		close(stop)
		<-stopped
		debug.SetMemoryLimit(old)
	}
}

// liveHeap is the heap the last collection found live, 0 when unknown.
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
