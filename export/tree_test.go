package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

const top = "Top of Personal Folders"

func treeItems() []*Item {
	d := func(day, hour int) time.Time { return time.Date(2024, 3, day, hour, 5, 0, 0, time.UTC) }
	return []*Item{
		{NID: 0x200024, Folder: top + "/Inbox", Class: "IPM.Note", Subject: "Report", Date: d(5, 14), Body: "one",
			From: Address{"A", "a@example.com"}},
		{NID: 0x200044, Folder: top + "/Inbox", Class: "IPM.Note", Subject: "REPORT", Date: d(5, 14), Body: "two"},
		{NID: 0x200064, Folder: top + "/Inbox", Class: "IPM.Note", Subject: "report", Date: d(5, 14), Body: "three",
			Attachments: []Attachment{{Filename: "../../../etc/passwd", Data: []byte("root:x:0:0")}}},
		{NID: 0x200084, Folder: top + "/Inbox/Projects", Class: "IPM.Note", Subject: "../../escape?", Date: d(6, 9), Body: "four\nFrom here\n"},
		{NID: 0x2000A4, Folder: top + "/Inbox/Projects", Class: "IPM.Note", Subject: "", Body: "no subject, no date"},
		{NID: 0x2000C4, Folder: top + "/INBOX", Class: "IPM.Note", Subject: "other inbox", Date: d(7, 8), Body: "five"},
		{NID: 0x2000E4, Folder: top + "/../../evil", Class: "IPM.Note", Subject: "con", Date: d(8, 8), Body: "six"},
		{NID: 0x200104, Folder: "/abs/olute", Class: "IPM.Note", Subject: "/etc/passwd", Body: "seven"},
		{NID: 0x200124, Folder: top + "/Contacts", Class: "IPM.Contact", Subject: "Jane Doe",
			Contact: &Contact{DisplayName: "Jane Doe", Emails: []string{"jane@example.com"}}},
		{NID: 0x200144, Folder: top + "/Contacts", Class: "IPM.DistList", Subject: "Team"},
		{NID: 0x200164, Folder: top + "/Calendar", Class: "IPM.Appointment", Subject: "Review",
			Event: &Event{Start: d(9, 9), End: d(9, 10)}},
		{NID: 0x200184, Folder: "", Class: "IPM.Note", Subject: "manifest.json", Body: "at the top"},
	}
}

