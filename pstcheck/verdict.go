package pstcheck

import (
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Damage sums up what a scan found: the facts the verdict and the action
// rest on, and that report/ turns into words (cause, next step, advice).
type Damage struct {
	// MissingBytes is how much of the file is cut off at its end: the
	// header's end of file lies this far past the real end (0: not cut off).
	MissingBytes int64
	// GapBytes are missing inside the file, in Gaps runs, the first at
	// GapOffset (ROOT-EOF-GAP): what followed each moved up, and the scan
	// put it back in its place. GapBeforeData says the first lay somewhere
	// before the data section, which begins at GapOffset (ndb.Gap's
	// BeforeData: where exactly cannot be told).
	GapBytes, GapOffset int64
	Gaps                int
	GapBeforeData       bool
	// AddedBytes inside the file were never the store's, in Added runs,
	// the first at AddedOffset (ROOT-EOF-ADDED): what followed each moved
	// down, and the scan put it back in its place.
	AddedBytes, AddedOffset int64
	Added                   int
	// ZeroedBytes at the end of the file are zeros where the store had
	// written, a page or block of it among them (ROOT-EOF-ZEROED): a copy
	// that stopped after setting the file's size, or a file that was
	// growing when the system stopped.
	ZeroedBytes int64
	// Header: header fields are damaged (checksums, sentinel, encryption).
	Header bool
	// HeaderLost: the header is destroyed (HDR-GUESSED): Outlook and
	// scanpst cannot open the file; pstcheck read it from what follows.
	HeaderLost bool
	// IndexPages counts problems in the B-tree pages (the index).
	IndexPages int
	// Blocks counts damaged blocks.
	Blocks int
	// Maps: the allocation maps are inconsistent.
	Maps bool
	// FolderNodes counts folders whose own node or tables are damaged,
	// of those the report lists (Report.Folders: StructureDamaged) that are
	// not search folders;
	// SearchFolderNodes, search folders whose node or tables are, listed
	// or not (Outlook makes them again, and they hold no items of their
	// own, so they are told apart).
	FolderNodes, SearchFolderNodes int
	// NameMap: the store's name-to-ID map is lost, so named properties
	// (calendar times, contact fields, ...) of its items cannot be read.
	NameMap bool
	// Other counts the remaining structural problems.
	Other int
	// ReadError: parts of the file could not be read (I/O).
	ReadError bool
	// ChangedInPlace counts the blocks and B-tree pages whose bytes changed
	// where they lie (their checksum fails, their trailer is whole), and
	// ChangedSpan is the bytes from the first to the last of them: many,
	// spread over the file, are the mark of failing hardware.
	ChangedInPlace int
	ChangedSpan    int64
	// Salvage is how many items an export saves: the readable and the
	// recovered ones, and those whole but for their named properties.
	Salvage int
	// Unsearched counts the blocks no node uses that were not searched for
	// lost items, past the scan's bound (BLOCK-UNUSED-LIMIT), and Searched
	// those that were: items among the others are neither counted nor
	// saved.
	Unsearched, Searched int
}

// Failure says why a file could not be checked at all (verdict "error").
type Failure struct {
	Kind   FailureKind
	Detail string // the system's words, for the record
}

// FailureKind is the reason a file could not be checked.
type FailureKind string

const (
	FailNotFound   FailureKind = "not-found"   // the path does not exist
	FailPermission FailureKind = "permission"  // the account may not read it
	FailLocked     FailureKind = "locked"      // another program holds it (Windows sharing violation)
	FailNotRegular FailureKind = "not-regular" // a device, pipe or other special file
	FailOpen       FailureKind = "open"        // any other reason it could not be opened
	FailRead       FailureKind = "read"        // opened, but reading failed (I/O error)
	FailScanner    FailureKind = "scanner"     // the scan itself stopped (crash, memory, hang)
	FailFolder     FailureKind = "folder"      // a folder given to search could not be searched
)

// summarize sums up a report's error findings and items, and marks the
// folders whose own node or tables those findings name.
func summarize(rep *Report, res *ndb.Result) Damage {
	d := Damage{Salvage: rep.Items.Readable + rep.Items.Recovered + rep.Items.NamesLost, HeaderLost: rep.Has(finding.HeaderGuessed),
		ZeroedBytes: rep.zeroed}
	for _, g := range rep.gaps {
		switch {
		case g.Added:
			if d.Added++; d.Added == 1 {
				d.AddedOffset = g.Offset
			}
			d.AddedBytes += g.Size
		default:
			if d.Gaps++; d.Gaps == 1 {
				d.GapOffset, d.GapBeforeData = g.Offset, g.BeforeData
				if g.BeforeData {
					d.GapOffset = g.Offset + g.Size
				}
			}
			d.GapBytes += g.Size
		}
	}
	if res != nil && uint64(rep.Size+d.GapBytes-d.AddedBytes) < res.Header.FileEOF {
		d.MissingBytes = int64(res.Header.FileEOF) - rep.Size - d.GapBytes + d.AddedBytes
	}
	if res != nil {
		d.Unsearched, d.Searched = res.UnlinkedLeftOut, res.UnlinkedKept()
	}
	if res != nil && res.Header != nil {
		n, first, last := res.ChangedInPlace()
		if d.ChangedInPlace = n; n > 0 {
			d.ChangedSpan = last - first
		}
	}
	folderNodes := map[uint32]bool{}
	for _, f := range rep.Findings {
		if f.Severity() != finding.SeverityError {
			continue
		}
		switch f.Layer() {
		case finding.LayerFile:
			d.ReadError = true
		case finding.LayerHeader:
			switch f.Code {
			case finding.RootFileTruncated, finding.RootFileGap, finding.RootFileAdded, finding.RootFileZeroed, finding.RootBREF:
			default:
				d.Header = true
			}
			if f.Code == finding.RootBREF {
				d.IndexPages++
			}
		case finding.LayerBTree:
			d.IndexPages++
		case finding.LayerBlock:
			d.Blocks++
		case finding.LayerMap:
			d.Maps = true
		case finding.LayerNode, finding.LayerHeap, finding.LayerTable, finding.LayerMessage:
			if f.Code == finding.StoreNameMap {
				d.NameMap = true
			} else if isFolderNode(f.NID) {
				folderNodes[ndb.FolderOf(ndb.NBTEntry{NID: f.NID})] = true
			} else if f.NID == 0 || f.Code == finding.NodeParent {
				d.Other++
			}
		default:
			d.Other++
		}
	}
	for c, n := range rep.Capped {
		e := finding.Lookup(c)
		if e.Severity != finding.SeverityError {
			continue
		}
		switch e.Layer {
		case finding.LayerBlock:
			d.Blocks += n
		case finding.LayerBTree:
			d.IndexPages += n
		}
	}
	for i := range rep.Folders {
		if nid := rep.Folders[i].NID; folderNodes[nid] {
			rep.Folders[i].StructureDamaged = true
			if nid&0x1F == ndb.NIDTypeSearchFolder {
				d.SearchFolderNodes++
			} else {
				d.FolderNodes++
			}
			delete(folderNodes, nid)
		}
	}
	// The rest no folder row shows: search folders the walk did not list,
	// and folders it did not reach, whose damage is told among the
	// structure's.
	for nid := range folderNodes {
		if nid&0x1F == ndb.NIDTypeSearchFolder {
			d.SearchFolderNodes++
		} else {
			d.Other++
		}
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

// judge sets the verdict, the action and the damage facts from the
// findings and the item accounting.
//
// The action fits the kind of damage: an OST is a cache (save what never
// reached the server, then recreate it); a cut-off copy is incomplete
// (copy it again; export saves what this copy holds); items damaged or
// lost, or an index that had to be rebuilt, call for an export first,
// since scanpst deletes what it cannot read; damage to structure alone is
// scanpst's to rebuild. Export is never the action when it would save
// nothing.
func judge(rep *Report, res *ndb.Result) {
	d := summarize(rep, res)
	rep.Damage = d
	switch {
	// A file that could not be read was not checked: no action is known
	// ("none" would say it needs nothing).
	case res == nil && rep.Has(finding.FileRead):
		rep.Verdict, rep.Action = Failed, ""
		rep.Failure = &Failure{Kind: FailRead}
		return
	case res == nil:
		rep.Verdict, rep.Action = Unreadable, ActionRestore
		if rep.Content == ContentOST { // cut off inside its header: a cache all the same
			rep.Action = ActionRecreateOST
		}
		return
	case d.ReadError:
		rep.Verdict, rep.Action = Failed, ""
		rep.Failure = &Failure{Kind: FailRead}
		return
	}
	if rep.Count(finding.SeverityError) == 0 {
		rep.Verdict, rep.Action = Healthy, ActionNone
		return
	}
	rep.Verdict = Damaged
	// A file whose header is destroyed is one scanpst cannot open: its
	// items are saved as those of a damaged one are.
	itemsHurt := rep.Items.Damaged+rep.Items.Lost+rep.Items.Recovered > 0 || rep.Rebuild != nil || d.HeaderLost
	switch {
	case rep.Content == ContentOST:
		rep.Action = ActionRecreateOST
	case d.MissingBytes > 0 || d.GapBytes > 0 || d.AddedBytes > 0 || d.ZeroedBytes > 0:
		rep.Action = ActionRestore
	case itemsHurt && d.Salvage > 0:
		rep.Action = ActionExport
	case itemsHurt:
		rep.Action = ActionRestore // nothing left that an export could save
	default:
		rep.Action = ActionScanpst
	}
}
