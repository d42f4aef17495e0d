package ndb_test

import (
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// enron.pst keeps old copies of BBT leaf pages in space its maps mark in
// use. With its BBT root zeroed, the rebuild takes their entries too; 11
// of them name blocks written over since, which no node uses. They are
// left out as stale, not reported as damaged blocks: every node is whole,
// and the only error is the zeroed page.
func TestStaleEntriesLeftOut(t *testing.T) {
	f := sample(t, "enron.pst")
	root := f.Root(ndb.PageBBT)
	f.Zero(root.Off, f.L.PageSize)
	res, fs := scan(f)
	if rb := res.Rebuild; rb == nil || rb.StaleEntries == 0 {
		t.Fatalf("rebuild %+v, want stale entries left out", rb)
	}
	for _, x := range fs.errors() {
		if x.Code != finding.PageType || x.Offset != root.Off {
			t.Errorf("unexpected error finding: %s %s", x.Code, x.Detail)
		}
	}
	if len(res.NodeDamaged) > 0 {
		t.Errorf("%d nodes damaged, want none", len(res.NodeDamaged))
	}
}

// A block a node uses is never taken for a stale entry: with the BBT root
// zeroed, a message's own data block with a byte changed comes back from
// its leaf page's entry alone (no trailer proves it), and is reported as
// damaged, with the message.
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
