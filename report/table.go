package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/internal/units"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// The text report of a batch (more than one file) opens with a table of
// the files, worst first, and the run's totals:
//
//	VERDICT         SIZE  LIMIT%  FOLDERS  MOST ITEMS  DAMAGED FOLDERS  ACTION   PATH
//	DAMAGED      50.0 MiB    <1%        3       4,207                1  export   D:\Mail\2019.pst
//	UNREADABLE    4.0 KiB      -        -           -                -  restore  /tmp/notapst.pst
//	ERROR              -       -        -           -                -  none     /tmp/locked.ost
//	HEALTHY*      1.9 GiB    96%       12     120,310                0  none     \\fs01\home$\bob\big.pst
//	HEALTHY     265.0 KiB    <1%        2          57                0  none     /mail/archive.pst
//
// HEALTHY* marks a healthy file with warnings. FOLDERS counts the store's
// folders and MOST ITEMS is the item count of its fullest folder, to set
// against Outlook's guidance (500 folders, 100,000 items in a folder).
//
// Paths come last and are never shortened: a long path only makes its own
// line longer.

// Ranks of the batch table, worst first. A damaged file comes first: its
// data is at risk but can still be saved, so it is the most urgent. An
// unreadable file is already lost (restore it), and a file that could not
// be read is in an unknown state (scan it again). Then the healthy files
// whose warnings need a look, then the healthy ones.
const (
	rankDamaged = iota
	rankUnreadable
	rankError // also any verdict outside the four known ones
	rankWarnings
	rankHealthy
)

// batchRank is r's place in the worst-first order.
func batchRank(r *pstcheck.Report) int {
	switch r.Verdict {
	case pstcheck.Damaged:
		return rankDamaged
	case pstcheck.Unreadable:
		return rankUnreadable
	case pstcheck.Healthy:
		if hasWarnings(r) {
			return rankWarnings
		}
		return rankHealthy
	}
	return rankError
}

// hasWarnings reports whether r holds warning findings, capped ones
// included.
func hasWarnings(r *pstcheck.Report) bool { return r.Count(severityWarning) > 0 }

// worstFirst returns reports sorted for the batch table: by rank (see
// batchRank), within a rank the largest file first (unknown sizes last),
// then by path. Equal reports keep the run's order.
func worstFirst(reports []*pstcheck.Report) []*pstcheck.Report {
	out := slices.Clone(reports)
	slices.SortStableFunc(out, func(a, b *pstcheck.Report) int {
		if c := cmp.Compare(batchRank(a), batchRank(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(knownSize(b), knownSize(a)); c != 0 {
			return c
		}
		return strings.Compare(a.Path, b.Path)
	})
	return out
}

// knownSize is r's size in bytes, or -1 when it is unknown.
func knownSize(r *pstcheck.Report) int64 {
	if r.Size < 0 {
		return -1
	}
	return r.Size
}

// batchDetails reports whether a file gets a details section in a batch:
// every file that is not healthy, and a healthy file with warnings or a
// damaged folder. A healthy file with nothing but info findings is said
// all by its table row.
func batchDetails(r *pstcheck.Report) bool {
	return r.Verdict != pstcheck.Healthy || hasWarnings(r) ||
		slices.ContainsFunc(r.Folders, folderHurt)
}

// tableColumn is one column of the batch table.
type tableColumn struct {
	head  string
	right bool // right-aligned (numbers)
	value func(*pstcheck.Report) string
}

// tableColumns are the columns of the batch table. The path must stay last:
// it is not padded.
var tableColumns = []tableColumn{
	{"VERDICT", false, func(r *pstcheck.Report) string {
		if batchRank(r) == rankWarnings {
			return verdictLabel(r.Verdict) + "*"
		}
		return verdictLabel(r.Verdict)
	}},
	{"SIZE", true, func(r *pstcheck.Report) string {
		if n := knownSize(r); n >= 0 {
			return units.Size(n, 1)
		}
		return "-"
	}},
	{"LIMIT%", true, limitPercent},
	{"FOLDERS", true, func(r *pstcheck.Report) string {
		if r.Scale == nil {
			return "-"
		}
		return thousands(int64(r.Scale.Folders))
	}},
	{"MOST ITEMS", true, mostItems},
	{"DAMAGED FOLDERS", true, func(r *pstcheck.Report) string {
		if len(r.Folders) == 0 {
			return "-"
		}
		return thousands(int64(damagedFolders(r)))
	}},
	{"ACTION", false, func(r *pstcheck.Report) string {
		if r.Action == "" {
			return "-"
		}
		return clean(string(r.Action))
	}},
	{"PATH", false, func(r *pstcheck.Report) string { return clean(r.Path) }},
}

// tableLines renders the batch table of reports, in the order given: a
// heading row, then one row per file.
func tableLines(reports []*pstcheck.Report) []string {
	rows := make([][]string, 0, 1+len(reports))
	head := make([]string, len(tableColumns))
	for i, c := range tableColumns {
		head[i] = c.head
	}
	rows = append(rows, head)
	for _, r := range reports {
		row := make([]string, len(tableColumns))
		for i, c := range tableColumns {
			row[i] = c.value(r)
		}
		rows = append(rows, row)
	}
	widths := make([]int, len(tableColumns))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(cell))
		}
	}
	lines := make([]string, len(rows))
	for i, row := range rows {
		var b strings.Builder
		for j, cell := range row {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(cell))
			switch {
			case tableColumns[j].right:
				b.WriteString(pad + cell)
			case j == len(row)-1:
				b.WriteString(cell) // the last column is not padded
			default:
				b.WriteString(cell + pad)
			}
		}
		lines[i] = b.String()
	}
	return lines
}

