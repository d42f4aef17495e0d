package ndb

import (
	"cmp"
	"slices"
	"testing"
)

// TestPiecesSorted appends across several pieces and reads them back in
// the order a stable sort of the whole list gives: by key, equal keys in
// the order they were appended.
func TestPiecesSorted(t *testing.T) {
	type entry struct{ key, seq int }
	byKey := func(a, b entry) int { return cmp.Compare(a.key, b.key) }
	for _, n := range []int{0, 1, 64, 65, pieceLen, 3*pieceLen + 17} {
		var p pieces[entry]
		var want []entry
		for i := range n {
			e := entry{key: (i * 7919) % 1000, seq: i} // many equal keys, spread over the pieces
			p.append(e)
			want = append(want, e)
		}
		slices.SortStableFunc(want, byKey)
		s := p.sorted(byKey)
		for i, w := range want {
			got, ok := s.next()
			if !ok || got != w {
				t.Fatalf("%d appended: entry %d is %v (%v), want %v", n, i, got, ok, w)
			}
		}
		if _, ok := s.next(); ok {
			t.Fatalf("%d appended: more than %d read", n, n)
		}
		if p.n != 0 || len(p.full) != 0 || len(p.last) != 0 {
			t.Fatalf("%d appended: the list is not empty after sorted", n)
		}
	}
}

// TestFirstOfKey keeps the first entry of each key of a sorted list.
func TestFirstOfKey(t *testing.T) {
	var p pieces[[2]uint64]
	for _, e := range [][2]uint64{{1, 0}, {1, 1}, {2, 2}, {0, 3}, {2, 4}, {5, 5}} {
		p.append(e)
	}
	next := firstOfKey(p.sorted(func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) }).next, func(e [2]uint64) uint64 { return e[0] })
	var got [][2]uint64
	for e, ok := next(); ok; e, ok = next() {
		got = append(got, e)
	}
	if want := [][2]uint64{{0, 3}, {1, 0}, {2, 2}, {5, 5}}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
