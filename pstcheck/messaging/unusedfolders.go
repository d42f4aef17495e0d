package messaging

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A message known only by its heap (MSG-UNLINKED) names no folder: a
// message heap keeps no parent. With the node index destroyed, every one
// of a store's messages is such, and all went to Recovered items in one
// heap of thousands. The folders' tables are still among the unused blocks
// (unusedContentsRows reads them): a hierarchy table's rows name its
// subfolders (NID, display name, item and unread counts), a contents
// table's rows its messages. Which folder a contents table is the
// listing of is kept nowhere; but its row count and the rows not flagged
// read are the folder's item and unread counts, which its row in the
// parent's hierarchy table keeps, and its own property heap. Where exactly
// one folder is known to have a table's counts (by any row or heap, used
// or not: settle) and exactly one table has them, the table is that
// folder's, and a message whose rows are all in it (those of its heap's
// last modification time, where both keep one: a copy in another folder
// may have been changed at another time) is the folder's.
//
// Which folder each hierarchy table belongs to is kept nowhere either, so
// the folders are known by their names, not their places in the tree:
// export and repair write such a message to a folder of that name under
// Recovered items.

// tableFacts is what the rows of a table read whole say of its folder.
type tableFacts struct {
	// messages and unread count the rows of normal messages and of those
	// not flagged read; other counts the other rows (a hierarchy table's
	// folders, an FAI table's items): a folder's contents table has none.
	messages, unread, other int
	// folders are a hierarchy table's rows of folders, normal and search
	// folders.
	folders []FolderRow
}

// FolderRow is what a hierarchy table's row says of a folder: its name
// and container class ("IPF.Appointment"; "" where none is kept), and its
// item and unread counts.
type FolderRow struct {
	NID         uint32
	Name, Class string
	counts      folderCounts
}

const (
	propContentUnreadCount = 0x3603
	propContainerClass     = 0x3613
)

// tableFactsOf counts tc's rows and reads its folder rows.
func (w *walker) tableFactsOf(tc *ltp.TC) tableFacts {
	var f tableFacts
	for r, id := range tc.RowIDs {
		switch id & 0x1F {
		case ndb.NIDTypeMessage:
			f.messages++
			if flags, ok := cellInt32(tc, r, propMessageFlags); !ok || flags&msgFlagRead == 0 {
				f.unread++
			}
		case ndb.NIDTypeFolder, ndb.NIDTypeSearchFolder:
			f.other++
			name, okName := w.cellString(tc, r, propDisplayName)
			class, _ := w.cellString(tc, r, propContainerClass)
			if okName && len(f.folders) < maxUnusedTables {
				f.folders = append(f.folders, FolderRow{NID: id, Name: name, Class: class, counts: rowCounts(tc, r)})
			}
		default:
			f.other++
		}
	}
	return f
}

// unusedFolders gathers, as unusedContentsRows reads the unused tables,
// the folders their hierarchy rows name and the counts of each contents
// table, and then (settle) which folder each table lists.
type unusedFolders struct {
	// folders are the unused hierarchy rows by NID; twice marks a NID
	// two rows describe apart (an older copy of a table): it is placed
	// by neither.
	folders map[uint32]FolderRow
	twice   map[uint32]bool
	// heaps are the folders' own property heaps among the unused blocks,
	// by their item and unread counts and names: a folder whose hierarchy
	// row is lost is still known by its heap.
	heaps []heapCounts
	// known are the counts each folder is known to have, by NID: from
	// the unused hierarchy rows, and for the folders the walk reaches from
	// their own heaps and their rows in the hierarchy tables walked. A
	// folder known with two counts has both. walked are the folders whose
	// heap in use is their current one (not read through the rebuilt
	// index).
	known  []knownCounts
	walked map[uint32]bool
	// overflow says more folders or folder heaps were met than are kept
	// (maxFolders): one left out might share a table's counts, so none
	// is placed.
	overflow bool
	// tables are the contents tables read, each with the blocks holding
	// the rows kept of it (a block holds one table's rows).
	tables  []listingTable
	ofBlock map[uint64]int // row block -> index in tables (-1: two tables)
	// placed are the folders a table was found to list, by NID.
	placed map[uint32]FolderRow
}

type listingTable struct {
	messages, unread int
	folder           uint32 // 0: unknown
	search           bool   // a search folder's (settle)
}

type folderCounts struct{ items, unread int }

// maxFolders bounds the folders and folder heaps kept: a store past
// Outlook's guidance of 500 folders has thousands, not tens of thousands.
const maxFolders = 1 << 16

// maxFolderName bounds a folder name kept (Outlook keeps at most 255
// characters): a longer one is no folder's, and none is placed.
const maxFolderName = 1024

// heapCounts are a folder's property heap's counts and name.
type heapCounts struct {
	counts folderCounts
	name   string
}

type knownCounts struct {
	nid    uint32
	counts folderCounts
}

