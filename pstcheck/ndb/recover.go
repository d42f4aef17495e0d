package ndb

import (
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A destroyed header (its signature or version overwritten) makes the file
// unreadable to Outlook and scanpst, yet everything after it may survive.
// What the header said can be found again from what follows it:
//
//   - the format, from the first AMap page, which sits where each format
//     puts it (0x4400 with its trailer at +496 in Unicode files, +500 in
//     ANSI ones; 0x22000 with its trailer at +4072 in 4K-page files), with
//     its own offset as BID and a sound CRC; or, when the start of the
//     file is destroyed well past its header (ransomware that encrypts a
//     file's first megabytes, a disk whose first sectors fail), from any
//     later AMap page, one every AMapCoverage bytes after the first, or
//     when none is left from a whole B-tree page (findBTreePage); in a
//     copy that lacks or holds bytes before them, from such a page found
//     moved (findMovedPage), FindGaps then putting everything back;
//   - the end of the file, taken as its size;
//   - the B-tree roots: of each tree's sound pages, the newest at its
//     highest level (findRoots). A B-tree page is rewritten, with a new
//     BID, whenever a page below it changes, so the root of the tree the
//     header last named is the newest page at the top; older copies lie
//     in free space. A tree whose root is not found is rebuilt from the
//     leaf pages and blocks that survive (rebuild.go);
//   - the encryption method, from the data blocks the index lists that
//     verify: the one under which they decode to heap-on-node headers.
//
// The client signature (PST or OST) cannot be known: the store is taken
// for a PST.

// amapsSought bounds the AMap places recoverHeader looks at for each
// format: 63 MB into a Unicode or ANSI file, 4 GB into a 4K-page one;
// pagesSought the bytes it reads for a B-tree page when none is left.
const (
	amapsSought = 256
	pagesSought = 64 << 20
)

// recoverHeader guesses the header of a file whose header is destroyed,
// or returns nil when no page tells its format (guessLayout).
func recoverHeader(r readerAt, size int64, sink finding.Sink) *Header {
	l, at, clue, _ := guessLayout(r, size)
	if clue == noClue || clue == movedBTreeClue {
		// A B-tree page that verifies only elsewhere tells FindGaps where
		// to look; alone, with nothing found moved around it, it is no
		// store (a page of a store an attachment holds as it is).
		return nil
	}
	h := &Header{Layout: l, FileEOF: uint64(size), Crypt: cryptPermute, Guessed: true}
	switch l.Kind {
	case ANSI:
		h.Version = 14
	case Unicode:
		h.Version = 23
	case Unicode4K:
		h.Version = 36
	}
	trustMaps(r, size, h, findRoots(r, size, h), clue == amapClue)
	if end := max(cutEnd(size, &h.Layout), mappedEnd(r, size, &h.Layout)); end > size {
		// The file's end the header kept is gone with it, but the file
		// ends partway through an allocation unit, its last AMap page or
		// that page's interval: it is cut off.
		h.FileEOF = uint64(end)
		sink.Report(finding.Finding{Code: finding.RootFileTruncated, Offset: size,
			Detail: fmt.Sprintf("the file is %d bytes, which ends partway through the store: at least %d bytes are missing (the header that kept the file's end is destroyed)", size, end-size)})
	}
	how := "its B-tree roots are the newest pages at their top"
	if !h.NBTUsable || !h.BBTUsable {
		how = "its index is rebuilt from what survives"
	}
	if h.AMapValid != 0 {
		how += "; its allocation maps are taken as valid (none marks a page or block of its index free)"
	}
	which := "the first AMap page"
	switch {
	case clue == amapClue && at == l.FirstAMap:
	case clue == amapClue:
		which = fmt.Sprintf("the AMap page at 0x%X (those before it are destroyed)", at)
	case clue == movedAMapClue:
		which = fmt.Sprintf("an AMap page found moved, at 0x%X (bytes before it are missing or added)", at)
	default:
		which = fmt.Sprintf("the B-tree page at 0x%X (no AMap page survives where the format puts one)", at)
	}
	sink.Report(finding.Finding{Code: finding.HeaderGuessed, Offset: 0,
		Detail: fmt.Sprintf("the header is destroyed; %s says the file is %s: %s", which, l.Kind, how)})
	return h
}

// layoutClue is what told the format of a file whose header is
// destroyed.
type layoutClue int

const (
	noClue         layoutClue = iota
	amapClue                  // an AMap page where the format puts one
	bTreeClue                 // a B-tree page
	movedAMapClue             // an AMap page elsewhere, its BID the place it belongs at
	movedBTreeClue            // a B-tree page whose signature names another place
)

// guessLayout tells the format of a file whose header is destroyed from
// an AMap page where a format puts one, else from a B-tree page, else
// from a page moved from its place (a copy that lacks or holds bytes
// before it: everything after them failing where it lies, FindGaps reads
// it back in place): the layout, the offset of the page that tells it and
// what it is. For a B-tree page found moved, moved are the layouts of every
// format that has one, the first's included.
func guessLayout(r readerAt, size int64) (l Layout, at int64, clue layoutClue, moved []Layout) {
	kinds := []Kind{Unicode, ANSI, Unicode4K}
	for _, find := range []func(readerAt, int64, *Layout) (int64, layoutClue){findAMap, findBTreePage} {
		for _, k := range kinds {
			l := LayoutOf(k)
			if at, clue := find(r, size, &l); clue != noClue {
				return l, at, clue, nil
			}
		}
	}
	// An AMap page found moved, of any format, before a B-tree page: the
	// one tells the shift, the other only the format (and a B-tree page
	// of another format may be an attachment's bytes: a store kept in an
	// attachment as it is).
	bTreeAt := int64(-1)
	for _, k := range kinds {
		l := LayoutOf(k)
		switch at, clue := findMovedPage(r, size, &l); {
		case clue == movedAMapClue:
			return l, at, clue, nil
		case clue == movedBTreeClue:
			if bTreeAt < 0 {
				bTreeAt = at
			}
			moved = append(moved, l)
		}
	}
	if bTreeAt >= 0 {
		return moved[0], bTreeAt, movedBTreeClue, moved
	}
	return Layout{}, -1, noClue, nil
}

// findMovedPage returns the first page of layout l in the file's first
// pagesSought bytes, looked for on every sector (a copy lacks or holds
// whole sectors), that verifies but lies away from the place it names: a
// sound AMap page whose BID names another place where l puts one
// (movedAMapClue), else a B-tree page whose type and CRC verify but whose
// signature names another place (movedBTreeClue). The AMap page tells how
// far it moved; the B-tree page's signature, 16 bits of its place, does
// not (FindGaps measures it over many pages and blocks), but it is all a
// 4 KiB-page store smaller than one map interval keeps once its first
// 140 KiB, which hold its one AMap page, are gone.
func findMovedPage(r readerAt, size int64, l *Layout) (int64, layoutClue) {
	const sector = 512
	bTree := int64(-1)
	at := firstPage(r, size, 0, sector, l.PageSize, func(page []byte, at int64) bool {
		if t, ok := l.soundMapPage(page); ok {
			bid := int64(t.BID)
			return t.Type == PageAMap && bid != at && bid >= l.FirstAMap && (bid-l.FirstAMap)%l.AMapCoverage == 0
		}
		if t := l.ParsePageTrailer(page); bTree < 0 && (t.Type == PageNBT || t.Type == PageBBT) && t.TypeRepeat == t.Type &&
			t.Sig != Signature(uint64(at), t.BID) && CRC(page[:l.PageTrailerOff]) == t.CRC {
			bTree = at
		}
		return false
	})
	switch {
	case at >= 0:
		return at, movedAMapClue
	case bTree >= 0:
		return bTree, movedBTreeClue
	}
	return -1, noClue
}

// firstPage returns the offset of the first page of pageSize bytes, on a
// grid of step bytes from from, in the pagesSought bytes from there, that
// match takes; -1 when there is none. The file is read a MiB at a time.
func firstPage(r readerAt, size, from, step, pageSize int64, match func(page []byte, at int64) bool) int64 {
	buf := make([]byte, 1<<20)
	for pos := from; pos < min(size, from+pagesSought); pos += int64(len(buf)) - (pageSize - step) {
		n := min(int64(len(buf)), size-pos)
		if n < pageSize {
			break
		}
		if readFull(r, buf[:n], pos) != nil {
			continue
		}
		for at := int64(0); at+pageSize <= n; at += step {
			if match(buf[at:at+pageSize], pos+at) {
				return pos + at
			}
		}
	}
	return -1
}

// findAMap returns the offset of the first AMap page of layout l that is
// whole where l puts one (its own offset as BID, its CRC sound), among
// the first amapsSought places; -1 when there is none.
func findAMap(r readerAt, size int64, l *Layout) (int64, layoutClue) {
	page := make([]byte, l.PageSize)
	for i := range int64(amapsSought) {
		off := l.FirstAMap + i*l.AMapCoverage
		if off+l.PageSize > size {
			break
		}
		if readFull(r, page, off) != nil {
			continue
		}
		if l.soundAMapPage(page, off) {
			return off, amapClue
		}
	}
	return -1, noClue
}

// guessCrypt picks the encryption method under which the most of the
// data blocks the index lists decode to a heap-on-node header (bSig 0xEC
// in its third byte). Only blocks that verify where the index puts them
// (their trailer names them, their CRC holds) vote: the blocks of a
// destroyed start of the file are random bytes, which would outvote the
// rest. It counts at most 64 votes, trying at most 4,096 blocks.
func (s *Scanner) guessCrypt() {
	l := &s.h.Layout
	votes := map[uint8]int{}
	seen, tried := 0, 0
	extent := make([]byte, l.BlockExtent(l.MaxBlockData))
	for _, e := range s.res.BBT.All() {
		if IsInternal(e.BID) || e.CB < 12 || int(e.CB) > l.MaxBlockData || s.h.Kind == Unicode4K && e.CB != e.Inflated {
			continue
		}
		if tried++; tried > 4096 || seen >= 64 {
			break
		}
		b := extent[:l.BlockExtent(int(e.CB))]
		if readFull(s.r, b, int64(e.IB)) != nil {
			continue
		}
		if t := l.ParseBlockTrailer(b); t.BID != e.BID || t.CB != e.CB || CRC(b[:e.CB]) != t.CRC {
			continue
		}
		seen++
		for _, m := range []uint8{cryptNone, cryptPermute, cryptCyclic} {
			c := append([]byte(nil), b[:4]...)
			DecodeAt(m, e.BID, 0, c)
			if c[2] == 0xEC {
				votes[m]++
			}
		}
	}
	best := s.h.Crypt
	for m, n := range votes {
		if n > votes[best] {
			best = m
		}
	}
	s.h.Crypt = best
}

// findBTreePage returns the offset of the first sound B-tree page of
// layout l (soundBTreePage) in the first pagesSought bytes of the data section, read a
// MiB at a time; -1 when there is none. It tells the format of a file
// with no AMap page left where the format puts one: a 4K-page OST has
// only one in its first 16 MB.
func findBTreePage(r readerAt, size int64, l *Layout) (int64, layoutClue) {
	at := firstPage(r, size, l.FirstAMap, l.PageSize, l.PageSize, func(page []byte, at int64) bool {
		_, ok := l.soundBTreePage(page, at)
		return ok
	})
	if at < 0 {
		return -1, noClue
	}
	return at, bTreeClue
}

// mappedEnd returns where a file whose header is destroyed ended at least
// by the interval its last AMap page maps (size when it tells nothing):
// Outlook grows a store by whole intervals, the AMap page first (every
// store of the corpus ends where its last interval does), so a file
// ending partway through one is cut off, at least to the interval's end.
// Unless that page, sound where it lies, marks in use every unit past the
// file's end: go-pst's 32-bit.pst, whole, ends 200 KiB into its interval
// and marks the rest in use, a writer's way other than Outlook's; where
// the page is not sound, nothing is told either.
func mappedEnd(r readerAt, size int64, l *Layout) int64 {
	if size <= l.FirstAMap {
		return size
	}
	at := l.amapOf(size - 1)
	end := at + l.AMapCoverage
	if end == size || at+l.PageSize > size {
		return size // whole intervals, or cut through the page itself (cutEnd)
	}
	c := &amapCursor{r: r, l: l}
	bits := c.bitsFor(at)
	if bits == nil {
		return size
	}
	for u := l.unitCeil(size); u < end; u += l.AMapUnit {
		if !l.amapInUse(bits, u) {
			return end
		}
	}
	return size
}

// cutEnd returns where a file whose header is destroyed ended at least,
// when it is known to be cut off (size otherwise): every page and block
// fills whole allocation units (AMapUnit), so a file ending partway
// through one is cut there, and a writer writes the AMap page of every
// interval the file reaches, so a file ending within it is cut through
// it (mappedEnd reads its bits).
func cutEnd(size int64, l *Layout) int64 {
	end := l.unitCeil(size)
	if size > l.FirstAMap {
		if at := l.amapOf(size - 1); at+l.PageSize > size {
			end = max(end, at+l.PageSize)
		}
	}
	return end
}