// runTree exports items into dir and returns the Tree's counts.
func runTree(t *testing.T, dir string, opt TreeOptions, items []*Item) Counts {
	t.Helper()
	tr, err := NewTree(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if _, err := tr.Add(it); err != nil {
			t.Fatalf("Add %d: %v", i, err)
		}
		if i == 2 {
			tr.Skip(top+"/Inbox", "unreadable one", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), 0x2001A4, "block 0x1234 fails its CRC")
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	return tr.Counts()
}

// listing returns the files and folders under dir, with the size and
// modification time of files.
func listing(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[rel] = fmt.Sprint(fi.ModTime().UTC().Format(time.RFC3339Nano), " ", fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]string) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// backdate sets every file's modification time to the past, so that a file
// rewritten later shows.
func backdate(t *testing.T, dir string) {
	t.Helper()
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
}

func readManifest(t *testing.T, dir string) (Manifest, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m, b
}

func TestTreeEML(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	opt := TreeOptions{Source: filepath.Join(base, "mail.pst")}
	items := treeItems()
	c := runTree(t, dir, opt, items)
	if c.Exported != len(items) || c.Skipped != 1 || c.Written != len(items) || c.Unchanged != 0 {
		t.Errorf("first run counts %+v", c)
	}

	wantFiles := []string{
		"2024-03-05 1405 Report.eml",
		"2024-03-05 1405 REPORT (2).eml",
		"2024-03-05 1405 report (3).eml",
	}
	got := listing(t, dir)
	want := []string{
		"./",
		"abs/", "abs/olute/", "abs/olute/_etc_passwd.eml", // "/abs/olute": the empty first name is dropped
		"manifest.json.eml",
		"manifest.json",
		top + "/",
		top + "/Calendar/", top + "/Calendar/2024-03-09 0905 Review.ics",
		top + "/Contacts/", top + "/Contacts/Jane Doe.vcf", top + "/Contacts/Team.vcf",
		top + "/INBOX (2)/", top + "/INBOX (2)/2024-03-07 0805 other inbox.eml",
		top + "/Inbox/",
		top + "/Inbox/" + wantFiles[0], top + "/Inbox/" + wantFiles[1], top + "/Inbox/" + wantFiles[2],
		top + "/Inbox/Projects/",
		top + "/Inbox/Projects/(no subject).eml",
		top + "/Inbox/Projects/2024-03-06 0905 .._.._escape_.eml",
		top + "/[..]/", top + "/[..]/[..]/", top + "/[..]/[..]/evil/",
		top + "/[..]/[..]/evil/2024-03-08 0805 con.eml",
	}
	sort.Strings(want)
	if g := keys(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
	if entries, _ := os.ReadDir(base); len(entries) != 1 {
		t.Errorf("something was written beside the output folder: %v", entries)
	}

	// Each file holds what the writers write.
	for _, it := range items {
		var b bytes.Buffer
		var name string
		switch KindOf(it.Class) {
		case KindContact:
			WriteVCard(&b, it)
			name = top + "/Contacts/" + it.Subject + ".vcf"
		case KindEvent:
			WriteICal(&b, it)
			name = top + "/Calendar/2024-03-09 0905 Review.ics"
		default:
			continue
		}
		if f, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name))); !bytes.Equal(f, b.Bytes()) {
			t.Errorf("%s differs from the writer's output", name)
		}
	}
	f, _ := os.ReadFile(filepath.Join(dir, top, "Inbox", wantFiles[2]))
	if !bytes.Equal(f, writeEML(t, items[2])) {
		t.Errorf("%s differs from WriteEML", wantFiles[2])
	}

	m, firstManifest := readManifest(t, dir)
	if m.Format != FormatEML || m.Source != opt.Source || m.Exported != len(items) || m.Skipped != 1 || len(m.Items) != len(items)+1 {
		t.Errorf("manifest: %s %s exported %d skipped %d, %d items", m.Format, m.Source, m.Exported, m.Skipped, len(m.Items))
	}
	sk := m.Items[3]
	if sk.Skipped == nil || *sk.Skipped != "block 0x1234 fails its CRC" || sk.Path != nil || !sk.Damaged || sk.NID != 0x2001A4 ||
		sk.Date == nil || *sk.Date != "2024-03-05T00:00:00Z" {
		t.Errorf("skipped entry %+v", sk)
	}
	first := m.Items[0]
	if first.Path == nil || *first.Path != top+"/Inbox/"+wantFiles[0] || first.Size == nil || first.SHA256 == nil ||
		first.Kind == nil || *first.Kind != KindMail || first.Damaged || first.Skipped != nil || *first.Date != "2024-03-05T14:05:00Z" {
		t.Errorf("first entry %+v", first)
	}
	if !bytes.Contains(firstManifest, []byte(`"path": null`)) || !bytes.Contains(firstManifest, []byte(`"skipped": null`)) {
		t.Error("manifest lacks explicit nulls")
	}
	if _, err := os.Stat(filepath.Join(dir, journalName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("journal left after Close: %v", err)
	}

	// A second run over the same folder rewrites nothing and adds nothing.
	backdate(t, dir)
	before := listing(t, dir)
	c = runTree(t, dir, opt, treeItems())
	after := listing(t, dir)
	for _, k := range keys(after) {
		if before[k] != after[k] && k != ManifestName {
			t.Errorf("second run changed %s: %q -> %q", k, before[k], after[k])
		}
	}
	if len(after) != len(before) {
		t.Errorf("second run: %d entries, before %d", len(after), len(before))
	}
	if _, again := readManifest(t, dir); !bytes.Equal(again, firstManifest) {
		t.Error("second run's manifest differs")
	}
	if before[ManifestName] != after[ManifestName] {
		t.Error("an identical manifest was rewritten")
	}
	if c.Written != 0 || c.Unchanged != len(items) || c.Exported != len(items) {
		t.Errorf("second run counts %+v", c)
	}

	// A changed item overwrites its own file, under the same name.
	changed := treeItems()
	changed[1].Body = "two, revised"
	c = runTree(t, dir, opt, changed)
	if c.Written != 1 {
		t.Errorf("changed item: counts %+v", c)
	}
	if f, _ := os.ReadFile(filepath.Join(dir, top, "Inbox", wantFiles[1])); !bytes.Equal(f, writeEML(t, changed[1])) {
		t.Error("changed item not rewritten in place")
	}
	if len(listing(t, dir)) != len(before) {
		t.Error("changed item: files added")
	}

	// Another source or format is refused.
	if _, err := NewTree(dir, TreeOptions{Source: filepath.Join(base, "other.pst")}); err == nil {
		t.Error("another source: no error")
	}
	if _, err := NewTree(dir, TreeOptions{Source: opt.Source, Format: FormatMbox}); err == nil {
		t.Error("another format: no error")
	}
	if _, err := NewTree(t.TempDir(), TreeOptions{Format: "pdf"}); err == nil {
		t.Error("unknown format: no error")
	}
}

