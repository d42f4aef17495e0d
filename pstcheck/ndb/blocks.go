package ndb

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// checkBlocks is the block pass (CheckBlocks): every block the BBT lists,
// in file-offset order, read in large sequential chunks so that the pass
// runs near the speed of reading the file. It goes in three steps: the
// blocks whose entry alone rules them out (size, alignment, range, a page
// in their place) are set apart; the chunks holding the rest are checked
// on every worker at once, each worker reading its next chunk while the
// others check theirs; then the results are gone through in offset order,
// as one sequential pass would, for the checks that depend on the blocks
// before (overlaps) and for the findings, so that they come in the same
// order whatever the timing.
func (s *Scanner) checkBlocks(ctx context.Context) {
	order := s.offsetOrder()

	// The pages the walk found, and the map pages, sorted in place: the
	// walk's order is not needed after, and a store of millions of items
	// has hundreds of thousands of pages.
	s.mapPages = s.fixedPages()
	pages := append(s.pages, s.mapPages...)
	s.pages, s.pageCount = nil, len(pages)
	slices.SortFunc(pages, func(a, b pageRef) int { return cmp.Compare(a.IB, b.IB) })

	// The allocation pass goes through the blocks and pages in this order
	// too.
	s.order, s.sortedPages = order, pages
	chunks := s.planChunks(order, pages)
	s.internal = newInternalCache(&s.res.BBT)
	if !s.verifyChunks(ctx, order, chunks) {
		return
	}
	s.internal.seal()
	s.reportBlocks(order, pages, chunks)
}

// blockOrder is the BBT's indexes in file-offset order: nil when the BBT
// is in that order already (blocks written in the order of their BIDs),
// which saves 4 bytes a block.
type blockOrder []int32

// at returns the index of the n-th block in offset order.
func (o blockOrder) at(n int) int {
	if o == nil {
		return n
	}
	return int(o[n])
}

// offsetOrder returns the BBT's indexes in file-offset order.
func (s *Scanner) offsetOrder() blockOrder {
	bbt := &s.res.BBT
	sorted := true
	for i := 1; i < bbt.Len() && sorted; i++ {
		sorted = bbt.IB(i) >= bbt.IB(i-1)
	}
	if sorted {
		return nil
	}
	order := make(blockOrder, bbt.Len())
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(bbt.IB(int(a)), bbt.IB(int(b))) })
	return order
}

// entryProblem checks what a block's BBT entry alone says of it: its
// size, alignment and place in the data section, and no page in its place
// (pages, in offset order, from *pi on). It returns the block state, 0
// when the block is to be read.
func (s *Scanner) entryProblem(e *BBTEntry, pages []pageRef, pi *int) BlockState {
	l := &s.h.Layout
	if e.CB == 0 || int(e.CB) > l.MaxBlockData {
		return stateSize
	}
	ext := l.BlockExtent(int(e.CB))
	if e.IB%uint64(l.BlockAlign) != 0 {
		return stateAlign
	}
	if e.IB < uint64(l.FirstAMap) || e.IB > uint64(s.limit) || uint64(s.limit)-e.IB < uint64(ext) {
		return stateRange
	}
	ib := int64(e.IB)
	for *pi < len(pages) && pages[*pi].IB+l.PageSize <= ib {
		*pi++
	}
	if *pi < len(pages) && pages[*pi].IB < ib+ext {
		return statePageOverlap
	}
	return 0
}

// blockChunk is a run of blocks, the first to the last-1-th in offset
// order, checked together from
// the bytes [off, end) of the file.
type blockChunk struct {
	first, last int32
	off, end    int64
	// readErrs says why blocks could not be read.
	readErrs []readErr
}

type readErr struct {
	idx int32
	err error
}

