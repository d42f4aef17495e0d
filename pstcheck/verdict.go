package pstcheck

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// ScanpstLocations lists where each Outlook version installs the Inbox
// Repair Tool (design.md §1), newest first.
var ScanpstLocations = []struct{ Outlook, Path string }{
	{"Outlook 2016/2019/2021/365 (Click-to-Run)", `C:\Program Files\Microsoft Office\root\Office16\SCANPST.EXE`},
	{"  the same, 32-bit Office on 64-bit Windows", `C:\Program Files (x86)\Microsoft Office\root\Office16\SCANPST.EXE`},
	{"Outlook 2016 (MSI)", `C:\Program Files\Microsoft Office\Office16\SCANPST.EXE`},
	{"Outlook 2013", `C:\Program Files\Microsoft Office\Office15\SCANPST.EXE`},
	{"Outlook 2013 (Click-to-Run)", `C:\Program Files\Microsoft Office 15\root\office15\SCANPST.EXE`},
	{"Outlook 2010", `C:\Program Files\Microsoft Office\Office14\SCANPST.EXE`},
	{"Outlook 2007", `C:\Program Files\Microsoft Office\Office12\SCANPST.EXE`},
}

// ExportCommand is the command line that saves a file's readable items
// beside it (pstcheck export).
func ExportCommand(path string) string {
	dir := strings.TrimSuffix(path, filepath.Ext(path)) + "-export"
	return fmt.Sprintf(`pstcheck export "%s" --to "%s"`, path, dir)
}

// ScanpstCommand is the unattended repair command line (Outlook 2016 build
// 1807 and later) for a file, keeping a backup beside it.
func ScanpstCommand(path string) string {
	return fmt.Sprintf(`SCANPST.EXE -file "%s" -force -silent -rescan 10 -log replace -backupfile "%s.bak"`, path, path)
}

// damage sums up a report's error findings for the cause line.
type damage struct {
	blocks, pages, maps, other int
	items, folders             map[uint32]bool
	folderNodes                map[uint32]bool // folders whose own node or tables are damaged
	truncated                  string
	header, readErr            bool
	// itemCount is how many items (messages) are damaged, and
	// damagedFolders the folders holding them, worst first.
	itemCount      int
	damagedFolders []Folder
}

// folderList names up to five folders with their damaged items.
func (d damage) folderList() string {
	var parts []string
	for i, f := range d.damagedFolders {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(d.damagedFolders)-5))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (%d of %d)", f.Path, f.Damaged, f.Items))
	}
	return strings.Join(parts, ", ")
}

func summarize(rep *Report) damage {
	d := damage{items: map[uint32]bool{}, folders: map[uint32]bool{}, folderNodes: map[uint32]bool{}}
	for _, f := range rep.Findings {
		if f.Severity() != finding.SeverityError {
			continue
		}
		switch f.Layer() {
		case finding.LayerFile:
			d.readErr = true
		case finding.LayerHeader:
			if f.Code == finding.RootFileTruncated {
				d.truncated = f.Detail
			} else {
				d.header = true
			}
		case finding.LayerBTree:
			d.pages++
		case finding.LayerBlock:
			d.blocks++
		case finding.LayerMap:
			d.maps++
		case finding.LayerNode, finding.LayerHeap, finding.LayerTable, finding.LayerMessage:
			if isFolderNode(f.NID) {
				d.folderNodes[ndb.FolderOf(ndb.NBTEntry{NID: f.NID})] = true
			}
			if f.NID != 0 && f.Code != finding.NodeParent {
				d.items[f.NID] = true
				if f.FolderNID != 0 {
					d.folders[f.FolderNID] = true
				}
			} else {
				d.other++
			}
		default:
			d.other++
		}
	}
	for c, n := range rep.Capped {
		switch finding.Lookup(c).Layer {
		case finding.LayerBlock:
			if finding.Lookup(c).Severity == finding.SeverityError {
				d.blocks += n
			}
		case finding.LayerBTree:
			d.pages += n
		}
	}
	// With the folder walk done, items are what the folders count: a
	// damaged table or folder node is not an item of its own.
	if len(rep.Folders) > 0 {
		d.itemCount, d.damagedFolders = 0, nil
		for _, f := range rep.Folders {
			if f.Damaged > 0 {
				d.itemCount += f.Damaged
				d.damagedFolders = append(d.damagedFolders, f)
			}
		}
		slices.SortStableFunc(d.damagedFolders, func(a, b Folder) int { return cmp.Compare(b.Damaged, a.Damaged) })
	} else {
		d.itemCount = len(d.items)
	}
	return d
}