// know notes that folder nid has counts c.
func (u *unusedFolders) know(nid uint32, c folderCounts) {
	if len(u.known) == maxFolders {
		u.overflow = true
		return
	}
	u.known = append(u.known, knownCounts{nid, c})
}

// rowCounts are the item and unread counts a hierarchy table's row keeps
// (a count a row lacks is 0: support.pst's writer keeps none for an empty
// folder, nor an unread count of 0).
func rowCounts(tc *ltp.TC, r int) folderCounts {
	items, _ := cellInt32(tc, r, propContentCount)
	unread, _ := cellInt32(tc, r, propContentUnreadCount)
	return folderCounts{int(items), int(unread)}
}

// pcCounts are the item and unread counts a folder's property heap keeps
// (a missing unread count is 0, as in a row).
func pcCounts(pc *ltp.PC) (folderCounts, bool) {
	items, ok := pc.Get(propContentCount)
	unread, _ := pc.Get(propContentUnreadCount)
	if !ok || items.Type != ltp.TypeInt32 || unread.Type != ltp.TypeInt32 && unread.Type != 0 {
		return folderCounts{}, false
	}
	return folderCounts{int(int32(items.Value)), int(int32(unread.Value))}, true
}

// walkedFolder notes a folder the walk reaches, with its property heap
// (nil: not read); inUse says that heap is its current one, so that no
// unused heap is.
func (u *unusedFolders) walkedFolder(nid uint32, pc *ltp.PC, inUse bool) {
	if inUse {
		if u.walked == nil {
			u.walked = map[uint32]bool{}
		}
		u.walked[nid] = true
	}
	if pc == nil {
		return
	}
	if c, ok := pcCounts(pc); ok {
		u.know(nid, c)
	}
}

// walkedRows notes the counts the rows of a hierarchy table walked give
// their folders.
func (u *unusedFolders) walkedRows(tc *ltp.TC) {
	for r, nid := range tc.RowIDs {
		u.know(nid, rowCounts(tc, r))
	}
}

// folderHeap notes a property heap among the unused blocks that keeps a
// folder's counts, and its name.
func (u *unusedFolders) folderHeap(pc *ltp.PC, name string) {
	c, ok := pcCounts(pc)
	if !ok {
		return
	}
	if len(u.heaps) == maxFolders {
		u.overflow = true
		return
	}
	u.heaps = append(u.heaps, heapCounts{c, name})
}

// table notes a table read whole, with its rows kept (of heaps' keys).
func (u *unusedFolders) table(f tableFacts, rows []version) {
	for _, r := range f.folders {
		if u.folders == nil {
			u.folders, u.twice = map[uint32]FolderRow{}, map[uint32]bool{}
		}
		if len(u.folders) == maxFolders || len(r.Name) > maxFolderName {
			u.overflow = true
			break
		}
		if old, ok := u.folders[r.NID]; ok && old != r {
			u.twice[r.NID] = true
		}
		u.folders[r.NID] = r
		u.know(r.NID, r.counts)
	}
	if f.other > 0 || f.messages == 0 || len(u.tables) == maxUnusedTables {
		return
	}
	i := len(u.tables)
	u.tables = append(u.tables, listingTable{messages: f.messages, unread: f.unread})
	if u.ofBlock == nil {
		u.ofBlock = map[uint64]int{}
	}
	for _, r := range rows {
		if j, ok := u.ofBlock[r.block]; ok && j != i {
			u.ofBlock[r.block] = -1
		} else {
			u.ofBlock[r.block] = i
		}
	}
}

// settle gives each contents table the normal folder known to have its
// counts when no other folder is (by an unused hierarchy row, or, for a
// folder the walk reaches, its own heap or its row in a hierarchy table
// walked; search folders too, whose tables list other folders' messages)
// and no other table has them, and the folder is known by one unused row
// for its name. A folder whose row is lost is still known by its heap
// among the unused blocks: a heap of those counts bars the match, unless
// the folder is not walked and the heap has its name (the folder's own
// heap, or an older copy of it left among the unused blocks; or another
// folder of the same name, which is all a folder not walked is placed
// by). A walked folder's own heap is in use: any unused one of its
// counts is another's. A table that alone has the counts of a search
// folder alone is that folder's: its rows list messages of other folders,
// and tell none where they are.
func (u *unusedFolders) settle() {
	if u.overflow {
		return
	}
	type group struct {
		nids   []uint32
		tables []int
	}
	groups := map[folderCounts]*group{}
	for _, k := range u.known {
		g := groups[k.counts]
		if g == nil {
			g = &group{}
			groups[k.counts] = g
		}
		if !slices.Contains(g.nids, k.nid) {
			if len(g.nids) == 2 {
				continue // two are as many as tell none
			}
			g.nids = append(g.nids, k.nid)
		}
	}
	for i, t := range u.tables {
		if g := groups[folderCounts{t.messages, t.unread}]; g != nil {
			g.tables = append(g.tables, i)
		}
	}
	barred := map[folderCounts]bool{}
	for _, h := range u.heaps {
		if g := groups[h.counts]; g != nil && len(g.nids) == 1 && (u.walked[g.nids[0]] || h.name != u.folders[g.nids[0]].Name) {
			barred[h.counts] = true
		}
	}
	for c, g := range groups {
		if len(g.tables) != 1 || len(g.nids) != 1 || barred[c] {
			continue
		}
		nid := g.nids[0]
		if nid&0x1F == ndb.NIDTypeSearchFolder {
			u.tables[g.tables[0]].search = true
			continue
		}
		if _, named := u.folders[nid]; named && nid&0x1F == ndb.NIDTypeFolder && !u.twice[nid] {
			u.place(g.tables[0], nid)
		}
	}
}