// planChunks marks the blocks whose entry rules them out and groups the
// others into chunks of about ChunkSize bytes.
func (s *Scanner) planChunks(order blockOrder, pages []pageRef) []blockChunk {
	l := &s.h.Layout
	bbt := &s.res.BBT
	size := int64(max(ChunkSize, 1<<16))
	var chunks []blockChunk
	pi := 0
	for n := range bbt.Len() {
		idx := order.at(n)
		e := bbt.Entry(idx)
		if st := s.entryProblem(&e, pages, &pi); st != 0 {
			bbt.setState(idx, st)
			continue
		}
		ib, end := int64(e.IB), int64(e.IB)+l.BlockExtent(int(e.CB))
		if k := len(chunks) - 1; k >= 0 && end-chunks[k].off <= size {
			chunks[k].last = int32(n + 1)
			chunks[k].end = max(chunks[k].end, end)
			continue
		}
		chunks = append(chunks, blockChunk{first: int32(n), last: int32(n + 1), off: ib, end: end})
	}
	return chunks
}

// verifyChunks checks the chunks' blocks on the scan's workers, setting
// each block's state (0 when it verifies), and reports the bytes read as
// progress. It returns false when ctx ended the pass.
func (s *Scanner) verifyChunks(ctx context.Context, order blockOrder, chunks []blockChunk) bool {
	var next atomic.Int64
	done := make(chan int64, len(chunks))
	workers := max(1, min(s.workers, len(chunks)))
	for range workers {
		go func() {
			v := blockVerifier{s: s}
			for {
				k := int(next.Add(1)) - 1
				if k >= len(chunks) {
					return
				}
				c := &chunks[k]
				if ctx.Err() == nil {
					v.check(c, order)
				}
				done <- c.end - c.off
			}
		}()
	}
	for range chunks {
		s.progress.Add(<-done)
	}
	return ctx.Err() == nil
}

// blockVerifier checks chunks of blocks; each worker has its own.
type blockVerifier struct {
	s   *Scanner
	buf []byte
	inf blockInflater
	// kept gathers a chunk's sound internal blocks for the node pass
	// (internalcache.go).
	kept     []internalSpan
	keptData []byte
}

// check verifies chunk c's blocks.
func (v *blockVerifier) check(c *blockChunk, order blockOrder) {
	if r, ok := v.s.r.(inPlaceReader); ok {
		if r.InPlace(c.off, int(c.end-c.off), func(data []byte) { v.verify(c, order, data, c.off) }) {
			return
		}
		// The chunk runs past the file's end, or a page faulted: the
		// blocks verified before keep their states (and the internal
		// ones are kept only when the chunk is done), and the chunk is
		// read as below, which reports a fault as a read error of the
		// blocks on that page.
		v.kept, v.keptData = v.kept[:0], v.keptData[:0]
	}
	if n := c.end - c.off; int64(cap(v.buf)) < n {
		// Chunks are at most ChunkSize: one buffer of that serves them all.
		v.buf = make([]byte, max(n, min(int64(max(ChunkSize, 1<<16)), v.s.limit)))
	}
	v.verify(c, order, nil, 0)
}

// inPlaceReader is a reader whose bytes can be checked where they lie, a
// mapping of the file (pstcheck/mapped_linux.go): the block pass then
// verifies a chunk without copying it first. InPlace returns false when
// the bytes are not all there or a page of them faulted while use ran.
type inPlaceReader interface {
	InPlace(off int64, n int, use func([]byte)) bool
}

// verify checks the blocks of c, data holding the file's bytes from start
// (nil: none yet). A block data does not hold is read, with the rest of
// the chunk after it: the chunk in one read, unless a bad sector cuts a
// read short, which then costs only the blocks it lies in.
func (v *blockVerifier) verify(c *blockChunk, order blockOrder, data []byte, start int64) {
	s := v.s
	l := &s.h.Layout
	bbt := &s.res.BBT
	for n := int(c.first); n < int(c.last); n++ {
		idx := order.at(n)
		if bbt.State(idx) != 0 {
			continue // ruled out by its entry, or found bad already
		}
		ent := bbt.Entry(idx)
		e := &ent
		ib, ext := int64(e.IB), l.BlockExtent(int(e.CB))
		if ib < start || ib+ext > start+int64(len(data)) {
			got, err := s.r.ReadAt(v.buf[:c.end-ib], ib)
			data, start = v.buf[:got], ib
			if int64(got) < ext {
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
				c.readErrs = append(c.readErrs, readErr{int32(idx), err})
			}
		}
		if ib < start || ib+ext > start+int64(len(data)) {
			bbt.setState(idx, stateFileRead)
			continue
		}
		extent := data[ib-start : ib-start+ext]
		if !l.blockSound(e, extent, &v.inf) {
			bbt.setState(idx, l.problemState(e, extent, &v.inf))
		} else if IsInternal(e.BID) {
			v.kept = append(v.kept, internalSpan{idx: int32(idx), off: uint32(len(v.keptData)), len: uint32(e.CB)})
			v.keptData = append(v.keptData, extent[:e.CB]...)
		}
	}
	if len(v.kept) > 0 {
		s.internal.keep(v.kept, v.keptData)
		v.kept, v.keptData = v.kept[:0], v.keptData[:0]
	}
}

