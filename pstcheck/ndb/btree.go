package ndb

import (
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"sync"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// maxBTreeLevel bounds a B-tree's height. Levels must fall by exactly one
// per step down, so this also bounds the walk's depth; Outlook's trees are
// a handful of levels even for 50 GB files.
const maxBTreeLevel = 8

func treeName(ptype uint8) string {
	if ptype == PageNBT {
		return "NBT"
	}
	return "BBT"
}

// walkTrees verifies every page of the NBT and the BBT (CheckNBT,
// CheckBBT) and collects their leaf entries. The two trees share nothing
// but the file, and a walk is mostly waiting for page reads (a page at a
// time, scattered over the file), so they are walked side by side: the
// NBT here, reporting as it goes, the BBT on a goroutine of its own whose
// findings and progress are held back until the NBT's walk is over, so
// that the report is the same as one walk after the other.
func (s *Scanner) walkTrees() {
	h := s.h
	nbt := &treeWalk{s: s, ptype: PageNBT, visited: map[int64]bool{}, sink: s.sink, progress: s.progress.Add}
	held := &heldFindings{sink: s.sink, progress: s.progress}
	held.cond.L = &held.mu
	bbt := &treeWalk{s: s, ptype: PageBBT, visited: map[int64]bool{}, sink: held, progress: held.add}
	var wg sync.WaitGroup
	if h.BBTUsable {
		wg.Go(func() { bbt.walk(h.BBT) })
	} else {
		s.loseRange(PageBBT, 0, math.MaxUint64, int64(h.BBT.IB))
	}
	if h.NBTUsable {
		nbt.walk(h.NBT)
	} else {
		s.loseRange(PageNBT, 0, math.MaxUint64, int64(h.NBT.IB))
	}
	held.release()
	wg.Wait()
	s.pages = append(nbt.pages, bbt.pages...)
	s.res.BytesVerified += nbt.bytes + bbt.bytes
	s.visited = nbt.visited
	maps.Copy(s.visited, bbt.visited)
}

// treeWalk is the walk of one B-tree: its own reads, page buffers and
// what it found.
type treeWalk struct {
	s        *Scanner
	ptype    uint8
	win      window
	pageBufs [maxBTreeLevel + 2][]byte
	visited  map[int64]bool
	pages    []pageRef
	bytes    int64
	sink     finding.Sink
	progress func(bytes int64)
}

func (w *treeWalk) walk(root BREF) {
	w.walkPage(root, -1, 0, math.MaxUint64, true)
}

func (w *treeWalk) report(f finding.Finding) { w.sink.Report(f) }

// heldFindings holds a walk's findings and progress until release, then
// passes them on. It holds at most maxHeld findings: a walk that finds
// more waits for the release (a badly damaged tree), so memory stays
// bounded. Its cond's locker is mu.
type heldFindings struct {
	mu       sync.Mutex
	cond     sync.Cond
	sink     finding.Sink
	progress Progress
	held     []finding.Finding
	bytes    int64
	released bool
}

const maxHeld = 4096

func (h *heldFindings) Report(f finding.Finding) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for !h.released && len(h.held) >= maxHeld {
		h.cond.Wait()
	}
	if h.released {
		h.sink.Report(f)
		return
	}
	h.held = append(h.held, f)
}

func (h *heldFindings) add(n int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.released {
		h.progress.Add(n)
		return
	}
	h.bytes += n
}

// release passes on what is held and from now on reports directly.
func (h *heldFindings) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.held {
		h.sink.Report(f)
	}
	h.progress.Add(h.bytes)
	h.held, h.bytes, h.released = nil, 0, true
	h.cond.Broadcast()
}

