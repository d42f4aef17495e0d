package pstcheck

import "testing"

// A path names a share by its server's name in the UNC forms alone;
// extended-length local paths and device paths are not shares.
func TestIsUNC(t *testing.T) {
	for path, want := range map[string]bool{
		`\\server\share\mail\a.pst`:      true,
		`//server/share/a.pst`:           true,
		`\\?\UNC\server\share\a.pst`:     true,
		`\\?\unc\server\share\a.pst`:     true,
		`\\?\C:\Users\a\Documents\a.pst`: false,
		`\\.\PhysicalDrive0`:             false,
		`C:\Users\a\Documents\a.pst`:     false,
		`Z:\mail\a.pst`:                  false,
	} {
		if got := isUNC(path); got != want {
			t.Errorf("isUNC(%q) = %v, want %v", path, got, want)
		}
	}
}
