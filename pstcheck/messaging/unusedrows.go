package messaging

import (
	"cmp"
	"slices"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// When the node index is destroyed, a message read from its blocks alone
// is taken for its last version only when no unused block that fails may
// be a newer one (readsWhole): a heap older than such a block may be a
// version its message has since left. One zeroed sector among a store's
// message heaps then bars every message written before it.
//
// The folders' contents tables are still among the unused blocks. Each row
// keeps its message's last modification time, and a change to a message
// rewrites its row, into a block with a BID larger than any before. So a
// row in a block newer than every unused block that fails was written
// after each of them: if one of those were a newer version of the
// message, the row would show its time. A heap whose subject, time and
// last modification time such a row shows is its message's last version.
// Only a store whose BBT was read whole is looked at: elsewhere a newer
// version may be missing without a trace.
//
// A row also says its message is a folder's, not one embedded in an
// attachment whose tree is lost (rowsList): a heap that needs no subnode
// tree, or one that a single failing tree would otherwise keep from its
// own (oneTreeFails), is taken when a row lists it (the corpus OSTs'
// message heaps keep no last modification time: their rows still list
// them, though they tell no version). And the tables tell which folder
// lists such a message (unusedfolders.go).

// version is a version of a message: its subject and time (rowKeys'
// exact key), its last modification time (exactTime), and, for a row, the
// block holding it.
type version struct {
	key      rowKey
	modified int64
	block    uint64
}

// versions are kept one after the other (32 bytes each, where a map of
// slices took over 100), at most maxVersions, and sorted by key when
// first looked up; modified is 0 where none is kept.
type versions struct {
	all    []version
	sorted bool
}

func (v *versions) add(x version) {
	if len(v.all) < maxVersions {
		v.all = append(v.all, x)
		v.sorted = false
	}
}

// of returns the versions of key.
func (v *versions) of(key rowKey) []version {
	byKey := func(a version, k rowKey) int {
		return cmp.Or(cmp.Compare(a.key.print, k.print), cmp.Compare(a.key.time, k.time))
	}
	if !v.sorted {
		slices.SortFunc(v.all, func(a, b version) int { return byKey(a, b.key) })
		v.sorted = true
	}
	i, _ := slices.BinarySearchFunc(v.all, key, byKey)
	j := i
	for j < len(v.all) && v.all[j].key == key {
		j++
	}
	return v.all[i:j]
}

// exactKey is the key a message of fingerprint p and time when is looked
// up by among versions.
func exactKey(p uint64, when time.Time) rowKey {
	k := rowKeys(p, when)
	return k[len(k)-1]
}

// Bounds on the unused tables read: the tables, the pairings of a table
// with a subnode tree tried, and the versions kept (of heaps, of rows).
const (
	maxUnusedTables   = 1 << 12
	maxRowMatrixTries = 1 << 14
	maxVersions       = 1 << 20
)

// unusedContentsRows reads, once, the rows of the tables among the blocks
// no node uses, those of a subject and time a heap has (heapVersions):
// every table whose heap is linked to nothing, with its row matrix in the
// heap or in the one unused subnode tree it opens with (a table two trees
// open with is passed over). A tree is tried only when the subnode it
// keeps under the matrix's NID is of a size that holds as many rows as the
// table's index lists (matrixMayHold): writers that number a table's
// matrix as messages number a large value (the project's own) have every
// message's tree keep that NID.
func (w *walker) unusedContentsRows() *versions {
	if w.unusedRows != nil {
		return w.unusedRows
	}
	w.unusedRows = &versions{}
	type table struct {
		bid    uint64
		matrix ltp.RowMatrix
	}
	var tables []table
	wanted := map[uint32]bool{}
	heaps := append([]uint64(nil), w.unusedTrees.DataTrees...)
	for i, bid := range w.res.Unlinked {
		if !w.unusedTrees.ListsUnlinked(i) && (i/64 >= len(w.propertyHeaps) || w.propertyHeaps[i/64]&(1<<(i%64)) == 0) {
			heaps = append(heaps, bid)
		}
	}
	for _, bid := range heaps {
		if len(tables) == maxUnusedTables || w.ctx.Err() != nil {
			break
		}
		if sig, heap, _ := w.heapClientOf(bid); !heap || sig != ltp.ClientTC {
			continue
		}
		w.chk.mem.reset()
		blocks, _, err := w.res.DataBlocks(bid, w.chk.mem.blocks())
		if err != nil {
			continue
		}
		m, err := ltp.RowMatrixOf(w.chk.mem.objects(), w.pages(blocks, false), w.res.Decoder())
		if err != nil {
			continue
		}
		tables = append(tables, table{bid, m})
		if m.NID != 0 {
			wanted[m.NID] = true
		}
	}
	// The unused trees that hold each row matrix subnode a table names,
	// with that subnode's size.
	type holder struct {
		root, size uint64
	}
	holding := map[uint32][]holder{}
	for _, root := range w.unusedTrees.Roots {
		if w.ctx.Err() != nil {
			break
		}
		w.chk.mem.reset()
		subs, err := w.res.Subnodes(root, w.chk.mem.blocks())
		if err != nil {
			continue
		}
		for nid, s := range subs {
			if !wanted[nid] {
				continue
			}
			if size, ok := w.dataSize(s.Data); ok {
				holding[nid] = append(holding[nid], holder{root, size})
			}
		}
	}
	// Each table is tried with every tree that may hold its rows, or
	// none: one it opens with twice is not told. The rows of the first it
	// opens with are gathered as it is read, and kept once no other opens.
	tries := 0
	var rows []version
	var facts, first tableFacts
	for _, t := range tables {
		trees := []uint64{0} // the heap holds the rows
		if t.matrix.NID != 0 {
			trees = nil
			for _, h := range holding[t.matrix.NID] {
				if matrixMayHold(h.size, t.matrix) {
					trees = append(trees, h.root)
				}
			}
		}
		if tries += len(trees); tries > maxRowMatrixTries || w.ctx.Err() != nil {
			break
		}
		rows = rows[:0]
		fits := 0
		for _, root := range trees {
			into := &rows
			if fits > 0 {
				into = nil
			}
			if w.readUnusedTable(t.bid, root, into, &facts) {
				if fits++; fits > 1 {
					break
				}
				first = facts
			}
		}
		if fits == 1 {
			for _, v := range rows {
				w.unusedRows.add(v)
			}
			w.unusedFolders.table(first, rows)
		}
	}
	w.unusedFolders.settle()
	return w.unusedRows
}

// dataSize is how many bytes the data tree bid holds, as its root block
// says (a data block's size, an XBLOCK's or XXBLOCK's total).
func (w *walker) dataSize(bid uint64) (uint64, bool) {
	if !ndb.IsInternal(bid) {
		n := w.res.BlockSize(bid)
		return uint64(n), n > 0
	}
	d, err := w.res.OpenData(bid)
	if err != nil {
		return 0, false
	}
	defer d.Close()
	return uint64(d.Size()), true
}

// matrixMayHold says whether a row matrix of size bytes may hold m's rows:
// each of its blocks holds as many whole rows as fit and at least one, the
// rest of it padding shorter than a row, so it holds the rows' bytes and
// less than as much again.
func matrixMayHold(size uint64, m ltp.RowMatrix) bool {
	rows := uint64(m.Rows) * uint64(m.RowSize)
	return m.Rows > 0 && rows <= size && size < 2*rows
}

// readUnusedTable opens the table whose heap is the data tree bid, with
// its row matrix in the unused subnode tree root (0: none), block by
// block; it says whether the table reads whole, and adds to into (nil:
// nowhere) its rows of a subject and time a heap has, and to facts what
// its rows say of its folder (unusedFolders).
func (w *walker) readUnusedTable(bid, root uint64, into *[]version, facts *tableFacts) bool {
	w.chk.mem.reset()
	arena := w.chk.mem.blocks()
	blocks, _, err := w.res.DataBlocks(bid, arena)
	if err != nil {
		return false
	}
	var subs map[uint32]ndb.Subnode
	if root != 0 {
		if subs, err = w.res.Subnodes(root, arena); err != nil {
			return false
		}
	}
	tc, err := ltp.OpenTCPages(w.chk.mem.objects(), w.pages(blocks, false), w.res.Decoder(), subnodeSet(subs), w.rowPages(subs, arena))
	if err != nil {
		return false
	}
	if into == nil {
		return true
	}
	*facts = w.tableFactsOf(tc)
	for r, id := range tc.RowIDs {
		if len(*into) == maxVersions {
			break
		}
		if id&0x1F != ndb.NIDTypeMessage {
			continue
		}
		subject, _ := w.cellString(tc, r, propSubject)
		when, modified := rowTime(tc, r)
		key := exactKey(printOf(StripSubjectPrefix(subject), when), when)
		if len(w.heapVersions.of(key)) > 0 {
			*into = append(*into, version{key: key, modified: exactTime(modified), block: tc.RowBlock(r)})
		}
	}
	return true
}

// rowsList says whether a row of the unused contents tables lists a
// message of the subject and time row has: a message of a folder.
func (w *walker) rowsList(row RowInfo) bool {
	return len(w.unusedContentsRows().of(exactKey(printOf(row.Subject, row.Time), row.Time))) > 0
}

// rowsShowCurrent says whether the rows of the unused contents tables show
// that a heap of its message's subject and time (as row has them, or the
// heap itself), last modified at mod, is its message's last version: a
// row written after every unused block that fails and may be a message's
// heap shows that time, and every other such row shows the time of another heap of
// the same subject and time (a copy of the message in another folder):
// one that shows a time no heap has may be a newer version's.
func (w *walker) rowsShowCurrent(row RowInfo, mod time.Time) bool {
	if !w.res.BBTWhole || mod.IsZero() {
		return false
	}
	key, at := exactKey(printOf(row.Subject, row.Time), row.Time), exactTime(mod)
	heaps := w.heapVersions.of(key)
	shown := false
	for _, r := range w.unusedContentsRows().of(key) {
		switch {
		case r.block <= w.newestFailing.Data, r.modified == 0:
		case r.modified == at:
			shown = true
		case !slices.ContainsFunc(heaps, func(h version) bool { return h.modified == r.modified }):
			return false
		}
	}
	return shown
}