// place gives table t folder nid.
func (u *unusedFolders) place(t int, nid uint32) {
	u.tables[t].folder = nid
	if u.placed == nil {
		u.placed = map[uint32]FolderRow{}
	}
	u.placed[nid] = u.folders[nid]
}

// listedBy is the folder rows list a message in: none yet (0), one
// folder, or not one that can be told (notOne).
type listedBy uint32

const notOne = ^listedBy(0)

// and is what rows listing a message in a and in b say together.
func (a listedBy) and(b listedBy) listedBy {
	switch {
	case a == 0:
		return b
	case b == 0 || a == b:
		return a
	}
	return notOne
}

// of is the folder whose table row r is in (notOne: a table whose folder
// is not known; 0: a search folder's, which tells none).
func (u *unusedFolders) of(r version) listedBy {
	if i, ok := u.ofBlock[r.block]; ok && i >= 0 && u.tables[i].folder != 0 {
		return listedBy(u.tables[i].folder)
	} else if ok && i >= 0 && u.tables[i].search {
		return 0
	}
	return notOne
}

// placeUnlinked gives each message known only by its heap the folder
// whose contents table, among the unused blocks, alone lists it: by the
// rows of its subject and time, those of its heap's last modification
// time (and those that keep none) where its heap keeps one. The rows of
// a subject and time are gone through once, however many messages share
// them (enron.pst's calendar holds 551 alike).
func (w *walker) placeUnlinked() {
	if len(w.out.Unlinked) == 0 || w.ctx.Err() != nil {
		return
	}
	rows := w.unusedContentsRows()
	w.nameUnnamedFolders()
	w.nestUnreachable() // the names in the paths below a folder named here
	if len(w.unusedFolders.placed) == 0 {
		return
	}
	w.out.UnusedFolders = w.unusedFolders.placed
	// The messages in order of subject and time, so that the rows of each
	// are gone through once, by the last modification time they show (0:
	// none) with the folder listing them.
	keys := make([]rowKey, len(w.out.Unlinked))
	order := make([]int32, len(w.out.Unlinked))
	for i, u := range w.out.Unlinked {
		keys[i], order[i] = exactKey(printOf(u.Subject, u.Time()), u.Time()), int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		return cmp.Or(cmp.Compare(keys[a].print, keys[b].print), cmp.Compare(keys[a].time, keys[b].time))
	})
	var k map[int64]listedBy
	for j, i := range order {
		u := &w.out.Unlinked[i]
		if j == 0 || keys[i] != keys[order[j-1]] {
			k = map[int64]listedBy{}
			for _, r := range rows.of(keys[i]) {
				k[r.modified] = k[r.modified].and(w.unusedFolders.of(r))
			}
		}
		var f listedBy
		if u.modified == 0 {
			for _, g := range k {
				f = f.and(g)
			}
		} else {
			f = k[u.modified].and(k[0])
		}
		if f != notOne {
			u.Folder = uint32(f)
		}
	}
}

// nameUnnamedFolders names the folders the walk found without a name (a
// folder whose node is lost, known from its messages' parent NID, is
// "(folder 0x8242)") as the unused hierarchy tables' rows do, in their
// paths and their subfolders'. The walk lists a folder before its
// subfolders, and a path is its parent's and its own name: each changed
// path is noted, and a path whose leading levels are a changed one's
// takes its new form.
func (w *walker) nameUnnamedFolders() {
	changed := map[string]string{} // path as walked -> new
	for i := range w.out.Folders {
		f := &w.out.Folders[i]
		old := f.Path
		if j := strings.LastIndexByte(old, '/'); j > 0 {
			if to, ok := changed[old[:j]]; ok {
				f.Path = to + old[j:]
			}
		}
		r, ok := w.unusedFolders.folders[f.NID]
		if ok && r.Name != "" && !w.unusedFolders.twice[f.NID] && f.Name == unnamedFolder(f.NID) && strings.HasSuffix(f.Path, f.Name) {
			f.Name = strings.ReplaceAll(r.Name, "/", "\u2215")
			f.Path = strings.TrimSuffix(f.Path, unnamedFolder(f.NID)) + f.Name
		}
		if f.Path != old {
			changed[old] = f.Path
		}
	}
}
