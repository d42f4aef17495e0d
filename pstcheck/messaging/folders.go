package messaging

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// UnreachablePrefix starts the path of a folder the hierarchy does not
// reach from the root.
const UnreachablePrefix = "(unreachable)"

// folders walks the hierarchy from the root folder, depth first, with an
// explicit stack (a hostile file may nest deeply) and a visited set. Then
// it walks the folders the hierarchy did not reach, through their parent
// NIDs, so the items of a folder whose parent's table is damaged are still
// counted.
func (w *walker) folders() {
	_, rootNode := w.res.Node(NIDRootFolder)
	if !rootNode {
		w.report(finding.StoreRoot, NIDRootFolder, 0, finding.NoOffset, 0, "the root folder node 0x122 is missing")
	}
	// A root whose node is lost may still have its hierarchy table.
	if _, ok := w.res.Node(NIDRootFolder&^0x1F | ndb.NIDTypeHierarchyTable); rootNode || ok {
		w.walk(NIDRootFolder, 0, "", false)
	}
	for w.ctx.Err() == nil {
		for progress := true; progress && w.ctx.Err() == nil; {
			progress = false
			for _, n := range w.res.NBT.All() {
				if n.NID&0x1F != ndb.NIDTypeFolder || w.seenFolder[n.NID] {
					continue
				}
				i, parentSeen := w.folderIndex[n.Parent]
				if !parentSeen {
					continue // wait for the parent, if it can be reached
				}
				if w.subfoldersListed[n.Parent] {
					w.report(finding.FolderOrphan, n.NID, n.Parent, finding.NoOffset, 0,
						"folder 0x%X names parent 0x%X, whose hierarchy table does not list it", n.NID, n.Parent)
				}
				w.walk(n.NID, n.Parent, w.out.Folders[i].Path, w.out.Folders[i].Unreachable)
				progress = true
			}
		}
		// What is left hangs off a missing parent (NODE-PARENT) or a
		// cycle of parents: walk the first of it too, so its items are
		// counted, then look again for folders it makes reachable.
		found := false
		for _, n := range w.res.NBT.All() {
			if n.NID&0x1F == ndb.NIDTypeFolder && !w.seenFolder[n.NID] {
				w.walk(n.NID, n.Parent, UnreachablePrefix, true)
				found = true
				break
			}
		}
		if !found {
			return
		}
	}
}

func isFolderNID(nid uint32) bool {
	t := nid & 0x1F
	return t == ndb.NIDTypeFolder || t == ndb.NIDTypeSearchFolder
}

// folderRef names folder nid, at path, in a finding's detail: its path,
// quoted, or its NID where the path may change after the walk: where the
// hierarchy does not reach it (unreachable), whose path changes once its
// parents are known (nestUnreachable), and where a folder on the path has
// lost its name, which a listing found later may give it
// (nameUnnamedFolders).
func folderRef(nid uint32, path string, unreachable bool) string {
	switch {
	case unreachable:
		return fmt.Sprintf("0x%X (unreachable)", nid)
	case strings.Contains(path, unnamedPrefix):
		return fmt.Sprintf("0x%X", nid)
	}
	return strconv.Quote(displayPath(path))
}