// totalsLines renders the totals of a batch:
//
//	Files:          6
//	Healthy:        2, 1 of them with warnings (*)
//	Damaged:        2
//	Unreadable:     1
//	Errors:         1
//	Total size:     1.82 GiB
//	Damaged items:  3 damaged, 6 lost in 2 files
func totalsLines(reports []*pstcheck.Report) []string {
	s := Summarize(reports)
	healthy := thousands(int64(s.Healthy))
	warned := 0
	var size int64
	unknownSize := 0
	for _, r := range reports {
		if batchRank(r) == rankWarnings {
			warned++
		}
		if n := knownSize(r); n >= 0 {
			size += n
		} else {
			unknownSize++
		}
	}
	if warned > 0 {
		healthy += fmt.Sprintf(", %s of them with warnings (*)", thousands(int64(warned)))
	}
	total := units.Size(size, 2)
	if unknownSize > 0 {
		total += fmt.Sprintf(" (size unknown for %s)", plural(unknownSize, "file"))
	}

	row := func(name, value string) string { return fmt.Sprintf("%-15s %s", name+":", value) }
	lines := []string{
		row("Files", thousands(int64(s.Files))),
		row("Healthy", healthy),
		row("Damaged", thousands(int64(s.Damaged))),
		row("Unreadable", thousands(int64(s.Unreadable))),
		row("Errors", thousands(int64(s.Errors))),
		row("Total size", total),
		row("Damaged items", damagedItems(reports)),
	}
	if large := largeStores(reports); large != "" {
		lines = append(lines, row("Large stores", large))
	}
	return lines
}

// damagedItems totals the damaged and lost items of every file by its own
// accounting, those outside any folder included: "3 damaged, 6 lost in 2
// files". Damaged files whose items could not be counted are counted apart.
func damagedItems(reports []*pstcheck.Report) string {
	damaged, lost, files, counted, unknown, partial := 0, 0, 0, 0, 0, 0
	for _, r := range reports {
		if !itemsCounted(r) {
			if r.Verdict == pstcheck.Damaged {
				unknown++
			}
			continue
		}
		counted++
		if !r.Items.Complete {
			partial++ // its counts are lower bounds ("at least N items")
		}
		damaged, lost = damaged+r.Items.Damaged, lost+r.Items.Lost
		if r.Items.Damaged+r.Items.Lost > 0 {
			files++
		}
	}
	if counted == 0 {
		return "unknown (no file's items could be counted)"
	}
	s := "none"
	if partial > 0 {
		s = "none counted"
	}
	if files > 0 {
		var parts []string
		if damaged > 0 {
			parts = append(parts, thousands(int64(damaged))+" damaged")
		}
		if lost > 0 {
			parts = append(parts, thousands(int64(lost))+" lost")
		}
		s = strings.Join(parts, ", ") + " in " + plural(files, "file")
	}
	if unknown > 0 {
		s += fmt.Sprintf(" (and unknown in %s whose items could not be counted)", plural(unknown, "damaged file"))
	}
	if partial > 0 {
		s += fmt.Sprintf("; %s may have held more items than counted", plural(partial, "file"))
	}
	return s
}

// damagedFolders counts r's folders the text report lists as damaged
// (folderHurt).
func damagedFolders(r *pstcheck.Report) int {
	n := 0
	for _, f := range r.Folders {
		if folderHurt(f) {
			n++
		}
	}
	return n
}

// limitPercent is r's size as a percentage of its format's size limit
// (pstcheck.SizeLimit), rounded as the engine's STORE-* findings round it
// but never to 100% below the limit nor to 0% above nothing: "0%", "<1%",
// "96%", "99%", "100%", "103%". "-" when the format or size is unknown.
func limitPercent(r *pstcheck.Report) string {
	limit, _ := pstcheck.SizeLimit(r.Format)
	size := knownSize(r)
	if limit <= 0 || size < 0 {
		return "-"
	}
	pct := 100 * float64(size) / float64(limit)
	switch {
	case size > 0 && pct < 0.5:
		return "<1%"
	case size < limit && pct >= 99.5:
		return "99%"
	}
	return fmt.Sprintf("%.0f%%", pct)
}