// reportBlocks goes through the blocks in offset order and reports what
// the pass found, as a sequential pass would: the problems of entries,
// overlaps with the block before (only a block that verifies owns its
// bytes: an entry pointing at another block's place must not cost that
// block, see reportFailed), and read failures at once; blocks that fail
// verification after the pass, since a block further on may prove their
// bytes are its own.
func (s *Scanner) reportBlocks(order blockOrder, pages []pageRef, chunks []blockChunk) {
	l := &s.h.Layout
	bbt := &s.res.BBT
	var prevEnd int64
	var prevBID uint64
	pi, ci := 0, 0
	var failed []int32
	for n := range bbt.Len() {
		idx := order.at(n)
		ent := bbt.Entry(idx)
		e := &ent
		bad := func(st BlockState, detail string) {
			bbt.setState(idx, st)
			s.reportBlock(idx, finding.Finding{Code: st.Code(), Offset: int64(e.IB), BID: e.BID, Detail: detail})
		}
		ext := l.BlockExtent(int(e.CB))
		ib := int64(e.IB)
		switch s.entryProblem(e, pages, &pi) {
		case stateSize:
			bad(stateSize, fmt.Sprintf("block size %d (the format allows 1 to %d)", e.CB, l.MaxBlockData))
			continue
		case stateAlign:
			bad(stateAlign, fmt.Sprintf("block offset 0x%X is not a multiple of %d", e.IB, l.BlockAlign))
			continue
		case stateRange:
			if s.res.BBT.Found(idx) == FoundInTree {
				s.notePastEnd(e.IB, ext)
			}
			bad(stateRange, fmt.Sprintf("block at 0x%X+%d lies outside the data section (0x%X-0x%X)", e.IB, ext, l.FirstAMap, s.limit))
			continue
		case statePageOverlap:
			if ib < prevEnd {
				break // the overlap with the block before is said first
			}
			bad(stateOverlap, fmt.Sprintf("block at 0x%X+%d overlaps the %s page at 0x%X", e.IB, ext, pageTypeName(pages[pi].Type), pages[pi].IB))
			continue
		}
		if ib < prevEnd {
			bad(stateOverlap, fmt.Sprintf("block at 0x%X overlaps block 0x%X, which runs to 0x%X", e.IB, prevBID, prevEnd))
			s.noteTakenByNewer(int32(idx), e.BID, prevBID) // prevBID verified where it lies
			continue
		}
		for ci < len(chunks) && int(chunks[ci].last) <= n {
			ci++
		}
		switch st := bbt.State(idx); st {
		case stateFileRead:
			var err error = io.ErrUnexpectedEOF
			for _, r := range chunks[ci].readErrs {
				if int(r.idx) == idx {
					err = r.err
				}
			}
			bad(stateFileRead, "reading the block: "+err.Error())
		case 0:
			s.res.BytesVerified += ext
			prevEnd, prevBID = ib+ext, e.BID
		default:
			s.res.BytesVerified += ext
			failed = append(failed, int32(idx))
		}
	}
	s.reportFailed(order, failed)
}

