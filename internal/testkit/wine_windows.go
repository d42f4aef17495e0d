package testkit

import "syscall"

// UnderWine reports whether this Windows program runs under Wine rather
// than Windows: Wine's ntdll.dll exports wine_get_version, Windows' does not.
func UnderWine() bool {
	return syscall.NewLazyDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
