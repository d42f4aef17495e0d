package ndb

import "io"

// window serves one goroutine's small reads from a buffer holding the
// bytes around the last one read from the file. The layers above the
// block pass read blocks one at a time, a few hundred bytes each, mostly
// near the one before (a message's blocks lie together); a system call
// per block would cost more than checking it. The window follows the reads:
// it grows while most of what it holds gets read, and shrinks when reads
// are scattered, so that it never copies much more than is used.
type window struct {
	buf    []byte
	start  int64 // file offset of buf[0]
	size   int   // bytes the next fill reads
	served int   // bytes read from buf since it was filled
}

const (
	minWindow  = 8 << 10
	maxWindow  = 1 << 20
	initWindow = 64 << 10
)

// readAt fills p with the bytes at off of r, a file of limit bytes. A read
// that fails, or that the window cannot serve whole, is made again for p
// alone, so that a bad sector near a block costs only the blocks in it.
func (w *window) readAt(r io.ReaderAt, limit int64, p []byte, off int64) error {
	if off >= w.start && off+int64(len(p)) <= w.start+int64(len(w.buf)) {
		w.served += copy(p, w.buf[off-w.start:])
		return nil
	}
	if len(p) >= maxWindow/2 || off < 0 || off > limit {
		return readFull(r, p, off)
	}
	switch {
	case w.size == 0:
		w.size = initWindow
	case w.served*8 < len(w.buf):
		w.size = max(w.size/2, minWindow)
	case w.served*2 > len(w.buf):
		w.size = min(w.size*2, maxWindow)
	}
	// Reads go both ways from here (a message's subnode block comes after
	// the blocks it lists), so the window starts a quarter before.
	size := max(w.size, len(p))
	start := max(off-int64(size/4), 0)
	end := min(start+int64(size), limit)
	if cap(w.buf) < size {
		w.buf = make([]byte, size)
	}
	n, _ := r.ReadAt(w.buf[:end-start], start)
	w.buf, w.start, w.served = w.buf[:n], start, 0
	if off+int64(len(p)) > start+int64(n) {
		w.buf = w.buf[:0]
		return readFull(r, p, off)
	}
	w.served += copy(p, w.buf[off-start:])
	return nil
}
