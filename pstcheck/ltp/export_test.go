package ltp

// SetPagesHeld sets how many blocks a heap read from Pages holds, for a
// test that makes it read block by block; it returns the undoing.
func SetPagesHeld(n int) (restore func()) {
	old := pagesHeld
	pagesHeld = n
	return func() { pagesHeld = old }
}
