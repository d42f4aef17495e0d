package pstcheck

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A store can be sound and still too big for Outlook to work with: a
// folder of too many items, too many folders, a file near its format's
// size limit (limits.go). These are facts about the store's shape, never
// damage: they are warnings or info, so they never change the verdict.

// Guidance is how many items a folder and how many folders a store may
// hold before Outlook slows down: Microsoft KB2768656 ("Outlook
// performance issues when there are too many items or folders in a
// Cached mode .ost or .pst file") gives 100,000 items per folder for
// Outlook 2010 and later, 50,000 for Outlook 2007, and 500 folders in all.
type Guidance struct {
	// FolderItems: a folder holding more items gets FOLDER-ITEMS-OVER.
	FolderItems int
	// FolderItemsLegacy: a folder holding more items, up to FolderItems,
	// gets FOLDER-ITEMS-LEGACY (info: only Outlook 2007 slows down).
	FolderItemsLegacy int
	// Folders: a store holding more folders gets STORE-FOLDERS-OVER.
	Folders int
}

// DefaultGuidance is Outlook's (KB2768656).
var DefaultGuidance = Guidance{FolderItems: 100_000, FolderItemsLegacy: 50_000, Folders: 500}

// orDefault fills the thresholds left zero from DefaultGuidance.
func (g Guidance) orDefault() Guidance {
	if g.FolderItems <= 0 {
		g.FolderItems = DefaultGuidance.FolderItems
	}
	if g.FolderItemsLegacy <= 0 {
		g.FolderItemsLegacy = DefaultGuidance.FolderItemsLegacy
	}
	if g.Folders <= 0 {
		g.Folders = DefaultGuidance.Folders
	}
	return g
}

// LargestFolders is how many folders Scale ranks by items and by size.
const LargestFolders = 5

// Scale is the store's shape, measured against Guidance. The file's size
// against its format's limit is SizeLimit's; what compacting would
// reclaim is Stats.FreeBytes.
type Scale struct {
	// Guidance is what the findings measured the store against.
	Guidance Guidance
	// Folders counts the store's folders as the report's folder map does:
	// every folder walked, the root and system folders (Search Root)
	// included.
	Folders int
	// ByItems and BySize are the largest folders by items and by size
	// (Folder.Size), at most LargestFolders of each, largest first;
	// folders holding nothing are left out.
	ByItems, BySize []Folder
}

// NewScale measures a report's folders against g; thresholds left zero
// are Outlook's.
func NewScale(folders []Folder, g Guidance) *Scale {
	s := &Scale{Guidance: g.orDefault(), Folders: len(folders)}
	s.ByItems = largest(folders, func(f Folder) int64 { return int64(f.Items) })
	s.BySize = largest(folders, func(f Folder) int64 { return f.Size })
	return s
}

// checkScale measures the walked folders against g, reports the folders
// and the store past it, and sets rep.Scale. Nothing is said of a store
// whose folders could not be walked.
func checkScale(rep *Report, sink finding.Sink, g Guidance) {
	if rep.Folders == nil {
		return
	}
	s := NewScale(rep.Folders, g)
	g = s.Guidance
	if s.Folders > g.Folders {
		sink.Report(finding.Finding{Code: finding.StoreFoldersOver, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%d folders (more than %d)", s.Folders, g.Folders)})
	}
	for _, f := range rep.Folders {
		var code finding.Code
		limit := 0
		switch {
		case f.Items > g.FolderItems:
			code, limit = finding.FolderItemsOver, g.FolderItems
		case f.Items > g.FolderItemsLegacy:
			code, limit = finding.FolderItemsLegacy, g.FolderItemsLegacy
		default:
			continue
		}
		sink.Report(finding.Finding{Code: code, Offset: finding.NoOffset, NID: f.NID, FolderNID: f.NID, Folder: f.Path,
			Detail: fmt.Sprintf("%d items in one folder (more than %d)", f.Items, limit)})
	}
	rep.Scale = s
}

// largest returns the LargestFolders folders with the most of what key
// measures, most first (ties in the walk's order), leaving out those with
// none.
func largest(folders []Folder, key func(Folder) int64) []Folder {
	var out []Folder
	for _, f := range folders {
		if key(f) > 0 {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b Folder) int { return cmp.Compare(key(b), key(a)) })
	return slices.Clip(out[:min(len(out), LargestFolders)])
}
