package ndb

import (
	"cmp"
	"context"
	"encoding/binary"
	"slices"
	"sort"
)

// Rebuilding the index. When B-tree pages are missing or damaged (a root
// outside a cut-off file, a zeroed page, a page that fails its checks), the
// entries they held are looked for in what survives, as scanpst does:
//
//   - every NBT and BBT leaf page the tree walk did not reach, found by its
//     page trailer (type, signature for its offset and BID, CRC);
//   - for blocks, the blocks themselves, found by their trailers (size,
//     signature for their offset and BID, CRC).
//
// Only keys inside the ranges the lost pages covered are taken, so nothing
// the live tree says is overridden and no entry the live tree dropped (a
// deleted item) comes back. Stale copies survive in free space: a page or
// block the allocation map marks free is not taken while the map is valid,
// and between pages that disagree the one the map marks in use wins, then
// the newer (higher BID) one. Everything is found in one sequential pass
// over the data section, read in ChunkSize pieces.

// Rebuild says what the index rebuild found. Nil in a Result when the index
// was read whole.
type Rebuild struct {
	// NBTPages and BBTPages are the leaf pages outside the live trees whose
	// entries were taken.
	NBTPages, BBTPages int
	// Nodes and Blocks are the entries added to the NBT and BBT; Blocks
	// includes TrailerBlocks, the blocks found by their trailers alone.
	Nodes, Blocks, TrailerBlocks int
}

// allocState is what the allocation map says of a place in the file.
type allocState int8

const (
	allocUnknown allocState = iota // no valid AMap covers it
	allocFree
	allocInUse
)

type nbtCandidate struct {
	e       NBTEntry
	alloc   allocState
	pageBID uint64
}

type bbtCandidate struct {
	e       BBTEntry
	alloc   allocState
	pageBID uint64 // 0 for a block found by its trailer
}

// better reports whether a candidate from a page with (alloc, pageBID)
// should replace one from (oldAlloc, oldBID).
func better(alloc allocState, pageBID uint64, oldAlloc allocState, oldBID uint64) bool {
	if alloc != oldAlloc {
		return alloc > oldAlloc
	}
	return pageBID > oldBID
}

// inRanges reports whether key lies in one of the sorted, disjoint-or-not
// ranges.
func inRanges(ranges []keyRange, key uint64) bool {
	i := sort.Search(len(ranges), func(i int) bool { return ranges[i].hi >= key })
	for ; i < len(ranges) && ranges[i].lo <= key; i++ {
		if key <= ranges[i].hi {
			return true
		}
	}
	return false
}

func sortRanges(r []keyRange) {
	slices.SortFunc(r, func(a, b keyRange) int { return cmp.Compare(a.hi, b.hi) })
}

// indexDamaged reports whether any B-tree range was lost in the walk.
func (s *Scanner) indexDamaged() bool { return len(s.lost) > 0 || len(s.lostNBT) > 0 }

