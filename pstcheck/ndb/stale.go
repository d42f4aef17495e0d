package ndb

import "github.com/pstcheck/pstcheck/pstcheck/finding"

// Old copies of index pages. When B-tree pages are lost, the index rebuild
// takes the entries of leaf pages found outside the live tree (rebuild.go),
// and keeps an entry no block's trailer proves, so that the loss of a
// block an item needs is reported. But a leaf page found there may be an
// old copy, left in space the store freed: its entries then name blocks
// that were freed and written over since, which no node uses (or, in a
// cut-off copy, blocks past its end that no surviving node uses).
// Reported as damaged blocks, they would be false alarms (enron.pst with
// its BBT root zeroed: 11 "damaged blocks", every item whole).
//
// So the block pass holds back the finding of a block that fails where
// such an entry alone puts it, and the node pass settles it. A block a node
// uses is reported, with what is wrong with it. One no node uses is an
// entry of an old page, counted (Rebuild.StaleEntries) and left out of the
// damage, the allocation check and the unused blocks, when two things hold:
// the node index is whole (when node entries are lost, a block no node
// uses may be a lost item's), and what lies at its place shows it was
// written over (another block's trailer, a block or page that verifies
// there, the place outside the data section) or the allocation map, valid
// and sound there, marks some of its place free: the store holds no block
// there. Or, whatever node entries were lost, a newer block verifies at
// its place (takenByNewer): Outlook writes a block only where space is
// free, so the old one had been freed, no lost item's either. (enron.pst
// keeps two such blocks whose trailers survive, their starts written over
// since.) A block whose trailer names it where the
// entry says but whose data fails its checksum, in space the map keeps in
// use, is a damaged block in its place, reported as such.

// maxHeldBack bounds the findings held back; those past it are reported at
// once, as before the node pass could tell.
const maxHeldBack = 1 << 16

// heldBlock is a finding held back, with the BBT index of its block.
type heldBlock struct {
	idx int32
	f   finding.Finding
}

// reportBlock reports the finding f of the block at BBT index idx, or holds
// it back when only a leaf page found outside the live tree names the block
// there.
func (s *Scanner) reportBlock(idx int, f finding.Finding) {
	if s.res.BBT.Found(idx) == FoundInLeaf && len(s.heldBack) < maxHeldBack {
		s.heldBack = append(s.heldBack, heldBlock{int32(idx), f})
		return
	}
	s.report(f)
}

// settleHeldBack reports the held-back findings of blocks some node uses
// (refs counts each block's users) and counts the others as stale. With
// refs nil (the scan was cancelled before the node pass could tell) it
// reports them all.
func (s *Scanner) settleHeldBack(refs []uint16) {
	nbtWhole := len(s.lostNBT) == 0 && s.droppedNodes == 0
	maps := &amapCursor{r: s.r, l: &s.h.Layout}
	for _, h := range s.heldBack {
		// A place a newer block took was freed before it was written: the
		// block is no lost item's either (takenByNewer).
		gone := s.takenByNewer[h.idx] ||
			nbtWhole && (s.res.BBT.State(int(h.idx)).writtenOver() || s.markedFree(maps, s.res.BBT.Entry(int(h.idx))))
		if refs == nil || refs[h.idx] > 0 || !gone {
			s.report(h.f)
			continue
		}
		if s.res.stale == nil {
			s.res.stale = map[int32]bool{}
		}
		s.res.stale[h.idx] = true
	}
	s.heldBack = nil
	if n := len(s.res.stale); n > 0 {
		s.res.Rebuild.StaleEntries = n
		s.res.Rebuild.Blocks -= n
	}
}

// noteTakenByNewer notes that the place of the block at BBT index idx, of
// BID bid, holds a block of BID other that verifies there: other, when
// newer, was written where this one had been freed, so this one is gone,
// an old leaf page's entry, whatever node entries were lost.
func (s *Scanner) noteTakenByNewer(idx int32, bid, other uint64) {
	if other <= bid || s.res.BBT.Found(int(idx)) != FoundInLeaf {
		return // only entries of old leaf pages are held back
	}
	if s.takenByNewer == nil {
		s.takenByNewer = map[int32]bool{}
	}
	s.takenByNewer[idx] = true
}

// markedFree says whether the valid allocation map (read through maps)
// marks any part of the place of block e free.
func (s *Scanner) markedFree(maps *amapCursor, e BBTEntry) bool {
	l := &s.h.Layout
	start, extent := int64(e.IB), l.BlockExtent(int(e.CB))
	if s.h.AMapValid == 0 || start < l.FirstAMap || start > s.size-extent {
		return false
	}
	free, _ := maps.freeIn(start, extent)
	return free
}

// isStale says whether the entry at BBT index i is an old page's entry
// (settleHeldBack).
func (res *Result) isStale(i int) bool { return res.stale[int32(i)] }

// writtenOver says what lies at a block's place shows another block or page
// was written there, or that the place is outside the store's data: the
// block is gone, not damaged in place.
func (b BlockState) writtenOver() bool {
	switch b {
	case stateOverlap, statePageOverlap, stateRange, stateBID, stateSignature, stateTrailerSize,
		stateTrailerBID, stateTrailerCB, stateTrailerSig:
		return true
	}
	return false
}
