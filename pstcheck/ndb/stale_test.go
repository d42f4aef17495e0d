package ndb_test

import (
	"context"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// enron.pst keeps old copies of BBT leaf pages in space its maps mark in
// use. With its BBT root zeroed, the rebuild takes their entries too; 11
// of them name blocks no node uses that fail. 9 of those places hold
// another block, or lie in one that verifies; the other 2 hold a trailer
// naming the block with data that fails its checksum, in space the
// allocation map marks free: the store holds no block there. All 11 are
// left out as stale, not reported as damaged blocks, and the one error is
// the root page's. Every node is whole.
func TestStaleEntriesLeftOut(t *testing.T) {
	f := sample(t, "enron.pst")
	root := f.Root(ndb.PageBBT)
	f.Zero(root.Off, f.L.PageSize)
	res, fs := scan(f)
	if rb := res.Rebuild; rb == nil || rb.StaleEntries != 11 {
		t.Fatalf("rebuild %+v, want 11 stale entries left out", rb)
	}
	for _, x := range fs.errors() {
		if !(x.Code == finding.PageType && x.Offset == root.Off) {
			t.Errorf("unexpected error finding: %s %s", x.Code, x.Detail)
		}
	}
	if len(res.NodeDamaged) > 0 {
		t.Errorf("%d nodes damaged, want none", len(res.NodeDamaged))
	}
}

// A block no node uses whose place the allocation map keeps in use, with
// a trailer naming it there and data that fails its checksum, is a block
// damaged in place: reported, not left out as stale.
func TestStaleNotWhenPlaceInUse(t *testing.T) {
	f := sample(t, "enron.pst")
	n, b := ownDataBlock(t, f)
	f.RemoveNBT(n.NID)
	f.B[int64(b.IB)+8] ^= 0xFF
	f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
	_, fs := scan(f)
	fs.mustHave(t, finding.BlockCRC, int64(b.IB))
}

func TestStaleEntriesNotWhenUsed(t *testing.T) {
	f := sample(t, "enron.pst")
	n, b := ownDataBlock(t, f)
	f.B[int64(b.IB)+8] ^= 0xFF
	f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
	res, fs := scan(f)
	fs.mustHave(t, finding.BlockCRC, int64(b.IB))
	if !res.NodeDamaged[n.NID] {
		t.Errorf("message 0x%X, whose data block is damaged, is not marked damaged", n.NID)
	}
}

// cancelAt cancels the scan as it enters a phase.
type cancelAt struct {
	phase  string
	cancel func()
}

func (c cancelAt) Phase(p string) {
	if p == c.phase {
		c.cancel()
	}
}
func (cancelAt) Add(int64) {}

// A scan cancelled before the node pass can tell which held-back blocks a
// node uses reports them all, rather than none.
func TestStaleCancelledReportsAll(t *testing.T) {
	f := sample(t, "enron.pst")
	_, b := ownDataBlock(t, f)
	f.B[int64(b.IB)+8] ^= 0xFF
	f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
	ctx, cancel := context.WithCancel(context.Background())
	var fs findings
	sink := finding.SinkFunc(func(x finding.Finding) { fs = append(fs, x) })
	ndb.Scan(ctx, f.Reader(), f.Size(), sink, ndb.Options{Progress: cancelAt{"nodes", cancel}})
	fs.mustHave(t, finding.BlockCRC, int64(b.IB))
}

// When node entries are lost too, a block no node uses may be a lost
// item's: a message whose NBT leaf page is zeroed, its data block with a
// byte changed, the BBT root zeroed. Its block is reported damaged, not
// left out as an old page's entry.
func TestStaleNotWhenNodesLost(t *testing.T) {
	f := sample(t, "enron.pst")
	notOnlyMessages := map[int64]bool{}
	for _, n := range f.NBT {
		if n.NID&0x1F != ndb.NIDTypeMessage {
			notOnlyMessages[n.Page] = true
		}
	}
	users := f.Users()
	for _, n := range f.NBT {
		if notOnlyMessages[n.Page] || ndb.IsInternal(n.Data) || len(users[n.Data&^1]) != 1 {
			continue
		}
		ib := int64(f.MustBlock(n.Data).IB)
		f.Zero(n.Page, f.L.PageSize)
		f.B[ib+8] ^= 0xFF
		f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
		_, fs := scan(f)
		fs.mustHave(t, finding.BlockCRC, ib)
		return
	}
	t.Skip("no NBT leaf page of messages only")
}

// With both roots zeroed (enron.pst's lie 1 KiB apart: one bad sector
// takes both), node entries count as lost, so the old leaf pages' entries
// were reported as 11 damaged blocks, and one, an internal block, barred 7
// messages of a lost leaf as maybe older versions (an audit). An entry
// whose place holds a newer block that verifies there is stale whatever
// node entries were lost: the newer block was written where the old one
// had been freed. 9 of the 11 are left out; the 2 whose trailers survive
// with their starts written over by no block the index lists stay, as far
// as the NDB passes can tell (the messaging layer settles them:
// TestStaleSettledByItems).
func TestStaleWhenTakenByNewer(t *testing.T) {
	f := sample(t, "enron.pst")
	f.Zero(f.Root(ndb.PageNBT).Off, f.L.PageSize)
	f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
	res, fs := scan(f)
	if rb := res.Rebuild; rb == nil || rb.StaleEntries != 9 {
		t.Fatalf("rebuild %+v, want 9 stale entries left out", rb)
	}
	for _, x := range fs.errors() {
		switch x.Code {
		case finding.PageType, finding.BlockCRC:
		default:
			t.Errorf("unexpected error finding: %s %s", x.Code, x.Detail)
		}
	}
	if len(res.NodeDamaged) > 0 {
		t.Errorf("%d nodes damaged, want none", len(res.NodeDamaged))
	}
}
