package ndb

// pieces is a list that grows by fixed pieces instead of by copying: the
// index rebuild gathers an entry per block of the file (40 bytes each,
// 1.2 million of them in a 1.3 GB store), and a slice that large grows by
// a quarter at a time, so appending to it allocates and copies about five
// times its final size. On a 1.3 GB store whose BBT root was zeroed that
// took half of the scan's 5 seconds and most of its 215 MB peak. Pieces
// are allocated once each and joined once, when the list is complete.
type pieces[T any] struct {
	full [][]T // pieces that are full
	last []T   // the piece being filled
	n    int
}

// pieceLen is the entries of one piece: 64 Ki, a few MB at most.
const pieceLen = 1 << 16

func (p *pieces[T]) append(v T) {
	if len(p.last) == cap(p.last) {
		if p.last != nil {
			p.full = append(p.full, p.last)
		}
		p.last = make([]T, 0, min(pieceLen, max(64, p.n)))
	}
	p.last = append(p.last, v)
	p.n++
}

// join returns the entries in the order they were appended, in one
// slice, and empties the list: each piece is let go as it is copied.
func (p *pieces[T]) join() []T {
	out := make([]T, 0, p.n)
	for i, c := range p.full {
		out = append(out, c...)
		p.full[i] = nil
	}
	out = append(out, p.last...)
	*p = pieces[T]{}
	return out
}
