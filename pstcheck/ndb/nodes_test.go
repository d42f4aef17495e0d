package ndb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// The node pass on sound files: every tree well formed, every block's
// reference count right, no node damaged.
func TestNodePassSound(t *testing.T) {
	for name, f := range map[string]*pstmut.File{ansiSample: sample(t, ansiSample), unicodeSample: sample(t, unicodeSample), "written": trees(t)} {
		res, fs := scan(f)
		if len(fs) > 0 || len(res.NodeDamaged) > 0 {
			t.Errorf("%s: %d nodes damaged:%s", name, len(res.NodeDamaged), fs)
		}
		for _, n := range res.NBT.All() {
			if n.Rebuilt {
				t.Fatalf("%s: node 0x%X is marked rebuilt", name, n.NID)
			}
		}
	}
}

// Each malformed data or subnode tree is reported once, at its block,
// and costs exactly the node that uses it (the message whose attachment
// holds it): that node is marked damaged and the damage is attributed to
// it and its folder.
func TestNodePassTrees(t *testing.T) {
	type target struct {
		btype, level uint8
	}
	xblock, xxblock := target{pstmut.XBlockType, 1}, target{pstmut.XBlockType, 2}
	slblock, siblock := target{pstmut.SLBlockType, 0}, target{pstmut.SLBlockType, 1}
	for _, c := range []struct {
		name   string
		in     target
		damage func(f *pstmut.File, bid uint64) (blamed uint64) // returns the block reported
		code   finding.Code
	}{
		{"XBLOCK size", xblock, func(f *pstmut.File, bid uint64) uint64 {
			_, _, _, total := f.InternalHeader(bid)
			f.SetLcbTotal(bid, total+1)
			return bid
		}, finding.NodeDataTree},
		{"XBLOCK level", xblock, func(f *pstmut.File, bid uint64) uint64 {
			_, _, n, _ := f.InternalHeader(bid)
			f.SetInternalHeader(bid, pstmut.XBlockType, 3, n)
			return bid
		}, finding.NodeDataTree},
		{"XBLOCK of no entries", xblock, func(f *pstmut.File, bid uint64) uint64 {
			f.SetInternalHeader(bid, pstmut.XBlockType, 1, 0)
			return bid
		}, finding.NodeDataTree},
		{"XBLOCK listing a block not in the BBT", xblock, func(f *pstmut.File, bid uint64) uint64 {
			missing := f.FreeBID(false)
			f.SetXEntry(bid, 0, missing)
			return missing
		}, finding.NodeBlockMissing},
		{"XBLOCK listing an internal block", xblock, func(f *pstmut.File, bid uint64) uint64 {
			f.SetXEntry(bid, 0, bid)
			return bid
		}, finding.NodeDataTree},
		{"XXBLOCK listing a data block", xxblock, func(f *pstmut.File, bid uint64) uint64 {
			f.SetXEntry(bid, 0, f.XEntries(f.XEntries(bid)[0])[0])
			return bid
		}, finding.NodeDataTree},
		{"XXBLOCK listing itself", xxblock, func(f *pstmut.File, bid uint64) uint64 {
			f.SetXEntry(bid, 1, bid)
			return bid
		}, finding.NodeTreeCycle},
		{"SLBLOCK entries out of order", slblock, func(f *pstmut.File, bid uint64) uint64 {
			e := f.SLEntries(bid)
			f.PutUint(e[1].Off, 4, uint64(e[0].NID))
			f.FixBlockCRC(bid)
			return bid
		}, finding.NodeSubnodeTree},
		{"SLBLOCK level", slblock, func(f *pstmut.File, bid uint64) uint64 {
			_, _, n, _ := f.InternalHeader(bid)
			f.SetInternalHeader(bid, pstmut.SLBlockType, 2, n)
			return bid
		}, finding.NodeSubnodeTree},
		{"SIBLOCK listing itself", siblock, func(f *pstmut.File, bid uint64) uint64 {
			setSIEntry(f, bid, 0, bid)
			return bid
		}, finding.NodeTreeCycle},
		{"SIBLOCK listing a data block", siblock, func(f *pstmut.File, bid uint64) uint64 {
			x := internalBlocks(f, pstmut.XBlockType, 1)[0]
			setSIEntry(f, bid, 0, f.XEntries(x)[0]) // a data block
			return bid
		}, finding.NodeSubnodeTree},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := trees(t)
			// A block of two entries or more, used by one node.
			users := f.Users()
			var bid uint64
			for _, b := range internalBlocks(f, c.in.btype, c.in.level) {
				if _, _, n, _ := f.InternalHeader(b); n >= 2 && len(users[b]) == 1 {
					bid = b
					break
				}
			}
			if bid == 0 {
				t.Fatal("the written store has no such block")
			}
			user := users[bid]
			blamed := c.damage(f, bid)
			res, fs := scan(f)
			x := fs.mustHave(t, c.code, -1)
			if x.BID != blamed || x.NID != user[0] {
				t.Errorf("%s for block 0x%X of node 0x%X, want block 0x%X of node 0x%X", c.code, x.BID, x.NID, blamed, user[0])
			}
			node, _ := res.Node(user[0])
			if x.FolderNID != node.Parent {
				t.Errorf("attributed to folder 0x%X, want 0x%X", x.FolderNID, node.Parent)
			}
			if len(res.NodeDamaged) != 1 || !res.NodeDamaged[user[0]] {
				t.Errorf("nodes marked damaged %v, want only 0x%X", res.NodeDamaged, user[0])
			}
			for _, e := range fs.errors() {
				if e.NID != user[0] && e.NID != 0 {
					t.Errorf("a finding for another node:%s", findings{e})
				}
			}
		})
	}
}