// isFolderNode reports whether nid is a folder's own node or one of its
// tables.
func isFolderNode(nid uint32) bool {
	switch nid & 0x1F {
	case ndb.NIDTypeFolder, ndb.NIDTypeSearchFolder, ndb.NIDTypeHierarchyTable, ndb.NIDTypeContentsTable, ndb.NIDTypeAssocContents:
		return true
	}
	return false
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// judge sets the verdict, action, cause, next step and advice from the
// findings.
func judge(rep *Report, res *ndb.Result) {
	path := rep.Path
	if path == "" {
		path = "FILE.pst"
	}
	d := summarize(rep)
	switch {
	case res == nil && rep.Has(finding.FileRead):
		rep.Verdict, rep.Action = Failed, ActionNone
		rep.Cause = "the file could not be read"
		rep.NextStep = "copy it to a local disk and scan the copy"
		return
	case res == nil:
		rep.Verdict, rep.Action = Unreadable, ActionRestore
		switch {
		case rep.Has(finding.HeaderMagic):
			rep.Cause = "this is not an Outlook data file (no PST signature), or its header is destroyed"
			rep.NextStep = "check it is the right file; if it should be a PST/OST, restore it from a backup"
		case rep.Has(finding.HeaderTruncated):
			rep.Cause = "the file is cut off inside its header: nothing of the mail store is left"
			rep.NextStep = "restore it from a backup or copy it again from its source"
		default:
			rep.Cause = "the header names a format version Outlook does not write: the header is destroyed"
			rep.NextStep = "restore it from a backup"
		}
		rep.Advice = []string{"Restore the file from a backup (your backup system, File History or Previous Versions); scanpst cannot repair a file it does not recognise."}
		return
	case d.readErr:
		rep.Verdict, rep.Action = Failed, ActionNone
		rep.Cause = "parts of the file could not be read (I/O error): the disk may be failing"
		rep.NextStep = "copy the file to a healthy disk and scan the copy"
		return
	}
	if rep.Count(finding.SeverityError) == 0 {
		rep.Verdict, rep.Action = Healthy, ActionNone
		rep.Cause = "no problems found"
		rep.NextStep = "nothing to do"
		healthyNotes(rep)
		return
	}
	rep.Verdict = Damaged
	rep.Cause = d.cause()
	isOST := rep.Content == ContentOST
	switch {
	case isOST:
		rep.Action = ActionRecreateOST
		rep.NextStep = "export anything that never reached the server, then let Outlook rebuild the OST"
		rep.Advice = []string{
			"An OST is a local cache of a server mailbox (Exchange, Microsoft 365, Outlook.com, IMAP): the server still has the mail.",
			"Export first what exists only here: drafts, items in folders that do not sync, anything created offline:",
			ExportCommand(path),
			"Then close Outlook, rename the .ost (for example to .ost.old) and start Outlook: it downloads a fresh copy.",
		}
	case d.itemCount > 0:
		rep.Action = ActionExport
		rep.NextStep = "export the healthy items, then run scanpst"
		where := ""
		if len(d.damagedFolders) > 0 {
			where = " in " + d.folderList()
		}
		rep.Advice = append([]string{
			fmt.Sprintf("%s damaged%s. scanpst deletes what it cannot read, so save the healthy items first:", plural(d.itemCount, "item is", "items are"), where),
			ExportCommand(path),
		}, scanpstAdvice(path)...)
	default:
		rep.Action = ActionScanpst
		rep.NextStep = "close Outlook, copy the file, then run scanpst on it"
		rep.Advice = append([]string{"No item is damaged: the damage is in the file's structure (index, maps, counts), which scanpst rebuilds without losing items."}, scanpstAdvice(path)...)
	}
}

func scanpstAdvice(path string) []string {
	adv := []string{"Close Outlook and copy the file first: scanpst repairs in place and deletes what it cannot read."}
	for _, l := range ScanpstLocations {
		adv = append(adv, fmt.Sprintf("%s: %s", l.Outlook, l.Path))
	}
	adv = append(adv, "Unattended (Outlook 2016 build 1807 and later), run until it reports no errors:", ScanpstCommand(path))
	return adv
}

func (d damage) cause() string {
	var parts []string
	if d.truncated != "" {
		parts = append(parts, "the file is cut off ("+d.truncated+")")
	}
	if d.header {
		parts = append(parts, "the header is damaged")
	}
	if d.pages > 0 {
		parts = append(parts, plural(d.pages, "problem", "problems")+" in the B-tree index pages")
	}
	if d.blocks > 0 {
		parts = append(parts, plural(d.blocks, "damaged block", "damaged blocks"))
	}
	switch {
	case d.itemCount > 0 && len(d.damagedFolders) > 0:
		parts = append(parts, plural(d.itemCount, "item", "items")+" damaged in "+plural(len(d.damagedFolders), "folder", "folders"))
	case d.itemCount > 0:
		s := plural(d.itemCount, "item", "items") + " damaged"
		if len(d.folders) > 0 {
			s += " in " + plural(len(d.folders), "folder", "folders")
		}
		parts = append(parts, s)
	}
	if n := len(d.folderNodes); n > 0 {
		parts = append(parts, "the properties or tables of "+plural(n, "folder are", "folders are")+" damaged")
	}
	if d.maps > 0 {
		parts = append(parts, "the allocation map is inconsistent")
	}
	if d.other > 0 && len(parts) == 0 {
		parts = append(parts, plural(d.other, "structural problem", "structural problems"))
	}
	return strings.Join(parts, "; ")
}

// healthyNotes turns warnings on a healthy file into its cause and next
// step: a file near its size limit needs action even when intact.
func healthyNotes(rep *Report) {
	var notes, steps []string
	for _, f := range rep.Findings {
		switch f.Code {
		case finding.StoreOverLimit:
			notes = append(notes, "the file is at its size limit: "+f.Detail)
			steps = append(steps, "archive old items or move them to a new data file")
		case finding.StoreNearLimit:
			notes = append(notes, "the file is near its size limit: "+f.Detail)
			steps = append(steps, "archive old items or move them to a new data file")
		case finding.RootAMapInvalid:
			notes = append(notes, "the file was not closed cleanly (Outlook rebuilds its allocation map on next open)")
		case finding.RootTrailingData:
			notes = append(notes, "there are extra bytes after the end of the store")
		}
	}
	if len(notes) > 0 {
		rep.Cause = "no damage found, but " + strings.Join(notes, "; ")
	}
	if len(steps) > 0 {
		rep.NextStep = steps[0]
	}
}
