package ndb_test

import (
	"encoding/binary"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// The walk of a sound B-tree reads every leaf entry, sorted by key, and
// finds nothing to report.
func TestBTreeWalkSamples(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		f := sample(t, name)
		res, fs := scan(f)
		if len(fs) > 0 {
			t.Errorf("%s:%s", name, fs)
		}
		if res.BBT.Len() != len(f.BBT) || res.NBT.Len() != len(f.NBT) || res.Rebuild != nil {
			t.Errorf("%s: %d blocks and %d nodes (rebuild %+v), pstmut reads %d and %d",
				name, res.BBT.Len(), res.NBT.Len(), res.Rebuild, len(f.BBT), len(f.NBT))
		}
		for i, b := range res.BBT.All() {
			if b.BID != f.BBT[i].BID || b.IB != f.BBT[i].IB || b.CB != f.BBT[i].CB || b.Ref != f.BBT[i].Ref {
				t.Fatalf("%s: BBT entry %d is %+v, the file says %+v", name, i, b, f.BBT[i].BBTEntry)
			}
		}
		var nbt []ndb.NBTEntry
		for _, n := range res.NBT.All() {
			nbt = append(nbt, n)
		}
		if !slices.Equal(nodes(nbt), nodes(pstmutNodes(f))) {
			t.Errorf("%s: the NBT differs from the file's", name)
		}
		for _, n := range f.NBT {
			if got, ok := res.Node(n.NID); !ok || got.Data != n.Data || got.Sub != n.Sub || got.Parent != n.Parent {
				t.Errorf("%s: Node(0x%X) = %+v, %v; the file says %+v", name, n.NID, got, ok, n.NBTEntry)
			}
		}
	}
}

func pstmutNodes(f *pstmut.File) []ndb.NBTEntry {
	out := make([]ndb.NBTEntry, len(f.NBT))
	for i, n := range f.NBT {
		out[i] = n.NBTEntry
	}
	return out
}

// leaf returns a leaf page of tree that is not its parent's first child
// (so it has a lower key bound) and has room for more entries.
func leaf(t *testing.T, f *pstmut.File, tree uint8) pstmut.Page {
	t.Helper()
	for _, p := range f.TreePages(tree, 0) {
		if p.Index > 0 && p.Entries < f.Footer(p.Off).CEntMax {
			return p
		}
	}
	t.Fatalf("no leaf of tree 0x%02X below a branch with room to spare", tree)
	return pstmut.Page{}
}

// onFooter is a damage that edits the footer of the leaf (leafPage) or
// root (rootPage) page, its CRC fixed: only the footer is wrong.
func onFooter(which func(l, r pstmut.Page) pstmut.Page, edit func(ft *pstmut.Footer)) func(f *pstmut.File, l, r pstmut.Page) int64 {
	return func(f *pstmut.File, l, r pstmut.Page) int64 {
		p := which(l, r)
		ft := f.Footer(p.Off)
		edit(&ft)
		f.SetFooter(p.Off, ft)
		return p.Off
	}
}

// swapFirstKeys swaps the leaf's first two entries (CRC fixed): the
// second key is reported.
func swapFirstKeys(f *pstmut.File, l, _ pstmut.Page) int64 {
	f.SwapEntries(l.Off, 0, 1)
	return l.Off + int64(f.Footer(l.Off).CBEnt)
}

func leafPage(l, _ pstmut.Page) pstmut.Page { return l }
func rootPage(_, r pstmut.Page) pstmut.Page { return r }

