package pstwrite

import (
	"fmt"
	"slices"
)

// Folder describes a folder to add.
type Folder struct {
	// Name is PidTagDisplayName.
	Name string
	// Class is PidTagContainerClass ("IPF.Note", "IPF.Appointment",
	// "IPF.Contact", ...); "" for none.
	Class string
	// Props are more properties of the folder object. The writer sets the
	// name, class, item counts and subfolder flag itself; those given
	// here are dropped.
	Props []Property
}

// folder is a folder's state until the store is closed: what its parent's
// hierarchy table row and its own property context need, and its two
// item tables while they are open.
type folder struct {
	nid, parent uint32
	Folder
	children             []uint32
	contents, assoc      *table
	count, unread        int
	assocCount, assocNew int
	tablesDone           bool
}

// Properties the writer computes for every folder.
const (
	propDisplayName    = 0x3001
	propContentCount   = 0x3602
	propContentUnread  = 0x3603
	propSubfolders     = 0x360A
	propContainerClass = 0x3613
	propHiddenCount    = 0x6635
	propHiddenUnread   = 0x6636
)

func (w *Writer) newFolder(nid, parent uint32, f Folder) {
	w.folders[nid] = &folder{nid: nid, parent: parent, Folder: f}
	w.order = append(w.order, nid)
	if p := w.folders[parent]; p != nil && parent != nid {
		p.children = append(p.children, nid)
	}
}

func (f *folder) search() bool { return f.nid&0x1F == nidTypeSearchFolder }

// AddFolder adds a folder under parent and returns it. Folders may be
// added until the store is closed, also under a folder whose items are
// complete.
func (w *Writer) AddFolder(parent FolderID, f Folder) (FolderID, error) {
	if err := w.usable(); err != nil {
		return 0, err
	}
	p := w.folders[uint32(parent)]
	if p == nil || p.search() {
		return 0, fmt.Errorf("%w: 0x%X cannot hold folders", errNoFolder, uint32(parent))
	}
	// Folder NIDs stay below the messages' (see nodeTree).
	if w.nextFolder >= firstStreamedIndex {
		return 0, w.fail(fmt.Errorf("pstwrite: more than %d folders", firstStreamedIndex-firstUserFolderIndex))
	}
	nid := makeNID(w.nextFolder, nidTypeFolder)
	w.nextFolder++
	w.newFolder(nid, uint32(parent), f)
	return FolderID(nid), nil
}

// SetFolder gives a folder already in the store (one the writer makes
// itself: the IPM subtree, Deleted Items) a name, class and properties,
// such as another store's own.
func (w *Writer) SetFolder(id FolderID, f Folder) error {
	if err := w.usable(); err != nil {
		return err
	}
	fo := w.folders[uint32(id)]
	if fo == nil || fo.search() {
		return fmt.Errorf("%w: 0x%X", errNoFolder, uint32(id))
	}
	fo.Folder = f
	return nil
}

// CloseFolder writes the folder's contents and FAI tables now: no more
// items may be added to it. Closing each folder when its items are
// written keeps the writer's memory to the open folders' last pages; Close
// closes the folders still open.
func (w *Writer) CloseFolder(id FolderID) error {
	if err := w.usable(); err != nil {
		return err
	}
	f := w.folders[uint32(id)]
	if f == nil {
		return errNoFolder
	}
	if err := w.finishTables(f); err != nil {
		return w.fail(err)
	}
	return nil
}

// itemTable returns the folder's open contents or FAI table.
func (w *Writer) itemTable(f *folder, assoc bool) (*table, error) {
	if f.tablesDone {
		return nil, fmt.Errorf("pstwrite: folder 0x%X is closed", f.nid)
	}
	t, cols := &f.contents, contentsColumns
	if assoc {
		t, cols = &f.assoc, assocContentsColumns
	}
	if *t == nil {
		var err error
		if *t, err = newTable(&nodeParts{b: w.b}, cols, &w.rowVer); err != nil {
			return nil, err
		}
	}
	return *t, nil
}

func (w *Writer) finishTables(f *folder) error {
	if f.tablesDone || f.search() {
		return nil
	}
	for _, assoc := range []bool{false, true} {
		t, err := w.itemTable(f, assoc)
		if err != nil {
			return err
		}
		data, sub, err := t.finish()
		if err != nil {
			return err
		}
		typ := uint32(nidTypeContents)
		if assoc {
			typ = nidTypeAssocContents
		}
		if err := w.nbt.add(nbtEntry{nid: f.nid&^0x1F | typ, data: data, sub: sub}); err != nil {
			return err
		}
	}
	f.contents, f.assoc, f.tablesDone = nil, nil, true
	return nil
}

// summary is a folder's row in its parent's hierarchy table, and the
// properties of its own property context the writer sets.
func (f *folder) summary() []Property {
	p := []Property{
		String(propDisplayName, f.Name),
		Int32(propContentCount, int32(f.count)),
		Int32(propContentUnread, int32(f.unread)),
		Bool(propSubfolders, len(f.children) > 0),
	}
	if f.Class != "" {
		p = append(p, String(propContainerClass, f.Class))
	}
	if !f.search() {
		p = append(p, Int32(propHiddenCount, int32(f.assocCount)), Int32(propHiddenUnread, int32(f.assocNew)))
	}
	return p
}

// finishFolders writes every folder: item tables still open, hierarchy
// tables and property contexts.
func (w *Writer) finishFolders() error {
	for _, nid := range w.order {
		if err := w.finishTables(w.folders[nid]); err != nil {
			return err
		}
	}
	for _, nid := range w.order {
		f := w.folders[nid]
		if !f.search() {
			t, err := newTable(&nodeParts{b: w.b}, hierarchyColumns, &w.rowVer)
			if err != nil {
				return err
			}
			kids := slices.Clone(f.children)
			slices.Sort(kids)
			for _, c := range kids {
				if err := t.addRow(c, w.folders[c].summary()); err != nil {
					return err
				}
			}
			data, sub, err := t.finish()
			if err != nil {
				return err
			}
			if err := w.nbt.add(nbtEntry{nid: nid&^0x1F | nidTypeHierarchy, data: data, sub: sub}); err != nil {
				return err
			}
		}
		props := f.summary()
		for _, p := range f.Props {
			switch p.ID {
			case propDisplayName, propContentCount, propContentUnread, propSubfolders, propContainerClass,
				propHiddenCount, propHiddenUnread:
				continue
			}
			props = append(props, p)
		}
		if err := w.checkNamed(props); err != nil {
			return fmt.Errorf("folder %q: %w", f.Name, err)
		}
		if err := w.writePCNode(nid, f.parent, props); err != nil {
			return err
		}
	}
	return nil
}

// checkNamed says whether every named property ID used has a name.
func (w *Writer) checkNamed(props []Property) error {
	for _, p := range props {
		if p.ID >= firstNamedID && !w.names.named(p.ID) {
			return fmt.Errorf("property 0x%04X is in the named range but was not assigned by NamedProperty", p.ID)
		}
	}
	return nil
}