// reportFailed reports the blocks that failed verification. A failing
// entry whose extent overlaps a block that verified points at that block's
// place (a damaged BBT entry): it is reported as the overlap it is, and
// the sound block keeps its bytes. What is wrong with each is read again
// here: failures are few, and their details are not kept meanwhile.
func (s *Scanner) reportFailed(order blockOrder, failed []int32) {
	if len(failed) == 0 {
		return
	}
	l := &s.h.Layout
	bbt := &s.res.BBT
	pos := make(map[int32]int, len(failed))
	for _, idx := range failed {
		pos[idx] = -1
	}
	for n := range bbt.Len() {
		if _, ok := pos[int32(order.at(n))]; ok {
			pos[int32(order.at(n))] = n
		}
	}
	end := func(i int) int64 { return int64(bbt.IB(i)) + l.BlockExtent(int(bbt.CB(i))) }
	var inf blockInflater
	buf := make([]byte, l.BlockExtent(l.MaxBlockData))
	for _, idx := range failed {
		e := bbt.Entry(int(idx))
		lo, hi := int64(e.IB), int64(e.IB)+l.BlockExtent(int(e.CB))
		n := pos[idx]
		owner := uint64(0)
		for k := n - 1; k >= 0 && owner == 0; k-- { // earlier blocks running into this one
			o := order.at(k)
			if end(o) <= lo-int64(l.MaxBlockData)-int64(l.BlockAlign) {
				break
			}
			if bbt.State(o) == 0 && end(o) > lo {
				owner = bbt.BID(o)
			}
		}
		for k := n + 1; k < bbt.Len() && owner == 0 && int64(bbt.IB(order.at(k))) < hi; k++ {
			if bbt.State(order.at(k)) == 0 {
				owner = bbt.BID(order.at(k))
			}
		}
		code := bbt.State(int(idx)).Code()
		var detail string
		if owner != 0 {
			code = finding.BlockOverlap
			detail = fmt.Sprintf("block at 0x%X+%d overlaps block 0x%X, which verifies there: this entry points at another block's place", e.IB, hi-lo, owner)
			bbt.setState(int(idx), stateOverlap)
			s.noteTakenByNewer(idx, e.BID, owner)
		} else if ext := buf[:hi-lo]; readFull(s.r, ext, lo) == nil {
			if c, d := l.blockProblem(&e, ext, &inf); c == code {
				detail = d
			}
			if t := l.ParseBlockTrailer(ext); t.Sig == Signature(e.IB, t.BID) && l.BlockExtent(int(t.CB)) == hi-lo && CRC(ext[:t.CB]) == t.CRC {
				s.noteTakenByNewer(idx, e.BID, t.BID)
			}
		}
		if detail == "" {
			detail = fmt.Sprintf("block %s (it could not be read again to say more)", code)
		}
		if bbt.State(int(idx)).trailerOnly() {
			detail += "; its data checks out against its CRC"
		}
		s.reportBlock(int(idx), finding.Finding{Code: code, Offset: int64(e.IB), BID: e.BID, Detail: detail})
	}
}

// problemState is the state of a block that is not sound: the one field
// of its trailer that changed when that is its only fault (trailerFault),
// else its most telling problem.
func (l *Layout) problemState(e *BBTEntry, extent []byte, inf *blockInflater) BlockState {
	if st := l.trailerFault(e, extent); st != 0 {
		return st
	}
	code, _ := l.blockProblem(e, extent, inf)
	return blockState(cmp.Or(code, finding.BlockCRC))
}

// trailerFault returns the state of a block whose one fault is one field
// of its trailer (its cb, BID or signature) while its data checks out
// against the CRC the trailer stores: a byte of the trailer changed, the
// data whole. Else 0. A compressed block of a 4K file does not count (its
// inflating is not checked then).
func (l *Layout) trailerFault(e *BBTEntry, extent []byte) BlockState {
	if l.Kind == Unicode4K && e.Inflated != e.CB {
		return 0
	}
	t := l.ParseBlockTrailer(extent)
	if CRC(extent[:e.CB]) != t.CRC {
		return 0
	}
	cb, bid, sig := t.CB != e.CB, t.BID != e.BID, t.Sig != Signature(e.IB, e.BID)
	switch {
	case cb && !bid && !sig:
		return stateTrailerCB
	case bid && !cb && !sig:
		return stateTrailerBID
	case sig && !cb && !bid:
		return stateTrailerSig
	}
	return 0
}

