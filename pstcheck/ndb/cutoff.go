package ndb

import (
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A copy cut off whose header is destroyed has lost the end of file the
// header kept. recoverHeader tells the cut where the file ends partway
// through an allocation unit, its last AMap page or that page's interval
// (cutEnd, mappedEnd); a cut on an interval's end, or one mappedEnd
// cannot tell, may show in the index: the live tree, rooted at the
// newest pages found, names pages and blocks where the file no longer
// reaches (the corpus' Outlook.pst, header zeroed and cut at 0x141000:
// an NBT page at 0x141A00, blocks from 0x143000 on). A page of that tree
// verified, so what it names is where the store once reached.

// notePastEnd notes a page or block of the live index, at ib and extent
// bytes long, that lies where the file no longer reaches, when the header
// is destroyed (a misaligned or impossible reference says nothing).
func (s *Scanner) notePastEnd(ib uint64, extent int64) {
	l := &s.h.Layout
	if !s.h.Guessed || ib%uint64(l.BlockAlign) != 0 || ib < uint64(l.FirstAMap) || ib > maxFileSize {
		return
	}
	if end := int64(ib) + extent; end > s.limit {
		s.pastEnd = max(s.pastEnd, end)
	}
}

// maxFileSize bounds the offsets notePastEnd takes: no store is larger.
const maxFileSize = 1 << 50

// cutOffPastIndex says the file is cut off where the live index reaches
// past its end, unless the header's recovery said so already (its end is
// then raised to what the index shows).
func (s *Scanner) cutOffPastIndex() {
	h := s.h
	if s.pastEnd <= int64(h.FileEOF) {
		return
	}
	if h.FileEOF == uint64(s.size) {
		s.report(finding.Finding{Code: finding.RootFileTruncated, Offset: s.size,
			Detail: fmt.Sprintf("the file is %d bytes, but its index names pages and blocks up to offset 0x%X: at least %d bytes are missing (the header that kept the file's end is destroyed)", s.size, s.pastEnd, s.pastEnd-s.size)})
	}
	h.FileEOF = uint64(s.pastEnd)
}