// rebuildIndex runs the sequential pass and merges what it found into the
// walked trees.
func (s *Scanner) rebuildIndex(ctx context.Context) {
	l := &s.h.Layout
	sortRanges(s.lost)
	sortRanges(s.lostNBT)
	nodes := map[uint32]nbtCandidate{}
	// blocks are the entries of found BBT leaf pages, trailers the blocks
	// found by their trailers; mergeRebuilt chooses between them.
	blocks := map[uint64]bbtCandidate{}
	trailers := map[uint64]bbtCandidate{}
	pagesUsed := map[int64]uint8{}

	// amaps holds the bitmaps of the valid AMaps of the intervals the
	// buffer covers (nil for an unusable one), by AMap offset.
	amaps := map[int64][]byte{}
	amapValid := s.h.AMapValid != 0
	alloc := func(off int64) allocState {
		page := l.FirstAMap + (off-l.FirstAMap)/l.AMapCoverage*l.AMapCoverage
		bits := amaps[page]
		if !amapValid || bits == nil {
			return allocUnknown
		}
		u := (off - page) / l.AMapUnit
		if bits[u>>3]&(0x80>>(u&7)) != 0 {
			return allocInUse
		}
		return allocFree
	}
	isMapPage := func(off int64) bool {
		if off < l.FirstAMap {
			return true
		}
		k := (off - l.FirstAMap) / l.AMapCoverage
		for _, p := range l.IntervalPages(k) {
			if p.Off == off {
				return true
			}
		}
		return false
	}

	// maxExtent is the largest on-disk block: a block's trailer may end up
	// to this far past the start of the bytes it closes.
	maxExtent := l.BlockExtent(l.MaxBlockData)
	chunk := int64(max(ChunkSize, 1<<16))
	buf := make([]byte, chunk+maxExtent)
	end := s.limit
	// pos is where the next unread bytes start; buf holds [bufStart, pos).
	pos := l.FirstAMap
	for pos < end {
		if ctx.Err() != nil {
			return
		}
		bufStart := max(pos-maxExtent, l.FirstAMap)
		want := min(chunk+(pos-bufStart), end-bufStart)
		b := buf[:want]
		n, _ := s.r.ReadAt(b, bufStart)
		b = b[:n]
		if int64(n) <= pos-bufStart {
			break // the rest cannot be read (FILE-READ comes from the passes)
		}
		readEnd := bufStart + int64(n)
		// Pages first, in order, so each interval's AMap is known before
		// the data it maps.
		for off := (pos + l.PageSize - 1) / l.PageSize * l.PageSize; off+l.PageSize <= readEnd; off += l.PageSize {
			page := b[off-bufStart : off-bufStart+l.PageSize]
			if off >= l.FirstAMap && (off-l.FirstAMap)%l.AMapCoverage == 0 {
				for k := range amaps {
					if k+l.AMapCoverage <= bufStart {
						delete(amaps, k) // maps nothing the buffer still holds
					}
				}
				amaps[off] = nil
				t := l.ParsePageTrailer(page)
				if t.Type == PageAMap && t.TypeRepeat == PageAMap && t.BID == uint64(off) && CRC(page[:l.PageTrailerOff]) == t.CRC {
					amaps[off] = append([]byte(nil), page[l.AMapBitsOff:l.AMapBitsOff+l.AMapBytes]...)
				}
				continue
			}
			if isMapPage(off) || s.visited[off] {
				continue
			}
			s.foundPage(page, off, alloc(off), nodes, blocks, pagesUsed)
		}
		// Then blocks, by the trailer that ends each aligned extent, when
		// BBT ranges are lost.
		for e := (pos + l.BlockAlign - 1) / l.BlockAlign * l.BlockAlign; len(s.lost) > 0 && e <= readEnd; e += l.BlockAlign {
			if e-int64(l.BlockTrailerSize) < bufStart {
				continue
			}
			t := l.ParseBlockTrailer(b[:e-bufStart])
			if t.CB == 0 || int(t.CB) > l.MaxBlockData || t.BID == 0 {
				continue
			}
			ext := l.BlockExtent(int(t.CB))
			start := e - ext
			if start < bufStart || start < l.FirstAMap || t.Sig != Signature(uint64(start), t.BID) {
				continue
			}
			if !inRanges(s.lost, t.BID&^bidReserved) {
				continue
			}
			if CRC(b[start-bufStart:start-bufStart+int64(t.CB)]) != t.CRC {
				continue
			}
			a := alloc(start)
			if a == allocFree {
				continue
			}
			bid := t.BID &^ bidReserved
			if old, ok := trailers[bid]; ok && old.alloc >= a {
				continue
			}
			trailers[bid] = bbtCandidate{e: BBTEntry{BID: bid, IB: uint64(start), CB: t.CB, Inflated: t.Inflated}, alloc: a}
		}
		pos = readEnd
	}
	s.mergeRebuilt(nodes, blocks, trailers, pagesUsed)
}

