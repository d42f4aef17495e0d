package pstcheck

import "testing"

// A path names a share by its server's name in the UNC forms alone, in
// their extended-length and device spellings too; local extended-length
// paths, devices and WSL's file systems are no shares.
func TestIsShare(t *testing.T) {
	for path, want := range map[string]bool{
		`\\server\share\mail\a.pst`:           true,
		`//server/share/a.pst`:                true,
		`\\?\UNC\server\share\a.pst`:          true,
		`\\?\unc\server\share\a.pst`:          true,
		`\\.\UNC\server\share\a.pst`:          true,
		`\\?\C:\Users\a\Documents\a.pst`:      false,
		`\\.\PhysicalDrive0`:                  false,
		`\\?\Volume{0b7b1c2e-0000}\a.pst`:     false,
		`C:\Users\a\Documents\a.pst`:          false,
		`Z:\mail\a.pst`:                       false,
		`\\wsl$\Ubuntu\home\a\a.pst`:          false,
		`\\wsl.localhost\Ubuntu\home\a\a.pst`: false,
	} {
		if got := isShare(plainPath(path)); got != want {
			t.Errorf("isShare(plainPath(%q)) = %v, want %v", path, got, want)
		}
	}
	if got := plainPath(`\\?\C:\Users\a\OneDrive\a.pst`); got != `C:\Users\a\OneDrive\a.pst` {
		t.Errorf("plainPath = %q", got)
	}
}
