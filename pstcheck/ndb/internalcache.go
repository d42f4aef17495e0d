package ndb

import (
	"slices"
	"sync"
)

// The node pass reads every internal block (XBLOCK, XXBLOCK, SLBLOCK,
// SIBLOCK), one here, one there, through a read window that fills with the
// data blocks around them: on a 1 GB attachment-heavy archive it read
// 330 MB for 2 MB of internal blocks. The block pass has each of them in
// its buffer already, so it keeps a copy of the sound ones, up to
// maxInternalKept bytes, and the node pass reads from there; an internal
// block past the limit is read from the file as before.

// maxInternalKept bounds the bytes of internal blocks kept for the node
// pass (a 1 GB attachment-heavy archive has 2 MB of them; a store of
// millions of small messages far more, and its scan gained as much with
// 8 MiB kept as with 16).
const maxInternalKept = 8 << 20

// internalCache holds copies of sound internal blocks by BBT index.
type internalCache struct {
	mu    sync.Mutex
	data  []byte
	spans []internalSpan // sorted by index once the block pass is done
	full  bool
}

type internalSpan struct {
	idx      int32
	off, len uint32
}

// newInternalCache makes a cache with room for the internal blocks bbt
// lists, up to the limit, so that it is filled without copying it again.
func newInternalCache(bbt *BlockTable) *internalCache {
	n, size := 0, 0
	for _, e := range bbt.All() {
		if IsInternal(e.BID) {
			n++
			size += int(e.CB)
		}
	}
	if size > maxInternalKept {
		n = n / (size/maxInternalKept + 1) // the share that fits
	}
	return &internalCache{data: make([]byte, 0, min(size, maxInternalKept)), spans: make([]internalSpan, 0, n)}
}

// keep adds the blocks one verifier gathered (their bytes in buf, in
// order) unless the cache is full.
func (c *internalCache) keep(spans []internalSpan, buf []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.full || len(c.data)+len(buf) > maxInternalKept {
		c.full = true
		return
	}
	base := uint32(len(c.data))
	c.data = append(c.data, buf...)
	for _, s := range spans {
		s.off += base
		c.spans = append(c.spans, s)
	}
}

// seal sorts the spans for lookups; the cache is read-only after.
func (c *internalCache) seal() {
	slices.SortFunc(c.spans, func(a, b internalSpan) int { return int(a.idx - b.idx) })
}

// block returns the kept bytes of the block at BBT index idx, or nil.
func (c *internalCache) block(idx int) []byte {
	if c == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(c.spans, int32(idx), func(s internalSpan, t int32) int { return int(s.idx - t) })
	if !ok {
		return nil
	}
	s := c.spans[i]
	return c.data[s.off : s.off+s.len : s.off+s.len]
}
