package pstcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// Store is a scanned file kept open, read-only, so that its readable items
// can be read (pstcheck export). Only structures the scan validated are
// read through it.
type Store struct {
	Report *Report
	// Folders is the folder tree the scan walked: each folder's NID, its
	// parent's and its name, so that folders of the same path can be told
	// apart.
	Folders []messaging.Folder
	// Reader reads the items Items lists.
	Reader *messaging.Reader
	m      *messaging.Result
	in     *input
}

// RecoveredFolder is where items go that no folder lists any more, and
// folders the store's hierarchy no longer reaches.
const RecoveredFolder = "Recovered items"

// ItemState is what became of an item: readable, damaged, lost or
// recovered (see Folder).
type ItemState = messaging.ItemState

// The item states.
const (
	ItemReadable  = messaging.Readable
	ItemDamaged   = messaging.Damaged
	ItemLost      = messaging.Lost
	ItemRecovered = messaging.Recovered
)

// Item is one normal item of the store, where it belongs and what became
// of it.
type Item struct {
	NID       uint32
	FolderNID uint32
	// Folder is the path the item belongs under: its folder's path ("" for
	// the root), or under RecoveredFolder for an item no folder lists and
	// for a folder the hierarchy does not reach.
	Folder string
	// FolderClass is the container class ("IPF.Appointment") of the
	// folder Folder ends in, for a message known only by its heap placed
	// in a folder the walk did not reach (its parent's hierarchy row keeps
	// it; "" where none is known): repair gives the folder it makes that
	// class.
	FolderClass string
	State       ItemState
	// Subject and Time come from the item's contents-table row, for lost
	// and damaged items whose row survives: often all that names them.
	Subject string
	Time    time.Time
	// Problem lists the damage the scan found in the item.
	Problem string
	// Orphan says no folder lists the item although its folder's listing
	// was read whole: it is saved under RecoveredFolder.
	Orphan bool
	// NamesLost says the item is whole but for its named properties,
	// which the store's lost name-to-ID map cannot resolve: it can be
	// written, marked, without them.
	NamesLost bool
	// Associated says the item is one of its folder's hidden (folder
	// associated) items: a view, a rule, the category list. Only
	// ItemsAndAssociated yields them.
	Associated bool
	// Salvage, for a lost item, are the blocks that still hold it
	// although its node is gone (Data 0: none): what is left of it can be
	// written, marked (ReadMessage, ReadItem). For a recovered item they
	// are Whole: the item is read from them as from its node.
	Salvage messaging.Remains
}

// ReadMessage reads x's message with r as opts say: through its node; for
// an item recovered from the blocks that hold it although its node is
// gone (x.Salvage.Whole), from those; or, for a lost item whose
// properties survive (x.Salvage), what is left of it, always leniently.
func ReadMessage(r *messaging.Reader, x Item, opts messaging.ReadOptions) (*messaging.Message, []string, error) {
	switch {
	case x.Salvage.Whole:
		return r.ReadRemains(x.NID, x.Salvage, opts)
	case x.State == ItemLost && x.Salvage.Data != 0:
		return r.Salvage(x.NID, x.Salvage, opts)
	}
	return r.Read(x.NID, opts)
}

