package export

import (
	"path"
	"path/filepath"
	"testing"
	"time"
)

func TestFolderPath(t *testing.T) {
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"Top", "Inbox"}, "Top/Inbox"},
		{[]string{"Top", "a/b"}, "Top/a\u2215b"},
		{[]string{"Top", "a\u2215b"}, "Top/a%E2%88%95b"},
		{[]string{"Top", "100% done"}, "Top/100%25 done"},
		{[]string{"Top", "", "x"}, "Top//x"},
	} {
		var refs []FolderRef
		for _, n := range c.names {
			refs = append(refs, FolderRef{Name: n})
		}
		if got := FolderPath(refs); got != c.want {
			t.Errorf("%q: %q, want %q", c.names, got, c.want)
		}
	}
	// Names that collided before ("/" shown as U+2215) stay apart.
	seen := map[string][]string{}
	for _, names := range [][]string{{"a/b"}, {"a\u2215b"}, {"a", "b"}, {"a%2Fb"}, {"a%E2%88%95b"}, {""}, {"", ""}} {
		var refs []FolderRef
		for _, n := range names {
			refs = append(refs, FolderRef{Name: n})
		}
		p := FolderPath(refs)
		if prev, ok := seen[p]; ok {
			t.Errorf("%q and %q share the path %q", prev, names, p)
		}
		seen[p] = names
	}
}

// Each store folder keeps a folder of its own in the export, and an mbox
// of its own: siblings of the same name (in any case), folders without a
// name, and names that differ by "/" against U+2215. The manifest gives
// each its path and NID.
func TestTreeFolderIdentity(t *testing.T) {
	top := FolderRef{NID: 0x8022, Name: "Top of Personal Folders"}
	folders := [][]FolderRef{
		{top, {NID: 0x8042, Name: "Inbox"}},
		{top, {NID: 0x8062, Name: "Inbox"}},
		{top, {NID: 0x8082, Name: "INBOX"}},
		{top, {NID: 0x80A2, Name: ""}},
		{top, {NID: 0x80C2, Name: ""}},
		{top, {NID: 0x80E2, Name: "a/b"}},
		{top, {NID: 0x8102, Name: "a\u2215b"}},
		{top, {NID: 0x8122, Name: ".."}},
		{top, {NID: 0x8042, Name: "Inbox"}, {NID: 0x8142, Name: "x"}},
		{top, {NID: 0x8062, Name: "Inbox"}, {NID: 0x8162, Name: "x"}},
		{{Name: "Recovered items"}, top, {NID: 0x8042, Name: "Inbox"}},
	}
	date := time.Date(2024, 3, 5, 14, 5, 0, 0, time.UTC)
	var items []*Item
	for i, f := range folders {
		items = append(items, &Item{NID: uint32(0x200004 + 0x20*i), Folders: f, Folder: FolderPath(f), Class: "IPM.Note",
			Subject: "same subject", Date: date, Body: "x"})
	}
	// Subjects SafeName would strip to nothing.
	items = append(items,
		&Item{NID: 0x300004, Folders: folders[0], Folder: FolderPath(folders[0]), Class: "IPM.Note", Subject: ".", Body: "dot"},
		&Item{NID: 0x300024, Folders: folders[0], Folder: FolderPath(folders[0]), Class: "IPM.Note", Subject: "..", Date: date, Body: "dots"})
	for _, format := range []string{FormatEML, FormatMbox} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			runTree(t, dir, TreeOptions{Format: format}, items)
			m, _ := readManifest(t, dir)
			byDir := map[string]int{}
			paths := map[string]bool{}
			for _, it := range m.Items {
				if it.Path == nil {
					continue
				}
				d := path.Dir(*it.Path)
				if i := int(it.NID-0x200004) / 0x20; it.NID < 0x300000 && i < len(folders) {
					if prev, ok := byDir[d]; ok {
						t.Errorf("folders %v and %v share %s", folders[prev], folders[i], d)
					}
					byDir[d] = i
					if paths[*it.Path] {
						t.Errorf("folders share the file %s", *it.Path)
					}
					paths[*it.Path] = true
					if it.Folder != FolderPath(folders[i]) {
						t.Errorf("manifest folder %q, want %q", it.Folder, FolderPath(folders[i]))
					}
					last := folders[i][len(folders[i])-1].NID
					if last == 0 && it.FolderNID != nil || last != 0 && (it.FolderNID == nil || *it.FolderNID != last) {
						t.Errorf("%s: folder_nid %v, want 0x%X", *it.Path, it.FolderNID != nil && *it.FolderNID == last, last)
					}
				}
				t.Logf("%-45q %s", it.Folder, *it.Path)
			}
			if format == FormatEML {
				want := map[uint32]string{
					0x300004:          "Top of Personal Folders/Inbox/[.].eml",
					0x300024:          "Top of Personal Folders/Inbox/2024-03-05 1405 [..].eml",
					0x200004 + 0x20*3: "Top of Personal Folders/(no name)/2024-03-05 1405 same subject.eml",
					0x200004 + 0x20*4: "Top of Personal Folders/(no name) (2)/2024-03-05 1405 same subject.eml",
					0x200004 + 0x20*5: "Top of Personal Folders/a\u2215b/2024-03-05 1405 same subject.eml",
					0x200004 + 0x20*6: "Top of Personal Folders/a\u2215b (2)/2024-03-05 1405 same subject.eml",
				}
				for _, it := range m.Items {
					if w, ok := want[it.NID]; ok && (it.Path == nil || *it.Path != w) {
						t.Errorf("0x%X: %v, want %s", it.NID, it.Path, w)
					}
				}
			}
		})
	}
}
