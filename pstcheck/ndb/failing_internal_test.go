package ndb

import "testing"

// FailingInternalIn answers for a half-open BID range from the failing
// unused internal blocks kept in order, the reserved bit aside, and, where
// more failed than were kept, as before it: any failing tree newer than lo.
func TestFailingInternalIn(t *testing.T) {
	res := &Result{failingInternal: []uint64{0x102, 0x202, 0x302}}
	res.NewestFailing.Internal = 0x302
	for _, c := range []struct {
		lo, hi uint64
		want   bool
	}{
		{0x0FE, 0x101, false}, // below the first
		{0x0FE, 0x102, true},  // hi is in the range
		{0x102, 0x1FE, false}, // lo is not
		{0x103, 0x202, true},  // lo with the reserved bit set is 0x102
		{0x202, 0x402, true},
		{0x302, 0x10000, false}, // none newer than the newest
	} {
		if got := res.FailingInternalIn(c.lo, c.hi); got != c.want {
			t.Errorf("(0x%X, 0x%X]: %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
	res.failingInternal = make([]uint64, maxUnlinked+1)
	if !res.FailingInternalIn(0x0FE, 0x101) || res.FailingInternalIn(0x302, 0x402) {
		t.Error("with more failing than kept, any failing tree newer than lo must count, and only such")
	}
}