// ReadItem reads x to be copied out of the store (export, repair) with
// read, which reads the item's message (ReadMessage), strictly or
// leniently. A nil message means the item is skipped, for the reason
// given; a message with a reason is written marked as damaged: only with
// includeDamaged, with what a lenient read gets, the parts it could not
// read named. An item whole but for its named properties (x.NamesLost)
// is written, marked, without includeDamaged too: only those fields are
// missing, and the scan counts it among the items a copy saves. A lost
// item is written only when its properties survive (x.Salvage), and then
// only with includeDamaged: what is left of it.
func ReadItem(x Item, read func(lenient bool) (*messaging.Message, []string, error), includeDamaged bool) (*messaging.Message, string) {
	damage := x.Problem
	switch x.State {
	case ItemLost:
		if damage == "" {
			damage = "its listing names it, but its data is gone"
		}
		damage = "lost: " + damage
		if x.Salvage.Data == 0 || !includeDamaged {
			return nil, damage
		}
		m, problems, err := read(true)
		if err != nil {
			return nil, damage + "; its properties could not be read: " + err.Error()
		}
		if x.Salvage.Sub != 0 {
			damage += "; written from what survives of it, its subnodes found as the one unused subnode tree that fits it"
		} else {
			damage += "; written from its properties alone"
		}
		if len(problems) > 0 {
			damage += "; not written: " + strings.Join(problems, "; ")
		}
		return m, damage
	case ItemReadable, ItemRecovered:
		m, _, err := read(false)
		if err == nil {
			return m, ""
		}
		damage = err.Error()
	case ItemDamaged:
		if x.NamesLost {
			m, _, err := read(false)
			if err == nil {
				return m, damage
			}
			damage = err.Error()
		}
	}
	if damage == "" {
		damage = "damaged"
	}
	if !includeDamaged {
		return nil, "damaged: " + damage
	}
	m, problems, err := read(true)
	if err != nil {
		return nil, "damaged beyond reading: " + damage
	}
	if len(problems) > 0 {
		damage += "; not written: " + strings.Join(problems, "; ")
	}
	if len(m.Unverified) > 0 {
		damage += "; " + unverifiedBlocks(m.Unverified)
	}
	return m, damage
}

// unverifiedBlocks names the blocks a lenient read took although they
// fail their checksum (messaging.Message.Unverified), the first few by
// BID.
func unverifiedBlocks(bids []uint64) string {
	const named = 4
	var out strings.Builder
	for i, bid := range bids[:min(len(bids), named)] {
		if i > 0 {
			out.WriteString(", ")
		}
		fmt.Fprintf(&out, "0x%X", bid)
	}
	if len(bids) > named {
		fmt.Fprintf(&out, " and %d more", len(bids)-named)
	}
	what := "block %s fails its checksum and was read as it is: some of its bytes may be wrong"
	if len(bids) > 1 {
		what = "blocks %s fail their checksum and were read as they are: some of their bytes may be wrong"
	}
	return fmt.Sprintf(what, out.String())
}

// ErrNoStore: the file's header is unusable, so no item can be read.
var ErrNoStore = errors.New("no items can be read from this file")

// OpenStore scans path like ScanFile and keeps it open for reading items.
// The report is returned even when the store cannot be read (err != nil).
func OpenStore(ctx context.Context, path string, opts Options) (*Store, error) {
	start := time.Now()
	in, err := openInput(path)
	if err != nil {
		return &Store{Report: openFailure(path, err)}, err
	}
	opts.Name = path
	s, err := Open(ctx, in.r, in.size, opts)
	s.Report.Stats.Duration = time.Since(start)
	if err != nil {
		in.Close()
		return s, err
	}
	s.in = in
	return s, nil
}

// Open scans the store r holds, size bytes long, like Check, and keeps
// what the scan learned for reading its items through r. The report is
// returned even when the store cannot be read (err != nil).
func Open(ctx context.Context, r io.ReaderAt, size int64, opts Options) (*Store, error) {
	rep, res, m := scan(ctx, r, size, opts, true)
	s := &Store{Report: rep}
	if res == nil || m == nil {
		return s, ErrNoStore
	}
	// Items yields each folder's items by NID: sorted once here, in
	// place, rather than copied on every walk (10 MB for a folder of 1.2
	// million items).
	for _, refs := range m.Items {
		slices.SortFunc(refs, func(a, b messaging.ItemRef) int { return cmp.Compare(a.NID, b.NID) })
	}
	s.m = m
	s.Folders = m.Folders
	s.Reader = messaging.NewReader(res, m)
	return s, nil
}

// Items yields every normal item, folder by folder in the report's order
// (by NID within a folder), then the items no folder lists, with where
// each belongs and what became of it. Only items of the folders keep says
// yes to are yielded (nil: all); keep sees the path Item.Folder gets.
// Items are made as they are yielded, not held: a store of millions of
// items costs a few bytes an item while they are walked.
func (s *Store) Items(keep func(folder string) bool) iter.Seq[Item] { return s.walk(keep, false) }

