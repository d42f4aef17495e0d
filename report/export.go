package report

import (
	"fmt"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// ExportResult is what an export run did, for its summary.
type ExportResult struct {
	Source, Dir, Format string
	// Items is what became of every item of the exported folders, as the
	// scan counted it.
	Items pstcheck.ItemCounts
	// Saved are the items written whole (readable and recovered ones),
	// Partial the damaged items written in part (--include-damaged),
	// Unchanged the files an earlier run left complete.
	Saved, Partial, Unchanged int
	// Failed are readable items that could not be written.
	Failed int
}

// ExportSummary is the summary an export prints: how many of the store's
// items were saved, what became of the others, and where they are named.
func ExportSummary(r ExportResult) []string {
	it := r.Items
	line := fmt.Sprintf("Exported %s of %s from %s to %s (%s)", thousands(int64(r.Saved+r.Partial)),
		plural(it.Total, "item"), r.Source, r.Dir, r.Format)
	var parts []string
	if it.Readable > 0 && it.Readable != it.Total {
		parts = append(parts, thousands(int64(it.Readable))+" readable")
	}
	if it.Recovered > 0 {
		parts = append(parts, thousands(int64(it.Recovered))+" recovered without their folder's listing")
	}
	if n := min(r.Partial, it.NamesLost); n > 0 {
		parts = append(parts, thousands(int64(n))+" without their named properties (the store's name map is lost), marked X-Pstcheck-Damaged")
	}
	if n := r.Partial - min(r.Partial, it.NamesLost); n > 0 {
		parts = append(parts, thousands(int64(n))+" damaged, written in part and marked X-Pstcheck-Damaged")
	}
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	if r.Unchanged > 0 {
		line += fmt.Sprintf("; %s already there from an earlier run", thousands(int64(r.Unchanged)))
	}
	out := []string{line + "."}
	var not []string
	if n := it.Damaged - r.Partial; n > 0 {
		not = append(not, thousands(int64(n))+" damaged")
	}
	if it.Lost > 0 {
		not = append(not, thousands(int64(it.Lost))+" lost (the store lists them, their data is gone)")
	}
	if r.Failed > 0 {
		not = append(not, plural(r.Failed, "item")+" that could not be written")
	}
	if len(not) > 0 {
		out = append(out, "Not exported: "+strings.Join(not, ", ")+"; manifest.json names each with its folder, subject and reason.")
	}
	if !it.Complete {
		out = append(out, "Some of the store's listings are lost: it may have held more items than these.")
	}
	return out
}