// blockSound reports whether a block's trailer and checksum agree with its
// BBT entry (and, in 4K files, a compressed block inflates to its size):
// the pass's one check per block, which allocates nothing.
func (l *Layout) blockSound(e *BBTEntry, extent []byte, inf *blockInflater) bool {
	t := l.ParseBlockTrailer(extent)
	if t.CB != e.CB || t.BID != e.BID || t.Sig != Signature(e.IB, e.BID) || CRC(extent[:e.CB]) != t.CRC {
		return false
	}
	if l.Kind == Unicode4K && e.Inflated != e.CB {
		n, err := inf.inflatedSize(extent[:e.CB], int(e.Inflated))
		return err == nil && n == int(e.Inflated)
	}
	return true
}

// verifyBlock checks one block against its BBT entry: "" when it is
// sound, else what blockProblem says.
func (l *Layout) verifyBlock(e *BBTEntry, extent []byte, inf *blockInflater) (finding.Code, string) {
	if l.blockSound(e, extent, inf) {
		return "", ""
	}
	return l.blockProblem(e, extent, inf)
}

// blockProblem says what is wrong with a block that is not sound: the most
// telling problem, with every mismatch in the detail, so that one damaged
// block gives one finding.
func (l *Layout) blockProblem(e *BBTEntry, extent []byte, inf *blockInflater) (finding.Code, string) {
	t := l.ParseBlockTrailer(extent)
	var code finding.Code
	var why []string
	add := func(c finding.Code, s string) {
		if code == "" {
			code = c
		}
		why = append(why, s)
	}
	if t.CB != e.CB {
		add(finding.BlockTrailerSize, fmt.Sprintf("trailer cb %d, BBT cb %d", t.CB, e.CB))
	}
	if t.BID != e.BID {
		add(finding.BlockBID, fmt.Sprintf("trailer BID 0x%X, BBT BID 0x%X", t.BID, e.BID))
	}
	if sig := Signature(e.IB, e.BID); t.Sig != sig {
		add(finding.BlockSignature, fmt.Sprintf("signature 0x%04X, want 0x%04X", t.Sig, sig))
	}
	if crc := CRC(extent[:e.CB]); crc != t.CRC {
		add(finding.BlockCRC, fmt.Sprintf("CRC stored 0x%08X, computed 0x%08X", t.CRC, crc))
	}
	if code == "" && l.Kind == Unicode4K && e.Inflated != e.CB {
		if n, err := inf.inflatedSize(extent[:e.CB], int(e.Inflated)); err != nil || n != int(e.Inflated) {
			msg := fmt.Sprintf("inflates to %d bytes, want %d", n, e.Inflated)
			if err != nil {
				msg = fmt.Sprintf("does not inflate (%v), want %d bytes", err, e.Inflated)
			}
			add(finding.BlockInflate, msg)
		}
	}
	if code == "" {
		return "", ""
	}
	return code, "block " + strings.Join(why, "; ")
}

// blockInflater reuses one zlib reader and buffer across blocks.
type blockInflater struct {
	zr  io.ReadCloser
	src bytes.Reader
	out []byte
}

// inflatedSize inflates a compressed 4K block, reading at most want+1
// bytes so that a hostile stream cannot grow memory.
func (z *blockInflater) inflatedSize(data []byte, want int) (int, error) {
	out, err := z.inflate(data, want)
	return len(out), err
}

func (z *blockInflater) inflate(data []byte, want int) ([]byte, error) {
	z.src.Reset(data)
	if z.zr == nil {
		zr, err := zlib.NewReader(&z.src)
		if err != nil {
			return nil, err
		}
		z.zr = zr
	} else if err := z.zr.(zlib.Resetter).Reset(&z.src, nil); err != nil {
		return nil, err
	}
	if cap(z.out) < want+1 {
		z.out = make([]byte, want+1)
	}
	out := z.out[:want+1]
	n, err := io.ReadFull(z.zr, out)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return out[:n], err
}

func pageTypeName(t uint8) string {
	switch t {
	case PageBBT:
		return "BBT"
	case PageNBT:
		return "NBT"
	case PageFMap:
		return "FMap"
	case PagePMap:
		return "PMap"
	case PageAMap:
		return "AMap"
	case PageFPMap:
		return "FPMap"
	case PageDList:
		return "DList"
	}
	return fmt.Sprintf("0x%02X", t)
}
