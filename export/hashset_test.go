package export

import (
	"math/rand/v2"
	"testing"
)

// A set of more hashes than the map holds keeps every one across merges,
// and nothing else.
func TestHashSetAcrossMerges(t *testing.T) {
	var s hashSet
	r := rand.New(rand.NewPCG(1, 2))
	var in []uint64
	for range 3*hashSetRecent + 100 {
		k := r.Uint64()
		if s.has(k) {
			t.Fatalf("%x: held before it was added", k)
		}
		s.add(k)
		in = append(in, k)
	}
	for _, k := range in {
		if !s.has(k) {
			t.Fatalf("%x: added, not held", k)
		}
	}
	for range 1000 {
		if k := r.Uint64(); s.has(k) {
			t.Fatalf("%x: held, never added", k)
		}
	}
	if len(s.sorted) != 3*hashSetRecent || len(s.recent) != 100 {
		t.Fatalf("%d in the column, %d in the map; want %d and 100", len(s.sorted), len(s.recent), 3*hashSetRecent)
	}
	for i := 1; i < len(s.sorted); i++ {
		if s.sorted[i-1] >= s.sorted[i] {
			t.Fatalf("column out of order at %d", i)
		}
	}
}
