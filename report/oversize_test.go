package report

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// oversizeReport is a sound Unicode PST past Outlook's guidance: a folder
// of 240,000 items, one of 61,000 (past Outlook 2007's), 612 folders, and
// 23 GiB, past Outlook 2003/2007's size limit.
func oversizeReport() *pstcheck.Report {
	const (
		inbox = "Top of Personal Folders/Inbox"
		sent  = "Top of Personal Folders/Sent Items"
	)
	r := accounted(&pstcheck.Report{
		Path:    `C:\Users\ann\Documents\Outlook Files\archive.pst`,
		Size:    23<<30 + 1234567,
		Format:  pstcheck.FormatUnicode,
		Content: pstcheck.ContentPST,
		Verdict: pstcheck.Healthy,
		Action:  pstcheck.ActionNone,
		Findings: []pstcheck.Finding{
			{Code: finding.MapFreeSpace, Offset: finding.NoOffset, Detail: "3328599654 bytes (13.4% of the file) are free; compacting the file would reclaim them"},
			{Code: finding.StoreLegacyLimit, Offset: finding.NoOffset, Detail: "23.00 GiB is over the 20 GiB limit of Outlook 2003/2007"},
			{Code: finding.StoreFoldersOver, Offset: finding.NoOffset, Detail: "612 folders (more than 500)"},
			{Code: finding.FolderItemsOver, Offset: finding.NoOffset, NID: 0x8082, FolderNID: 0x8082, Folder: inbox,
				Detail: "240000 items in one folder (more than 100000)"},
			{Code: finding.FolderItemsLegacy, Offset: finding.NoOffset, NID: 0x80C2, FolderNID: 0x80C2, Folder: sent,
				Detail: "61000 items in one folder (more than 50000)"},
		},
		Folders: []pstcheck.Folder{
			{NID: 0x122, Path: pstcheck.RootPath},
			{NID: 0x8022, Path: "Top of Personal Folders"},
			{NID: 0x8082, Path: inbox, Items: 240000, Readable: 240000, Size: 9_771_000_000},
			{NID: 0x80C2, Path: sent, Items: 61000, Readable: 61000, Size: 4_500_000_000},
			{NID: 0x8102, Path: "Top of Personal Folders/Projects/Archive 2019", Items: 12000, Readable: 12000, Size: 8_052_000_000},
			{NID: 0x8142, Path: "Top of Personal Folders/Deleted Items", Items: 3000, Readable: 3000, Size: 310_000_000},
		},
		Stats: pstcheck.Stats{
			Version: 23, Crypt: "compressible", Pages: 61210, Blocks: 2_950_113, Nodes: 633_402,
			BytesVerified: 21_300_000_000, FreeBytes: 3_328_599_654,
			Duration: 41 * time.Second, BlockPass: 12 * time.Second,
		},
	})
	r.Scale.Folders = 612 // the fixture lists the largest only
	return r
}

func TestOversizeGolden(t *testing.T) {
	twoFiles := func() Run {
		return Run{Version: "1.2.3-test", Reports: []*pstcheck.Report{healthyReport(), oversizeReport()}}
	}
	for _, tc := range []struct {
		file, format string
		run          func() Run
	}{
		{"oversize.txt", "text", one(oversizeReport())},
		{"oversize.json", "json", one(oversizeReport())},
		{"oversize-batch.txt", "text", twoFiles},
		{"oversize-batch.csv", "csv", twoFiles},
	} {
		t.Run(tc.file, func(t *testing.T) {
			testkit.Golden(t, filepath.Join(goldenDir, tc.file), render(t, tc.format, tc.run()), *update)
		})
	}
}

// A sound store past the guidance stays healthy, with action none: the
// cause and next step say what to do, and the warnings mark it in a batch.
func TestOversizeExplained(t *testing.T) {
	r := oversizeReport()
	e := Explain(r)
	if !strings.HasPrefix(e.Cause, "no damage found, but Top of Personal Folders/Inbox holds 240,000 items") ||
		!strings.Contains(e.Cause, "the store holds 612 folders (Outlook slows past 500)") {
		t.Errorf("cause %q", e.Cause)
	}
	if strings.Contains(e.Cause, "61,000") || strings.Contains(e.Cause, "2003") {
		t.Errorf("cause %q names an info finding: those need no action", e.Cause)
	}
	if e.NextStep != "split the folder: move older items into subfolders or an archive" {
		t.Errorf("next step %q", e.NextStep)
	}
	joined := strings.Join(e.Advice, "\n")
	for _, want := range []string{"KB2768656", "Top of Personal Folders/Inbox (240,000)", "Clean Up Old Items", "this one holds 612", newDataFile} {
		if !strings.Contains(joined, want) {
			t.Errorf("advice lacks %q:\n%s", want, joined)
		}
	}
	if batchRank(r) != rankWarnings || r.Verdict != pstcheck.Healthy {
		t.Errorf("rank %d, verdict %s", batchRank(r), r.Verdict)
	}

	// An OST's folders live on the server: no new data file for it.
	r.Content = pstcheck.ContentOST
	joined = strings.Join(Explain(r).Advice, "\n")
	if !strings.Contains(joined, "online archive") || strings.Contains(joined, newDataFile) {
		t.Errorf("OST advice:\n%s", joined)
	}

	// The size limit comes first, with what compacting reclaims.
	r = oversizeReport()
	r.Size = 48 << 30
	r.Findings = append(r.Findings, pstcheck.Finding{Code: finding.StoreNearLimit, Offset: finding.NoOffset})
	e = Explain(r)
	if !strings.HasPrefix(e.Cause, "no damage found, but the file is near its size limit (48.00 GiB, 96% of the 50.00 GiB limit of Outlook 2010 and later, over the 20.00 GiB limit of Outlook 2003/2007)") {
		t.Errorf("cause %q", e.Cause)
	}
	if e.NextStep != "archive old items or move them to a new data file" {
		t.Errorf("next step %q", e.NextStep)
	}
	if !slices.ContainsFunc(e.Advice, func(a string) bool { return strings.HasPrefix(a, "Compacting reclaims up to 3.10 GiB") }) {
		t.Errorf("no compacting advice:\n%s", strings.Join(e.Advice, "\n"))
	}
}