// ItemsAndAssociated yields what Items yields and, before each folder's
// normal items, its hidden items (Item.Associated): what a copy of the
// store needs beside the mail, such as its views and category list.
// Hidden items no folder lists are not yielded: they belong nowhere.
func (s *Store) ItemsAndAssociated(keep func(folder string) bool) iter.Seq[Item] {
	return s.walk(keep, true)
}

func (s *Store) walk(keep func(folder string) bool, associated bool) iter.Seq[Item] {
	return func(yield func(Item) bool) {
		if s.m != nil {
			s.items(keep, associated, yield)
		}
	}
}

func (s *Store) items(keep func(folder string) bool, associated bool, yield func(Item) bool) {
	// An item's problem names its first few error findings: one whose
	// blocks are all gone has one per block, which would make a line of
	// kilobytes in a repair's summary and an export's manifest.
	const namedProblems = 4
	problems, more := map[uint32]string{}, map[uint32]int{}
	for _, f := range s.Report.Findings {
		if f.NID == 0 || f.Severity() != finding.SeverityError {
			continue
		}
		if more[f.NID]++; more[f.NID] > namedProblems {
			continue
		}
		if problems[f.NID] != "" {
			problems[f.NID] += "; "
		}
		problems[f.NID] += string(f.Code) + ": " + f.Detail
	}
	for nid, n := range more {
		if n > namedProblems {
			problems[nid] += fmt.Sprintf("; and %d more (the scan's report lists them)", n-namedProblems)
		}
	}
	item := func(folder uint32, path string, r messaging.ItemRef) Item {
		it := Item{NID: r.NID, FolderNID: folder, Folder: path, State: r.State, Problem: problems[r.NID], NamesLost: r.NamesLost}
		if r.NamesLost {
			names := s.namesProblem()
			if it.Problem != "" {
				names += "; " + it.Problem
			}
			it.Problem = names
		}
		if row, ok := s.m.Rows[r.NID]; ok {
			it.Subject, it.Time = row.Subject, row.Time
		}
		switch rem := s.m.Salvage[r.NID]; {
		case rem.Data != 0 && r.State == ItemLost:
			it.Salvage = rem
			if it.Problem != "" {
				it.Problem += "; "
			}
			it.Problem += s.survives(rem)
		case rem.Whole && r.State == ItemRecovered:
			it.Salvage = rem // read from there, whole
		}
		return it
	}
	give := func(it Item) bool { return keep != nil && !keep(it.Folder) || yield(it) }
	// Items no folder lists come last, in NID order: they are noted as
	// they are met (a few bytes each) and made then.
	type orphanRef struct {
		ref    messaging.ItemRef
		folder int32
	}
	var orphans []orphanRef
	var seen nidSet
	// The store counts as lost only the unlinked messages no folder's
	// count may already hold (unlinkedCounts); which ones those are is
	// unknown, so when some are left out of the count, each lost one says
	// so: a manifest then lists more lost items than the count, each
	// explained.
	u := unlinkedCounts(s.m)
	maybeCounted := ""
	if u.salvageable > max(u.lost, 0) {
		maybeCounted = "; it may be one of the lost or damaged items a folder counts, or an older copy of one, so the store's count leaves it out"
	}
	folderPath := func(f int) string { return s.Report.Folders[f].ExportPath() }
	// The paths the walked folders' items go to, which no other folder may
	// take: a writer closes a folder once its items are written (made
	// when first needed).
	var exportPaths map[string]bool
	walkedPaths := func() map[string]bool {
		if exportPaths == nil {
			exportPaths = s.exportPaths()
		}
		return exportPaths
	}
	placed := s.unusedFolderPaths(walkedPaths)
	pathOf := s.folderPathOf()
	for fi, f := range s.Report.Folders {
		path := folderPath(fi)
		refs := s.m.Items[f.NID]
		for _, r := range refs {
			if !associated || !r.FAI || r.Orphan || !seen.add(r.NID) {
				continue
			}
			it := item(f.NID, path, r)
			it.Associated = true
			if !give(it) {
				return
			}
		}
		for _, r := range refs {
			if r.FAI || !seen.add(r.NID) {
				continue
			}
			if r.Orphan {
				orphans = append(orphans, orphanRef{r, int32(fi)})
				continue
			}
			if !give(item(f.NID, path, r)) {
				return
			}
		}
		for _, i := range placed.inFolder[f.NID] {
			if !give(s.unlinkedItem(i, f.NID, path, false, maybeCounted)) {
				return
			}
		}
	}
	// Orphans, listed nowhere, go under RecoveredFolder by the folder
	// their parent NID names; messages known only by their heap by the
	// folder the unused listings tell, else to RecoveredFolder itself. A
	// writer closes a folder once its items are written, so they come by
	// folder: orphans in NID order, then those messages as found.
	slices.SortStableFunc(orphans, func(a, b orphanRef) int { return cmp.Compare(a.ref.NID, b.ref.NID) })
	type outsideRef struct {
		path string
		i    int32 // in orphans; -1 - i: in s.m.Unlinked
	}
	outside := make([]outsideRef, 0, len(orphans)+len(s.m.Unlinked))
	for i, o := range orphans {
		p := outsideOf(folderPath(int(o.folder)), s.Report.Folders[o.folder].NID, walkedPaths())
		outside = append(outside, outsideRef{p, int32(i)})
	}
	for i, u := range s.m.Unlinked {
		switch to, ok := placed.paths[u.Folder]; {
		case ok && to.inFolder:
		case ok:
			outside = append(outside, outsideRef{to.path, -1 - int32(i)})
		default:
			outside = append(outside, outsideRef{RecoveredFolder, -1 - int32(i)})
		}
	}
	slices.SortStableFunc(outside, func(a, b outsideRef) int { return cmp.Compare(a.path, b.path) })
	for _, o := range outside {
		var it Item
		if o.i >= 0 {
			ref := orphans[o.i]
			it = item(s.Report.Folders[ref.folder].NID, o.path, ref.ref)
			it.Orphan = true
		} else {
			i := int(-1 - o.i)
			to, ok := placed.paths[s.m.Unlinked[i].Folder]
			it = s.unlinkedItem(i, s.m.Unlinked[i].Folder, o.path, ok && to.walked, maybeCounted)
			it.FolderClass = to.class
			if !ok {
				it.FolderNID = 0
			}
			if keep == nil || placed.keeps(keep, s.m.Unlinked[i].Folder, pathOf) {
				if !yield(it) {
					return
				}
			}
			continue
		}
		if !give(it) {
			return
		}
	}
}

