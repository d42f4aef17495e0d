package messaging

import "testing"

// A finding quotes a folder's path only where the walk's path is the one
// the folder ends with: a folder the hierarchy does not reach, or one
// under a folder whose name is lost (a listing found later may name it),
// is named by its NID.
func TestFolderRef(t *testing.T) {
	for _, c := range []struct {
		nid         uint32
		path        string
		unreachable bool
		want        string
	}{
		{0x8062, "Top of Personal Folders/Inbox", false, `"Top of Personal Folders/Inbox"`},
		{0x122, "", false, `"(root)"`},
		{0x8082, "(unreachable)/B", true, "0x8082 (unreachable)"},
		{0x80A2, "Top of Personal Folders/" + unnamedFolder(0x8042) + "/B", false, "0x80A2"},
		{0x8042, "Top of Personal Folders/" + unnamedFolder(0x8042), false, "0x8042"},
	} {
		if got := folderRef(c.nid, c.path, c.unreachable); got != c.want {
			t.Errorf("folderRef(0x%X, %q, %v) = %s, want %s", c.nid, c.path, c.unreachable, got, c.want)
		}
	}
}
