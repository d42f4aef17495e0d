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
			Damaged: f.Damaged, Lost: f.Lost, Recovered: f.Recovered, Size: f.Size, Expected: f.Expected})
		rep.Items.Readable += f.Readable
		rep.Items.Damaged += f.Damaged
		rep.Items.Lost += f.Lost
		rep.Items.Recovered += f.Recovered
		rep.Items.NamesLost += f.NamesLost
	}
	lost, recovered, salvageable, maybeOlder := unlinkedCounts(m)
	rep.Items.addUnlinked(m, lost, recovered)
	rep.Items.Salvageable, rep.Items.MaybeOlder = salvageable, maybeOlder
	for _, rem := range m.Salvage {
		if !rem.Whole { // a whole one is recovered
			rep.Items.Salvageable++
		}
		if rem.Fault == messaging.NewerBlockFails {
			rep.Items.MaybeOlder++
		}
	}
	rep.RecoveredFolders = recoveredFolders(m)
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

// unlinkedCounts are what the messages known only by a heap no entry
// links to add to the store's items, in no folder: lost, those a folder's
// count does not already count, less those recovered, which may be items
// a folder counts lost or damaged (which folder held them is unknown: a
// folder whose listing is lost counts as lost the items its count names
// beyond those found, and a damaged item that no row names has no subject
// to match a heap by); lost is negative when they are (addUnlinked).
// salvageable are those not recovered, maybeOlder those of them that read
// whole but may be an older version (ItemCounts.MaybeOlder).
func unlinkedCounts(m *messaging.Result) (lost, recovered, salvageable, maybeOlder int) {
	for _, u := range m.Unlinked {
		switch {
		case u.Whole:
			recovered++
		case u.Fault == messaging.NewerBlockFails:
			maybeOlder++
		}
	}
	return m.UnlinkedExtra - recovered, recovered, len(m.Unlinked) - recovered, maybeOlder
}

// addUnlinked adds to c the unlinked messages' lost and recovered counts
// (unlinkedCounts). A negative lost count says recovered messages may be
// items c counts already: they come off its lost and damaged items that a
// heap may be (m.Unmatched: a damaged item with no subject to match a heap
// by may be a recovered heap's, an older version of it), then off any
// lost ones, as they did before damaged items were weighed, so that the
// store counts each item once and no count goes below zero. c's folders
// then count more lost or damaged items than c does.
func (c *ItemCounts) addUnlinked(m *messaging.Result, lost, recovered int) {
	c.Recovered += recovered
	if lost >= 0 {
		c.Lost += lost
		return
	}
	need := -lost
	off := func(n *int, most int) {
		k := min(need, most, *n)
		*n -= k
		need -= k
	}
	off(&c.Lost, m.Unmatched.Lost)
	off(&c.Damaged, m.Unmatched.Damaged)
	off(&c.Lost, c.Lost)
}
