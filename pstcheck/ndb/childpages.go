package ndb

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
)

// childPages reads B-tree pages ahead of the walk, on the scanner's
// workers at once. B-tree pages lie scattered among the blocks they index
// (a median 20 KiB apart in a generated 1.3 GB store, 100 KiB in an
// attachment-heavy one), so the walk makes a read per page: one goroutine
// making them in turn took a quarter of the scan of a large store (88,000
// reads, 0.56 s of 2.2). The walk itself stays one goroutine's, in key
// order, as before: only where its pages' bytes come from changes.
//
// A branch page's children are read before it walks them; a page two
// levels above the leaves also reads its grandchildren, the leaf pages,
// in batches of up to maxBatchPages: sharing a branch page's 20 children
// among workers cost more in waking them than it saved.
//
// Pages that lie close together are read with one call (a run), as the
// walk's window would have served them. A page whose read fails is read
// again by the walk on its own, which reports what that read finds; a
// child read ahead is used only once the walk has checked its parent.
type childPages struct {
	// sets[k] holds the children of the page being walked at level k+1:
	// a page's bytes stay put while its own children are walked, as
	// those go into the set below. leaves holds a batch of leaf pages
	// read by a page at level 2.
	sets   [maxBTreeLevel]childSet
	leaves childSet
	// scratch is each worker's buffer for a run of several pages;
	// batched the level-1 pages whose leaves a batch reads.
	scratch [][]byte
	batched []int64
}

// childSet is a set of pages read ahead, each parent's children in
// consecutive slots.
type childSet struct {
	ps    int64   // the page size
	buf   []byte  // one page per slot
	read  []bool  // whether the slot's page was read whole
	offs  []int64 // each slot's offset; -1: not read ahead
	first []int   // each parent's first slot, and one past the last
	order []int   // the slots read ahead, in offset order
	runs  []childRun
}

// childRun is a span of the file holding slots order[first:top].
type childRun struct {
	off, end   int64
	first, top int
}

// childSlots are the slots of one page's children in a set; set is nil
// when they were not read ahead.
type childSlots struct {
	set   *childSet
	first int
	n     int
}

// page returns child i's bytes, nil when they were not read.
func (c childSlots) page(i int) []byte {
	if c.set == nil || !c.set.read[c.first+i] {
		return nil
	}
	return c.set.page(c.first + i)
}

// maxChildGap is the most bytes read between two pages of one run, and
// maxChildRun the longest run: a system call costs about as much as a
// copy of 8 KiB (window.go). maxBatchPages bounds a batch of leaf pages
// (4 MiB of 4 KiB pages).
const (
	maxChildGap   = 8 << 10
	maxChildRun   = 128 << 10
	maxBatchPages = 1024
)

// children reads the children of branch page (level level+1, cEnt
// entries) into the set of level. A file read from memory is not read
// ahead: there a page costs only its copy.
func (c *childPages) children(s *Scanner, level int, page []byte, cEnt int) childSlots {
	if readsFromMemory(s.r) {
		return childSlots{}
	}
	set := &c.sets[level]
	set.reset()
	set.add(s, page, cEnt)
	c.fill(s, set)
	return childSlots{set: set, n: cEnt}
}

// leafBatch reads the children of the level-1 pages among kids, from
// child from on, while they fit in one batch (at least one page's), and
// returns the index past the last page whose children it read. A page
// that is not a sound-looking level-1 page of ptype gets none, and nor
// does one the walk has been to or that comes again in the batch: the
// walk finds out why, and a page listed over and over (damage, or a file
// made to) costs a read per listing, as it did before, not a read of its
// children per listing.
func (c *childPages) leafBatch(s *Scanner, ptype uint8, kids childSlots, from int) int {
	l := &s.h.Layout
	set := &c.leaves
	set.reset()
	c.batched = c.batched[:0]
	i := from
	for ; i < kids.n; i++ {
		page := kids.page(i)
		cEnt := 0
		if off := kids.set.offs[kids.first+i]; page != nil && !s.visited.has(off) && !slices.Contains(c.batched, off) {
			c.batched = append(c.batched, off)
			t := l.ParsePageTrailer(page)
			n, _, cb, level := l.BTFooter(page)
			if t.Type == ptype && level == 1 && cb == l.BranchEntrySize && n*cb <= l.BTFooterOff {
				cEnt = n
			}
		}
		if i > from && len(set.offs)+cEnt > maxBatchPages {
			break
		}
		set.add(s, page, cEnt)
	}
	c.fill(s, set)
	return i
}

