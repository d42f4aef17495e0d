package ndb

import "github.com/pstcheck/pstcheck/pstcheck/finding"

// VerifyBlock is the block pass's check of one block against its BBT
// entry, for the tests that build blocks by hand.
func (l *Layout) VerifyBlock(e *BBTEntry, extent []byte) (finding.Code, string) {
	return l.verifyBlock(e, extent, &blockInflater{})
}

// SetMaxNodeData sets the most node data read whole, for a test of a node
// over it; it returns the undoing.
func SetMaxNodeData(n int) (restore func()) {
	old := maxNodeData
	maxNodeData = n
	return func() { maxNodeData = old }
}

// SetMaxUnlinked sets how many unused blocks of each kind the scan keeps
// for the messaging layer, for a test of a store with more; it returns
// the undoing.
func SetMaxUnlinked(n int) (restore func()) {
	old := maxUnlinked
	maxUnlinked = n
	return func() { maxUnlinked = old }
}
