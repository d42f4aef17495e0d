package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/testkit"
)

// damagedCopy writes support.pst with one byte flipped inside the first
// data block of message 0x200024 (in Drafts): one damaged item.
func damagedCopy(t *testing.T, dir, as string) string {
	t.Helper()
	f, err := pstmut.Load(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := damagekit.DamageMessage(f, 0x200024); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, as)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, dir, as string, data []byte) {
	t.Helper()
	p := filepath.Join(dir, as)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A whole office: Windows- and macOS-style profiles with clean and damaged
// copies of real samples, a non-PST named .pst, an empty file, a PST named
// .ost and a symbolic-link loop. Every data file is found once and judged
// by its header, with the right totals and exit status.
func TestScanProfilesTree(t *testing.T) {
	root := t.TempDir()
	want := map[string]string{} // path below root -> verdict
	copySample(t, "support.pst", root, "alice/Documents/Outlook Files/archive.pst")
	want["alice/Documents/Outlook Files/archive.pst"] = "healthy"
	copySample(t, "32-bit.pst", root, "alice/AppData/Local/Microsoft/Outlook/alice@corp.ost") // a PST named .ost
	want["alice/AppData/Local/Microsoft/Outlook/alice@corp.ost"] = "healthy"
	damagedCopy(t, root, "bob/AppData/Roaming/Microsoft/Outlook/bob.pst")
	want["bob/AppData/Roaming/Microsoft/Outlook/bob.pst"] = "damaged"
	copySample(t, "32-bit.pst", root, "bob/Local Settings/Application Data/Microsoft/Outlook/outlook.pst")
	want["bob/Local Settings/Application Data/Microsoft/Outlook/outlook.pst"] = "healthy"
	writeFile(t, root, "bob/Documents/Outlook Files/notes.pst", []byte("these are not the mails you are looking for"))
	want["bob/Documents/Outlook Files/notes.pst"] = "unreadable"
	writeFile(t, root, "bob/Documents/Outlook Files/empty.ost", nil)
	want["bob/Documents/Outlook Files/empty.ost"] = "unreadable"
	copySample(t, "support.pst", root, "carol/Documents/mail export.pst") // macOS-style: Documents only
	want["carol/Documents/mail export.pst"] = "healthy"
	// Not searched in profiles mode: another user's stray download, Public.
	copySample(t, "32-bit.pst", root, "alice/Downloads/x.pst")
	copySample(t, "32-bit.pst", root, "Public/shared.pst")
	loop := filepath.Join(root, "alice", "Documents", "Outlook Files", "loop")
	testkit.Symlink(t, "..", loop) // without it, the rest is still checked

	ios, stdout, stderr := testIO(false)
	status := runCLI(ios, "scan", "--profiles", "--format", "json", "--jobs", "2", root)
	var run struct {
		Files []struct {
			Path, Verdict, Format, Content string
		} `json:"files"`
		Summary map[string]int `json:"summary"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &run); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	got := map[string]string{}
	for _, f := range run.Files {
		rel, _ := filepath.Rel(root, f.Path)
		rel = filepath.ToSlash(rel)
		if _, dup := got[rel]; dup {
			t.Errorf("%s reported twice", rel)
		}
		got[rel] = f.Verdict
		if rel == "alice/AppData/Local/Microsoft/Outlook/alice@corp.ost" && (f.Content != "pst" || f.Format != "ansi") {
			t.Errorf("%s: content %q format %q, want an ANSI pst (judged by its header)", rel, f.Content, f.Format)
		}
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	for p, v := range want {
		if got[p] != v {
			t.Errorf("%s: verdict %q, want %q", p, got[p], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("found %d files %q, want %d", len(got), names, len(want))
	}
	wantSummary := map[string]int{"files": 7, "healthy": 4, "damaged": 1, "unreadable": 2, "errors": 0}
	for k, v := range wantSummary {
		if run.Summary[k] != v {
			t.Errorf("summary %s = %d, want %d (%v)", k, run.Summary[k], v, run.Summary)
		}
	}
	if status != 1 {
		t.Errorf("exit status %d, want 1 (damaged and unreadable files)", status)
	}
	t.Logf("stderr: %s", stderr)
}
