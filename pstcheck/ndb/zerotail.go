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
// end of a store may be zeros. But some places are never zeros in a
// store: an allocation map page at the start of every interval of the
// data section (its trailer names its type), the B-tree pages, and every
// block the index lists (its trailer holds its size and BID). When the
// last of those before the store's end lies in zeros that run to the end
// of the file, the zeros replaced what was written.

// ZeroedTail returns where the zeros at the end of the file begin (or
// where reading them back stopped, maxZeroedTailRead), the last place
// among them the store is known to have written (a map page, a B-tree
// page or a block), and true; false when the file does not end so (or
// cannot be read there).
func (res *Result) ZeroedTail() (start, written int64, ok bool) {
	s, l := res.s, &res.Header.Layout
	end := min(s.size, int64(res.Header.FileEOF))
	if end < l.FirstAMap+l.PageSize || l.AMapCoverage <= 0 {
		return 0, 0, false
	}
	last := l.FirstAMap + (end-l.FirstAMap-l.PageSize)/l.AMapCoverage*l.AMapCoverage
	for _, root := range []BREF{res.Header.NBT, res.Header.BBT} {
		if ib := int64(root.IB); ib < end-l.PageSize {
			last = max(last, ib)
		}
	}
	for i := range res.BBT.Len() {
		if ib := int64(res.BBT.IB(i)); ib < end {
			last = max(last, ib)
		}
	}
	for _, p := range s.sortedPages {
		// Not the other map pages: Outlook no longer reads the PMap, FMap
		// and FPMap, and a store may leave them zeros.
		if (p.Type == PageNBT || p.Type == PageBBT || p.Type == PageAMap) && p.IB < end-l.PageSize {
			last = max(last, p.IB)
		}
	}
	// Zeros from that place to the end of the file, read forward.
	if s.size-last > maxZeroedTailRead {
		return 0, 0, false
	}
	buf := make([]byte, 1<<20)
	for off := last; off < s.size; {
		n := min(int64(len(buf)), s.size-off)
		if readFull(s.r, buf[:n], off) != nil || !allZero(buf[:n]) {
			return 0, 0, false
		}
		off += n
	}
	// Back from that place to the last byte that is not zero, as far as
	// the bytes left to read allow (the zeros may go on before).
	start = last
	for left := maxZeroedTailRead - (s.size - last); start > 0 && left > 0; {
		n := min(int64(len(buf)), start, left)
		b := buf[:n]
		if readFull(s.r, b, start-n) != nil {
			break
		}
		if i := lastNonZero(b); i >= 0 {
			start = start - n + int64(i) + 1
			break
		}
		start, left = start-n, left-n
	}
	return start, last, true
}

// maxZeroedTailRead bounds what ZeroedTail reads: a file of 40 GB of
// zeros behind a valid header is no reason to read it all again. Zeros
// longer than that are told from where the reading stopped.
const maxZeroedTailRead = 256 << 20

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
