package ndb

import "github.com/pstcheck/pstcheck/pstcheck/finding"

// VerifyBlock is the block pass's check of one block against its BBT
// entry, for the tests that build blocks by hand.
func (l *Layout) VerifyBlock(e *BBTEntry, extent []byte) (finding.Code, string) {
	return l.verifyBlock(e, extent, &blockInflater{})
}
