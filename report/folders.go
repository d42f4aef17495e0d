package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// The folder damage map of the text report: the folders with damaged, lost
// or recovered items, and a tally of the healthy ones.

// folderHurt says whether a folder has anything but readable items, or
// damage of its own.
func folderHurt(f pstcheck.Folder) bool {
	return f.Damaged+f.Lost+f.Recovered > 0 || f.StructureDamaged
}

// itemsCounted says whether r's items were counted: some folder was walked,
// or items were found outside any folder (with the store's root folder
// lost, those its unlinked heaps hold are still recovered or lost).
func itemsCounted(r *pstcheck.Report) bool { return r.Folders != nil || r.Items.Total > 0 }

// maxFolderRows caps the damaged folders the text report lists, worst
// first; JSON and CSV list every one.
const maxFolderRows = 10

// outsideLines names the items lost, damaged or recovered that no folder
// counts: messages whose index entries are gone, known only by a property
// block that survives. Without it, a store whose folders are all healthy
// would read as if nothing were lost. Those recovered may be items a
// folder whose listing is lost counts as lost, or damaged items no row
// names (which folder held them is unknown): then the folders' lost or
// damaged items outnumber the store's.
func outsideLines(r *pstcheck.Report) []string {
	lost, damaged, recovered := r.Items.Lost, r.Items.Damaged, r.Items.Recovered
	for _, f := range r.Folders {
		lost, damaged, recovered = lost-f.Lost, damaged-f.Damaged, recovered-f.Recovered
	}
	var parts []string
	if recovered > 0 {
		parts = append(parts, thousands(int64(recovered))+" recovered")
	}
	if damaged > 0 {
		parts = append(parts, thousands(int64(damaged))+" damaged")
	}
	if lost > 0 {
		parts = append(parts, thousands(int64(lost))+" lost")
	}
	if len(parts) == 0 {
		return nil
	}
	line := "Outside any folder: " + strings.Join(parts, ", ") + " (no folder lists them any more; the findings name them)"
	if recovered > 0 {
		line += "; export and repair write those recovered to \"" + pstcheck.RecoveredFolder + "\""
		line += placedLine(r.RecoveredFolders)
		if counted := -min(lost, 0) - min(damaged, 0); counted > 0 {
			as := "lost"
			switch {
			case lost < 0 && damaged < 0:
				as = "lost or damaged"
			case damaged < 0:
				as = "damaged"
			}
			line += fmt.Sprintf(", and %s of them may be items the folders above count as %s", thousands(int64(counted)), as)
		}
	}
	return []string{line}
}

// placedLine names the folders under Recovered items that recovered
// items go to by their listings found among the unused blocks.
func placedLine(folders []pstcheck.PlacedFolder) string {
	if len(folders) == 0 {
		return ""
	}
	n, names := placedFolders(folders)
	return fmt.Sprintf(", %s of them into the folders their surviving listings name (%s)", thousands(int64(n)), names)
}

// placedFolders counts the items placed in folders, and names the fullest
// few folders with their counts, the rest counted.
func placedFolders(folders []pstcheck.PlacedFolder) (int, string) {
	const named = 4
	byItems := slices.Clone(folders)
	slices.SortStableFunc(byItems, func(a, b pstcheck.PlacedFolder) int { return cmp.Compare(b.Recovered, a.Recovered) })
	n, names := 0, make([]string, 0, named+1)
	for i, f := range byItems {
		n += f.Recovered
		if i < named {
			names = append(names, fmt.Sprintf("%q %s", f.Name, thousands(int64(f.Recovered))))
		}
	}
	if len(byItems) > named {
		names = append(names, fmt.Sprintf("%d more", len(byItems)-named))
	}
	return n, strings.Join(names, ", ")
}

// placedSummary is the line an export or repair adds when recovered items
// went into folders named by their listings.
func placedSummary(folders []pstcheck.PlacedFolder) []string {
	if len(folders) == 0 {
		return nil
	}
	n, names := placedFolders(folders)
	return []string{fmt.Sprintf("Of those recovered, %s went into folders under %q named as their surviving listings name them: %s.",
		thousands(int64(n)), pstcheck.RecoveredFolder, names)}
}

