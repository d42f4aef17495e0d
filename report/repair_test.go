package report

import (
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// TestRepairSummaryListsMoreThanCounted: the list of items not written
// whole may name messages known only by a block, which the store's count
// leaves out when they may be lost items a folder counts already (enron.pst
// with 3 MiB zeroed at 12 MiB: 177 damaged and 102 lost counted, 299
// listed). The summary says why the list is longer, and says nothing when
// it is not.
func TestRepairSummaryListsMoreThanCounted(t *testing.T) {
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
	}
}
