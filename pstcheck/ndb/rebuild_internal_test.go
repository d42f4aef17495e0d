package ndb

import (
	"slices"
	"testing"
)

// A block found by its trailer is weighed as it was found: packing it
// keeps every BID (all 64 bits) and every offset a file can have.
func TestTrailerCandidatePacking(t *testing.T) {
	for _, c := range []struct {
		bid uint64
		ib  int64
	}{
		{4, 0x4400},
		{0xFFFF_FFFC, 0xFFFF_FFFF * ibUnit},
		{0x1_0000_0004, 0x1_0000_0000 * ibUnit},
		{0xFFFF_FFFF_FFFF_FFFC, 1<<54 - ibUnit},
	} {
		for _, a := range []allocState{allocUnknown, allocInUse} {
			got := newTrailerCandidate(c.bid, c.ib, 8176, 8100, a)
			want := bbtCandidate{bid: c.bid, ib: uint64(c.ib), cb: 8176, inflated: 8100, found: FoundByTrailer, alloc: a}
			if got.candidate() != want {
				t.Errorf("bid 0x%X at 0x%X: packed and read back as %+v, want %+v", c.bid, c.ib, got.candidate(), want)
			}
		}
	}
}

// Blocks found by their trailers are kept in 12 bytes where they can be,
// in 20 where they cannot (a BID of 2^32 or above, an offset past 256 GiB,
// a compressed block), and read back as one list in compareTrailers'
// order, each as it was found.
func TestTrailerListsOrder(t *testing.T) {
	var lists trailerLists
	var want []bbtCandidate
	for i := range 3*pieceLen + 5 {
		bid := uint64(4 * (i % 997))   // several blocks per BID
		ib := int64(4*pieceLen-i) * 64 // one block ends at each place: no two alike
		cb, inflated := uint16(100+i%7), uint16(100+i%7)
		switch i % 50 {
		case 1:
			bid |= 1 << 40
		case 2:
			ib += 1 << 38
		case 3:
			inflated += 300
		}
		a := []allocState{allocUnknown, allocInUse}[i%3%2]
		tc := newTrailerCandidate(bid, ib, cb, inflated, a)
		lists.append(tc)
		want = append(want, tc.candidate())
	}
	if n := 3*pieceLen + 5; lists.wide.n != (n+48)/50+(n+47)/50+(n+46)/50 {
		t.Fatalf("%d of %d kept in 20 bytes", lists.wide.n, n)
	}
	slices.SortStableFunc(want, compareTrailers)
	next := lists.sorted()
	for i, w := range want {
		if got, ok := next(); !ok || got != w {
			t.Fatalf("trailer %d: %+v (%v), want %+v", i, got, ok, w)
		}
	}
	if _, ok := next(); ok {
		t.Fatal("more trailers than were found")
	}
}

// The lost keys are every key of every lost range, however the ranges lie:
// nested (a page whose checksum fails, weighed, with a lost child inside
// its range), overlapping, touching, or with their ends before their
// starts (a damaged branch page's keys), which hold nothing.
func TestKeySet(t *testing.T) {
	ranges := []keyRange{{lo: 5, hi: 10}, {lo: 0, hi: 20}, {lo: 30, hi: 40}, {lo: 35, hi: 50}, {lo: 51, hi: 51}, {lo: 90, hi: 80}, {lo: 100, hi: 100}}
	sortRanges(ranges)
	set := newKeySet(ranges)
	for key := uint64(0); key <= 120; key++ {
		want := false
		for _, r := range ranges {
			want = want || r.lo <= key && key <= r.hi
		}
		if got := set.has(key); got != want {
			t.Errorf("key %d: has %v, want %v", key, got, want)
		}
	}
	if all := newKeySet([]keyRange{{lo: 0, hi: ^uint64(0)}}); !all.has(0) || !all.has(^uint64(0)) {
		t.Error("the whole key space")
	}
	if newKeySet(nil).has(0) {
		t.Error("an empty set holds a key")
	}
}
