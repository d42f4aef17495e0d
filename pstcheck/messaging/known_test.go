package messaging

import (
	"math"
	"slices"
	"testing"
)

// The fingerprints of the messages found keep every creation time given,
// the lowest an int64 holds too (a FILETIME of 2^61 past 1970 gives it:
// the old map used that value to mean "several messages"), and rows no
// message has are known without a time of their own.
func TestKnownPrints(t *testing.T) {
	var w walker
	w.know(7, math.MinInt64)
	w.know(3, 42)
	w.know(7, 5)
	w.knowRow(9)
	w.knowRow(3) // a message has it: nothing to add
	times := func(p uint64) []int64 {
		var out []int64
		for _, f := range w.known.foundOf(p) {
			out = append(out, f.created)
		}
		slices.Sort(out)
		return out
	}
	if got := times(7); !slices.Equal(got, []int64{math.MinInt64, 5}) {
		t.Errorf("fingerprint 7: times %v", got)
	}
	if got := times(3); !slices.Equal(got, []int64{42}) {
		t.Errorf("fingerprint 3: times %v", got)
	}
	for p, want := range map[uint64]bool{7: true, 3: true, 9: true, 4: false} {
		if w.isKnown(p) != want {
			t.Errorf("isKnown(%d) = %v", p, !want)
		}
	}
	if len(w.known.foundOf(9)) != 0 || len(w.known.rowOnly) != 1 {
		t.Errorf("rows only: %v, found %v", w.known.rowOnly, w.known.foundOf(9))
	}
	w.know(4, 1) // found after a lookup: looked up again in order
	if !w.isKnown(4) || !slices.Equal(times(7), []int64{math.MinInt64, 5}) {
		t.Error("a message found after the first lookup is not known")
	}
}
