package ndb

import "testing"

// TestPieces appends across several pieces and joins them back in order.
func TestPieces(t *testing.T) {
	for _, n := range []int{0, 1, 64, 65, pieceLen, 3*pieceLen + 17} {
		var p pieces[int]
		for i := range n {
			p.append(i)
		}
		out := p.join()
		if len(out) != n {
			t.Fatalf("%d appended, %d joined", n, len(out))
		}
		for i, v := range out {
			if v != i {
				t.Fatalf("%d appended: entry %d is %d", n, i, v)
			}
		}
		if p.n != 0 || len(p.full) != 0 || len(p.last) != 0 {
			t.Fatalf("%d appended: the list is not empty after join", n)
		}
	}
}
