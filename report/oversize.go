package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/internal/units"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Words for a store too big for Outlook to work with, sound or not: its
// size against its format's limit, folders past Outlook's item guidance,
// too many folders (the engine's Scale and its STORE-*/FOLDER-ITEMS-*
// findings). These are never damage: they add a cause and a next step to
// a healthy file, and advice after the damage's to a damaged one.

// scaleCodes are the findings about a store's size and shape.
var scaleCodes = []pstcheck.Code{finding.StoreOverLimit, finding.StoreNearLimit, finding.StoreLegacyLimit,
	finding.StoreFoldersOver, finding.FolderItemsOver, finding.FolderItemsLegacy}

// oversized says whether r has a finding about its size or shape.
func oversized(r *pstcheck.Report) bool {
	return slices.ContainsFunc(scaleCodes, r.Has)
}

// foldersWith returns r's findings of code: the folders they name.
func foldersWith(r *pstcheck.Report, code pstcheck.Code) []pstcheck.Finding {
	var out []pstcheck.Finding
	for _, f := range r.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// findingFolder names the folder a finding names: its path, or its NID.
func findingFolder(f pstcheck.Finding) string {
	if f.Folder == "" {
		return fmt.Sprintf("(folder 0x%X)", f.FolderNID)
	}
	return clean(f.Folder)
}

// folderCount finds how many items the folder a FOLDER-ITEMS-* finding
// names holds.
func folderCount(r *pstcheck.Report, f pstcheck.Finding) int {
	for _, d := range r.Folders {
		if d.NID == f.NID {
			return d.Items
		}
	}
	return 0
}

// formatLimit names a format's size limit: "the 1.93 GiB limit of ANSI
// files", "the 50.00 GiB limit of Outlook 2010 and later".
func formatLimit(r *pstcheck.Report) string {
	limit, _ := pstcheck.SizeLimit(r.Format)
	if r.Format == pstcheck.FormatANSI {
		return "the " + units.Size(limit, 2) + " limit of ANSI files"
	}
	return "the " + units.Size(limit, 2) + " limit of Outlook 2010 and later"
}

// sizeParts are the file's size against its format's limit ("1.85 GiB,
// 96% of the 1.93 GiB limit of ANSI files") and, past it, against Outlook
// 2003/2007's; none when the format or size is unknown.
func sizeParts(r *pstcheck.Report) []string {
	if limit, _ := pstcheck.SizeLimit(r.Format); limit <= 0 || knownSize(r) < 0 {
		return nil
	}
	parts := []string{units.Size(r.Size, 2) + ", " + limitPercent(r) + " of " + formatLimit(r)}
	if r.Has(finding.StoreLegacyLimit) {
		parts = append(parts, "over the "+units.Size(pstcheck.UnicodeLegacyLimit, 2)+" limit of Outlook 2003/2007")
	}
	return parts
}

// sizeAgainstLimit is sizeParts in one phrase.
func sizeAgainstLimit(r *pstcheck.Report) string { return strings.Join(sizeParts(r), ", ") }

// reclaimable is what compacting would reclaim: "up to 96.00 KiB"; "" when
// the allocation maps could not be counted. The engine counts it in the
// allocation maps, the one record of free space kept up to date (the
// header's own count is often stale, AMAP-FREE-COUNT); a map flagged
// invalid is rebuilt by Outlook, so the figure is then only a guess.
func reclaimable(r *pstcheck.Report) string {
	if r.Stats.FreeBytes < 0 {
		return ""
	}
	s := "up to " + units.Size(r.Stats.FreeBytes, 2)
	if r.Has(finding.RootAMapInvalid) {
		s += " (a guess: the allocation map is flagged invalid)"
	}
	return s
}

// scaleNotes says what about a store's size and shape needs acting on,
// for a healthy file's cause, and its most urgent next step ("" when
// nothing does). Info findings need no action and are left out.
func scaleNotes(r *pstcheck.Report) (notes []string, step string) {
	ost := r.Content == pstcheck.ContentOST
	switch {
	case r.Has(finding.StoreOverLimit):
		notes = append(notes, "the file is at its size limit ("+sizeAgainstLimit(r)+")")
	case r.Has(finding.StoreNearLimit):
		notes = append(notes, "the file is near its size limit ("+sizeAgainstLimit(r)+")")
	}
	if len(notes) > 0 {
		step = "archive old items or move them to a new data file"
		if ost {
			step = "keep less mail offline or move old mail to the mailbox's online archive"
		}
	}
	if over := foldersWith(r, finding.FolderItemsOver); len(over) > 0 {
		g := guidance(r)
		if len(over) == 1 {
			notes = append(notes, fmt.Sprintf("%s holds %s (Outlook slows past %s in one folder)",
				findingFolder(over[0]), plural(folderCount(r, over[0]), "item"), thousands(int64(g.FolderItems))))
		} else {
			notes = append(notes, fmt.Sprintf("%d folders hold more than %s items each (Outlook slows past that)",
				len(over), thousands(int64(g.FolderItems))))
		}
		if step == "" {
			step = "split the " + pluralWord(len(over), "folder") + ": move older items into subfolders or an archive"
		}
	}
	if r.Has(finding.StoreFoldersOver) && r.Scale != nil {
		notes = append(notes, fmt.Sprintf("the store holds %s (Outlook slows past %s)",
			plural(r.Scale.Folders, "folder"), thousands(int64(r.Scale.Guidance.Folders))))
		if step == "" {
			step = "delete, merge or move folders to bring them under " + thousands(int64(r.Scale.Guidance.Folders))
		}
	}
	return notes, step
}

// guidance is what r's folders were measured against.
func guidance(r *pstcheck.Report) pstcheck.Guidance {
	if r.Scale != nil {
		return r.Scale.Guidance
	}
	return pstcheck.DefaultGuidance
}

// Where Outlook keeps the tools the advice names.
const (
	newDataFile = "File > New Items > More Items > Outlook Data File"
	archiveTool = "File > Tools > Clean Up Old Items; in Outlook 2010/2013 File > Cleanup Tools > Archive"
	compactNow  = "File > Account Settings > Account Settings > Data Files > the file > Settings > Compact Now"
	offlineMail = "File > Account Settings > Account Settings > the account > Change > Mail to keep offline"
)

// scaleAdvice is what to do about a store's size and shape.
func scaleAdvice(r *pstcheck.Report) []string {
	var adv []string
	ost := r.Content == pstcheck.ContentOST
	if r.Has(finding.StoreOverLimit) || r.Has(finding.StoreNearLimit) {
		limit, _ := pstcheck.SizeLimit(r.Format)
		switch {
		case ost:
			adv = append(adv, "Outlook stops adding mail to an OST once it reaches "+units.Size(limit, 2)+
				": keep less mail offline ("+offlineMail+"), or move old mail to the mailbox's online archive.")
		case r.Format == pstcheck.FormatANSI:
			adv = append(adv, "Outlook refuses new items once an ANSI file reaches "+units.Size(limit, 2)+
				", and one past 2 GiB may not open at all: move the folders to a new data file ("+newDataFile+
				"; it is made in the Unicode format, limit "+units.Size(pstcheck.UnicodeMaxSize, 2)+
				"), or archive old items into one ("+archiveTool+").")
		default:
			adv = append(adv, "Outlook refuses new items once the file reaches "+units.Size(limit, 2)+
				": archive old items into another data file ("+archiveTool+"), or start a new data file for new mail ("+newDataFile+").")
		}
		if free := reclaimable(r); free != "" && r.Stats.FreeBytes > 0 {
			adv = append(adv, "Compacting reclaims "+free+" of free space inside the file: "+compactNow+".")
		}
	}
	if over := foldersWith(r, finding.FolderItemsOver); len(over) > 0 {
		var names []string
		for i, f := range over {
			if i == 5 {
				names = append(names, fmt.Sprintf("and %d more", len(over)-5))
				break
			}
			names = append(names, fmt.Sprintf("%s (%s)", findingFolder(f), thousands(int64(folderCount(r, f)))))
		}
		adv = append(adv, fmt.Sprintf("Outlook 2010 and later slow down badly past %s items in one folder (Microsoft KB2768656): %s.",
			thousands(int64(guidance(r).FolderItems)), strings.Join(names, ", ")))
		if ost {
			adv = append(adv, "An OST mirrors a server mailbox: split the folder in Outlook (move older items into subfolders, which the server keeps too), or move old items to the mailbox's online archive.")
		} else {
			adv = append(adv, "Split the folder: move older items into subfolders (one per year, for example), or archive them into another data file ("+archiveTool+").")
		}
	}
	if r.Has(finding.StoreFoldersOver) && r.Scale != nil {
		adv = append(adv, fmt.Sprintf("Outlook slows down past %s folders in one store (Microsoft KB2768656): this one holds %s.",
			thousands(int64(r.Scale.Guidance.Folders)), thousands(int64(r.Scale.Folders))))
		if ost {
			adv = append(adv, "Delete or merge the folders no longer used (the server keeps the change), or move old ones to the mailbox's online archive.")
		} else {
			adv = append(adv, "Delete or merge the folders no longer used, or move old ones to a new data file ("+newDataFile+", then drag the folders into it).")
		}
	}
	return adv
}

// scaleLines is the text report's summary of a store's size and shape,
// shown when the store is past a limit or Outlook's guidance:
//
//	Store:  1.17 GiB, 2% of the 50.00 GiB limit of Outlook 2010 and later; 27 folders;
//	        compacting would reclaim up to 96.00 KiB
//	Largest folders                     items       size
//	  Top of Personal Folders/Inbox   240,000  702.3 MiB  over 100,000
func scaleLines(r *pstcheck.Report) []string {
	if !oversized(r) {
		return nil
	}
	parts := sizeParts(r)
	if r.Scale != nil {
		s := plural(r.Scale.Folders, "folder")
		if r.Scale.Folders > r.Scale.Guidance.Folders {
			s += " (more than " + thousands(int64(r.Scale.Guidance.Folders)) + ")"
		}
		parts = append(parts, s)
	}
	if free := reclaimable(r); free != "" {
		parts = append(parts, "compacting would reclaim "+free)
	}
	var lines []string
	if len(parts) > 0 {
		lines = wrapParts(parts, "; ", "Store:  ", "        ", textWidth)
	}
	return append(lines, largestLines(r)...)
}

// largestShown is how many of the largest folders by items, and by size,
// the text report shows.
const largestShown = 3

// largestLines is the table of the largest folders: the first few by
// items and by size, most items first, each marked when past Outlook's
// guidance.
func largestLines(r *pstcheck.Report) []string {
	if r.Scale == nil {
		return nil
	}
	s := r.Scale
	var rows []pstcheck.Folder
	for _, list := range [][]pstcheck.Folder{s.ByItems, s.BySize} {
		for _, f := range list[:min(len(list), largestShown)] {
			if !slices.ContainsFunc(rows, func(x pstcheck.Folder) bool { return x.NID == f.NID }) {
				rows = append(rows, f)
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	slices.SortStableFunc(rows, func(a, b pstcheck.Folder) int {
		if c := cmp.Compare(b.Items, a.Items); c != 0 {
			return c
		}
		return cmp.Compare(b.Size, a.Size)
	})
	const heading, indent = "Largest folders", "  "
	items := make([]string, len(rows))
	sizes := make([]string, len(rows))
	notes := make([]string, len(rows))
	iw, sw, nw := len("items"), len("size"), 0
	for i, f := range rows {
		items[i], sizes[i] = thousands(int64(f.Items)), units.Size(f.Size, 1)
		switch {
		case f.Items > s.Guidance.FolderItems:
			notes[i] = "over " + thousands(int64(s.Guidance.FolderItems))
		case f.Items > s.Guidance.FolderItemsLegacy:
			notes[i] = "over " + thousands(int64(s.Guidance.FolderItemsLegacy)) + " (Outlook 2007)"
		}
		iw, sw, nw = max(iw, len(items[i])), max(sw, len(sizes[i])), max(nw, len(notes[i]))
	}
	numbers := 2 + iw + 2 + sw
	if nw > 0 {
		numbers += 2 + nw
	}
	nameWidth := 0
	for _, f := range rows {
		nameWidth = max(nameWidth, utf8.RuneCountInString(folderName(f)))
	}
	first := max(len(heading), len(indent)+min(nameWidth, textWidth-numbers-len(indent)))
	row := func(name, items, size, note string) string {
		line := name + strings.Repeat(" ", max(0, first-utf8.RuneCountInString(name))) +
			fmt.Sprintf("  %*s  %*s", iw, items, sw, size)
		if note != "" {
			line += "  " + note
		}
		return line
	}
	lines := []string{row(heading, "items", "size", "")}
	for i, f := range rows {
		lines = append(lines, row(indent+shorten(folderName(f), first-len(indent)), items[i], sizes[i], notes[i]))
	}
	return lines
}

// mostItems is the batch table's MOST ITEMS: how many items r's fullest
// folder holds; "-" when the folders could not be walked.
func mostItems(r *pstcheck.Report) string {
	switch {
	case r.Scale == nil:
		return "-"
	case len(r.Scale.ByItems) == 0:
		return "0"
	}
	return thousands(int64(r.Scale.ByItems[0].Items))
}

// largeStores totals a batch's stores past a limit or Outlook's guidance:
// "2 files: 1 near or at its size limit, 1 with folders past 100,000
// items"; "" when there are none.
func largeStores(reports []*pstcheck.Report) string {
	files, size, items, folders := 0, 0, 0, 0
	g := pstcheck.DefaultGuidance // a batch's files all have Outlook's
	for _, r := range reports {
		s := r.Has(finding.StoreNearLimit) || r.Has(finding.StoreOverLimit)
		i, f := r.Has(finding.FolderItemsOver), r.Has(finding.StoreFoldersOver)
		if s || i || f {
			files++
			g = guidance(r)
		}
		size += b2i(s)
		items += b2i(i)
		folders += b2i(f)
	}
	if files == 0 {
		return ""
	}
	var parts []string
	if size > 0 {
		parts = append(parts, thousands(int64(size))+" near or at the size limit")
	}
	if items > 0 {
		parts = append(parts, fmt.Sprintf("%s with a folder past %s items", thousands(int64(items)), thousands(int64(g.FolderItems))))
	}
	if folders > 0 {
		parts = append(parts, fmt.Sprintf("%s with more than %s folders", thousands(int64(folders)), thousands(int64(g.Folders))))
	}
	return plural(files, "file") + ": " + strings.Join(parts, ", ")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
