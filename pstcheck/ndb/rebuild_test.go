package ndb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A zeroed NBT root: its leaf pages survive outside the tree's reach, are
// found by their trailers, and give back every node as it was, each
// marked as read through the rebuilt index.
func TestRebuildNodesFromLeaves(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		t.Run(name, func(t *testing.T) {
			f := sample(t, name)
			root := f.Root(ndb.PageNBT)
			if root.Level == 0 {
				t.Fatal("the NBT root is a leaf")
			}
			leaves := len(f.TreePages(ndb.PageNBT, 0))
			f.Zero(root.Off, f.L.PageSize)
			res, fs := scan(f)
			fs.mustHave(t, finding.PageType, root.Off)
			rb := res.Rebuild
			// A stale copy of a leaf, still marked in use, may be read too
			// (32-bit.pst has one); the newer page wins.
			if rb == nil || rb.NBTPages < leaves || rb.Nodes != len(f.NBT) || rb.Blocks != 0 {
				t.Fatalf("rebuild %+v, want %d nodes from %d leaf pages", rb, len(f.NBT), leaves)
			}
			for _, n := range f.NBT {
				got, ok := res.Node(n.NID)
				if !ok || got.Data != n.Data || got.Sub != n.Sub || got.Parent != n.Parent || !got.Rebuilt {
					t.Errorf("node 0x%X: %+v, %v; want %+v, rebuilt", n.NID, got, ok, n.NBTEntry)
				}
			}
			if len(fs.with(finding.NodeBlockMissing)) > 0 || len(res.NodeDamaged) > 0 {
				t.Errorf("the rebuilt nodes lack blocks:%s", fs)
			}
		})
	}
}

// A zeroed BBT leaf: the blocks it listed are found by their own
// trailers, where they are, with their sizes; the nodes that use them,
// and only those, are marked as read through the rebuilt index.
func TestRebuildBlocksFromTrailers(t *testing.T) {
	f := sample(t, unicodeSample)
	l := leaf(t, f, ndb.PageBBT)
	var lost []pstmut.BBTRef
	for _, b := range f.BBT {
		if b.Page == l.Off {
			lost = append(lost, b)
		}
	}
	users := f.Users()
	f.Zero(l.Off, f.L.PageSize)
	res, fs := scan(f)
	fs.mustHave(t, finding.PageType, l.Off)
	if rb := res.Rebuild; rb == nil || rb.Blocks != len(lost) || rb.TrailerBlocks != len(lost) {
		t.Fatalf("rebuild %+v, want the %d blocks of the leaf found by their trailers", rb, len(lost))
	}
	rebuilt := map[uint32]bool{}
	for _, b := range lost {
		i := blockIndex(res, b.BID)
		if i < 0 {
			t.Errorf("block 0x%X was not found again", b.BID)
			continue
		}
		if e := res.BBT.Entry(i); e.IB != b.IB || e.CB != b.CB || e.Rebuilt != ndb.FoundByTrailer || res.BBT.State(i) != 0 {
			t.Errorf("block 0x%X found as %+v (damage %s), want at 0x%X, %d bytes, by its trailer", b.BID, e, res.BBT.State(i).Code(), b.IB, b.CB)
		}
		for _, nid := range users[b.BID] {
			rebuilt[nid] = true
		}
	}
	for _, n := range res.NBT.All() {
		if n.Rebuilt != rebuilt[n.NID] {
			t.Errorf("node 0x%X marked rebuilt: %v, want %v", n.NID, n.Rebuilt, rebuilt[n.NID])
		}
	}
	if len(fs.with(finding.NodeBlockMissing)) > 0 {
		t.Errorf("nodes lack blocks:%s", fs)
	}
}

func blockIndex(res *ndb.Result, bid uint64) int {
	for i, b := range res.BBT.All() {
		if b.BID == bid {
			return i
		}
	}
	return -1
}

// A zeroed BBT root: its leaves are found whole, so every block comes
// back from a leaf entry, reference count included.
func TestRebuildBlocksFromLeaves(t *testing.T) {
	f := sample(t, unicodeSample)
	root := f.Root(ndb.PageBBT)
	leaves := len(f.TreePages(ndb.PageBBT, 0))
	f.Zero(root.Off, f.L.PageSize)
	res, _ := scan(f)
	if rb := res.Rebuild; rb == nil || rb.BBTPages != leaves || rb.Blocks != len(f.BBT) || rb.TrailerBlocks != 0 {
		t.Fatalf("rebuild %+v, want %d blocks from %d leaf pages", rb, len(f.BBT), leaves)
	}
	for i, b := range f.BBT {
		if e := res.BBT.Entry(i); e.BID != b.BID || e.IB != b.IB || e.Ref != b.Ref || e.Rebuilt != ndb.FoundInLeaf {
			t.Errorf("block 0x%X found as %+v, want %+v from its leaf", b.BID, e, b.BBTEntry)
		}
	}
}

