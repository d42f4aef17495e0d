package testkit

import (
	"io/fs"
	"os"
	"testing"
)

// WineLacks starts the reason a test skips something Wine lacks and
// Windows has (docs/windows.md lists them).
const WineLacks = "wine lacks "

// Symlink makes link a symbolic link to target and reports whether it
// exists afterwards. It does not when links cannot be made here: Windows
// without the privilege (or developer mode) refuses, and Wine 8 reports
// success without making one. A call that reports success on any other
// system and leaves no link fails the test.
func Symlink(t testing.TB, target, link string) bool {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Logf("no symbolic link %s: %v", link, err)
		return false
	}
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return true
	}
	if UnderWine() {
		t.Logf("no symbolic link %s: Wine made none", link)
		return false
	}
	t.Fatalf("os.Symlink(%q, %q) reported success, but there is no link", target, link)
	return false
}

// NeedSymlink is Symlink for a test that is about links: it skips the test
// when none can be made.
func NeedSymlink(t testing.TB, target, link string) {
	t.Helper()
	if !Symlink(t, target, link) {
		SkipWithoutSymlinks(t)
	}
}

// SkipWithoutSymlinks skips a test that needs symbolic links, after
// Symlink could not make one, saying why.
func SkipWithoutSymlinks(t testing.TB) {
	t.Helper()
	if UnderWine() {
		t.Skip(WineLacks + "symbolic links: CreateSymbolicLinkW reports success and makes none")
	}
	t.Skip("symbolic links cannot be made here (on Windows: no privilege or developer mode)")
}
