package ndb

import "bytes"

// A file whose end is zeros. A copy, download or sync tool that sets the
// new file's size before writing it, and stops before the end, leaves a
// file of the right size whose last part is zeros; so does a crash or a
// power loss while the file system was making the file larger. Read as a
// store, every page and block there is missing, which looks like a store
// damaged over half its length, when the original may be whole.
//
// Zeros at the end are not damage in themselves: the free space at the
// end of a store may be zeros. But the blocks the index lists and the
// B-tree pages never are (their trailers hold their size, type and BID):
// when the last of those lies in zeros that run to the end of the file,
// and the zeros cover an allocation map page's place too (one opens every
// 248 KiB of the data section, 16 MB in 4K-page files), the zeros
// replaced what was written from there on. Zeros that hold only map pages
// do not count: a file that was growing when the system stopped may lack
// only the map pages of its new space, which scanpst rebuilds without
// losing an item. Nor do zeros that miss every map page's place (shorter
// than a map interval), which are as likely a destroyed region (a root
// page zeroed, before the free space at the end), nor the zeros of a
// file shorter than its header says: it is cut off, and what lies at its
// end may be pages and blocks moved up, or a block cut through.

// ZeroedTail returns where the zeros at the end of the file begin (or
// from where they were read: maxZeroedTailRead), the last block or
// B-tree page among them, and true; false when the file does not end so
// (or cannot be read there).
func (res *Result) ZeroedTail() (start, written int64, ok bool) {
	s, l := res.s, &res.Header.Layout
	end := int64(res.Header.FileEOF)
	if s.size < end || end < l.FirstAMap+l.PageSize {
		return 0, 0, false
	}
	last := int64(-1)
	inStore := func(off, n int64) bool { return off >= l.FirstAMap && off <= end-n }
	for _, root := range []BREF{res.Header.NBT, res.Header.BBT} {
		if ib := int64(root.IB); inStore(ib, l.PageSize) {
			last = max(last, ib)
		}
	}
	if inStore(s.lastTreePage, l.PageSize) {
		last = max(last, s.lastTreePage)
	}
	for i := range res.BBT.Len() {
		e := res.BBT.Entry(i)
		if ib := int64(e.IB); inStore(ib, l.BlockExtent(int(e.CB))) && !res.isStale(i) {
			last = max(last, ib)
		}
	}
	buf := make([]byte, 1<<20)
	if res.Header.Guessed && int64(res.Header.FileEOF) <= s.size {
		// The index was rebuilt from what survives before the zeros: no
		// entry may name a block among them. The allocation maps do.
		if start, written, ok := zeroedPastMaps(s.r, s.size, l, buf); ok {
			return start, written, true
		}
	}
	if last < 0 {
		return 0, 0, false
	}
	zeroedAt := func(off, n int64) bool {
		for n > 0 {
			k := min(int64(len(buf)), n)
			if readFull(s.r, buf[:k], off) != nil || !allZero(buf[:k]) {
				return false
			}
			off, n = off+k, n-k
		}
		return true
	}
	if s.size-last > maxZeroedTailRead {
		// Too long to read whole (a large copy that stopped early): the
		// zeros must cover that place's first MiB, every map page's
		// place after it, and the last maxZeroedTailRead bytes, and are
		// told from where those begin.
		if !zeroedAt(last, min(int64(len(buf)), end-last)) {
			return 0, 0, false
		}
		page := buf[:l.PageSize]
		for p := l.amapFrom(last); p+l.PageSize <= end; p += l.AMapCoverage {
			if readFull(s.r, page, p) != nil || !allZero(page) {
				return 0, 0, false
			}
		}
		if start = s.size - maxZeroedTailRead; !zeroedAt(start, maxZeroedTailRead) {
			return 0, 0, false
		}
		return start, last, true
	}
	// Zeros from that place to the end of the file, read forward.
	if !zeroedAt(last, s.size-last) {
		return 0, 0, false
	}
	// Back from that place to the last byte that is not zero, as far as
	// the bytes left to read allow (the zeros may go on before).
	start, _ = zerosBefore(s.r, last, maxZeroedTailRead-(s.size-last), buf)
	// And an AMap page's place among the zeros: zeros that hold no map
	// page are a region of the file destroyed (a zeroed root page before
	// the free space at the end, say), told as such, not a copy that
	// stopped.
	if l.amapFrom(start)+l.PageSize > end {
		return 0, 0, false
	}
	return start, last, true
}

// zeroedPastMaps tells a zeroed end where the header is destroyed, and the
// index rebuilt from the pages and blocks that survive names none among
// the zeros: the zeros run to the end of the file from a place that the
// sound allocation map page of its interval marks in use (written data,
// never zeros), and over the place of the next map page (which a writer
// writes for every interval the file reaches; zeros short of it are a
// region destroyed, not an end). It returns where the zeros begin and the
// first unit in use among them (where the store had written).
func zeroedPastMaps(r readerAt, size int64, l *Layout, buf []byte) (start, written int64, ok bool) {
	start, err := zerosBefore(r, size, maxZeroedTailRead, buf)
	if err != nil {
		return 0, 0, false
	}
	if start < l.FirstAMap || l.amapFrom(start)+l.PageSize > size {
		return 0, 0, false
	}
	at := l.amapOf(start)
	if start < at+l.PageSize {
		return 0, 0, false // the interval's own map page is among the zeros
	}
	bits := (&amapCursor{r: r, l: l}).bitsFor(at)
	if bits == nil {
		return 0, 0, false
	}
	// A unit in use among the zeros, and a free one after it in the
	// interval: marks that run in use to the interval's end are a writer's
	// way of marking the space past its end (go-pst's 32-bit.pst, whole,
	// with zeros appended), not data written.
	first := int64(-1)
	for u := l.unitCeil(start); u < at+l.AMapCoverage; u += l.AMapUnit {
		switch inUse := l.amapInUse(bits, u); {
		case inUse && first < 0:
			first = u
		case !inUse && first >= 0:
			return start, first, true
		}
	}
	return 0, 0, false
}

// zerosBefore returns where the zeros that end at end begin, reading back
// at most budget bytes through buf (the zeros may go on before that), and
// the error of a read that failed, with where they begin as far as read.
func zerosBefore(r readerAt, end, budget int64, buf []byte) (int64, error) {
	start := end
	for start > 0 && budget > 0 {
		n := min(int64(len(buf)), start, budget)
		b := buf[:n]
		if err := readFull(r, b, start-n); err != nil {
			return start, err
		}
		if i := lastNonZero(b); i >= 0 {
			return start - n + int64(i) + 1, nil
		}
		start, budget = start-n, budget-n
	}
	return start, nil
}

// maxZeroedTailRead bounds what ZeroedTail reads whole: a file of 40 GB
// of zeros behind a valid header is no reason to read it all again.
// Zeros from the last block or page to the end longer than that are
// checked at that place, at every map page's place and over that many
// bytes at the end, and told from where those begin; zeros before that
// block or page are told as far as the bytes left to read reach.
var maxZeroedTailRead int64 = 1 << 30 // a variable for the tests

// lastNonZero returns the index of b's last byte that is not zero, or -1.
func lastNonZero(b []byte) int {
	for len(b) > 0 {
		n := min(len(b), len(zeros))
		tail := b[len(b)-n:]
		if !bytes.Equal(tail, zeros[:n]) {
			for i := n - 1; ; i-- {
				if tail[i] != 0 {
					return len(b) - n + i
				}
			}
		}
		b = b[:len(b)-n]
	}
	return -1
}