// PlacedPaths are the folders under RecoveredFolder that messages known
// only by their heap go to by their listings found among the unused
// blocks (Item.Folder of theirs), in order: for export's folder choice.
func (s *Store) PlacedPaths() []string {
	if s.m == nil {
		return nil
	}
	var out []string
	for _, to := range s.unusedFolderPaths(func() map[string]bool { return s.exportPaths() }).paths {
		if !to.inFolder && !slices.Contains(out, to.path) {
			out = append(out, to.path)
		}
	}
	slices.Sort(out)
	return out
}

// exportPaths are the paths the walked folders' items go to.
func (s *Store) exportPaths() map[string]bool {
	out := make(map[string]bool, len(s.Report.Folders))
	for _, f := range s.Report.Folders {
		out[f.ExportPath()] = true
	}
	return out
}

// unlinkedItem is the item of s.m.Unlinked[i], a message known only by its
// heap, saved in folder (0: none) at path.
func (s *Store) unlinkedItem(i int, folder uint32, path string, orphan bool, maybeCounted string) Item {
	u := s.m.Unlinked[i]
	it := Item{FolderNID: folder, Folder: path, Orphan: orphan, State: ItemRecovered, Subject: u.Subject, Time: u.Time(), Salvage: u.Remains}
	if !u.Whole {
		it.State = ItemLost
		if attachedHeap(u) && s.m.AttachParents > 0 {
			maybeCounted = "; it lacks what this store gives every message of its folders, and a damaged item lost its attachments: it may be a message attached to one, which the store's count does not count as an item of its own"
		}
		it.Problem = fmt.Sprintf("%s: its index entry is lost; %s%s", finding.MessageUnlinked, s.survives(u.Remains), maybeCounted)
	}
	return it
}

