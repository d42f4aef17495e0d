package ndb

import "io"

// window serves one goroutine's small reads from buffers holding the
// bytes around the last ones read from the file. The layers above the
// block pass read blocks and pages one at a time, a few hundred bytes
// each, mostly near one read before (a message's blocks lie together, and
// so do B-tree leaves written one after the other); a system call per
// block would cost more than checking it. Reads often alternate between
// two places (leaf pages here, their branch pages written elsewhere), so
// there are two buffers, the one least recently used refilled on a miss.
//
// A system call costs about as much as copying 8 to 16 KiB (measured on
// the development VM: a 512-byte read 3 us, a 64 KiB one 22 us), so a
// buffer grows while it saves at least one call per 8 KiB it copies, and
// shrinks when it saves less than one per 32 KiB (reads too scattered to
// share one).
//
// A file read from memory (a mapping: its reader has a ReadsFromMemory
// method) needs no window: there a read costs only the copy of what it
// reads, and a window would copy every byte twice.
type window struct {
	bufs   [2]windowBuf
	recent int // the buffer that served the last read
}

type windowBuf struct {
	buf   []byte
	start int64 // file offset of buf[0]
	size  int   // bytes the next fill reads
	hits  int   // reads served since it was filled
}

const (
	minWindow  = 4 << 10
	maxWindow  = 128 << 10
	initWindow = 32 << 10
)

// readAt fills p with the bytes at off of r, a file of size bytes. A read
// that fails, or that the window cannot serve whole, is made again for p
// alone, so that a bad sector near a block costs only the blocks in it.
func (w *window) readAt(r io.ReaderAt, size int64, p []byte, off int64) error {
	if readsFromMemory(r) {
		return readFull(r, p, off)
	}
	if b := w.holding(off, int64(len(p))); b != nil {
		copy(p, b.buf[off-b.start:])
		b.hits++
		return nil
	}
	if len(p) >= maxWindow/2 || off < 0 || off > size {
		return readFull(r, p, off)
	}
	if b := w.fill(r, size, off, int64(len(p))); b != nil {
		copy(p, b.buf[off-b.start:])
		return nil
	}
	return readFull(r, p, off)
}

// prefetch brings [off, end) into the window, for the reads that are known
// to follow (a message's blocks lie between its data block and its
// subnode block).
func (w *window) prefetch(r io.ReaderAt, size, off, end int64) {
	if off >= 0 && end > off && end-off <= maxWindow && end <= size && w.holding(off, end-off) == nil {
		w.fill(r, size, off, end-off)
	}
}

// holding returns the buffer holding [off, off+n), or nil.
func (w *window) holding(off, n int64) *windowBuf {
	for i := range w.bufs {
		b := &w.bufs[i]
		if off >= b.start && off+n <= b.start+int64(len(b.buf)) {
			w.recent = i
			return b
		}
	}
	return nil
}

// fill refills the least recently used buffer with the bytes around
// [off, off+n) and returns it, or nil when they cannot all be read.
func (w *window) fill(r io.ReaderAt, size, off, n int64) *windowBuf {
	w.recent = 1 - w.recent
	b := &w.bufs[w.recent]
	switch {
	case b.size == 0:
		b.size = initWindow
	case b.hits*(32<<10) < len(b.buf):
		b.size = max(b.size/2, minWindow)
	case b.hits*(8<<10) >= len(b.buf):
		b.size = min(b.size*2, maxWindow)
	}
	// Reads go both ways from here (a message's subnode block comes after
	// the blocks it lists, within a few KiB), so the buffer starts a little
	// before.
	// The buffer ends past [off, off+n) however far before off it starts:
	// a buffer of want bytes starting before off did not reach off+n when
	// the window had shrunk to about n (a 4 KiB window and an 8 KiB block),
	// and the read was made again for the block alone (10,000 of a
	// 400,000-message scan's 137,000 reads, reading its folders' tables).
	want := max(int64(b.size), n)
	start := max(off-min(want/4, 16<<10), 0)
	end := min(max(start+want, off+n), size)
	if int64(cap(b.buf)) < end-start {
		b.buf = make([]byte, end-start)
	}
	got, _ := r.ReadAt(b.buf[:end-start], start)
	b.buf, b.start, b.hits = b.buf[:got], start, 0
	if off+n > start+int64(got) {
		b.buf = b.buf[:0]
		return nil
	}
	return b
}

// readsFromMemory tells a reader whose reads cost no system call.
func readsFromMemory(r io.ReaderAt) bool {
	_, ok := r.(interface{ ReadsFromMemory() })
	return ok
}
