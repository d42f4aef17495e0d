package gopst

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// allSamples returns go-pst's samples and the corpus's intact files.
func allSamples(t *testing.T) []string {
	files := append(samples.GoPstAll(), samples.CorpusFiles(false)...)
	if len(files) == 0 {
		t.Skip("no samples: go-pst module not downloaded and no corpus")
	}
	if samples.Corpus() == "" {
		t.Log("corpus absent: only go-pst's samples are compared")
	}
	return files
}

// TestAgreement reads every eligible sample with both pstcheck and go-pst
// and requires them to agree on every folder's path, item count and size
// (pstcheck adds up each message's own PidTagMessageSize, go-pst the
// contents table's copies of it).
func TestAgreement(t *testing.T) {
	var eligible, ineligible []string
	for _, path := range allSamples(t) {
		name := filepath.Base(path)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		rep, s, ok, reason := Assess(ctx, path)
		cancel()
		if !ok {
			ineligible = append(ineligible, fmt.Sprintf("%s: %s", name, reason))
			continue
		}
		eligible = append(eligible, name)
		t.Run(name, func(t *testing.T) {
			// A bound against a hang, not a speed target: go-pst reads
			// enron.pst in about 30 s as a Windows binary under Wine on a
			// busy machine, DefaultTimeout.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			theirs, err := Folders(ctx, path)
			if err != nil {
				t.Fatalf("go-pst failed on an eligible file: %v", err)
			}
			t.Logf("%s: crypt %s, %d internal blocks (%d XXBLOCK, %d SIBLOCK), max BID 0x%X",
				name, rep.Stats.Crypt, s.InternalBlocks, s.XXBlocks, s.SIBlocks, s.MaxBID)
			compare(t, rep, theirs)
		})
	}
	t.Logf("eligible (%d): %s", len(eligible), strings.Join(eligible, ", "))
	t.Logf("ineligible (%d):", len(ineligible))
	for _, l := range ineligible {
		t.Logf("  %s", l)
	}
	if len(eligible) == 0 {
		t.Error("no eligible sample: the cross-check compared nothing")
	}
}

// compare matches the two readers' folders by NID and checks path and item
// count; it logs the per-file table.
//
// Two documented convention differences are normalised, not hidden: each
// is logged as a NOTE, and the comparison still covers the folder.
//   - Unflagged: go-pst's own GetSubFolders skips a folder's hierarchy
//     table when the parent's row lacks PidTagSubfolders (or says false);
//     pstcheck reads every hierarchy table. Folders reads them too and
//     marks what go-pst alone would have missed.
//   - Names: go-pst's Folder.Name is the parent's hierarchy-row cell,
//     which may be absent; pstcheck names a folder from its own property
//     context. Folders builds Path from the property context (read through
//     go-pst) and keeps the row's name in RowName.
func compare(t *testing.T, rep *pstcheck.Report, theirs []Folder) {
	t.Helper()
	ours := map[uint32]pstcheck.Folder{}
	for _, f := range rep.Folders {
		ours[f.NID] = f
	}
	seen := map[uint32]bool{}
	var lines, notes []string
	bad := 0
	for _, g := range theirs {
		seen[g.NID] = true
		o, ok := ours[g.NID]
		mark := "ok"
		switch {
		case !ok:
			mark = "ONLY-GOPST"
		case o.Path != g.Path || o.Items != g.Items || o.Size != g.Size:
			mark = "DIFFER"
		}
		if mark != "ok" {
			bad++
			t.Errorf("folder 0x%X: pstcheck %q %d items of %d bytes (found %v), go-pst %q %d items of %d bytes", g.NID, o.Path, o.Items, o.Size, ok, g.Path, g.Items, g.Size)
		}
		if g.Unflagged {
			notes = append(notes, fmt.Sprintf("NOTE 0x%X %q: go-pst's GetSubFolders alone would not reach it (an ancestor's hierarchy row lacks PidTagSubfolders or says false)", g.NID, g.Path))
		}
		if g.NID != 0x122 && g.RowName != g.Name {
			notes = append(notes, fmt.Sprintf("NOTE 0x%X %q: its parent's hierarchy row names it %q (go-pst's Folder.Name), its own property context %q", g.NID, g.Path, g.RowName, g.Name))
		}
		lines = append(lines, fmt.Sprintf("  %-10s 0x%-6X pstcheck %5d %10d B | go-pst %5d %10d B (content count %d)  %s", mark, g.NID, o.Items, o.Size, g.Items, g.Size, g.ContentCount, g.Path))
	}
	var missing []uint32
	for nid := range ours {
		if !seen[nid] {
			missing = append(missing, nid)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i] < missing[j] })
	for _, nid := range missing {
		o := ours[nid]
		bad++
		t.Errorf("folder 0x%X %q (%d items) is not in go-pst's walk", nid, o.Path, o.Items)
		lines = append(lines, fmt.Sprintf("  %-10s 0x%-6X pstcheck %5d | go-pst     -  %s", "ONLY-PSTCHECK", nid, o.Items, o.Path))
	}
	t.Logf("%d folders (pstcheck %d, go-pst %d), %d disagreements:\n%s",
		len(theirs), len(rep.Folders), len(theirs), bad, strings.Join(lines, "\n"))
	for _, n := range notes {
		t.Log(n)
	}
}

