//go:build !windows

package testkit

// UnderWine reports whether this Windows program runs under Wine; a program
// built for another system never does.
func UnderWine() bool { return false }