// walkPage verifies the page ref points at and descends into it. level is
// the level the parent requires (-1 for the root); keys of this page must
// lie in [lo, hi] (hi inclusive only when hiOpen, i.e. no upper sibling).
func (w *treeWalk) walkPage(ref BREF, level int, lo, hi uint64, hiOpen bool) {
	s, ptype := w.s, w.ptype
	l := &s.h.Layout
	name := treeName(ptype)
	ib := int64(ref.IB)
	if ref.IB%uint64(l.PageSize) != 0 || ref.IB < uint64(l.FirstAMap) || ref.IB > uint64(s.limit) || uint64(s.limit)-ref.IB < uint64(l.PageSize) {
		w.report(finding.Finding{Code: finding.PageRange, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page reference to 0x%X is outside the file's pages or misaligned", name, ref.IB)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	// A page is read into the buffer of its level in the walk (the root's
	// first): its entries are read after its children's pages.
	if len(w.pageBufs[level+1]) != int(l.PageSize) {
		w.pageBufs[level+1] = make([]byte, l.PageSize)
	}
	page := w.pageBufs[level+1]
	if err := w.win.readAt(s.r, s.size, page, ib); err != nil {
		w.report(finding.Finding{Code: finding.FileRead, Offset: ib, BID: ref.BID, Detail: err.Error()})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	t := l.ParsePageTrailer(page)
	if t.Type != ptype || t.TypeRepeat != ptype {
		w.report(finding.Finding{Code: finding.PageType, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page has type bytes 0x%02X/0x%02X, want 0x%02X", name, t.Type, t.TypeRepeat, ptype)})
		if t.Type != ptype {
			// Not a page of this tree at all: nothing in it can be trusted,
			// and whatever is really there (another tree's page, a block)
			// must keep its own place in the checks that follow.
			s.loseRange(ptype, lo, hi, ib)
			return
		}
	}
	if w.visited[ib] {
		w.report(finding.Finding{Code: finding.BTreeCycle, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page at 0x%X is referenced a second time", name, ib)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	w.visited[ib] = true
	w.progress(l.PageSize)
	w.bytes += l.PageSize
	w.pages = append(w.pages, pageRef{IB: ib, BID: ref.BID, Type: ptype})
	// A zeroed page passes its CRC (CRC of zeros is 0) but not the type
	// check above; signature and BID catch pages written at the wrong place.
	if sig := Signature(ref.IB, ref.BID); t.Sig != sig {
		w.report(finding.Finding{Code: finding.PageSignature, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page signature 0x%04X, want 0x%04X", name, t.Sig, sig)})
	}
	if crc := CRC(page[:l.PageTrailerOff]); crc != t.CRC {
		w.report(finding.Finding{Code: finding.PageCRC, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page CRC stored 0x%08X, computed 0x%08X", name, t.CRC, crc)})
	}
	if t.BID != ref.BID {
		w.report(finding.Finding{Code: finding.PageBID, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page trailer names BID 0x%X, its reference 0x%X", name, t.BID, ref.BID)})
	}

	foot := page[l.BTFooterOff:]
	var cEnt, cEntMax int
	var cbEnt, cLevel int
	if l.WideBTCounts {
		cEnt, cEntMax = int(binary.LittleEndian.Uint16(foot)), int(binary.LittleEndian.Uint16(foot[2:]))
		cbEnt, cLevel = int(foot[4]), int(foot[5])
	} else {
		cEnt, cEntMax, cbEnt, cLevel = int(foot[0]), int(foot[1]), int(foot[2]), int(foot[3])
	}
	if (level >= 0 && cLevel != level) || cLevel > maxBTreeLevel {
		want := fmt.Sprint(level)
		if level < 0 {
			want = fmt.Sprintf("at most %d", maxBTreeLevel)
		}
		w.report(finding.Finding{Code: finding.BTreeLevel, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page level %d, want %s", name, cLevel, want)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	wantEnt := l.BranchEntrySize
	if cLevel == 0 {
		wantEnt = l.BBTLeafEntrySize
		if ptype == PageNBT {
			wantEnt = l.NBTLeafEntrySize
		}
	}
	if cbEnt != wantEnt || cEnt*cbEnt > l.BTFooterOff {
		w.report(finding.Finding{Code: finding.BTreeEntries, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page has %d entries of %d bytes (entry size must be %d, room for %d)", name, cEnt, cbEnt, wantEnt, l.BTFooterOff/wantEnt)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	if cEnt > cEntMax || cEntMax != l.BTFooterOff/cbEnt {
		w.report(finding.Finding{Code: finding.BTreeEntries, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page cEnt %d, cEntMax %d (the page holds %d)", name, cEnt, cEntMax, l.BTFooterOff/cbEnt)})
	}

	keyReported := false
	keyProblem := func(i int, key uint64, why string) {
		if keyReported {
			return
		}
		keyReported = true
		w.report(finding.Finding{Code: finding.BTreeKeyOrder, Offset: ib + int64(i*cbEnt), BID: ref.BID,
			Detail: fmt.Sprintf("%s page entry %d key 0x%X %s", name, i, key, why)})
	}
	var prev uint64
	for i := 0; i < cEnt; i++ {
		e := page[i*cbEnt : (i+1)*cbEnt]
		key := l.uint(e)
		if ptype == PageNBT && cLevel == 0 {
			key = uint64(uint32(key)) // NIDs are 32-bit even in 64-bit entries
		}
		switch {
		case i > 0 && key <= prev:
			keyProblem(i, key, fmt.Sprintf("is not above the previous key 0x%X", prev))
		case key < lo:
			keyProblem(i, key, fmt.Sprintf("is below its parent's key 0x%X", lo))
		case !hiOpen && key >= hi, hiOpen && key > hi:
			keyProblem(i, key, fmt.Sprintf("is not below the next parent key 0x%X", hi))
		}
		prev = key
		if cLevel > 0 {
			child := BREF{BID: l.uint(e[l.BIDSize:]), IB: l.uint(e[2*l.BIDSize:])}
			childHi, childOpen := hi, hiOpen
			if i+1 < cEnt {
				childHi, childOpen = l.uint(page[(i+1)*cbEnt:]), false
			}
			w.walkPage(child, cLevel-1, key, childHi, childOpen)
			continue
		}
		if ptype == PageBBT {
			s.res.BBT.add(l.parseBBTLeaf(e))
		} else {
			s.res.NBT.add(l.parseNBTLeaf(e))
		}
	}
}

func (l *Layout) parseBBTLeaf(e []byte) BBTEntry {
	b := BBTEntry{BID: l.uint(e), IB: l.uint(e[l.BIDSize:])}
	o := 2 * l.BIDSize
	b.CB = binary.LittleEndian.Uint16(e[o:])
	if l.Kind == Unicode4K {
		b.Inflated = binary.LittleEndian.Uint16(e[o+2:])
		b.Ref = binary.LittleEndian.Uint16(e[o+4:])
	} else {
		b.Inflated = b.CB
		b.Ref = binary.LittleEndian.Uint16(e[o+2:])
	}
	return b
}

func (l *Layout) parseNBTLeaf(e []byte) NBTEntry {
	n := NBTEntry{NID: uint32(l.uint(e))}
	n.Data = l.uint(e[l.BIDSize:])
	n.Sub = l.uint(e[2*l.BIDSize:])
	n.Parent = binary.LittleEndian.Uint32(e[3*l.BIDSize:])
	return n
}

func (s *Scanner) loseRange(ptype uint8, lo, hi uint64, ib int64) {
	if ptype == PageBBT {
		s.lost = append(s.lost, keyRange{lo, hi, ib})
	} else {
		s.lostNBT = append(s.lostNBT, keyRange{lo, hi, ib})
	}
}

// lostPage returns the offset of the unreadable BBT page whose key range
// held bid, or -1.
func (s *Scanner) lostPage(bid uint64) int64 {
	for _, k := range s.lost {
		if bid >= k.lo && bid <= k.hi {
			return k.ib
		}
	}
	return -1
}

// sortTrees orders the leaf entries for lookup. A sound tree is already in
// order; a damaged one may not be, and lookups must still work.
func (s *Scanner) sortTrees() {
	s.res.BBT.sortByBID()
	s.res.NBT.sortByNID()
}

// block returns the index of bid in the BBT, or -1. Bit 0 of a BID is
// reserved and ignored for lookups (MS-PST 2.2.2.2).
func (s *Scanner) block(bid uint64) int { return s.res.BBT.find(bid &^ bidReserved) }

// node returns the index of nid in the NBT, or -1.
func (s *Scanner) node(nid uint32) int { return s.res.NBT.find(nid) }
