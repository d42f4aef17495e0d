package ndb

import "slices"

// pieces is a list that grows by fixed pieces instead of by copying: the
// index rebuild gathers an entry per block of the file (32 bytes each,
// 1.2 million of them in a 1.3 GB store), and a slice that large grows by
// a quarter at a time, so appending to it allocates and copies about five
// times its final size. On a 1.3 GB store whose BBT root was zeroed that
// took a fifth of the scan's 5 seconds. Pieces are allocated once each,
// and read back in order by sorting each and merging them (sortedPieces),
// so the list is never copied whole.
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

// sorted sorts the list by cmp and returns it for reading in order: the
// order a stable sort of the whole list gives. Each piece is sorted on its
// own and the pieces are merged as they are read, an earlier piece first
// between equal entries. The list is empty afterwards.
func (p *pieces[T]) sorted(cmp func(a, b T) int) *sortedPieces[T] {
	all := append(p.full, p.last)
	*p = pieces[T]{}
	s := &sortedPieces[T]{cmp: cmp}
	for i, c := range all {
		if len(c) > 0 {
			slices.SortStableFunc(c, cmp)
			s.heap = append(s.heap, pieceHead[T]{rest: c, piece: i})
		}
	}
	for i := len(s.heap)/2 - 1; i >= 0; i-- {
		s.down(i)
	}
	return s
}

// sortedPieces reads sorted pieces in order through a heap of what is left
// of each, ordered by its first entry.
type sortedPieces[T any] struct {
	heap []pieceHead[T]
	cmp  func(a, b T) int
}

type pieceHead[T any] struct {
	rest  []T
	piece int // the piece's place in the list, for ties
}

// next returns the next entry in order, or false after the last.
func (s *sortedPieces[T]) next() (T, bool) {
	if len(s.heap) == 0 {
		var zero T
		return zero, false
	}
	h := &s.heap[0]
	v := h.rest[0]
	if h.rest = h.rest[1:]; len(h.rest) == 0 {
		n := len(s.heap) - 1
		s.heap[0] = s.heap[n]
		s.heap = s.heap[:n] // the piece is let go
	}
	if len(s.heap) > 0 {
		s.down(0)
	}
	return v, true
}

func (s *sortedPieces[T]) less(i, j int) bool {
	a, b := &s.heap[i], &s.heap[j]
	c := s.cmp(a.rest[0], b.rest[0])
	return c < 0 || c == 0 && a.piece < b.piece
}

func (s *sortedPieces[T]) down(i int) {
	for {
		m := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(s.heap) && s.less(c, m) {
				m = c
			}
		}
		if m == i {
			return
		}
		s.heap[i], s.heap[m] = s.heap[m], s.heap[i]
		i = m
	}
}