// freeSlot returns the offset of a page-aligned page the allocation map
// marks free, past from.
func freeSlot(t *testing.T, f *pstmut.File, from int64) int64 {
	t.Helper()
	for off := (from + f.L.PageSize) / f.L.PageSize * f.L.PageSize; off+f.L.PageSize <= f.Size(); off += f.L.PageSize {
		free := (off-f.L.FirstAMap)%f.L.AMapCoverage != 0 && (off-f.L.FirstAMap)%f.L.AMapCoverage != f.L.PageSize
		for u := off; free && u < off+f.L.PageSize; u += f.L.AMapUnit {
			free = !f.Allocated(u)
		}
		if free {
			return off
		}
	}
	t.Fatal("no free page")
	return 0
}

// copyPage writes a copy of B-tree page from at to, as a writer that
// moved it would (signature for its new place), with the data BID of its
// first entry set to data.
func copyPage(f *pstmut.File, from, to int64, data uint64) {
	copy(f.B[to:to+f.L.PageSize], f.B[from:from+f.L.PageSize])
	f.PutUint(to+int64(f.L.BIDSize), f.L.BIDSize, data)
	f.FixPageCRC(to)
	f.SetPageSig(to, ndb.Signature(uint64(to), f.PageTrailer(to).BID))
}

// The rebuild takes entries only for the keys the lost pages held, and
// not from pages the allocation map marks free (stale copies a later
// write replaced) while the map is valid.
func TestRebuildTakesOnlyWhatWasLost(t *testing.T) {
	base := sample(t, unicodeSample)
	lost := leaf(t, base, ndb.PageNBT)
	var live pstmut.Page // another leaf, still in the tree
	for _, p := range base.TreePages(ndb.PageNBT, 0) {
		if p.Off != lost.Off {
			live = p
			break
		}
	}
	lostFirst, liveFirst := base.NBT[0], base.NBT[0]
	for _, n := range base.NBT {
		if n.Entry == lost.Off {
			lostFirst = n
		}
		if n.Entry == live.Off {
			liveFirst = n
		}
	}
	// The copies' first entries name another data block the BBT lists (a
	// node entry naming a block a whole BBT does not list is stale, and
	// not taken): which copy was taken shows.
	var marker uint64
	for _, b := range base.BBT {
		if !ndb.IsInternal(b.BID) && b.BID != lostFirst.Data && b.BID != liveFirst.Data {
			marker = b.BID
			break
		}
	}
	a := freeSlot(t, base, base.L.FirstAMap)
	b := freeSlot(t, base, a)
	copyPage(base, lost.Off, a, marker) // a stale copy of the lost leaf
	copyPage(base, live.Off, b, marker) // a copy of a live leaf, marked in use
	for u := b; u < b+base.L.PageSize; u += base.L.AMapUnit {
		base.SetAMapBit(u, true)
	}
	base.Zero(lost.Off, base.L.PageSize)

	// The lost leaf's only copy is free: its nodes stay lost. The live
	// leaf's copy is in use but holds no lost key: nothing of it is taken.
	res, _ := scan(base.Clone())
	if _, ok := res.Node(lostFirst.NID); ok {
		t.Errorf("node 0x%X was taken from a page the map marks free", lostFirst.NID)
	}
	if n, _ := res.Node(liveFirst.NID); n.Data != liveFirst.Data || n.Rebuilt {
		t.Errorf("node 0x%X: %+v; a copy outside the lost range overrode the live tree", liveFirst.NID, n)
	}

	// Marked in use, the copy of the lost leaf is taken.
	for u := a; u < a+base.L.PageSize; u += base.L.AMapUnit {
		base.SetAMapBit(u, true)
	}
	res, _ = scan(base)
	if n, ok := res.Node(lostFirst.NID); !ok || n.Data != marker || !n.Rebuilt {
		t.Errorf("node 0x%X: %+v, %v; want it from the copy in use", lostFirst.NID, n, ok)
	}
	if rb := res.Rebuild; rb == nil || rb.NBTPages != 1 || rb.Nodes != lost.Entries {
		t.Errorf("rebuild %+v, want the %d nodes of one page", rb, lost.Entries)
	}
}

// failingReader fails every read that reaches [bad, bad+n), after reading
// what lies before it: a bad sector that cuts a read short.
type failingReader struct {
	b      []byte
	bad, n int64
}

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	end := off + int64(len(p))
	if off < r.bad+r.n && end > r.bad {
		k := max(0, int(r.bad-off))
		copy(p[:k], r.b[off:])
		return k, errors.New("input/output error")
	}
	return bytes.NewReader(r.b).ReadAt(p, off)
}