// Each kind of B-tree page damage gives its finding at the page. A page
// that cannot be trusted at all (not a page of this tree, a reference
// outside the file, a footer that does not fit) loses its key range,
// which the index rebuild then looks for; a page with only a bad
// signature, CRC, BID, type repeat or key order still gives its entries.
func TestBTreePageDamage(t *testing.T) {
	for _, c := range []struct {
		name   string
		file   string
		tree   uint8
		damage func(f *pstmut.File, leaf, root pstmut.Page) int64 // returns the offset reported
		code   finding.Code
		lost   bool
	}{
		{"page of the other tree", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, _ pstmut.Page) int64 {
			f.SetPageType(l.Off, ndb.PageNBT, ndb.PageNBT)
			return l.Off
		}, finding.PageType, true},
		{"zeroed page", unicodeSample, ndb.PageNBT, func(f *pstmut.File, l, _ pstmut.Page) int64 {
			f.Zero(l.Off, f.L.PageSize) // its CRC still matches: the CRC of zeros is 0
			return l.Off
		}, finding.PageType, true},
		{"type repeat", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, _ pstmut.Page) int64 {
			f.SetPageType(l.Off, ndb.PageBBT, 0)
			return l.Off
		}, finding.PageType, false},
		{"signature", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, _ pstmut.Page) int64 {
			f.SetPageSig(l.Off, f.PageTrailer(l.Off).Sig^1)
			return l.Off
		}, finding.PageSignature, false},
		{"CRC", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, _ pstmut.Page) int64 {
			f.FlipByte(l.Off + int64(l.Entries*f.Footer(l.Off).CBEnt)) // an unused entry slot
			return l.Off
		}, finding.PageCRC, false},
		{"trailer BID", unicodeSample, ndb.PageNBT, func(f *pstmut.File, l, _ pstmut.Page) int64 {
			f.SetPageBID(l.Off, l.BID+4)
			return l.Off
		}, finding.PageBID, false},
		{"reference past the end", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, r pstmut.Page) int64 {
			b := f.BranchEntry(r.Off, l.Index)
			b.IB = uint64(f.Size() + 0x1000)
			f.SetBranchEntry(r.Off, l.Index, b)
			return int64(b.IB)
		}, finding.PageRange, true},
		{"reference off a page boundary", unicodeSample, ndb.PageNBT, func(f *pstmut.File, l, r pstmut.Page) int64 {
			b := f.BranchEntry(r.Off, l.Index)
			b.IB += 64
			f.SetBranchEntry(r.Off, l.Index, b)
			return int64(b.IB)
		}, finding.PageRange, true},
		{"entry size", unicodeSample, ndb.PageBBT, onFooter(leafPage, func(ft *pstmut.Footer) { ft.CBEnt++ }), finding.BTreeEntries, true},
		{"more entries than fit", unicodeSample, ndb.PageNBT, onFooter(leafPage, func(ft *pstmut.Footer) { ft.CEnt = ft.CEntMax + 1 }), finding.BTreeEntries, true},
		{"more entries than fit, ANSI", ansiSample, ndb.PageNBT, onFooter(leafPage, func(ft *pstmut.Footer) { ft.CEnt = 255 }), finding.BTreeEntries, true},
		{"cEntMax", unicodeSample, ndb.PageBBT, onFooter(leafPage, func(ft *pstmut.Footer) { ft.CEntMax-- }), finding.BTreeEntries, false},
		{"leaf at level 1", unicodeSample, ndb.PageBBT, onFooter(leafPage, func(ft *pstmut.Footer) { ft.CLevel = 1 }), finding.BTreeLevel, true},
		{"root deeper than any tree", unicodeSample, ndb.PageNBT, onFooter(rootPage, func(ft *pstmut.Footer) { ft.CLevel = 9 }), finding.BTreeLevel, true},
		{"keys out of order", unicodeSample, ndb.PageBBT, swapFirstKeys, finding.BTreeKeyOrder, false},
		{"keys out of order, ANSI", ansiSample, ndb.PageNBT, swapFirstKeys, finding.BTreeKeyOrder, false},
		{"key below its parent's", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, r pstmut.Page) int64 {
			b := f.BranchEntry(r.Off, l.Index)
			b.Key++ // the leaf's first key is now below it
			f.SetBranchEntry(r.Off, l.Index, b)
			return l.Off
		}, finding.BTreeKeyOrder, false},
		{"one leaf referenced twice", unicodeSample, ndb.PageBBT, func(f *pstmut.File, l, r pstmut.Page) int64 {
			prev := f.BranchEntry(r.Off, l.Index-1)
			b := f.BranchEntry(r.Off, l.Index)
			b.BREF = prev.BREF
			f.SetBranchEntry(r.Off, l.Index, b)
			return int64(prev.IB)
		}, finding.BTreeCycle, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sample(t, c.file)
			l, r := leaf(t, f, c.tree), f.Root(c.tree)
			off := c.damage(f, l, r)
			res, fs := scan(f)
			if res == nil {
				t.Fatal("no result")
			}
			fs.mustHave(t, c.code, off)
			if c.lost != (res.Rebuild != nil) {
				t.Errorf("range lost and rebuilt: %v (%+v), want %v", res.Rebuild != nil, res.Rebuild, c.lost)
			}
			if !c.lost && (res.BBT.Len() != len(f.BBT) || res.NBT.Len() != len(f.NBT)) {
				t.Errorf("%d blocks and %d nodes, want all %d and %d", res.BBT.Len(), res.NBT.Len(), len(f.BBT), len(f.NBT))
			}
		})
	}
}

