package report

import (
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// TestSummariesListMoreThanCounted: the list of items not written whole
// (repair's list, export's manifest) may name messages known only by a block, which the store's count
// leaves out when they may be lost items a folder counts already (enron.pst
// with 3 MiB zeroed at 12 MiB: 177 damaged and 102 lost counted, 299
// listed). The summary says why the list is longer, and says nothing when
// it is not.
func TestSummariesListMoreThanCounted(t *testing.T) {
	r := RepairResult{Source: "in.pst", Target: "out.pst", ListFile: "out-not-written.txt",
		Items:  pstcheck.ItemCounts{Total: 2178, Readable: 1899, Damaged: 177, Lost: 102, Complete: true},
		Saved:  1899,
		Listed: []string{"a", "b"}}
	for _, c := range []struct {
		listed int
		want   string
	}{{299, "The list names 20 items more than the count"}, {279, ""}} {
		r.ListedTotal = c.listed
		out := strings.Join(RepairSummary(r), "\n")
		if got := strings.Contains(out, "more than the count"); got != (c.want != "") || c.want != "" && !strings.Contains(out, c.want) {
			t.Errorf("%d listed:\n%s", c.listed, out)
		}
		exp := strings.Join(ExportSummary(ExportResult{Source: "in.pst", Dir: "out", Format: "eml", Items: r.Items, Saved: 1899, Named: c.listed}), "\n")
		want := strings.Replace(c.want, "The list", "manifest.json", 1)
		if got := strings.Contains(exp, "more than the count"); got != (want != "") || want != "" && !strings.Contains(exp, want) {
			t.Errorf("%d named in the manifest:\n%s", c.listed, exp)
		}
	}
}

// Export and repair say where recovered items placed by their listings
// went (enron.pst with every NBT page zeroed), and say nothing of it
// when none were.
func TestSummariesSayWherePlacedWent(t *testing.T) {
	items := pstcheck.ItemCounts{Total: 2175, Recovered: 2171, Lost: 4}
	placed := []pstcheck.PlacedFolder{{NID: 0x8222, Name: "Calendar", Recovered: 791}, {NID: 0x8242, Name: "All documents", Recovered: 830}}
	want := `Of those recovered, 1,621 went into folders under "Recovered items" named as their surviving listings name them: "All documents" 830, "Calendar" 791.`
	for _, lines := range [][]string{
		ExportSummary(ExportResult{Source: "in.pst", Dir: "out", Format: "eml", Items: items, Saved: 2171, Placed: placed}),
		RepairSummary(RepairResult{Source: "in.pst", Target: "out.pst", Items: items, Saved: 2171, Placed: placed}),
	} {
		if len(lines) < 2 || lines[1] != want {
			t.Errorf("summary:\n%s\nwant its second line %q", strings.Join(lines, "\n"), want)
		}
	}
	if out := strings.Join(ExportSummary(ExportResult{Items: items, Saved: 2171}), "\n"); strings.Contains(out, "surviving listings") {
		t.Errorf("nothing placed, yet:\n%s", out)
	}
}

// The top of the folders moved to the new store's is called the mailbox's
// only for an OST's; a PST whose message store is lost (enron.pst with its
// first 1 MiB random and cut short: "(folder 0x8022)" taken for its top)
// is not told of a mailbox.
func TestRepairMovedFolders(t *testing.T) {
	for _, c := range []struct {
		from    string
		mailbox bool
		want    string
	}{
		{pstcheck.OSTMailboxRoot + "/IPM_SUBTREE", true, "The mailbox's folders"},
		{"(unreachable)/IPM_SUBTREE", true, "The mailbox's folders"},
		{"(folder 0x8022)", false, "The store's folders"},
	} {
		r := RepairResult{Source: "in.pst", Target: "out.pst", Items: pstcheck.ItemCounts{Total: 1, Readable: 1}, Saved: 1,
			MovedFrom: c.from, MovedTo: "Top of Personal Folders", MovedMailbox: c.mailbox}
		if out := strings.Join(RepairSummary(r), "\n"); !strings.Contains(out, c.want+` ("`+c.from+`")`) {
			t.Errorf("moved from %q:\n%s", c.from, out)
		}
	}
}