// placedUnlinked says where the messages known only by their heap that
// a folder's listing, found among the unused blocks, lists are saved
// (messaging.UnlinkedMessage.Folder): for a folder the walk reached, with
// its items where those are already under RecoveredFolder (its hierarchy
// lost: inFolder), else under RecoveredFolder by its path, as an orphan
// is (walked); for another, under RecoveredFolder by its name, with its
// NID where two such folders share one.
type placedUnlinked struct {
	paths    map[uint32]unlinkedPath
	inFolder map[uint32][]int // of a folder inFolder, its messages (in s.m.Unlinked)
}

type unlinkedPath struct {
	path             string
	walked, inFolder bool
	class            string // of a folder the walk did not reach
}

func (s *Store) unusedFolderPaths(walkedPaths func() map[string]bool) placedUnlinked {
	out := placedUnlinked{paths: make(map[uint32]unlinkedPath, len(s.m.UnusedFolders)), inFolder: map[uint32][]int{}}
	if len(s.m.UnusedFolders) == 0 {
		return out
	}
	// The paths the walked folders' items and orphans go to are taken: a
	// placed folder of such a path gets its NID after its name, as do two
	// of one name, so that each is a folder of its own.
	walked := make(map[uint32]int, len(s.Report.Folders))
	for i, f := range s.Report.Folders {
		walked[f.NID] = i
	}
	taken := maps.Clone(walkedPaths())
	for p := range walkedPaths() {
		taken[recoveredUnder(p)] = true
	}
	names := map[string]int{}
	for _, row := range s.m.UnusedFolders {
		names[row.Name]++
	}
	for nid, row := range s.m.UnusedFolders {
		if i, ok := walked[nid]; ok {
			f := s.Report.Folders[i]
			out.paths[nid] = unlinkedPath{path: outsideOf(f.ExportPath(), nid, walkedPaths()), walked: true, inFolder: f.Unreachable}
			continue
		}
		name := cmp.Or(row.Name, fmt.Sprintf("(folder 0x%X)", nid))
		path := RecoveredFolder + "/" + strings.ReplaceAll(name, "/", "\u2215")
		if names[row.Name] > 1 || taken[path] {
			path += fmt.Sprintf(" (folder 0x%X)", nid)
		}
		out.paths[nid] = unlinkedPath{path: path, class: row.Class}
	}
	for i, u := range s.m.Unlinked {
		if out.paths[u.Folder].inFolder {
			out.inFolder[u.Folder] = append(out.inFolder[u.Folder], i)
		}
	}
	return out
}

// outsideOf is where the items no listing of folder nid (at export path
// p) lists go, as orphans do (recoveredUnder), with its NID after its name
// where that is a walked folder's path (one the hierarchy does not reach
// is under RecoveredFolder too), whose items a writer has written and
// closed.
func outsideOf(p string, nid uint32, walkedPaths map[string]bool) string {
	to := recoveredUnder(p)
	if walkedPaths[to] {
		to += fmt.Sprintf(" (folder 0x%X)", nid)
	}
	return to
}

// recoveredUnder is where the items of the folder at export path p go
// when no listing of it lists them: under RecoveredFolder, by p (in
// RecoveredFolder itself for a folder already under it).
func recoveredUnder(p string) string {
	if p == "" || p == RecoveredFolder || strings.HasPrefix(p, RecoveredFolder+"/") {
		return RecoveredFolder
	}
	return RecoveredFolder + "/" + p
}

// namesProblem is the problem of an item with named properties where the
// store's name-to-ID map is lost: read without them, or with them named
// through the map read as it is (messaging.Result.NameMapAsItIs).
func (s *Store) namesProblem() string {
	if s.m.NameMapAsItIs {
		return string(finding.StoreNameMap) + ": its named properties (calendar times, locations, contact fields, categories) are named through the store's name-to-ID map read as it is, its checksum failing: any of them may be named wrong"
	}
	return string(finding.StoreNameMap) + ": its named properties (calendar times, locations, contact fields, categories) cannot be read: the store's name-to-ID map is lost"
}