// A damaged store past the guidance: the damage decides the cause, the
// next step and the first advice; the guidance's advice comes last.
func TestOversizeDamaged(t *testing.T) {
	r := damagedReport()
	r.Folders[1].Items, r.Folders[1].Readable = 150000, 149999
	r.Scale = pstcheck.NewScale(r.Folders, pstcheck.Guidance{})
	r.Findings = append(r.Findings, pstcheck.Finding{Code: finding.FolderItemsOver, Offset: finding.NoOffset,
		NID: 0x8022, FolderNID: 0x8022, Folder: "Top of Personal Folders/Inbox"})
	base, e := Explain(damagedReport()), Explain(r)
	if e.Cause != base.Cause || e.NextStep != base.NextStep {
		t.Errorf("cause %q, next %q; want the damage's %q, %q", e.Cause, e.NextStep, base.Cause, base.NextStep)
	}
	// (The first advice names the damaged folders, with their items.)
	if len(e.Advice) != len(base.Advice)+2 || !slices.Equal(e.Advice[1:len(base.Advice)], base.Advice[1:]) ||
		!strings.Contains(e.Advice[len(base.Advice)], "Top of Personal Folders/Inbox (150,000)") {
		t.Errorf("advice:\n%s", strings.Join(e.Advice, "\n"))
	}
}

// Nothing past the guidance: no summary lines, no words.
func TestOversizeQuiet(t *testing.T) {
	for _, r := range []*pstcheck.Report{healthyReport(), damagedReport(), allHealthyReport(), unreadableReport(), errorReport()} {
		if l := scaleLines(r); l != nil {
			t.Errorf("%s: %q", r.Path, l)
		}
		if n, s := scaleNotes(r); n != nil || s != "" {
			t.Errorf("%s: %q %q", r.Path, n, s)
		}
		if a := scaleAdvice(r); a != nil {
			t.Errorf("%s: %q", r.Path, a)
		}
	}
	if s := largeStores(batchRun().Reports[:1]); s != "" {
		t.Errorf("largeStores %q", s)
	}
}

// Past Outlook 2007's guidance only (info): nothing to do, but the
// summary shows the folder in the details.
func TestOversizeInfoOnly(t *testing.T) {
	r := allHealthyReport()
	r.Folders[1].Items, r.Folders[1].Readable = 61000, 61000
	r = accounted(r)
	r.Findings = append(r.Findings, pstcheck.Finding{Code: finding.FolderItemsLegacy, Offset: finding.NoOffset,
		NID: 0x8022, FolderNID: 0x8022, Folder: "Top of Personal Folders/Inbox"})
	e := Explain(r)
	if e.Cause != "no problems found" || e.NextStep != "nothing to do" || len(e.Advice) != 0 {
		t.Errorf("explanation %+v", e)
	}
	out := string(render(t, "text", one(r)()))
	if !regexp.MustCompile(`(?m)^  Top of Personal Folders/Inbox +61,000 +0 B  over 50,000 \(Outlook 2007\)$`).MatchString(out) {
		t.Errorf("no largest folders:\n%s", out)
	}
	if batchRank(r) != rankHealthy {
		t.Errorf("an info finding ranks %d", batchRank(r))
	}
}

// Bytes changed in place in many blocks spread over the file are taken
// for failing hardware: the advice says so first, and the next step
// starts with copying the file to a healthy disk. A few such blocks, or
// many in one part of the file (the edges of a zeroed region), are not.
func TestHardwareAdvice(t *testing.T) {
	for _, c := range []struct {
		name    string
		changed int
		span    int64
		want    bool
	}{
		{"many, spread", 20, 20_000_000, true},
		{"just enough", changedMany, 15_188_992, true},
		{"few", changedMany - 1, 20_000_000, false},
		{"many, in one place", 40, 1 << 20, false},
		// 16 holes in a copy (bad sectors passed over) cut through the
		// blocks around them: that is the copy's fault, not the disk's.
		{"explained by holes", 2*16 + changedMany - 1, 20_000_000, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := damagedReport()
			r.Damage.ChangedInPlace, r.Damage.ChangedSpan = c.changed, c.span
			if c.name == "explained by holes" {
				r.Damage.Gaps, r.Damage.GapBytes, r.Damage.GapOffset = 16, 16<<12, 0x122F40
			}
			e := Explain(r)
			got := len(e.Advice) > 0 && strings.Contains(e.Advice[0], "failing disk")
			if got != c.want || strings.HasPrefix(e.NextStep, "copy the file to a healthy disk") != c.want {
				t.Errorf("hardware advice %v, next step %q; want %v", got, e.NextStep, c.want)
			}
		})
	}
}
