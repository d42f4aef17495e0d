package repair

import (
	"cmp"
	"encoding/binary"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// The old store's special folders, by the EntryIDs its message store
// keeps (MS-PST 2.4.3): their contents go to the new store's own.
type specialFolders struct {
	ipm, wastebasket, finder uint32
	// ipmFound is the path of an IPM subtree found in the folder tree, not
	// named by the message store, which keeps the new store's own name;
	// ipmByName says it was found by its name, as an OST's mailbox is.
	ipmFound  string
	ipmByName bool
}

const (
	nidRoot             = 0x122
	nidMessageStore     = 0x21
	nidTypeFolder       = 0x02
	nidTypeSearchFolder = 0x03
	// nidOutlookIPMSubtree is the NID Outlook gives a PST's IPM subtree
	// ("Top of Personal Folders"), the first folder it makes.
	nidOutlookIPMSubtree  = 0x8022
	propMessageClass      = 0x001A
	propRecordKey         = 0x0FF9
	propDisplayName       = 0x3001
	propIPMSubtreeEntryID = 0x35E0
	propWastebasketID     = 0x35E3
	propFinderEntryID     = 0x35E7
	propContainerClass    = 0x3613
)

// entryNID is the NID a PST EntryID names (MS-PST 2.4.3.2: 4 bytes of
// flags, the store's UID, the NID); 0 for any other form, such as the
// Exchange EntryIDs of an OST.
func entryNID(b []byte) uint32 {
	if len(b) != 24 {
		return 0
	}
	return binary.LittleEndian.Uint32(b[20:])
}

// Folder names an OST gives the folders it mirrors from Exchange.
const (
	ostIPMSubtree   = "IPM_SUBTREE"
	ostDeletedItems = "Deleted Items"
)

// findSpecial completes the special folders from the folder tree when the
// message store does not name them, as an OST's does not: its mailbox
// lives under "Root - Mailbox/IPM_SUBTREE", which must become the new
// store's IPM subtree, or Outlook would show none of it. The IPM_SUBTREE
// of the mailbox is taken (an OST also mirrors "Root - Public"), else the
// one holding the most items. A PST's message store names its IPM subtree,
// but a copy cut off, or with that block destroyed, has lost it: then the
// folder at the top of the tree holding the most items is taken, Outlook's
// own (NID 0x8022) between equals. The names are an OST's alone (byName):
// a PST's folder that a user named IPM_SUBTREE is no subtree, nor is one
// of a store whose content is not known (its header and message store
// lost, its name not .ost).
// The subtree's "Deleted Items" becomes the wastebasket.
func (sp *specialFolders) findSpecial(folders []pstcheck.Folder, byName bool) {
	has := func(nid uint32) bool {
		for _, f := range folders {
			if f.NID == nid {
				return true
			}
		}
		return false
	}
	if sp.ipm == 0 || !has(sp.ipm) {
		best, bestPath := mostItems(folders, func(f pstcheck.Folder) (int, bool) {
			// The mailbox's root may be unreachable itself (the root
			// folder's node lost): its subtree is the IPM subtree still,
			// as export takes it. With the mailbox's own node lost too,
			// the subtree is at the top of the unreachable folders.
			rel, cut := strings.CutPrefix(f.Path, messaging.UnreachablePrefix+"/")
			unreachable := cut && f.Unreachable
			if !unreachable {
				rel = f.Path
			}
			parent, name, ok := strings.Cut(rel, "/")
			if !ok && unreachable {
				parent, name, ok = "", rel, true
			}
			if !byName || !ok || name != ostIPMSubtree {
				return 0, false
			}
			if parent == pstcheck.OSTMailboxRoot {
				return 1 << 30, true
			}
			return subtreeItems(folders, f.Path), true
		})
		sp.ipmByName = best != 0
		if best == 0 {
			best, bestPath = topFolder(folders)
		}
		sp.ipm, sp.ipmFound = best, bestPath
	}
	if sp.ipmFound != "" && (sp.wastebasket == 0 || !has(sp.wastebasket)) {
		for _, f := range folders {
			if f.Path == sp.ipmFound+"/"+ostDeletedItems {
				sp.wastebasket = f.NID
			}
		}
	}
}

// topFolder returns the folder under the root whose subtree holds the
// most items, and its path; Outlook's IPM subtree NID wins between equals,
// and a tree with no items gives that one or none. Folders the hierarchy
// does not reach are not taken: they go under "Recovered items", which is
// in the IPM subtree, so Outlook shows them all the same.
func topFolder(folders []pstcheck.Folder) (uint32, string) {
	return mostItems(folders, func(f pstcheck.Folder) (int, bool) {
		if f.NID == nidRoot || f.NID&0x1F != nidTypeFolder || f.Path == "" || strings.Contains(f.Path, "/") || f.Unreachable {
			return 0, false
		}
		n, outlooks := subtreeItems(folders, f.Path), f.NID == nidOutlookIPMSubtree
		if n == 0 && !outlooks {
			return 0, false
		}
		if outlooks {
			return 2*n + 1, true // ahead of another with as many items
		}
		return 2 * n, true
	})
}

// mostItems returns the folder score rates highest among those it takes,
// the first of equals, and its path.
func mostItems(folders []pstcheck.Folder, score func(pstcheck.Folder) (int, bool)) (uint32, string) {
	best, bestPath, bestScore := uint32(0), "", -1
	for _, f := range folders {
		if n, ok := score(f); ok && n > bestScore {
			best, bestPath, bestScore = f.NID, f.Path, n
		}
	}
	return best, bestPath
}

// subtreeItems counts the items of the folders under path.
func subtreeItems(folders []pstcheck.Folder, path string) int {
	n := 0
	for _, g := range folders {
		if strings.HasPrefix(g.Path, path+"/") {
			n += g.Items
		}
	}
	return n
}

// folderMap builds the new store's folder tree from the old one's, as the
// scan reports it (parents before children): each folder under the new
// folder of its parent, the IPM subtree and Deleted Items onto the new
// store's own, search folders left out (they hold no items of their own,
// only a search), folders the hierarchy no longer reaches under
// "Recovered items".
type folderMap struct {
	w       *pstwrite.Writer
	c       *converter
	special specialFolders
	byNID   map[uint32]pstwrite.FolderID
	byPath  map[string]pstwrite.FolderID // the last folder made for a path
	paths   map[uint32]string            // the path each old folder's items go under
	made    int
}

func newFolderMap(w *pstwrite.Writer, c *converter, sp specialFolders) *folderMap {
	return &folderMap{w: w, c: c, special: sp, byNID: map[uint32]pstwrite.FolderID{},
		byPath: map[string]pstwrite.FolderID{"": w.Root()}, paths: map[uint32]string{}}
}

// build maps every folder of the report.
func (m *folderMap) build(folders []pstcheck.Folder) error {
	for _, f := range folders {
		path := f.ExportPath()
		m.paths[f.NID] = path
		switch {
		case f.NID == nidRoot:
			m.byNID[f.NID] = m.w.Root()
			continue
		case f.NID == m.special.finder || f.NID&0x1F == nidTypeSearchFolder:
			continue
		}
		props, perr := m.c.r.Properties(f.NID)
		if perr != nil {
			props = nil // a folder whose properties are lost still holds items
		}
		folder := m.folder(props, path)
		var id pstwrite.FolderID
		var err error
		switch f.NID {
		case m.special.ipm:
			id = m.w.IPMSubtree()
			if m.special.ipmFound == "" {
				err = m.w.SetFolder(id, folder)
			}
		case m.special.wastebasket:
			id = m.w.DeletedItems()
			err = m.w.SetFolder(id, folder)
		default:
			var parent pstwrite.FolderID
			if parent, err = m.parent(path); err == nil {
				id, err = m.w.AddFolder(parent, folder)
				m.made++
			}
		}
		if err != nil {
			return err
		}
		m.byNID[f.NID] = id
		m.byPath[path] = id
	}
	return nil
}

// folder is a folder's name, class and other properties for the writer.
func (m *folderMap) folder(props messaging.Props, path string) pstwrite.Folder {
	f := pstwrite.Folder{Name: m.c.r.String(props, propDisplayName)}
	if _, ok := props.Get(propDisplayName); !ok {
		f.Name = path[strings.LastIndex(path, "/")+1:]
	}
	f.Class = m.c.r.String(props, propContainerClass)
	if props != nil {
		f.Props = m.c.props(props, propDisplayName, propContainerClass)
	}
	return f
}

// parent returns the folder a path goes under: the one made last for its
// parent path (the scan lists a folder's subfolders right after it, so
// that is its parent even when two siblings share a name), made as needed
// for the levels of "Recovered items" paths.
func (m *folderMap) parent(path string) (pstwrite.FolderID, error) {
	i := strings.LastIndex(path, "/")
	if i < 0 {
		return m.w.Root(), nil
	}
	return m.ensure(path[:i], "")
}

// ensure returns the folder for path, making it (and its parents) when
// there is none yet: the folders of "Recovered items", of class (""
// for IPF.Note, as are the parents).
func (m *folderMap) ensure(path, class string) (pstwrite.FolderID, error) {
	if id, ok := m.byPath[path]; ok {
		return id, nil
	}
	var parent pstwrite.FolderID
	var err error
	if path == pstcheck.RecoveredFolder {
		// Where the user sees it: beside the store's other folders.
		parent = m.w.IPMSubtree()
	} else if parent, err = m.parent(path); err != nil {
		return 0, err
	}
	id, err := m.w.AddFolder(parent, pstwrite.Folder{Name: path[strings.LastIndex(path, "/")+1:], Class: cmp.Or(class, "IPF.Note")})
	if err != nil {
		return 0, err
	}
	m.made++
	m.byPath[path] = id
	return id, nil
}

// target is the folder an item is written to: its folder's new folder, or
// for an item no folder lists the "Recovered items" folder for its path,
// of the item's folder class where one is known.
func (m *folderMap) target(it pstcheck.Item) (pstwrite.FolderID, error) {
	if id, ok := m.byNID[it.FolderNID]; ok && m.paths[it.FolderNID] == it.Folder {
		return id, nil
	}
	return m.ensure(it.Folder, it.FolderClass)
}