// abandon simulates a run cut short: files are closed, nothing is finished.
func (t *Tree) abandon() {
	// The system closes every handle of a process that dies (Windows
	// removes no file still open), and removes none of its files.
	if t.current != nil && t.current.f != nil {
		t.current.f.Close()
	}
	t.manifest.f.Close()
	t.journal.Close()
	t.closeDirs()
	t.root.Close()
	t.closed = true
}

func TestTreeResumeInterrupted(t *testing.T) {
	for _, format := range []string{FormatEML, FormatMbox} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			opt := TreeOptions{Source: "/mail/x.pst", Format: format}
			items := treeItems()

			// The reference: one uninterrupted run.
			ref := t.TempDir()
			runTree(t, ref, opt, items)
			_, refManifest := readManifest(t, ref)

			// A run cut short after half of the items, with a temporary file
			// left behind, then a full run.
			tr, err := NewTree(dir, opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items[:len(items)/2] {
				if _, err := tr.Add(it); err != nil {
					t.Fatal(err)
				}
			}
			tr.abandon()
			os.WriteFile(filepath.Join(dir, top, tempPrefix+"LEFTOVER"+tempSuffix), []byte("half"), 0o644)
			runTree(t, dir, opt, items)

			if got, want := keys(listing(t, dir)), keys(listing(t, ref)); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("after resuming:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if _, m := readManifest(t, dir); !bytes.Equal(m, refManifest) {
				t.Errorf("resumed manifest differs:\n%s\nwant\n%s", m, refManifest)
			}
		})
	}
}

func TestTreeForeignFiles(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, top, "Inbox")
	os.MkdirAll(inbox, 0o755)
	mine := []byte("the user's own file")
	os.WriteFile(filepath.Join(inbox, "2024-03-05 1405 Report.eml"), mine, 0o644)
	// A file where a folder would go.
	os.WriteFile(filepath.Join(dir, top, "Calendar"), mine, 0o644)

	items := treeItems()
	runTree(t, dir, TreeOptions{}, items)
	if f, _ := os.ReadFile(filepath.Join(inbox, "2024-03-05 1405 Report.eml")); !bytes.Equal(f, mine) {
		t.Error("a file that is not the export's own was overwritten")
	}
	m, _ := readManifest(t, dir)
	if p := m.Items[0].Path; p == nil || *p != top+"/Inbox/2024-03-05 1405 Report (2).eml" {
		t.Errorf("first item went to %v", *p)
	}
	if p := m.Items[len(m.Items)-2].Path; p == nil || *p != top+"/Calendar (2)/2024-03-09 0905 Review.ics" {
		t.Errorf("calendar item went to %v", *p)
	}
	// Still not touched on a second run, and nothing duplicated.
	before := listing(t, dir)
	runTree(t, dir, TreeOptions{}, items)
	if after := listing(t, dir); len(after) != len(before) {
		t.Errorf("second run: %d entries, before %d", len(after), len(before))
	}
}

