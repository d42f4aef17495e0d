package pstcheck

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A file in a folder OneDrive syncs is told so: under a folder its client's
// environment variables name, or, where none is set (a copy scanned on
// another computer), in a folder named as its client names them.
func TestInSyncedFolder(t *testing.T) {
	root := t.TempDir()
	synced := filepath.Join(root, "OneDrive - Contoso")
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	for _, c := range []struct {
		path string
		vars map[string]string
		want bool
	}{
		{filepath.Join(synced, "Documents", "Outlook Files", "a.pst"), map[string]string{"OneDriveCommercial": synced}, true},
		{filepath.Join(root, "OneDrive - Contoso2", "a.pst"), map[string]string{"OneDriveCommercial": synced}, false},
		{filepath.Join(root, "Mail", "a.pst"), map[string]string{"OneDrive": synced}, false},
		{filepath.Join(synced, "a.pst"), nil, true},
		{filepath.Join(root, "OneDrive", "Documents", "a.pst"), nil, true},
		{filepath.Join(root, "onedrive", "a.pst"), nil, true},
		{filepath.Join(root, "OneDrive backup", "a.pst"), nil, false},
		{filepath.Join(root, "OneDrive.pst"), nil, false},
	} {
		if got := inSyncedFolder(c.path, env(c.vars)); got != c.want {
			t.Errorf("%s with %v: %v, want %v", c.path, c.vars, got, c.want)
		}
	}
}

// ScanFile says where the file lies: a file on this machine's disk is
// local, one in a synced folder is told so.
func TestScanFileLocation(t *testing.T) {
	for _, v := range oneDriveVars {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	for rel, want := range map[string]Location{
		"a.pst": LocationLocal,
		filepath.Join("OneDrive - Contoso", "a.pst"): LocationSynced,
	} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("not a store"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := ScanFile(context.Background(), p, Options{}).Location; got != want {
			t.Errorf("%s: location %q, want %q", rel, got, want)
		}
	}
}