// survives says which blocks still hold a lost item, and that its named
// properties are not among what is left when the name map is lost.
func (s *Store) survives(rem messaging.Remains) string {
	out := fmt.Sprintf("its properties survive in block 0x%X", rem.Data)
	if rem.Sub != 0 {
		out += fmt.Sprintf(", its subnodes in block 0x%X", rem.Sub)
	}
	if s.m.NameMapLost {
		out += "; " + s.namesProblem()
	}
	if why := notWhole(rem); why != "" {
		out += "; not recovered: " + why
	}
	return out
}

// notWhole says why remains were not taken for the item whole ("": they
// were not weighed).
func notWhole(rem messaging.Remains) string {
	switch rem.Fault {
	case messaging.NoOwnTree:
		return "no subnode tree left can be told to be its own (its recipients, attachments and long values)"
	case messaging.NewerTreeFails:
		return fmt.Sprintf("a subnode tree no node uses that fails (block 0x%X) is newer than the one that fits it, and may be its current one", rem.Newer)
	case messaging.NewerBlockFails:
		return fmt.Sprintf("a block no node uses that fails (0x%X) is newer than these, and may hold its current version", rem.Newer)
	case messaging.ReadFails:
		return "its blocks do not read whole"
	case messaging.NamesUnreadable:
		return "its named properties cannot be read"
	case messaging.ChangedSince:
		return "its folder's listing says it changed after these properties were written"
	}
	return ""
}

// ExportPath is where folder f's items are saved: the root's are saved
// at "", those of a folder the hierarchy does not reach under
// RecoveredFolder, by the path the report gives them; a folder the
// hierarchy reaches keeps its path, whatever its name.
func (f Folder) ExportPath() string {
	switch {
	case f.Unreachable:
		return ExportPath(f.Path)
	case f.Path == RootPath:
		return ""
	}
	return f.Path
}

// ExportPath maps a folder path as the report shows it (or a user types
// it) to where its items are saved (Folder.ExportPath, which tells a
// folder the hierarchy reaches that is named "(unreachable)" from those
// it does not reach).
func ExportPath(p string) string {
	if rest, ok := strings.CutPrefix(p, messaging.UnreachablePrefix); ok && (rest == "" || rest[0] == '/') {
		return RecoveredFolder + rest
	}
	if p == RootPath {
		return ""
	}
	return p
}

// Close closes the file.
func (s *Store) Close() error {
	if s.in == nil {
		return nil
	}
	err := s.in.Close()
	s.in = nil
	return err
}

// CountedOnly counts the lost items of the folders keep says yes to (nil:
// all) that only a folder's item count still counts: its listing lost,
// nothing else of them left to name them by, so that no export manifest or
// repair list can name them. (A message known only by a block no entry
// leads to may be one of them; it is named, and says so.)
func (s *Store) CountedOnly(keep func(folder string) bool) int {
	n := 0
	for _, f := range s.Report.Folders {
		if keep == nil || keep(f.ExportPath()) {
			n += s.countedOnly(f)
		}
	}
	return n
}

// countedOnly counts the lost items of folder f that only its item count
// names.
func (s *Store) countedOnly(f Folder) int {
	if f.Lost == 0 {
		return 0
	}
	named := 0
	for _, it := range s.m.Items[f.NID] {
		if it.State == ItemLost && !it.FAI {
			named++
		}
	}
	return max(0, f.Lost-named)
}