// The rebuild sweeps the file's chunks on the scan's workers; what it
// finds, and so the index it rebuilds and every finding, is what one
// worker going through the file finds: with a root lost, with a bad sector
// that cuts a read short (after which the sweep goes on chunk after chunk
// from where the short read ended), and with chunks of several sizes.
func TestRebuildSweepWorkers(t *testing.T) {
	defer func(old int) { ndb.ChunkSize = old }(ndb.ChunkSize)
	files := []func() *pstmut.File{
		func() *pstmut.File { return sample(t, ansiSample) },
		func() *pstmut.File { return sample(t, unicodeSample) },
		func() *pstmut.File { return sample(t, "enron.pst") },
	}
	// The 4 KiB-page OST, when the corpus is here: its allocation maps
	// cover far more than a chunk, so a chunk reads its AMap from the file.
	for _, p := range samples.CorpusFiles(false) {
		if is4K(p) {
			files = append(files, func() *pstmut.File {
				f, err := pstmut.Load(p)
				if err != nil {
					t.Fatal(err)
				}
				return f
			})
			break
		}
	}
	for _, load := range files {
		for _, tree := range []uint8{ndb.PageNBT, ndb.PageBBT} {
			f := load()
			name := f.H.Kind.String()
			root := f.Root(tree)
			f.Zero(root.Off, f.L.PageSize)
			size := f.Size()
			for _, bad := range []int64{0, size / 3, size * 2 / 3} {
				r := io.ReaderAt(bytes.NewReader(f.B))
				if bad > 0 {
					r = failingReader{f.B, bad &^ 511, 4096}
				}
				run := func(chunk, workers int) string {
					ndb.ChunkSize = chunk
					var fs findings
					res := ndb.Scan(context.Background(), r, size, finding.SinkFunc(func(x finding.Finding) { fs = append(fs, x) }), ndb.Options{Workers: workers})
					if res == nil || res.Rebuild == nil {
						t.Fatalf("%s, %s root zeroed: the index was not rebuilt", name, treeName(tree))
					}
					var index []any
					for _, e := range res.BBT.All() {
						index = append(index, e)
					}
					for _, n := range res.NBT.All() {
						index = append(index, n)
					}
					return fmt.Sprint(*res.Rebuild, index, fs)
				}
				want := run(64<<10, 1)
				for _, c := range []struct{ chunk, workers int }{{64 << 10, 2}, {64 << 10, 3}, {512 << 10, 2}} {
					if got := run(c.chunk, c.workers); got != want {
						t.Errorf("%s, %s root zeroed, bad sector at %d: %d workers with chunks of %d rebuild otherwise than one", name, treeName(tree), bad, c.workers, c.chunk)
					}
				}
			}
		}
	}
}

func treeName(tree uint8) string {
	if tree == ndb.PageNBT {
		return "NBT"
	}
	return "BBT"
}

// With the BBT root lost, the copies of a leaf page found outside the tree
// are weighed, entry by entry, as mergeRebuilt says: a copy the allocation
// map marks free is not taken, and between copies in use the newer page (a
// higher page BID) wins. Which copy won shows in the reference count of
// the page's first entry, which no block trailer holds (a block's trailer
// proves only its place and size).
func TestRebuildWeighsLeafCopies(t *testing.T) {
	for _, c := range []struct {
		name    string
		bidStep int64 // the copy's page BID against the page's
		inUse   bool
		wantRef int // the first entry's reference count, from ref+0 or the copy's ref+1
	}{
		{"a newer copy in use", +4, true, 1},
		{"an older copy in use", -4, true, 0},
		{"a newer copy the map marks free", +4, false, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sample(t, unicodeSample)
			page := f.TreePages(ndb.PageBBT, 0)[0]
			var first pstmut.BBTRef
			for _, b := range f.BBT {
				if b.Page == page.Off {
					first = b
					break
				}
			}
			to := freeSlot(t, f, f.L.FirstAMap)
			copy(f.B[to:to+f.L.PageSize], f.B[page.Off:page.Off+f.L.PageSize])
			refOff := to + (first.Entry - page.Off) + 2*int64(f.L.BIDSize) + 2 // BID, IB, cb, then cRef
			f.PutUint(refOff, 2, uint64(first.Ref)+1)
			pageBID := uint64(int64(f.PageTrailer(page.Off).BID) + c.bidStep)
			f.SetPageBID(to, pageBID)
			f.SetPageSig(to, ndb.Signature(uint64(to), pageBID))
			f.FixPageCRC(to)
			for u := to; c.inUse && u < to+f.L.PageSize; u += f.L.AMapUnit {
				f.SetAMapBit(u, true)
			}
			f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
			res, _ := scan(f)
			if res.Rebuild == nil {
				t.Fatal("the index was not rebuilt")
			}
			var i ndb.BBTEntry
			for _, e := range res.BBT.All() {
				if e.BID == first.BID {
					i = e
				}
			}
			if want := first.Ref + uint16(c.wantRef); i.Ref != want || i.Rebuilt != ndb.FoundInLeaf {
				t.Errorf("block 0x%X rebuilt as %+v, want its reference count %d from a leaf", first.BID, i, want)
			}
		})
	}
}