func TestTreeSymlinkInside(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	// Skipped before the Tree holds its folder open, if it is skipped.
	testkit.NeedSymlink(t, outside, filepath.Join(t.TempDir(), "probe"))
	tr, err := NewTree(dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	items := treeItems()
	if _, err := tr.Add(items[0]); err != nil {
		t.Fatal(err)
	}
	// Someone swaps the Inbox folder for a link to elsewhere.
	inbox := filepath.Join(dir, top, "Inbox")
	os.RemoveAll(inbox)
	testkit.NeedSymlink(t, outside, inbox)
	if _, err := tr.Add(items[1]); !errors.Is(err, ErrLink) {
		t.Errorf("write through a link: %v, want ErrLink", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside the output folder: %v", entries)
	}
	m, _ := readManifest(t, dir)
	if len(m.Items) != 2 || m.Items[1].Skipped == nil || !strings.Contains(*m.Items[1].Skipped, "link") {
		t.Errorf("failed item not recorded as skipped: %+v", m.Items)
	}
	// A link planted where a folder would go is avoided.
	dir2 := t.TempDir()
	testkit.NeedSymlink(t, outside, filepath.Join(dir2, top))
	runTree(t, dir2, TreeOptions{}, items[:1])
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written through a planted link: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir2, top+" (2)", "Inbox", "2024-03-05 1405 Report.eml")); err != nil {
		t.Error(err)
	}
}

func TestTreeMbox(t *testing.T) {
	dir := t.TempDir()
	opt := TreeOptions{Format: FormatMbox, Source: "/mail/x.pst"}
	items := treeItems()
	c := runTree(t, dir, opt, items)
	got := keys(listing(t, dir))
	want := []string{
		"./", "abs/", "abs/olute/", "abs/olute/olute.mbox", "mail.mbox", "manifest.json",
		top + "/",
		top + "/Calendar/", top + "/Calendar/2024-03-09 0905 Review.ics",
		top + "/Contacts/", top + "/Contacts/Jane Doe.vcf", top + "/Contacts/Team.vcf",
		top + "/INBOX (2)/", top + "/INBOX (2)/INBOX.mbox",
		top + "/Inbox/", top + "/Inbox/Inbox.mbox",
		top + "/Inbox/Projects/", top + "/Inbox/Projects/Projects.mbox",
		top + "/[..]/", top + "/[..]/[..]/", top + "/[..]/[..]/evil/", top + "/[..]/[..]/evil/evil.mbox",
	}
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if c.Written != 9 || c.Exported != len(items) {
		t.Errorf("counts %+v", c)
	}
	f, err := os.Open(filepath.Join(dir, top, "Inbox", "Inbox.mbox"))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := SplitMbox(f)
	f.Close()
	if err != nil || len(msgs) != 3 {
		t.Fatalf("Inbox.mbox: %d messages, %v", len(msgs), err)
	}
	for i := range msgs {
		if !bytes.Equal(msgs[i], writeEML(t, items[i])) {
			t.Errorf("Inbox.mbox message %d differs from WriteEML", i)
		}
	}
	m, first := readManifest(t, dir)
	if p := m.Items[0].Path; p == nil || *p != top+"/Inbox/Inbox.mbox" || m.Items[0].Size != nil {
		t.Errorf("mbox item entry %+v", m.Items[0])
	}

	backdate(t, dir)
	before := listing(t, dir)
	c = runTree(t, dir, opt, treeItems())
	after := listing(t, dir)
	for _, k := range keys(after) {
		if before[k] != after[k] {
			t.Errorf("second run changed %s", k)
		}
	}
	if len(after) != len(before) || c.Written != 0 {
		t.Errorf("second run: %d entries (before %d), counts %+v", len(after), len(before), c)
	}
	if _, again := readManifest(t, dir); !bytes.Equal(again, first) {
		t.Error("second run's manifest differs")
	}
}