// Accounting totals what became of the items of the folders keep says yes
// to (by the path their items are saved under; nil: all folders). Items no
// folder lists count in the folder their parent NID names.
func (s *Store) Accounting(keep func(folder string) bool) ItemCounts {
	if keep == nil {
		return s.Report.Items
	}
	c := ItemCounts{Complete: s.Report.Items.Complete}
	for _, f := range s.Report.Folders {
		if !keep(f.ExportPath()) {
			continue
		}
		for _, it := range s.m.Items[f.NID] {
			if it.NamesLost && !it.FAI {
				c.NamesLost++
			}
			if it.Unreadable && !it.FAI {
				c.Unreadable++
			}
			if rem := s.m.Salvage[it.NID]; it.State == ItemLost && rem.Data != 0 {
				c.Salvageable++
				if rem.Fault == messaging.NewerBlockFails {
					c.MaybeOlder++
				}
			}
		}
		c.Readable += f.Readable
		c.Damaged += f.Damaged
		c.Lost += f.Lost
		c.Recovered += f.Recovered
		if f.Expected < 0 {
			c.Complete = false
		}
	}
	s.addUnlinkedKept(&c, keep)
	c.Total = c.Readable + c.Damaged + c.Lost + c.Recovered
	c.NamesAsItIs = s.m.NameMapAsItIs && c.NamesLost > 0
	return c
}

// addUnlinkedKept adds to c the messages known only by their heap that
// Items yields for the folders keep says yes to: under the folder a walked
// folder's listing places them in, kept with that folder too, or under
// RecoveredFolder. One read whole is recovered, and may be one of the lost
// items its folder's count names (then that item is not counted again);
// one not read whole is salvageable, and is such an item or one more lost
// item. The whole store's count weighs them against every folder's
// (unlinkedCounts); a choice of folders, only against the folders that
// place them, so that it counts no item twice and names every one it
// yields.
func (s *Store) addUnlinkedKept(c *ItemCounts, keep func(folder string) bool) {
	if len(s.m.Unlinked) == 0 {
		return
	}
	placed := s.unusedFolderPaths(func() map[string]bool { return s.exportPaths() })
	// A heap is none of the lost items a row names (it would have been
	// matched to it: Result.Salvage), only one of those a folder's count
	// alone names (CountedOnly).
	lostLeft := map[uint32]int{}
	for _, f := range s.Report.Folders {
		lostLeft[f.NID] = s.countedOnly(f)
	}
	pathOf := s.folderPathOf()
	parents := s.m.AttachParents // as the whole store's count (unlinkedCounts)
	for _, u := range s.m.Unlinked {
		if !placed.keeps(keep, u.Folder, pathOf) {
			continue
		}
		// Its folder's lost items are counted where that folder is kept.
		to := placed.paths[u.Folder]
		attached := attachedHeap(u) && parents > 0
		if attached {
			parents--
		}
		counted := !attached && to.walked && keep(pathOf(u.Folder)) && lostLeft[u.Folder] > 0
		if counted {
			lostLeft[u.Folder]--
		}
		switch {
		case u.Whole:
			c.Recovered++
			if counted {
				c.Lost--
			}
		default:
			c.Salvageable++
			if u.Fault == messaging.NewerBlockFails {
				c.MaybeOlder++
			}
			switch {
			case attached:
				c.Versions++ // written beside the count, as the whole store's
			case !counted:
				c.Lost++
			}
		}
	}
	c.Lost = max(c.Lost, 0)
}

// folderPathOf returns what gives the export path of a walked folder by
// its NID ("" for none), the paths looked up when first asked.
func (s *Store) folderPathOf() func(nid uint32) string {
	var paths map[uint32]string
	return func(nid uint32) string {
		if paths == nil {
			paths = make(map[uint32]string, len(s.Report.Folders))
			for _, f := range s.Report.Folders {
				paths[f.NID] = f.ExportPath()
			}
		}
		return paths[nid]
	}
}

// keeps says whether Items(keep) yields a message known only by its heap
// that the listing of folder nid, found among the unused blocks, places
// (nid 0 or unknown: none): under RecoveredFolder, where none places it;
// with its folder, where that folder's items are already under
// RecoveredFolder (inFolder); else under its placed path, and, where a
// walked folder's listing places it, with that folder too.
func (p placedUnlinked) keeps(keep func(folder string) bool, nid uint32, pathOf func(uint32) string) bool {
	to, ok := p.paths[nid]
	switch {
	case !ok:
		return keep(RecoveredFolder)
	case to.inFolder:
		return keep(pathOf(nid))
	default:
		return keep(to.path) || to.walked && keep(pathOf(nid))
	}
}