// A node's NBT entry that points its data at a subnode tree, or its
// subnodes at data, names the wrong kind of tree; a parent that is not in
// the NBT is reported; too low a reference count is damage (Outlook could
// free the block while in use).
func TestNodePassEntries(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(f *pstmut.File, n pstmut.NBTRef)
		code   finding.Code
	}{
		{"data at a subnode tree", func(f *pstmut.File, n pstmut.NBTRef) {
			f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Data = n.Sub })
		}, finding.NodeDataTree},
		{"subnodes at a data block", func(f *pstmut.File, n pstmut.NBTRef) {
			f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Sub = n.Data })
		}, finding.NodeSubnodeTree},
		{"subnodes at a data tree", func(f *pstmut.File, n pstmut.NBTRef) {
			x := internalBlocks(f, pstmut.XBlockType, 1)[0]
			f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Sub = x })
		}, finding.NodeSubnodeTree},
		{"data block not in the BBT", func(f *pstmut.File, n pstmut.NBTRef) {
			f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Data = f.FreeBID(false) })
		}, finding.NodeBlockMissing},
		{"parent not in the NBT", func(f *pstmut.File, n pstmut.NBTRef) {
			f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Parent = 0x7FFFFFE2 })
		}, finding.NodeParent},
		{"reference count too low", func(f *pstmut.File, n pstmut.NBTRef) {
			f.EditBBT(n.Data, func(e *ndb.BBTEntry) { e.Ref = 1 })
		}, finding.BlockRefLow},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := trees(t)
			var n pstmut.NBTRef
			for _, e := range f.NBT {
				if e.NID&0x1F == ndb.NIDTypeMessage && e.Sub != 0 && !ndb.IsInternal(e.Data) {
					n = e
					break
				}
			}
			c.damage(f, n)
			_, fs := scan(f)
			x := fs.mustHave(t, c.code, -1)
			if c.code != finding.BlockRefLow && x.NID != n.NID {
				t.Errorf("%s for node 0x%X, want 0x%X", c.code, x.NID, n.NID)
			}
		})
	}
}

// FolderOf says which folder a node's damage costs.
func TestFolderOf(t *testing.T) {
	for _, c := range []struct {
		n    ndb.NBTEntry
		want uint32
	}{
		{ndb.NBTEntry{NID: 0x8022, Parent: 0x122}, 0x8022},    // a folder is its own
		{ndb.NBTEntry{NID: 0x802D, Parent: 0}, 0x8022},        // its hierarchy table
		{ndb.NBTEntry{NID: 0x802E, Parent: 0}, 0x8022},        // its contents table
		{ndb.NBTEntry{NID: 0x802F, Parent: 0}, 0x8022},        // its FAI contents table
		{ndb.NBTEntry{NID: 0x200024, Parent: 0x8022}, 0x8022}, // a message: its parent
		{ndb.NBTEntry{NID: 0x8023, Parent: 0x122}, 0x8023},    // a search folder is its own
	} {
		if got := ndb.FolderOf(c.n); got != c.want {
			t.Errorf("FolderOf(0x%X) = 0x%X, want 0x%X", c.n.NID, got, c.want)
		}
	}
}

// A block whose BBT page is lost, and that the rebuild cannot find again
// (its extent zeroed), is missing from its node; the finding names the
// lost page that would have listed it.
func TestNodePassBlamesLostPage(t *testing.T) {
	f := sample(t, unicodeSample)
	n, b := ownDataBlock(t, f)
	f.SetPageType(b.Page, ndb.PageNBT, ndb.PageNBT)
	off, ext := f.Extent(b.BID)
	f.Zero(off, ext)
	res, fs := scan(f)
	x := fs.mustHave(t, finding.NodeBlockMissing, finding.NoOffset)
	if x.NID != n.NID || x.BID != b.BID || !strings.Contains(x.Detail, fmt.Sprintf("0x%X", b.Page)) {
		t.Errorf("%s", findings{x})
	}
	if !res.NodeDamaged[n.NID] {
		t.Errorf("node 0x%X is not marked damaged", n.NID)
	}
}