func displayPath(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// walk checks the folder tree under nid, which the hierarchy reaches
// unless unreachable says so (and then none of the tree).
func (w *walker) walk(nid, parent uint32, parentPath string, unreachable bool) {
	type item struct {
		nid, parent uint32
		path        string
	}
	stack := []item{{nid: nid, parent: parent, path: parentPath}}
	for len(stack) > 0 {
		if w.ctx.Err() != nil {
			return
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if w.seenFolder[it.nid] {
			w.report(finding.FolderCycle, it.nid, it.parent, finding.NoOffset, 0,
				"folder 0x%X is listed again under %s: the folder tree loops", it.nid, folderRef(it.parent, it.path, unreachable))
			continue
		}
		w.seenFolder[it.nid] = true
		children := w.folder(it.nid, it.parent, it.path, unreachable)
		f := &w.out.Folders[w.folderIndex[it.nid]]
		for i := len(children) - 1; i >= 0; i-- {
			c := children[i]
			if _, ok := w.res.Node(c); !ok || !isFolderNID(c) {
				what := "which does not exist"
				if ok {
					what = "which is a " + ndb.NIDKind(c) + ", not a folder"
				}
				w.report(finding.FolderMissing, c, it.nid, finding.NoOffset, 0,
					"the hierarchy table of %s lists subfolder 0x%X, %s", folderRef(it.nid, f.Path, unreachable), c, what)
				// A normal folder whose node is lost still has a name (from
				// the row) and maybe its tables, and its items still name it
				// as their parent: walk it as a lost folder.
				if ok || c&0x1F != ndb.NIDTypeFolder {
					continue
				}
			}
			stack = append(stack, item{nid: c, parent: it.nid, path: f.Path})
		}
	}
}

// folder checks one folder and returns its subfolders' NIDs.
func (w *walker) folder(nid, parent uint32, parentPath string, unreachable bool) []uint32 {
	f := Folder{NID: nid, Parent: parent, Expected: -1, Unreachable: unreachable}
	defer func() {
		w.folderIndex[nid] = len(w.out.Folders)
		w.out.Folders = append(w.out.Folders, f)
	}()
	w.chk.mem.reset()
	name := unnamedFolder(nid)
	if s, ok := w.rowNames[nid]; ok && s != "" {
		name = s
	}
	contentCount := -1
	// rebuilt: its entry came from the rebuilt index, maybe an old copy of
	// it, naming an old copy of its heap.
	node, _ := w.res.Node(nid)
	rebuilt := node.Rebuilt
	data, subs, err := w.node(nid)
	var pc *ltp.PC
	if err == nil {
		pc, err = ltp.OpenPC(w.chk.mem.objects(), data, w.res.Decoder(), subnodeSet(subs))
		if err == nil {
			if s, ok := w.str(pc, propDisplayName); ok {
				name = s
			}
			if p, ok := pc.Get(propContentCount); ok && p.Type == ltp.TypeInt32 {
				contentCount = int(p.Value)
			}
		}
	}
	// A folder walked has its counts too: a lost listing among the unused
	// blocks may be its (placeUnlinked). One whose node is lost, or read
	// through the rebuilt index, has its current heap among them.
	if err != errMissing {
		w.unusedFolders.walkedFolder(nid, pc, !rebuilt)
	}
	switch {
	case err == errMissing:
		f.NodeLost = true // reported by the walk that found the row naming it
	case err != nil:
		w.fail(err, nid, nid, "folder")
	}
	// A "/" in a name would read as a level of the path: it is shown as
	// U+2215 (division slash), which looks the same and is not a separator.
	f.Name = strings.ReplaceAll(name, "/", "\u2215")
	name = f.Name
	switch {
	case nid == NIDRootFolder:
		f.Path = ""
	case parentPath == "":
		f.Path = name
	default:
		f.Path = parentPath + "/" + name
	}

	if nid&0x1F == ndb.NIDTypeSearchFolder {
		// A search folder holds no items of its own (its search contents
		// table lists messages that live in other folders), and the table
		// NIDs at its index belong to a normal folder, if one has it.
		return nil
	}
	base := nid &^ 0x1F
	hier, ok := w.table(base|ndb.NIDTypeHierarchyTable, nid, "hierarchy table", !f.NodeLost)
	w.subfoldersListed[nid] = ok
	var children []uint32
	if ok {
		children = hier.RowIDs
		w.nameRows(hier)
		w.unusedFolders.walkedRows(hier)
	}
	contents, ok := w.table(base|ndb.NIDTypeContentsTable, nid, "contents table", !f.NodeLost)
	w.itemsListed[nid] = ok
	f.Listed = ok
	var rows []uint32
	if ok {
		rows = contents.RowIDs
		f.Expected = len(rows)
		if contentCount >= 0 && contentCount != len(rows) {
			w.report(finding.FolderCount, nid, nid, finding.NoOffset, 0,
				"folder %s says it holds %d items; its contents table lists %d", folderRef(nid, f.Path, unreachable), contentCount, len(rows))
		}
	} else {
		f.Expected = contentCount
		// A folder node read through the rebuilt index may be an older
		// version of it (its entry from an old copy of a leaf page): its
		// count may be too, and so may not count every item.
		if rebuilt && contentCount >= 0 {
			w.countMayBeOld = true
		}
	}
	for _, m := range rows {
		w.enqueue(queued{nid: m, folder: nid, normal: true, listed: true})
	}
	if !ok && nid&0x1F == ndb.NIDTypeFolder {
		// The listing is lost: the messages that name this folder as
		// their parent are its items, found without their listing.
		for _, m := range w.children(nid) {
			w.enqueue(queued{nid: m, folder: nid, normal: true})
		}
	}
	if fai, ok := w.table(base|ndb.NIDTypeAssocContents, nid, "FAI contents table", !f.NodeLost); ok {
		f.FAI = len(fai.RowIDs)
		for _, m := range fai.RowIDs {
			w.enqueue(queued{nid: m, folder: nid, listed: true})
		}
	}
	return children
}

// unnamedFolder is the name of a folder whose name is lost.
func unnamedFolder(nid uint32) string { return fmt.Sprintf(unnamedPrefix+"%X)", nid) }

// unnamedPrefix starts the name of a folder whose own name is lost.
const unnamedPrefix = "(folder 0x"

// table opens a folder's table node. A table a folder lacks is not damage
// when the folder itself is lost (the loss is reported once); otherwise
// it is, as is a table that cannot be read, which then lists what its row
// index still names (listing).
func (w *walker) table(nid, folder uint32, what string, required bool) (*ltp.TC, bool) {
	tc, err, ok := w.openTable(nid)
	switch {
	case !ok && required:
		// Every normal folder has its three tables (only search folders,
		// which are not read here, lack some).
		w.report(finding.FolderTable, nid, folder, finding.NoOffset, 0,
			"folder 0x%X has no %s (node 0x%X)", folder, what, nid)
	case ok && err != nil:
		w.fail(err, nid, folder, what)
	}
	return w.tableOrListing(nid, tc, err, ok)
}

// tableAgain opens a table node table has opened before, reporting
// nothing: what it found is reported already.
func (w *walker) tableAgain(nid uint32) (*ltp.TC, bool) {
	tc, err, ok := w.openTable(nid)
	return w.tableOrListing(nid, tc, err, ok)
}

// tableOrListing is what openTable opened, or the listing of a table it
// could not open whole.
func (w *walker) tableOrListing(nid uint32, tc *ltp.TC, err error, ok bool) (*ltp.TC, bool) {
	switch {
	case !ok:
		return nil, false
	case err == nil:
		return tc, true
	}
	return w.listing(nid, err)
}

// openTable opens table node nid whole; ok is false when there is no such
// node.
func (w *walker) openTable(nid uint32) (tc *ltp.TC, err error, ok bool) {
	if _, ok := w.res.Node(nid); !ok {
		return nil, nil, false
	}
	if tc, err, big := w.bigTable(nid); big {
		return tc, err, true
	}
	data, subs, err := w.node(nid)
	if err != nil {
		return nil, err, true
	}
	tc, err = ltp.OpenTC(w.chk.mem.objects(), data, w.res.Decoder(), subnodeSet(subs), w.chk.mem.rowReader(w.res, subs))
	return tc, err, true
}

// listing reads what table node nid lists when the table could not be
// read whole for err (reported): its row index, which names every row,
// read past damaged blocks of the rows and cell values
// (ltp.OpenTCListing). A contents table of 240,000 rows spans thousands of
// blocks; without this, one bad block among them cost the listing of
// every item, each then found only by its parent NID. Only a block that
// cannot be read, or a cell value that cannot be found, leaves the index
// to be trusted: an index that disagrees with the rows (TC-ROWS) or a
// broken TCINFO or BTH does not. The table returned has the cells of the
// rows that can be read, for naming lost items.
func (w *walker) listing(nid uint32, err error) (*ltp.TC, bool) {
	var readErr *ndb.ReadError
	var tableErr *ltp.Error
	if !errors.As(err, &readErr) && !(errors.As(err, &tableErr) && tableErr.Code == finding.TCCell) {
		return nil, false
	}
	n, ok := w.res.Node(nid)
	if !ok {
		return nil, false
	}
	arena := w.chk.mem.blocks()
	blocks, err := w.res.AllDataBlocks(n.Data, arena)
	if err != nil {
		return nil, false
	}
	// The rows are read where their blocks can be, when the subnode tree
	// holding them can.
	var subnodes ltp.SubnodeSet
	var rows ltp.RowPages
	if subs, err := w.res.Subnodes(n.Sub, arena); err == nil {
		subnodes = subnodeSet(subs)
		rows = func(sub uint32) (*ltp.Pages, error) {
			blocks, err := w.res.AllDataBlocks(subs[sub].Data, arena)
			if err != nil {
				return nil, err
			}
			return w.pages(blocks, true), nil
		}
	}
	tc, err := ltp.OpenTCListing(w.chk.mem.objects(), w.pages(blocks, false), w.res.Decoder(), subnodes, rows)
	return tc, err == nil
}

// bigTableBytes is the size of table data from which a folder's table is
// read block by block rather than whole: a contents table of 240,000 rows
// holds over 100 MB.
var bigTableBytes = 4 << 20

// bigTable opens table node nid block by block when its data is larger
// than bigTableBytes (big false otherwise, when nothing is read yet), or
// returns the error reading it whole would end in.
func (w *walker) bigTable(nid uint32) (tc *ltp.TC, err error, big bool) {
	n, ok := w.res.Node(nid)
	if !ok {
		return nil, nil, false
	}
	arena := w.chk.mem.blocks()
	blocks, size, err := w.res.DataBlocks(n.Data, arena)
	if size <= bigTableBytes {
		return nil, nil, false // read whole, as the errors say
	}
	subs, subErr := w.res.Subnodes(n.Sub, arena)
	switch {
	case subErr != nil:
		return nil, subErr, true
	case err != nil:
		// A block fails: read whole, the table would fail as node says
		// after holding every block before that one; its listing reads
		// it block by block.
		return nil, ndb.WholeReadError(n.Data, size, err), true
	}
	tc, err = ltp.OpenTCPages(w.chk.mem.objects(), w.pages(blocks, false), w.res.Decoder(), subnodeSet(subs), w.rowPages(subs, arena))
	return tc, err, true
}

// rowPages reads the row matrices of a table with subnodes subs block by
// block (ltp.OpenTCPages), their block lists read into arena.
func (w *walker) rowPages(subs map[uint32]ndb.Subnode, arena *ndb.Arena) ltp.RowPages {
	return func(sub uint32) (*ltp.Pages, error) {
		blocks, _, err := w.res.DataBlocks(subs[sub].Data, arena)
		if err != nil {
			return nil, err
		}
		return w.pages(blocks, true), nil
	}
}

// pages reads blocks one at a time, through the walker's window, decoded
// when decode is set (a row matrix; a heap decodes what it reads).
func (w *walker) pages(blocks []ndb.Block, decode bool) *ltp.Pages {
	p := &ltp.Pages{Blocks: blocks, Sizes: make([]int, len(blocks))}
	for i, b := range blocks {
		p.Sizes[i] = w.res.BlockSize(b.BID)
	}
	p.Read = func(i int, buf []byte) ([]byte, error) {
		b, err := w.res.ReadBlock(blocks[i].BID, buf, w.chk.mem.blocks())
		if err == nil && decode {
			w.res.Decode(blocks[i].BID, 0, b)
		}
		return b, err
	}
	return p
}

// nameRows keeps the names a hierarchy table gives its subfolders, for
// those whose own node or properties turn out to be lost.
func (w *walker) nameRows(tc *ltp.TC) {
	for r, id := range tc.RowIDs {
		if s, ok := w.cellString(tc, r, propDisplayName); ok {
			w.rowNames[id] = s
		}
	}
}

// cellInt32 reads a 32-bit integer cell of a table row.
func cellInt32(tc *ltp.TC, row int, id uint16) (int32, bool) {
	v, ok := tc.Cell(row, uint32(id)<<16|ltp.TypeInt32)
	return int32(v), ok
}

// cellString decodes a string cell of a table row.
func (w *walker) cellString(tc *ltp.TC, row int, id uint16) (string, bool) {
	for _, t := range []uint16{ltp.TypeString, ltp.TypeString8} {
		hnid, ok := tc.Cell(row, uint32(id)<<16|uint32(t))
		if !ok || !ltp.IsHID(hnid) {
			continue
		}
		b, err := tc.Heap.Item(ltp.HID(hnid))
		if err != nil {
			continue
		}
		return decodeString(t, b, w.codepage)
	}
	return "", false
}

// unlisted gives every message node no folder listing reached a place:
// messages whose parent folder was walked with its listing read are
// orphans (orphans reports them); the others name a folder whose node is
// lost without a trace, which becomes a folder of its own, found only from
// its items.
func (w *walker) unlisted() {
	var short map[uint32]int // lazily: shortOf
	for _, n := range w.res.NBT.All() {
		t := n.NID & 0x1F
		if (t != ndb.NIDTypeMessage && t != ndb.NIDTypeAssocMessage) || w.queuedAlready(n.NID) {
			continue
		}
		if _, ok := w.folderIndex[n.Parent]; !ok && t == ndb.NIDTypeMessage {
			if short == nil {
				short = w.shortOf()
			}
			if f, ok := oneBitFrom(n.Parent, short); ok {
				short[f]--
				n.Parent = f
			}
		}
		if w.itemsListed[n.Parent] {
			w.orphaned = append(w.orphaned, n.NID)
		}
		if _, ok := w.folderIndex[n.Parent]; !ok {
			w.folderIndex[n.Parent] = len(w.out.Folders)
			w.out.Folders = append(w.out.Folders, Folder{NID: n.Parent, Name: unnamedFolder(n.Parent),
				Path:     UnreachablePrefix + "/" + unnamedFolder(n.Parent),
				Expected: -1, NodeLost: true, Unreachable: true})
		}
		w.enqueue(queued{nid: n.NID, folder: n.Parent, normal: t == ndb.NIDTypeMessage})
	}
}

// nestUnreachable gives each folder the hierarchy does not reach the
// path of the folders it names as parents, as far as they are known:
// "(unreachable)/(folder 0x2182)/sub1", not "(unreachable)/sub1". Such a
// folder was walked before its parent was known (a parent whose node is
// lost is known only once its messages name it, unlisted; one with a
// larger NID is walked after it), and export, repair and a user choosing
// folders by their paths take the same nesting. Parents are followed
// until one is unknown or reached again (a loop).
func (w *walker) nestUnreachable() {
	done := map[uint32]bool{}
	var path func(i int, seen map[uint32]bool) string
	path = func(i int, seen map[uint32]bool) string {
		f := &w.out.Folders[i]
		if !f.Unreachable || done[f.NID] {
			return f.Path
		}
		seen[f.NID] = true
		parent := UnreachablePrefix
		if j, ok := w.folderIndex[f.Parent]; ok && f.Parent != f.NID && !seen[f.Parent] && w.out.Folders[j].Unreachable {
			parent = path(j, seen)
		}
		f.Path = parent + "/" + f.Name
		done[f.NID] = true
		return f.Path
	}
	for i := range w.out.Folders {
		path(i, map[uint32]bool{})
	}
}

// shortOf returns the folders walked whose listing is lost and whose
// count names more items than the messages that name them as parent,
// with how many more.
func (w *walker) shortOf() map[uint32]int {
	queued := map[uint32]int{}
	for _, q := range w.queue {
		if q.normal {
			queued[q.folder]++
		}
	}
	short := map[uint32]int{}
	for _, f := range w.out.Folders {
		if !f.Listed && !f.NodeLost && !f.Unreachable && f.Expected > queued[f.NID] {
			short[f.NID] = f.Expected - queued[f.NID]
		}
	}
	return short
}

// oneBitFrom returns the one folder of short (still short of items) whose
// NID differs from parent, which names no folder, in one bit: a message
// whose entry names it is that folder's, its parent NID changed by a
// flipped bit (a bit flipped on an index page whose checksum fails, which
// the rebuild weighs and uses). Else the message names a folder lost
// without a trace, which becomes a folder of its own (unlisted).
func oneBitFrom(parent uint32, short map[uint32]int) (uint32, bool) {
	var found uint32
	n := 0
	for bit := range 32 {
		if f := parent ^ 1<<bit; short[f] > 0 {
			found, n = f, n+1
		}
	}
	return found, n == 1
}

// enqueue queues a message to be checked, unless it is queued already: an
// item listed twice is counted once, where first found.
func (w *walker) enqueue(q queued) {
	if w.queuedAlready(q.nid) {
		return
	}
	if i := w.res.NodeIndex(q.nid); i >= 0 {
		w.queuedNode[i>>6] |= 1 << (i & 63)
	} else {
		w.queuedMissing[q.nid] = true
	}
	w.queue = append(w.queue, q)
}

func (w *walker) queuedAlready(nid uint32) bool {
	if i := w.res.NodeIndex(nid); i >= 0 {
		return w.queuedNode[i>>6]&(1<<(i&63)) != 0
	}
	return w.queuedMissing[nid]
}

// children returns the message nodes that name folder as their parent.
func (w *walker) children(folder uint32) []uint32 {
	if w.byParent == nil {
		w.byParent = map[uint32][]uint32{}
		for _, n := range w.res.NBT.All() {
			if n.NID&0x1F == ndb.NIDTypeMessage {
				w.byParent[n.Parent] = append(w.byParent[n.Parent], n.NID)
			}
		}
	}
	return w.byParent[folder]
}
