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
//     its own offset as BID and a sound CRC;
//   - the end of the file, taken as its size;
//   - the B-tree roots: none, so the whole index is rebuilt from the leaf
//     pages and blocks that survive (rebuild.go);
//   - the encryption method, from the data blocks the rebuild finds: the
//     one under which they decode to heap-on-node headers.
//
// The client signature (PST or OST) cannot be known: the store is taken
// for a PST.

// recoverHeader guesses the header of a file whose header is destroyed,
// or returns nil when no format's first AMap page is where it should be.
func recoverHeader(r readerAt, size int64, sink finding.Sink) *Header {
	for _, k := range []Kind{Unicode, ANSI, Unicode4K} {
		l := LayoutOf(k)
		if size < l.FirstAMap+l.PageSize {
			continue
		}
		page := make([]byte, l.PageSize)
		if readFull(r, page, l.FirstAMap) != nil {
			continue
		}
		t := l.ParsePageTrailer(page)
		if t.Type != PageAMap || t.TypeRepeat != PageAMap || t.BID != uint64(l.FirstAMap) || CRC(page[:l.PageTrailerOff]) != t.CRC {
			continue
		}
		h := &Header{Layout: l, FileEOF: uint64(size), Crypt: cryptPermute, Guessed: true}
		switch k {
		case ANSI:
			h.Version = 14
		case Unicode:
			h.Version = 23
		case Unicode4K:
			h.Version = 36
		}
		sink.Report(finding.Finding{Code: finding.HeaderGuessed, Offset: 0,
			Detail: fmt.Sprintf("the header is destroyed; the first AMap page says the file is %s: its index is rebuilt from what survives", k)})
		return h
	}
	return nil
}

// guessCrypt picks the encryption method under which the most of the
// first data blocks the rebuild found decode to a heap-on-node header
// (bSig 0xEC in its third byte). It reads at most 64 blocks.
func (s *Scanner) guessCrypt() {
	votes := map[uint8]int{}
	seen := 0
	for _, e := range s.res.BBT.All() {
		if IsInternal(e.BID) || e.CB < 12 || s.h.Kind == Unicode4K && e.CB != e.Inflated {
			continue
		}
		if seen++; seen > 64 {
			break
		}
		b := make([]byte, 4)
		if readFull(s.r, b, int64(e.IB)) != nil {
			continue
		}
		for _, m := range []uint8{cryptNone, cryptPermute, cryptCyclic} {
			c := append([]byte(nil), b...)
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