// folderLines renders the folder damage map: a table of the folders with
// damaged, lost or recovered items, most damaged and lost items first, then
// one line tallying the healthy folders. The lost and recovered columns are
// shown when some folder has such items. A folder whose own node or tables
// are damaged is listed too, however many of its items are readable, its
// path marked with a star. No lines when there are no folders.
//
//	Damaged folders                       items  readable  damaged
//	  Top of Personal Folders/Inbox         120       119        1
//	  Top of Personal Folders/Drafts *        6         6        0
//	  * the folder's own properties or tables are damaged (the findings say which)
//	12 other folders healthy (4,207 items)
func folderLines(folders []pstcheck.Folder) []string {
	if len(folders) == 0 {
		return nil
	}
	var damaged []pstcheck.Folder
	healthy, healthyItems := 0, int64(0)
	lost, recovered := false, false
	for _, f := range folders {
		if folderHurt(f) {
			damaged = append(damaged, f)
			lost, recovered = lost || f.Lost > 0, recovered || f.Recovered > 0
			continue
		}
		healthy++
		healthyItems += int64(f.Items)
	}
	items := plural64(healthyItems, "item")
	if len(damaged) == 0 {
		if healthy == 1 {
			return []string{"The one folder is healthy (" + items + ")"}
		}
		return []string{"All " + plural(healthy, "folder") + " healthy (" + items + ")"}
	}
	slices.SortStableFunc(damaged, func(a, b pstcheck.Folder) int {
		if a.Damaged+a.Lost != b.Damaged+b.Lost {
			return cmp.Compare(b.Damaged+b.Lost, a.Damaged+a.Lost)
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(a.NID, b.NID)
	})

	more := 0
	if len(damaged) > maxFolderRows {
		damaged, more = damaged[:maxFolderRows], len(damaged)-maxFolderRows
	}

	const indent = "  "
	heads := []string{"items", "readable", "damaged"}
	if lost {
		heads = append(heads, "lost")
	}
	if recovered {
		heads = append(heads, "recovered")
	}
	cells := make([][]string, len(damaged)) // the numbers of each row
	widths := make([]int, len(heads))
	for i, h := range heads {
		widths[i] = len(h)
	}
	names := make([]string, len(damaged))
	nameWidth := 0
	starred := false
	for i, f := range damaged {
		names[i] = folderName(f)
		if f.StructureDamaged {
			names[i] += " *"
			starred = true
		}
		nameWidth = max(nameWidth, utf8.RuneCountInString(names[i]))
		cells[i] = []string{thousands(int64(f.Items)), thousands(int64(f.Readable)), thousands(int64(f.Damaged))}
		if lost {
			cells[i] = append(cells[i], thousands(int64(f.Lost)))
		}
		if recovered {
			cells[i] = append(cells[i], thousands(int64(f.Recovered)))
		}
		for j, c := range cells[i] {
			widths[j] = max(widths[j], len(c))
		}
	}
	numbers := 0 // columns taken by the numbers and the gaps before them
	for _, w := range widths {
		numbers += 2 + w
	}
	// The first column holds the heading, or the indented folder paths;
	// paths are shortened so that a line fits in textWidth.
	const heading = "Damaged folders"
	first := max(len(heading), len(indent)+min(nameWidth, textWidth-numbers-len(indent)))
	row := func(name string, nums []string) string {
		var b strings.Builder
		b.WriteString(name)
		b.WriteString(strings.Repeat(" ", max(0, first-utf8.RuneCountInString(name))))
		for j, n := range nums {
			b.WriteString("  ")
			b.WriteString(strings.Repeat(" ", widths[j]-len(n)))
			b.WriteString(n)
		}
		return b.String()
	}
	lines := []string{row(heading, heads)}
	for i := range damaged {
		lines = append(lines, row(indent+shorten(names[i], first-len(indent)), cells[i])) // a star is kept: shorten keeps the end
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("  … and %s (--format json lists every folder)", plural(more, "more damaged folder")))
	}
	if starred {
		lines = append(lines, "  * the folder's own properties or tables are damaged (the findings say which)")
	}
	if healthy == 0 {
		return append(lines, "No healthy folders")
	}
	return append(lines, plural(healthy, "other folder")+" healthy ("+items+")")
}

// folderName is a folder's path as shown in the text report: cleaned, or
// its NID when the path is unknown.
func folderName(f pstcheck.Folder) string {
	if f.Path == "" {
		return fmt.Sprintf("(folder 0x%X)", f.NID)
	}
	return clean(f.Path)
}

// shorten cuts s to at most n runes by replacing its middle with "…",
// keeping a little more of the end (the folder's own name) than of the
// start.
func shorten(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(runes[:head]) + "…" + string(runes[len(runes)-tail:])
}