func TestTreeDamagedAndClosed(t *testing.T) {
	dir := t.TempDir()
	tr, err := NewTree(dir, TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.AddDamaged(treeItems()[0], "attachment 2 unreadable"); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Add(nil); err == nil {
		t.Error("nil item: no error")
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Add(treeItems()[1]); !errors.Is(err, ErrClosed) {
		t.Errorf("Add after Close: %v", err)
	}
	if err := tr.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	m, _ := readManifest(t, dir)
	if len(m.Items) != 1 || !m.Items[0].Damaged || m.Items[0].Problem == nil || m.Items[0].Path == nil {
		t.Errorf("damaged entry %+v", m.Items)
	}

	// A manifest pstcheck did not write is not taken over.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, ManifestName), []byte(`{"something": "else"}`), 0o644)
	if _, err := NewTree(other, TreeOptions{}); err == nil {
		t.Error("foreign manifest: no error")
	}
}

// Names Windows treats specially reach the disk as the manifest says: a
// device name (CON, NUL, COM1, ...) would write to the device and leave no
// file, and trailing dots and spaces would be dropped by Windows, so that
// "Inbox." and "Inbox" became one folder. Run as a Windows binary (see
// docs/windows.md) it checks what Windows does with them.
func TestTreeWindowsNames(t *testing.T) {
	dir := t.TempDir()
	var items []*Item
	add := func(folder, class, subject string) {
		it := &Item{NID: uint32(0x200024 + 0x20*len(items)), Folder: folder, Class: class, Subject: subject, Body: "item " + subject}
		if class == "IPM.Contact" {
			it.Contact = &Contact{DisplayName: subject}
		}
		items = append(items, it)
	}
	for _, s := range []string{"CON", "nul", "Aux.txt", "COM1", "lpt9", "LPT¹", "CONIN$", "conout$", "prn ", "Report. ", "dots...", " spaced "} {
		add(top+"/Inbox", "IPM.Note", s)
	}
	add(top+"/Inbox.", "IPM.Note", "in the folder with a dot")
	add(top+"/Inbox ", "IPM.Note", "in the folder with a space")
	add(top+"/NUL", "IPM.Note", "in the folder named NUL")
	add(top+"/com2.", "IPM.Note", "in the folder named com2.")
	add(top+"/Contacts", "IPM.Contact", "AUX")
	c := runTree(t, dir, TreeOptions{}, items)
	if c.Exported != len(items) {
		t.Fatalf("exported %d of %d", c.Exported, len(items))
	}

	m, _ := readManifest(t, dir)
	got := listing(t, dir)
	seen := map[string]bool{}
	for _, mi := range m.Items {
		if mi.Path == nil {
			if mi.NID != 0x2001A4 { // the item runTree skips
				t.Errorf("%q not written: %s", mi.Subject, *mi.Skipped)
			}
			continue
		}
		p := *mi.Path
		if _, ok := got[p]; !ok {
			t.Errorf("%q: %s is not in the folder as named", mi.Subject, p)
		}
		if seen[strings.ToLower(p)] {
			t.Errorf("%q: %s written twice (names differing in case are one name on Windows)", mi.Subject, p)
		}
		seen[strings.ToLower(p)] = true
		for _, name := range strings.Split(p, "/") {
			if reservedName(name) || strings.TrimRight(name, ". ") != name {
				t.Errorf("%q: %s has the name %q, which Windows does not keep", mi.Subject, p, name)
			}
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil || len(data) == 0 || int64(len(data)) != *mi.Size {
			t.Errorf("%q: %s holds %d bytes (%v), manifest %d", mi.Subject, p, len(data), err, *mi.Size)
		}
	}
	// Four distinct folders besides Inbox and Contacts, not merged into one.
	folders := 0
	for p := range got {
		if strings.HasSuffix(p, "/") && strings.Count(p, "/") == 2 && strings.HasPrefix(p, top+"/") {
			folders++
		}
	}
	if folders != 6 {
		t.Errorf("%d folders below %s, want 6: %v", folders, top, keys(got))
	}
}
