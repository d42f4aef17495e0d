// Package gcpolicy sets the garbage collector for the commands. Those that
// copy a store's items (export, repair) format and drop an item after item
// while what they keep is small and flat, so the collector may let the
// heap grow well past what is live before it runs (GOGC 400, fewer
// collections), but never past a soft limit: peak memory then stays flat
// however large the store, instead of growing with four times the live
// heap. A scan holds the store's index (a few dozen bytes per block and
// item) and allocates little else, so its heap is kept near what is live
// instead of growing to twice that.
//
// Under both, the limit follows a live heap that outgrows it: once what
// is live passes nine tenths of the limit (looked at after every
// collection), the limit is raised to a tenth above it, so that the
// collector of a store too large for the limit runs more often, not
// without end. It comes down again, never below where it began nor below
// what the heap holds (heapNow), when that leaves a fifth or more: the
// index rebuild of a large store holds twice what the copy of its items
// after it needs, and the heap would otherwise stay as large as the
// rebuild left it. The store's index is columns of numbers, which the
// collector does not scan: a collection costs milliseconds, however often
// it runs. (A quarter above let the export of 2,000,000 items peak at 218
// MB; a tenth, 193 MB.)
package gcpolicy

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Limit is the soft memory limit copying items keeps to while what is
// live leaves the collector room.
const Limit = 176 << 20

// ForItems sets the collector for copying items and returns a function
// that stops watching and restores the settings before.
func ForItems() (restore func()) {
	pct := debug.SetGCPercent(400)
	stop := watch(Limit)
	return func() {
		stop()
		debug.SetGCPercent(pct)
	}
}

// ScanLimit is the soft memory limit a scan keeps to while what it holds
// live leaves the collector room.
const ScanLimit = 200 << 20

// ForScan sets the collector for a scan in this process and returns a
// function that stops watching and restores the limit before.
func ForScan() (restore func()) { return watch(ScanLimit) }

// watch sets the soft limit to limit and raises it as the live heap
// outgrows it (see the package comment), until the returned function
// stops it and restores the limit before.
func watch(limit int64) (restore func()) {
	old := debug.SetMemoryLimit(limit)
	w := &watcher{base: limit, limit: limit}
	w.arm()
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.stopped = true
		debug.SetMemoryLimit(old)
	}
}

// watcher looks at the heap (heapNow) after every collection. Looking every
// 100 ms instead let a store's index, growing by 100 MB a second while
// the index of a 4.4 GB store was rebuilt, meet the limit again and
// again in between: 160 collections in 2.5 seconds.
type watcher struct {
	mu          sync.Mutex
	base, limit int64
	stopped     bool
}

// cycleMark is allocated for a collection to reclaim: 16 bytes, so that
// it is an object of its own and not packed with others.
type cycleMark struct{ _ [16]byte }

// arm has collected called once the next collection is done.
func (w *watcher) arm() {
	runtime.AddCleanup(new(cycleMark), (*watcher).collected, w)
}

func (w *watcher) collected() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	live, held := heapNow()
	// Up a tenth above the live heap as soon as it nears the limit; down
	// by a fifth or more, never below where it began nor below what the
	// heap holds, so that the collector is not made to run back to back.
	want := w.limit
	if lower := max(w.base, live/10*11, held/10*11); live > w.limit/10*9 {
		want = live / 10 * 11
	} else if lower < w.limit/5*4 {
		want = lower
	}
	if want != w.limit {
		w.limit = want
		debug.SetMemoryLimit(want)
	}
	w.arm()
}

// heapNow returns the live heap the last collection found and what the
// heap holds that a collection cannot give back: the memory the runtime
// holds from the system, less what it has released and the free pages it
// may release. Besides the live heap that is what lies dead among live
// objects in partly used spans, and stacks. The limit is raised by the
// live heap, as a tenth above it keeps the export of 2,000,000 items at
// 193 MB (a tenth above what is held: 210 MB); it is lowered no further
// than what is held: lowered to a tenth above the live heap alone, once
// 16 million small objects had been let go three in four, it sat below
// what the heap held, and 2 GiB allocated after took 137 collections and
// 13 s (now 15 and 2.4 s).
func heapNow() (live, held int64) {
	s := []metrics.Sample{
		{Name: "/gc/heap/live:bytes"},
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
	}
	metrics.Read(s)
	var v [4]int64
	for i := range s {
		if s[i].Value.Kind() == metrics.KindUint64 {
			v[i] = int64(s[i].Value.Uint64())
		}
	}
	return v[0], max(v[1]-v[2]-v[3], v[0])
}
