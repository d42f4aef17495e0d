package ndb

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
)

// When the BBT root is lost, every entry of the index is in a leaf page
// the sweep finds outside the live tree: held as candidates, they were the
// largest thing a scan held (32 bytes a block, 190 MB for the 6.1 million
// blocks of a 4.4 GB store of 2 million messages). So the sweep keeps only
// where each page is, and the merge reads the pages again in the order of
// their lowest BID, holding the entries of the pages whose BID ranges
// reach the BID it is at: one or two pages, as long as copies of a range
// are few. (Pages forged to span every BID are all held at once: what the
// candidates took before.)

// leafPage is a BBT leaf page found outside the live tree with entries in
// a lost range.
type leafPage struct {
	off     int64
	pageBID uint64
	lo      uint64 // the lowest BID of its entries in a lost range
	alloc   allocState
}

// leafCursor is what is left of the entries of one page (or of the live
// tree's changed pages), in the merge's order.
type leafCursor struct {
	rest []bbtCandidate
	buf  []bbtCandidate // the memory under rest, for the next page read
	// order breaks ties between cursors as the order in which the entries
	// were found: the changed pages' first (-1), then pages by offset.
	order int64
}

// leafMerge yields the candidate entries of the found leaf pages and the
// changed pages in the order a stable sort of all of them by BID, then
// allocation state (in use first), then page BID (newest first) gives.
type leafMerge struct {
	s      *Scanner
	ctx    context.Context
	pages  []leafPage // by lo, then offset
	unread int        // the first page not yet read
	heap   leafHeap
	page   []byte
	// spare are the cursors read to their end, for the pages read next:
	// a page's entries are not given fresh memory each.
	spare []*leafCursor
}

// newLeafMerge sorts pages and changed in place for the merge.
func (s *Scanner) newLeafMerge(ctx context.Context, pages []leafPage, changed []bbtCandidate) *leafMerge {
	slices.SortFunc(pages, func(a, b leafPage) int { return cmp.Or(cmp.Compare(a.lo, b.lo), cmp.Compare(a.off, b.off)) })
	m := &leafMerge{s: s, ctx: ctx, pages: pages, page: make([]byte, s.h.Layout.PageSize)}
	if len(changed) > 0 {
		slices.SortStableFunc(changed, compareLeafCandidates)
		m.heap = append(m.heap, &leafCursor{rest: changed, order: -1})
	}
	return m
}

// compareLeafCandidates orders the entries of one key best first.
func compareLeafCandidates(a, b bbtCandidate) int {
	return cmp.Or(cmp.Compare(a.bid, b.bid), cmp.Compare(b.alloc, a.alloc), cmp.Compare(b.pageBID, a.pageBID))
}

// next returns the next candidate, or false after the last, or once the
// scan is cancelled (a page read costs a seek on a cold disk).
func (m *leafMerge) next() (bbtCandidate, bool) {
	// Every page that may hold an entry as low as the lowest held one is
	// read first.
	for m.unread < len(m.pages) && (len(m.heap) == 0 || m.pages[m.unread].lo <= m.heap[0].rest[0].bid) {
		if m.unread%1024 == 0 && m.ctx.Err() != nil {
			return bbtCandidate{}, false
		}
		p := m.pages[m.unread]
		m.unread++
		if c := m.read(p); len(c.rest) > 0 {
			heap.Push(&m.heap, c)
		} else {
			m.spare = append(m.spare, c)
		}
	}
	if len(m.heap) == 0 {
		return bbtCandidate{}, false
	}
	c := m.heap[0]
	v := c.rest[0]
	if c.rest = c.rest[1:]; len(c.rest) == 0 {
		heap.Pop(&m.heap)
		m.spare = append(m.spare, c)
	} else {
		heap.Fix(&m.heap, 0)
	}
	return v, true
}

// read reads page p again and returns its entries in lost ranges, in
// order. A page that no longer reads as it did (the file changed under
// the scan) gives those that still do, none below where it was placed.
func (m *leafMerge) read(p leafPage) *leafCursor {
	s := m.s
	l := &s.h.Layout
	var c *leafCursor
	if n := len(m.spare); n > 0 {
		c, m.spare = m.spare[n-1], m.spare[:n-1]
	} else {
		c = &leafCursor{}
	}
	c.order, c.rest = p.off, c.buf[:0]
	if readFull(s.r, m.page, p.off) != nil {
		return c
	}
	t, cEnt, cbEnt, ok := l.foundLeaf(m.page, p.off, p.alloc)
	if !ok || t.Type != PageBBT || t.BID != p.pageBID {
		return c
	}
	for i := range cEnt {
		b := l.parseBBTLeaf(m.page[i*cbEnt : (i+1)*cbEnt])
		b.BID &^= bidReserved
		if b.BID >= p.lo && s.lostBlocks.has(b.BID) {
			c.rest = append(c.rest, leafCandidate(b, p.alloc, p.pageBID))
		}
	}
	c.buf = c.rest
	slices.SortStableFunc(c.rest, func(a, b bbtCandidate) int { return cmp.Compare(a.bid, b.bid) })
	return c
}

// leafHeap orders the cursors by their first entries, then by the order
// they were found in.
type leafHeap []*leafCursor

func (h leafHeap) Len() int { return len(h) }
func (h leafHeap) Less(i, j int) bool {
	c := compareLeafCandidates(h[i].rest[0], h[j].rest[0])
	return c < 0 || c == 0 && h[i].order < h[j].order
}
func (h leafHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *leafHeap) Push(x any)   { *h = append(*h, x.(*leafCursor)) }
func (h *leafHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
