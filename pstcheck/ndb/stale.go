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
// there. Where node entries were lost (the NBT root among the pages
// destroyed, say), whether one was an item's is told above: the messaging
// layer finds every item with its node, or not (Result.SettleStale; a
// block settled stale there is left out of the damage, but still counted
// among the unused blocks, which the node pass counted before).
// And, whatever node entries were lost, a newer block verifying at its
// place (takenByNewer) shows it stale: Outlook writes a block only where
// space is free, so the old one had been freed, no lost item's either.
// A block whose trailer names it where the entry says but whose data fails
// its checksum, in space the map keeps in use, is a damaged block in its
// place, reported as such.

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
// (refs counts each block's users) and counts the others as stale, or,
// where node entries were lost, keeps them for SettleStale. With refs nil
// (the scan was cancelled before the node pass could tell) it reports
// them all.
func (s *Scanner) settleHeldBack(refs []uint16) {
	nbtWhole := len(s.lostNBT) == 0 && s.droppedNodes == 0
	maps := &amapCursor{r: s.r, l: &s.h.Layout}
	for _, h := range s.heldBack {
		switch {
		case refs == nil || refs[h.idx] > 0:
			s.report(h.f)
		case s.takenByNewer[h.idx]:
			// A place a newer block took was freed before it was
			// written: the block is no lost item's either.
			s.res.markStale(h.idx)
		case !s.res.BBT.State(int(h.idx)).writtenOver() && !s.markedFree(maps, s.res.BBT.Entry(int(h.idx))):
			s.report(h.f)
		case nbtWhole:
			s.res.markStale(h.idx)
		default:
			s.res.unsettled = append(s.res.unsettled, h)
		}
	}
	s.heldBack = nil
}

// SettleStale settles the blocks the node pass left unsettled: blocks no
// node uses, whose place shows them written over or freed, found where
// node entries were lost, so that such a block might have been a lost
// item's. nodesWhole says the layers above found no item without its node
// (every listing read, none naming a node that is gone, no item found
// without one): the blocks are then old pages' entries, counted stale as
// with the node index whole; else their findings go to sink. (With both
// B-tree roots zeroed, enron.pst had 2 "damaged blocks", their trailers
// intact, their starts written over; Outlook.pst of the corpus 17; every
// item whole.)
func (res *Result) SettleStale(nodesWhole bool, sink finding.Sink) {
	if res == nil {
		return // no store read
	}
	for _, h := range res.unsettled {
		if nodesWhole {
			res.markStale(h.idx)
		} else {
			sink.Report(h.f)
		}
	}
	res.unsettled = nil
}

// markStale counts the entry at BBT index idx as an old page's entry, not
// a block of the store.
func (res *Result) markStale(idx int32) {
	if res.stale == nil {
		res.stale = map[int32]bool{}
	}
	res.stale[idx] = true
	if res.Rebuild != nil { // always, for an entry of a leaf page found
		res.Rebuild.StaleEntries++
		res.Rebuild.Blocks--
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
