package ltp

// Space is the memory the heaps, property contexts and tables one
// goroutine opens are made in, reused after Reset: checking a store's
// messages, each opened and dropped in turn, then allocates nothing once
// the first few have sized it. A nil *Space allocates afresh, for objects
// that outlive the next Reset (the export's reads).
type Space struct {
	heaps bump[Heap]
	pcs   bump[PC]
	tcs   bump[TC]
	u16   bump[uint16]
	i32   bump[int32]
	u8    bump[uint8]
	u32   bump[uint32]
	ints  bump[int]
	props bump[Property]
	cols  bump[Column]
	// scratch for the one object being opened
	tmpProps []Property
	tmpRows  []rowEntry
	// layout is the last table layout read (tclayout.go); Reset keeps it.
	layout tcLayout
}

// Reset makes all the space reusable: what was opened in it must not be
// used after.
func (s *Space) Reset() {
	if s == nil {
		return
	}
	s.heaps.reset()
	s.pcs.reset()
	s.tcs.reset()
	s.u16.reset()
	s.i32.reset()
	s.u8.reset()
	s.u32.reset()
	s.ints.reset()
	s.props.reset()
	s.cols.reset()
}

// bump hands out slices of a backing array in turn. When it runs out, a
// larger one replaces it: slices handed out from the old one stay valid
// until Reset, after which the larger one serves everything.
type bump[T any] struct {
	buf []T
	off int
}

// take returns n zeroed elements (fresh memory when b is nil).
func (b *bump[T]) take(n int) []T {
	if b == nil {
		return make([]T, n)
	}
	if b.off+n > len(b.buf) {
		b.buf = make([]T, max(2*len(b.buf), n, 16))
		b.off = 0
	}
	s := b.buf[b.off : b.off+n : b.off+n]
	b.off += n
	clear(s)
	return s
}

// one returns a pointer to one zeroed element.
func (b *bump[T]) one() *T { return &b.take(1)[0] }

func (b *bump[T]) reset() { b.off = 0 }

// The space's bumps, nil when s is nil (so that take allocates).
func (s *Space) heapBump() *bump[Heap] {
	if s == nil {
		return nil
	}
	return &s.heaps
}

func (s *Space) pcBump() *bump[PC] {
	if s == nil {
		return nil
	}
	return &s.pcs
}

func (s *Space) tcBump() *bump[TC] {
	if s == nil {
		return nil
	}
	return &s.tcs
}

func (s *Space) u16Bump() *bump[uint16] {
	if s == nil {
		return nil
	}
	return &s.u16
}

func (s *Space) i32Bump() *bump[int32] {
	if s == nil {
		return nil
	}
	return &s.i32
}

func (s *Space) u8Bump() *bump[uint8] {
	if s == nil {
		return nil
	}
	return &s.u8
}

func (s *Space) u32Bump() *bump[uint32] {
	if s == nil {
		return nil
	}
	return &s.u32
}

func (s *Space) propBump() *bump[Property] {
	if s == nil {
		return nil
	}
	return &s.props
}

func (s *Space) colBump() *bump[Column] {
	if s == nil {
		return nil
	}
	return &s.cols
}

func (s *Space) intBump() *bump[int] {
	if s == nil {
		return nil
	}
	return &s.ints
}
