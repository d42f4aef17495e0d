package ndb

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

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

// walkTree verifies every page of one B-tree (CheckNBT / CheckBBT) and
// collects its leaf entries.
func (s *Scanner) walkTree(root BREF, ptype uint8) {
	s.walkPage(root, ptype, -1, 0, math.MaxUint64, true, nil, childSlots{})
}

// pageSet is a set of pages by offset, a bit per page of the file (256
// KiB for a GB of 512-byte pages): the pages the walk has read, where a map
// of the 92,000 pages of a 1.3 GB store took 2% of its scan.
type pageSet struct {
	bits     []uint64
	pageSize int64
}

func newPageSet(size, pageSize int64) pageSet {
	return pageSet{bits: make([]uint64, (size/pageSize+63)/64), pageSize: pageSize}
}

// has reports whether the page at off is in the set; an offset outside
// the file is not.
func (p *pageSet) has(off int64) bool {
	i := off / p.pageSize
	return off >= 0 && i>>6 < int64(len(p.bits)) && p.bits[i>>6]&(1<<(i&63)) != 0
}

// add puts the page at off, an offset of the file, in the set.
func (p *pageSet) add(off int64) {
	if i := off / p.pageSize; off >= 0 && i>>6 < int64(len(p.bits)) {
		p.bits[i>>6] |= 1 << (i & 63)
	}
}

// pageInFile reports whether a page may lie at offset ib: aligned, among
// the file's pages.
func (s *Scanner) pageInFile(ib uint64) bool {
	l := &s.h.Layout
	return ib%uint64(l.PageSize) == 0 && ib >= uint64(l.FirstAMap) && ib <= uint64(s.limit) && uint64(s.limit)-ib >= uint64(l.PageSize)
}

