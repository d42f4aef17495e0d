package ndb

import "testing"

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
