package pstcheck

import (
	"maps"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Where damage meets folders. The NDB passes blame each damaged node on
// the folder its NBT entry names (ndb.FolderOf: a folder and its tables are
// their own folder, anything else its parent NID); the messaging walk then
// knows better for the items it found listed elsewhere. This is the one
// place that settles which folder every finding and every item belongs to.

// RootPath is the path the report gives the root folder, whose own path is
// empty.
const RootPath = "(root)"

// attribute copies the messaging layer's folders and item accounting into
// the report and names the folder of every finding that knows its node:
// a message listed by a folder other than its parent NID names (its parent
// lost, or wrong) is blamed on the folder that lists it.
func attribute(rep *Report, res *ndb.Result, m *messaging.Result) {
	paths := make(map[uint32]string, len(m.Folders))
	for _, f := range m.Folders {
		path := f.Path
		if f.NID == messaging.NIDRootFolder {
			path = RootPath
		}
		paths[f.NID] = path
		rep.Folders = append(rep.Folders, Folder{NID: f.NID, Path: path, Items: f.Items, Readable: f.Readable,
			Damaged: f.Damaged, Lost: f.Lost, Recovered: f.Recovered, Size: f.Size, Expected: f.Expected, Unreachable: f.Unreachable})
		rep.Items.Readable += f.Readable
		rep.Items.Damaged += f.Damaged
		rep.Items.Lost += f.Lost
		rep.Items.Recovered += f.Recovered
		rep.Items.NamesLost += f.NamesLost
		rep.Items.Unreadable += f.Unreadable
	}
	u := unlinkedCounts(m)
	rep.Items.addUnlinked(u)
	rep.Items.Salvageable, rep.Items.MaybeOlder = u.salvageable, u.maybeOlder
	for _, rem := range m.Salvage {
		if !rem.Whole { // a whole one is recovered
			rep.Items.Salvageable++
		}
		if rem.Fault == messaging.NewerBlockFails {
			rep.Items.MaybeOlder++
		}
	}
	rep.RecoveredFolders = recoveredFolders(m)
	rep.Items.NamesAsItIs = m.NameMapAsItIs && rep.Items.NamesLost > 0
	rep.Items.Total = rep.Items.Readable + rep.Items.Damaged + rep.Items.Lost + rep.Items.Recovered
	rep.Items.Complete = m.Complete
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if listing, ok := m.ListedIn[f.NID]; ok {
			f.FolderNID = listing
		}
		if p, ok := paths[f.FolderNID]; ok {
			f.Folder = p
		}
	}
	if rb := res.Rebuild; rb != nil {
		rep.Rebuild = &IndexRebuild{NBTPages: rb.NBTPages, BBTPages: rb.BBTPages, ChangedPages: rb.ChangedPages, Nodes: rb.Nodes,
			Blocks: rb.Blocks, TrailerBlocks: rb.TrailerBlocks, StaleEntries: rb.StaleEntries, StaleNodes: rb.StaleNodes, Items: m.RebuiltItems,
			ItemsFromBlocks: m.FromBlocks}
	}
}

// recoveredFolders counts the recovered messages no folder lists by the
// folder the unused listings place them in.
func recoveredFolders(m *messaging.Result) []PlacedFolder {
	counts := map[uint32]int{}
	for _, u := range m.Unlinked {
		if u.Whole && u.Folder != 0 {
			counts[u.Folder]++
		}
	}
	var out []PlacedFolder
	for _, nid := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, PlacedFolder{NID: nid, Name: m.UnusedFolders[nid].Name, Recovered: counts[nid]})
	}
	return out
}

// unlinked is what the messages known only by a heap no entry links to
// add to the store's items, in no folder (unlinkedCounts).
type unlinked struct {
	// recovered are those read whole; salvageable the others, maybeOlder
	// those of them that read whole but may be an older version
	// (ItemCounts.MaybeOlder).
	recovered, salvageable, maybeOlder int
	// lost is how many lost items they add, negative when recovered ones
	// may be lost items already counted; damagedOff how many damaged items
	// already counted recovered ones may be (counted once, as recovered);
	// versions how many of the salvageable ones are taken for versions of
	// items counted (ItemCounts.Versions).
	lost, damagedOff, versions int
}

// unlinkedCounts weighs the heaps no entry links to against the items
// already counted that a heap may be (m.Unmatched: which folder held a
// heap is unknown): a lost item a folder counts, or else a damaged item
// nothing names (a newer or older version of it). A heap read whole is
// recovered and, where it may be such an item, that item is not counted
// again; a heap not read whole that may be one adds nothing, and any other
// is one more lost item. So the count is a lower bound even where old
// index pages name damaged versions of items whose current heaps lie
// unused. Heaps taken for damaged items are salvageable all the same,
// counted apart (ItemCounts.Versions): export and repair write them as
// lost items' remains, beside the count; so are those not read whole that
// lack what the store stamps on its items (MaybeAttached: messages attached
// to items counted, no items of their own). Where every folder's listing
// or count survives (m.Complete), each heap is a version of an item
// counted.
func unlinkedCounts(m *messaging.Result) unlinked {
	var u unlinked
	attached := 0
	for _, h := range m.Unlinked {
		switch {
		case h.Whole:
			u.recovered++
		case h.Fault == messaging.NewerBlockFails:
			u.maybeOlder++
		}
		if attachedHeap(h) {
			attached++
		}
	}
	// Each damaged item that lost its attachments' tree may have had
	// a message attached: no more heaps than such items are taken for
	// one (a store that stamps the messages of some folders only would
	// else count the lost ones of the others as attached).
	attached = min(attached, m.AttachParents)
	u.salvageable = len(m.Unlinked) - u.recovered
	if m.Complete {
		u.lost, u.versions = -u.recovered, u.salvageable
		return u
	}
	lost, damaged := m.Unmatched.Lost, m.Unmatched.Damaged
	take := func(n int, from *int) int {
		k := min(n, *from)
		*from -= k
		return k
	}
	own := u.salvageable - attached // those that may be items of their own
	wholeLost := take(u.recovered, &lost)
	u.damagedOff = take(u.recovered-wholeLost, &damaged)
	partLost := take(own, &lost)
	partDamaged := take(own-partLost, &damaged)
	u.lost = own - partLost - partDamaged - wholeLost
	u.versions = partDamaged + attached
	return u
}

// attachedHeap says whether h, a heap no entry links to, may be a message
// attached to another item (MaybeAttached) rather than an item of its
// own: it does not read whole, and no listing found places it in a
// folder.
func attachedHeap(h messaging.UnlinkedMessage) bool {
	return h.MaybeAttached && !h.Whole && h.Folder == 0
}

// addUnlinked adds to c what the unlinked messages add (unlinkedCounts),
// no count going below zero. c's folders may then count more lost or
// damaged items than c does.
func (c *ItemCounts) addUnlinked(u unlinked) {
	c.Recovered += u.recovered
	c.Versions += u.versions
	c.Lost = max(0, c.Lost+u.lost)
	c.Damaged = max(0, c.Damaged-u.damagedOff)
	// The damaged items taken for recovered heaps are mostly ones whose
	// heap cannot be read (the others' rows lost their subject and time):
	// as many come off those, never more than are left to read.
	c.Unreadable = max(0, min(c.Unreadable-u.damagedOff, c.Damaged-c.NamesLost))
}