// foundPage takes the entries of a leaf page found outside the live trees
// when they fall in a lost range.
func (s *Scanner) foundPage(page []byte, off int64, a allocState, nodes map[uint32]nbtCandidate, blocks map[uint64]bbtCandidate, used map[int64]uint8) {
	l := &s.h.Layout
	t := l.ParsePageTrailer(page)
	if (t.Type != PageNBT && t.Type != PageBBT) || t.TypeRepeat != t.Type || a == allocFree {
		return
	}
	if t.Sig != Signature(uint64(off), t.BID) || CRC(page[:l.PageTrailerOff]) != t.CRC {
		return
	}
	foot := page[l.BTFooterOff:]
	var cEnt, cbEnt, cLevel int
	if l.WideBTCounts {
		cEnt, cbEnt, cLevel = int(binary.LittleEndian.Uint16(foot)), int(foot[4]), int(foot[5])
	} else {
		cEnt, cbEnt, cLevel = int(foot[0]), int(foot[2]), int(foot[3])
	}
	want := l.BBTLeafEntrySize
	if t.Type == PageNBT {
		want = l.NBTLeafEntrySize
	}
	if cLevel != 0 || cbEnt != want || cEnt*cbEnt > l.BTFooterOff {
		return
	}
	took := false
	for i := 0; i < cEnt; i++ {
		e := page[i*cbEnt : (i+1)*cbEnt]
		if t.Type == PageNBT {
			n := l.parseNBTLeaf(e)
			if !inRanges(s.lostNBT, uint64(n.NID)) {
				continue
			}
			if old, ok := nodes[n.NID]; ok && !better(a, t.BID, old.alloc, old.pageBID) {
				continue
			}
			nodes[n.NID] = nbtCandidate{e: n, alloc: a, pageBID: t.BID}
		} else {
			b := l.parseBBTLeaf(e)
			b.BID &^= bidReserved
			if !inRanges(s.lost, b.BID) {
				continue
			}
			if old, ok := blocks[b.BID]; ok && !better(a, t.BID, old.alloc, old.pageBID) {
				continue
			}
			blocks[b.BID] = bbtCandidate{e: b, alloc: a, pageBID: t.BID}
		}
		took = true
	}
	if took {
		used[off] = t.Type
	}
}

// mergeRebuilt adds the chosen entries to the walked trees and records
// which entries are rebuilt, for the passes that follow. A block is taken
// from a leaf page (which knows its reference count) when the block is
// found where the page says; when it is not (a stale page, or a block moved
// since), the place where its trailer proves it is wins; a page entry no
// block proves is kept, so the block's loss is reported. Entries of pages
// that are stale but marked in use are kept too: the blocks they name hold
// an earlier version of an item (the folder names of an older hierarchy
// table, say), which beats nothing when the current one is lost.
func (s *Scanner) mergeRebuilt(nodes map[uint32]nbtCandidate, blocks, trailers map[uint64]bbtCandidate, used map[int64]uint8) {
	for bid, t := range trailers {
		if p, ok := blocks[bid]; !ok || p.e.IB != t.e.IB {
			blocks[bid] = t
		}
	}
	rb := &Rebuild{}
	for off, t := range used {
		if t == PageNBT {
			rb.NBTPages++
		} else {
			rb.BBTPages++
		}
		s.pages = append(s.pages, pageRef{IB: off, Type: t, rebuilt: true})
	}
	known := map[uint64]bool{}
	for _, e := range s.res.BBT {
		known[e.BID&^bidReserved] = true
	}
	s.rebuiltBlocks, s.refUnknown = map[uint64]bool{}, map[uint64]bool{}
	for bid, c := range blocks {
		if known[bid] {
			continue
		}
		s.res.BBT = append(s.res.BBT, c.e)
		s.rebuiltBlocks[bid] = true
		rb.Blocks++
		if c.pageBID == 0 {
			// Found by its trailer: its reference count is not known.
			s.refUnknown[bid] = true
			rb.TrailerBlocks++
		}
	}
	knownNodes := map[uint32]bool{}
	for _, e := range s.res.NBT {
		knownNodes[e.NID] = true
	}
	s.res.Rebuilt = map[uint32]bool{}
	for nid, c := range nodes {
		if knownNodes[nid] {
			continue
		}
		s.res.NBT = append(s.res.NBT, c.e)
		s.res.Rebuilt[nid] = true
		rb.Nodes++
	}
	s.res.Rebuild = rb
}