// walkPage verifies the page ref points at and descends into it. level is
// the level the parent requires (-1 for the root); keys of this page must
// lie in [lo, hi] (hi inclusive only when hiOpen, i.e. no upper sibling).
// read is the page's bytes when an ancestor's walk read them ahead, else
// nil; kids its children's when read ahead with it (childpages.go).
func (s *Scanner) walkPage(ref BREF, ptype uint8, level int, lo, hi uint64, hiOpen bool, read []byte, kids childSlots) {
	l := &s.h.Layout
	name := treeName(ptype)
	ib := int64(ref.IB)
	if !s.pageInFile(ref.IB) {
		s.notePastEnd(ref.IB, l.PageSize)
		s.report(finding.Finding{Code: finding.PageRange, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page reference to 0x%X is outside the file's pages or misaligned", name, ref.IB)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	// A page is read into the buffer of its level in the walk (the root's
	// first): its entries are read after its children's pages.
	page := read
	if page == nil {
		if len(s.pageBufs[level+1]) != int(l.PageSize) {
			s.pageBufs[level+1] = make([]byte, l.PageSize)
		}
		page = s.pageBufs[level+1]
		if err := s.win.readAt(s.r, s.size, page, ib); err != nil {
			s.report(finding.Finding{Code: finding.FileRead, Offset: ib, BID: ref.BID, Detail: finding.ErrorText(err)})
			s.loseRange(ptype, lo, hi, ib)
			return
		}
	}
	t := l.ParsePageTrailer(page)
	if t.Type != ptype || t.TypeRepeat != ptype {
		s.report(finding.Finding{Code: finding.PageType, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page has type bytes 0x%02X/0x%02X, want 0x%02X", name, t.Type, t.TypeRepeat, ptype)})
		if t.Type != ptype {
			// Not a page of this tree at all: nothing in it can be trusted,
			// and whatever is really there (another tree's page, a block)
			// must keep its own place in the checks that follow.
			s.loseRange(ptype, lo, hi, ib)
			return
		}
	}
	if s.visited.has(ib) {
		s.report(finding.Finding{Code: finding.BTreeCycle, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page at 0x%X is referenced a second time", name, ib)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	s.visited.add(ib)
	s.progress.Add(l.PageSize)
	s.res.BytesVerified += l.PageSize
	s.keepPage(pageRef{IB: ib, BID: ref.BID, Type: ptype})
	// A zeroed page passes its CRC (CRC of zeros is 0) but not the type
	// check above; signature and BID catch pages written at the wrong place.
	if sig := Signature(ref.IB, ref.BID); t.Sig != sig {
		s.report(finding.Finding{Code: finding.PageSignature, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page signature 0x%04X, want 0x%04X", name, t.Sig, sig)})
	}
	crcFails := false
	if crc := CRC(page[:l.PageTrailerOff]); crc != t.CRC {
		crcFails = true
		s.res.changedPages = append(s.res.changedPages, ib)
		s.report(finding.Finding{Code: finding.PageCRC, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page CRC stored 0x%08X, computed 0x%08X", name, t.CRC, crc)})
	}
	if t.BID != ref.BID {
		s.report(finding.Finding{Code: finding.PageBID, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page trailer names BID 0x%X, its reference 0x%X", name, t.BID, ref.BID)})
	}

	cEnt, cEntMax, cbEnt, cLevel := l.BTFooter(page)
	if (level >= 0 && cLevel != level) || cLevel > maxBTreeLevel {
		want := fmt.Sprint(level)
		if level < 0 {
			want = fmt.Sprintf("at most %d", maxBTreeLevel)
		}
		s.report(finding.Finding{Code: finding.BTreeLevel, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page level %d, want %s", name, cLevel, want)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	wantEnt := l.entrySize(ptype, cLevel)
	if cbEnt != wantEnt || cEnt*cbEnt > l.BTFooterOff {
		s.report(finding.Finding{Code: finding.BTreeEntries, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page has %d entries of %d bytes (entry size must be %d, room for %d)", name, cEnt, cbEnt, wantEnt, l.BTFooterOff/wantEnt)})
		s.loseRange(ptype, lo, hi, ib)
		return
	}
	if cEnt > cEntMax || cEntMax != l.BTFooterOff/cbEnt {
		s.report(finding.Finding{Code: finding.BTreeEntries, Offset: ib, BID: ref.BID,
			Detail: fmt.Sprintf("%s page cEnt %d, cEntMax %d (the page holds %d)", name, cEnt, cEntMax, l.BTFooterOff/cbEnt)})
	}

	// A leaf page whose checksum fails has a byte changed, in an entry or
	// between them, and an entry whose key breaks the page's order is
	// changed for certain: it is left out, as its key names nothing. An
	// entry of a BBT page is taken when the trailer where it puts its block
	// names that block; the others go to the index rebuild as a found
	// page's, and the page's key range is then looked for in the whole
	// file, so that where a changed entry puts a block elsewhere than the
	// block's trailer proves, the trailer wins, and a block the changed
	// entry no longer names is found (rebuild.go). An NBT page's other
	// entries are taken: a node has no trailer to weigh them against, and
	// older copies of the page hold deleted items.
	keyAt := func(i int) uint64 {
		key := l.uint(page[i*cbEnt:])
		if ptype == PageNBT && cLevel == 0 {
			key = uint64(uint32(key)) // NIDs are 32-bit even in 64-bit entries
		}
		return key
	}
	changed := crcFails && cLevel == 0
	var changedKey []bool
	unproven := false
	if changed {
		keys := make([]uint64, cEnt)
		for i := range keys {
			keys[i] = keyAt(i)
		}
		changedKey = outOfOrder(keys, lo, hi, hiOpen)
		unproven = ptype == PageBBT && slices.Contains(changedKey, true)
	}
	keyReported := false
	keyProblem := func(i int, key uint64, why string) {
		if keyReported {
			return
		}
		keyReported = true
		s.report(finding.Finding{Code: finding.BTreeKeyOrder, Offset: ib + int64(i*cbEnt), BID: ref.BID,
			Detail: fmt.Sprintf("%s page entry %d key 0x%X %s", name, i, key, why)})
	}
	if cLevel > 0 && (kids.set == nil || kids.n != cEnt) {
		kids = s.children.children(s, cLevel-1, page, cEnt)
	}
	// Children batchFrom to batchTo have their own children (leaf pages)
	// in s.children.leaves.
	batchFrom, batchTo := 0, 0
	var prev uint64
	for i := 0; i < cEnt; i++ {
		e := page[i*cbEnt : (i+1)*cbEnt]
		key := keyAt(i)
		switch {
		case i > 0 && key <= prev:
			keyProblem(i, key, fmt.Sprintf("is not above the previous key 0x%X", prev))
		case key < lo:
			keyProblem(i, key, fmt.Sprintf("is below its parent's key 0x%X", lo))
		case !hiOpen && key >= hi, hiOpen && key > hi:
			keyProblem(i, key, fmt.Sprintf("is not below the next parent key 0x%X", hi))
		}
		prev = key
		if changed && changedKey[i] {
			if ptype == PageNBT {
				s.droppedNodes++
			}
			continue
		}
		if changed && ptype == PageBBT {
			if b := l.parseBBTLeaf(e); !s.trailerNames(b) {
				unproven = true
				s.changedBlocks = append(s.changedBlocks, leafCandidate(b, allocInUse, ref.BID))
				continue
			}
		}
		if cLevel > 0 {
			child := BREF{BID: l.uint(e[l.BIDSize:]), IB: l.uint(e[2*l.BIDSize:])}
			if !crcFails && child.IB <= math.MaxInt64 {
				// Where a sound page says a page lies, one was written,
				// even if what is there now is not a page.
				s.lastTreePage = max(s.lastTreePage, int64(child.IB))
			}
			childHi, childOpen := hi, hiOpen
			if i+1 < cEnt {
				childHi, childOpen = l.uint(page[(i+1)*cbEnt:]), false
			}
			var grandkids childSlots
			if cLevel == 2 && kids.set != nil {
				if i >= batchTo {
					batchFrom, batchTo = i, s.children.leafBatch(s, ptype, kids, i)
				}
				grandkids = s.children.leaves.slots(i - batchFrom)
			}
			s.walkPage(child, ptype, cLevel-1, key, childHi, childOpen, kids.page(i), grandkids)
			continue
		}
		if ptype == PageBBT {
			s.res.BBT.add(l.parseBBTLeaf(e))
		} else {
			s.res.NBT.add(l.parseNBTLeaf(e))
		}
	}
	if unproven {
		s.changedPages++
		s.lost = append(s.lost, keyRange{lo: lo, hi: hi, ib: ib, changed: true})
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

// trailerNames reports whether the trailer where BBT entry e puts its
// block names that block (its size, BID and signature): how an entry of a
// page whose checksum fails is proven. The block's data is checked by the
// block pass, as any block's.
func (s *Scanner) trailerNames(e BBTEntry) bool {
	l := &s.h.Layout
	if e.CB == 0 || int(e.CB) > l.MaxBlockData || e.IB%uint64(l.BlockAlign) != 0 || e.IB < uint64(l.FirstAMap) ||
		e.IB > uint64(s.size) || uint64(s.size)-e.IB < uint64(l.BlockExtent(int(e.CB))) {
		return false
	}
	t := make([]byte, l.BlockTrailerSize)
	if s.win.readAt(s.r, s.size, t, int64(e.IB)+l.BlockExtent(int(e.CB))-int64(l.BlockTrailerSize)) != nil {
		return false
	}
	tr := l.ParseBlockTrailer(t)
	return tr.CB == e.CB && tr.BID == e.BID && tr.Sig == Signature(e.IB, e.BID) && (l.Kind != Unicode4K || tr.Inflated == e.Inflated)
}

// outOfOrder marks the keys of a page whose checksum fails that cannot be
// what was written: those outside the parent's range [lo, hi] (hi
// inclusive when hiOpen), and those the longest run of rising keys among
// the others leaves out. A changed key is then told from its neighbours,
// which a comparison with the previous key alone would blame too.
func outOfOrder(keys []uint64, lo, hi uint64, hiOpen bool) []bool {
	out := make([]bool, len(keys))
	// best[i] is the length of the longest rising run ending at key i,
	// from[i] the key before it in that run (-1: none).
	best, from := make([]int, len(keys)), make([]int, len(keys))
	end := -1
	for i, k := range keys {
		if k < lo || !hiOpen && k >= hi || hiOpen && k > hi {
			out[i] = true
			continue
		}
		best[i], from[i] = 1, -1
		for j := range i {
			if !out[j] && keys[j] < k && best[j]+1 > best[i] {
				best[i], from[i] = best[j]+1, j
			}
		}
		if end < 0 || best[i] > best[end] {
			end = i
		}
	}
	keep := make([]bool, len(keys))
	for i := end; i >= 0; i = from[i] {
		keep[i] = true
	}
	for i := range out {
		out[i] = !keep[i]
	}
	return out
}

// bbtWhole says every BBT page was read and verified (Result.BBTWhole).
func (s *Scanner) bbtWhole() bool { return len(s.lost) == 0 }

func (s *Scanner) loseRange(ptype uint8, lo, hi uint64, ib int64) {
	if ptype == PageBBT {
		s.lost = append(s.lost, keyRange{lo: lo, hi: hi, ib: ib})
	} else {
		s.lostNBT = append(s.lostNBT, keyRange{lo: lo, hi: hi, ib: ib})
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
