package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

// A run that checked no file must not look like "all healthy": exit 2 and
// a message that says what was searched and what to try.
func TestScanNothingChecked(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	users := filepath.Join(root, "Users")
	bob := filepath.Join(users, "bob")
	for _, d := range []string{empty, filepath.Join(bob, "AppData", "Local"), filepath.Join(bob, "Desktop")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A PST where --profiles does not look: it must say so.
	copySample(t, "support.pst", bob, "Desktop/y.pst")

	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"empty folder", []string{empty}, []string{"no .pst or .ost files in " + empty}},
		{"one user's profile as profiles root", []string{"--profiles", bob},
			[]string{"looks like one user's profile", "pstcheck scan " + bob, "pstcheck scan --profiles " + users}},
		{"profiles root, files elsewhere", []string{"--profiles", users},
			[]string{"where Outlook keeps them", "pstcheck scan " + users}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, stdout, stderr := testIO(false)
			status := runCLI(ios, append([]string{"scan", "--format", "json"}, tc.args...)...)
			if status != exitUsage {
				t.Errorf("status = %d, want %d", status, exitUsage)
			}
			for _, w := range append(tc.want, "nothing was checked") {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("a report of no files was written: %s", stdout)
			}
		})
	}

	// A path that held nothing, beside one that was checked: the run did
	// not do all it was asked, so status 2 is added to the files' own.
	ios, stdout, _ := testIO(false)
	status := runCLI(ios, "scan", "--format", "json", empty, testkit.GoPst(t, "support.pst"))
	if status != exitUsage {
		t.Errorf("status = %d, want %d (support.pst healthy, %s empty)", status, exitUsage, empty)
	}
	if r := parseJSON(t, stdout.Bytes()); len(r.Files) != 1 || r.Files[0].Verdict != "healthy" {
		t.Errorf("files = %+v", r.Files)
	}
}
