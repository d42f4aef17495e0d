package gcpolicy

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The limit follows a live heap that outgrows it as soon as a collection
// has found it so, comes back down to where it began when the heap
// shrinks, and is what it was before once the watch stops.
func TestLimitFollowsLiveHeap(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	restore := watch(8 << 20)
	live := make([][]byte, 32)
	for i := range live {
		live[i] = make([]byte, 1<<20) // 32 MiB live, four times the limit
	}
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) < 32<<20 && time.Now().Before(deadline) {
		runtime.GC() // the watch looks once the collection's cleanups run
		time.Sleep(time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got < 32<<20 || got > 48<<20 {
		t.Errorf("limit %d MiB with 32 MiB live, want a tenth or so above it", got>>20)
	}
	runtime.KeepAlive(live)
	live = nil
	for debug.SetMemoryLimit(-1) > 8<<20 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got != 8<<20 {
		t.Errorf("limit %d MiB once the 32 MiB were let go, want the 8 MiB it began at", got>>20)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after the watch stopped, want %d as before", got, before)
	}
	runtime.GC() // a cleanup armed before restore must not set it again
	time.Sleep(10 * time.Millisecond)
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit %d after a collection past the watch's end, want %d", got, before)
	}
}