// A leaf page whose checksum fails has a byte changed somewhere in it
// (walkPage). A BBT entry whose block's trailer does not name it is
// weighed by the index rebuild: the block is found where its trailer
// proves it is, whether the entry's offset or its BID was changed (the
// BID out of the page's key order, so left out). An NBT entry whose key
// breaks the page's order is left out, not taken as a node of that NID,
// and the entry after it is kept.
func TestChangedLeafPage(t *testing.T) {
	entry := func(f *pstmut.File, l pstmut.Page, k int) int64 { return l.Off + int64(k*f.Footer(l.Off).CBEnt) }
	for _, c := range []struct {
		name    string
		tree    uint8
		byte    int64 // of the entry, inverted
		code    finding.Code
		dropKey bool
	}{
		{"BBT entry's offset", ndb.PageBBT, 8 + 2, finding.PageCRC, false},
		{"BBT entry's size", ndb.PageBBT, 16, finding.PageCRC, false},
		{"BBT entry's BID", ndb.PageBBT, 7, finding.BTreeKeyOrder, true},
		{"NBT entry's NID", ndb.PageNBT, 3, finding.BTreeKeyOrder, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sample(t, unicodeSample)
			l := leaf(t, f, c.tree)
			k := l.Entries / 2
			at := entry(f, l, k)
			key := binary.LittleEndian.Uint64(f.B[at:])
			f.FlipByte(at + c.byte)
			res, fs := scan(f)
			fs.mustHave(t, finding.PageCRC, l.Off)
			if c.code != finding.PageCRC {
				fs.mustHave(t, c.code, at)
			}
			if c.tree == ndb.PageNBT {
				nid := uint32(key)
				if _, ok := res.Node(nid ^ 0xFF<<24); ok {
					t.Errorf("a node of the changed NID 0x%X", nid^0xFF<<24)
				}
				if res.NBT.Len() != len(f.NBT)-1 || res.Rebuild != nil {
					t.Errorf("%d nodes (the file's %d, one left out), rebuild %+v", res.NBT.Len(), len(f.NBT), res.Rebuild)
				}
				if _, ok := res.Node(uint32(binary.LittleEndian.Uint64(f.B[entry(f, l, k+1):]))); !ok {
					t.Error("the entry after the changed one is left out too")
				}
				return
			}
			if res.Rebuild == nil || res.Rebuild.ChangedPages != 1 {
				t.Fatalf("rebuild %+v, want one changed page weighed", res.Rebuild)
			}
			want := f.MustBlock(key)
			if off, size := res.BlockOffset(key), res.BlockSize(key); off != int64(want.IB) || size != int(want.CB) {
				t.Errorf("block 0x%X at 0x%X of %d bytes, its trailer proves 0x%X and %d", key, off, size, want.IB, want.CB)
			}
			for _, x := range fs {
				if x.BID == key && x.Code != finding.PageCRC {
					t.Errorf("block 0x%X: %s", key, x)
				}
			}
		})
	}
}