// TestEligibleRejects checks the reasons Eligible gives without any file.
func TestEligibleRejects(t *testing.T) {
	good := func() *pstcheck.Report {
		return &pstcheck.Report{Format: pstcheck.FormatUnicode, Content: pstcheck.ContentPST,
			Verdict: pstcheck.Healthy, Stats: pstcheck.Stats{Crypt: "none"}}
	}
	sound := &Structure{Kind: 2}
	if ok, why := Eligible(good(), sound); !ok {
		t.Fatalf("a healthy Unicode PST is rejected: %s", why)
	}
	cases := []struct {
		name   string
		edit   func(*pstcheck.Report, *Structure) *Structure
		substr string
	}{
		{"ansi", func(r *pstcheck.Report, s *Structure) *Structure { r.Format = pstcheck.FormatANSI; return s }, "ANSI"},
		{"4k", func(r *pstcheck.Report, s *Structure) *Structure { r.Format = pstcheck.FormatUnicode4K; return s }, "4K"},
		{"damaged", func(r *pstcheck.Report, s *Structure) *Structure { r.Verdict = pstcheck.Damaged; return s }, "verdict"},
		{"high", func(r *pstcheck.Report, s *Structure) *Structure { r.Stats.Crypt = "high"; return s }, "cyclic"},
		{"cycle", func(r *pstcheck.Report, s *Structure) *Structure {
			r.Findings = append(r.Findings, finding.Finding{Code: finding.FolderCycle})
			return s
		}, "error findings"},
		{"uninspected", func(r *pstcheck.Report, s *Structure) *Structure { return nil }, "SIBLOCK"},
		{"siblock", func(r *pstcheck.Report, s *Structure) *Structure { c := *s; c.SIBlocks = 1; return &c }, "SIBLOCK"},
		{"bid", func(r *pstcheck.Report, s *Structure) *Structure { c := *s; c.MaxBID = 1 << 32; return &c }, "32 bits"},
		{"pab", func(r *pstcheck.Report, s *Structure) *Structure { r.Content = pstcheck.ContentPAB; return s }, "not a PST"},
	}
	for _, c := range cases {
		r := good()
		s := c.edit(r, sound)
		ok, why := Eligible(r, s)
		if ok || !strings.Contains(why, c.substr) {
			t.Errorf("%s: Eligible = %v %q, want a rejection mentioning %q", c.name, ok, why, c.substr)
		}
	}
}

// TestFoldersContainsFaults checks that Folders returns errors, not
// panics, on files it cannot read: a missing file and a non-PST. (Damaged
// PSTs are not fed to it: some would crash the process past recover().)
func TestFoldersContainsFaults(t *testing.T) {
	if _, err := Folders(context.Background(), filepath.Join(t.TempDir(), "absent.pst")); err == nil {
		t.Error("no error for a missing file")
	}
	if _, err := Folders(context.Background(), "gopst.go"); err == nil {
		t.Error("no error for a file that is not a PST")
	}
}

// TestFoldersRecoversPanics checks that a panic in the worker becomes an
// error and that a worker that never returns is abandoned at the deadline.
func TestFoldersRecoversPanics(t *testing.T) {
	defer func(w func(context.Context, *os.File) ([]Folder, error)) { walkFn = w }(walkFn)

	walkFn = func(context.Context, *os.File) ([]Folder, error) {
		var m map[string]int
		m["boom"]++ // a nil-map write, as go-pst's index panics are
		return nil, nil
	}
	_, err := Folders(context.Background(), "gopst.go")
	if err == nil || !strings.Contains(err.Error(), "go-pst panicked") {
		t.Errorf("a panic gave %v, want a go-pst panicked error", err)
	}

	release := make(chan struct{})
	defer close(release)
	walkFn = func(context.Context, *os.File) ([]Folder, error) {
		<-release // stuck, ignoring its context
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = Folders(ctx, "gopst.go")
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a stuck worker gave %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Folders took %v to give up", d)
	}
}