// slots returns the slots of the k-th parent of set.
func (set *childSet) slots(k int) childSlots {
	return childSlots{set: set, first: set.first[k], n: set.first[k+1] - set.first[k]}
}

func (set *childSet) reset() {
	set.offs, set.first, set.order, set.runs = set.offs[:0], append(set.first[:0], 0), set.order[:0], set.runs[:0]
}

// add gives the cEnt children of branch page (whose entry size the walk
// or leafBatch has checked) the next slots; a child whose reference lies
// outside the file's pages is not read (the walk reports it).
func (set *childSet) add(s *Scanner, page []byte, cEnt int) {
	l := &s.h.Layout
	for i := range cEnt {
		off := int64(-1)
		if ib := l.uint(page[i*l.BranchEntrySize+2*l.BIDSize:]); s.pageInFile(ib) {
			off = int64(ib)
			set.order = append(set.order, len(set.offs))
		}
		set.offs = append(set.offs, off)
	}
	set.first = append(set.first, len(set.offs))
}

// fill reads the set's pages, in runs shared among the workers.
func (c *childPages) fill(s *Scanner, set *childSet) {
	set.ps = s.h.Layout.PageSize
	ps := int(set.ps)
	n := len(set.offs)
	set.buf = slices.Grow(set.buf[:0], n*ps)[:n*ps]
	set.read = slices.Grow(set.read[:0], n)[:n]
	clear(set.read)
	offs := set.offs
	slices.SortFunc(set.order, func(a, b int) int { return cmp.Compare(offs[a], offs[b]) })
	for j, i := range set.order {
		off := offs[i]
		if n := len(set.runs); n > 0 {
			r := &set.runs[n-1]
			if off >= r.end && off-r.end <= maxChildGap && off+int64(ps)-r.off <= maxChildRun {
				r.end, r.top = off+int64(ps), j+1
				continue
			}
		}
		set.runs = append(set.runs, childRun{off: off, end: off + int64(ps), first: j, top: j + 1})
	}
	// Waking a worker costs about as much as a few reads: a set of a few
	// runs is read by the walk's goroutine alone.
	workers := min(s.workers, len(set.runs)/8+1)
	if len(c.scratch) < workers {
		c.scratch = make([][]byte, workers)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { c.scratch[w] = set.readRuns(s, &next, c.scratch[w]) })
	}
	c.scratch[0] = set.readRuns(s, &next, c.scratch[0])
	wg.Wait()
}

// readRuns reads the set's runs, taking the next one not yet taken until
// none is left, a run of several pages through scratch, which it returns.
func (set *childSet) readRuns(s *Scanner, next *atomic.Int64, scratch []byte) []byte {
	for {
		r := int(next.Add(1) - 1)
		if r >= len(set.runs) {
			return scratch
		}
		run := set.runs[r]
		if run.top-run.first == 1 {
			i := set.order[run.first]
			set.read[i] = readFull(s.r, set.page(i), run.off) == nil
			continue
		}
		scratch = slices.Grow(scratch[:0], int(run.end-run.off))[:run.end-run.off]
		if readFull(s.r, scratch, run.off) != nil {
			continue
		}
		for _, i := range set.order[run.first:run.top] {
			copy(set.page(i), scratch[set.offs[i]-run.off:])
			set.read[i] = true
		}
	}
}

// page is slot i's page bytes.
func (set *childSet) page(i int) []byte {
	return set.buf[int64(i)*set.ps : int64(i+1)*set.ps]
}
