package ndb_test

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A node with more data than is read whole cannot be read whole, with an
// error no pass reported (the reader must say it), and is still listed
// block by block (DataBlocks), as the large folder tables are read.
func TestDataOverReadLimit(t *testing.T) {
	f := trees(t)
	res, _ := scan(f)
	xx := internalBlocks(f, pstmut.XBlockType, 2)
	if len(xx) != 1 {
		t.Fatalf("%d XXBLOCKs", len(xx))
	}
	defer ndb.SetMaxNodeData(xxblockData - 1)()
	_, err := res.ReadBlocks(xx[0], nil)
	var re *ndb.ReadError
	if !errors.As(err, &re) || !re.Unreported || re.Code != finding.NodeDataTree {
		t.Fatalf("reading %d bytes whole: %v, want an unreported NODE-DATA-TREE error", xxblockData, err)
	}
	blocks, size, err := res.DataBlocks(xx[0], nil)
	if err != nil || size != xxblockData {
		t.Fatalf("listed %d bytes: %v", size, err)
	}
	var got []uint64
	for _, b := range blocks {
		got = append(got, b.BID)
	}
	if want := f.DataBlocks(xx[0]); !slices.Equal(got, want) {
		t.Errorf("listed %d blocks, the tree holds %d", len(got), len(want))
	}
}

// A data tree reads as its data blocks in order, decoded: one block, an
// XBLOCK's blocks, or an XXBLOCK's XBLOCKs' blocks. The bytes add up to
// what the tree says it holds.
func TestReadDataTrees(t *testing.T) {
	f := trees(t)
	res, fs := scan(f)
	if len(fs.errors()) > 0 {
		t.Fatalf("the written store:%s", fs)
	}
	// The attachments' trees: the XBLOCK of the small one (the large
	// one's XXBLOCK lists XBLOCKs too) and the XXBLOCK.
	var x uint64
	for _, b := range internalBlocks(f, pstmut.XBlockType, 1) {
		if _, _, _, total := f.InternalHeader(b); total == xblockData {
			x = b
		}
	}
	xx := internalBlocks(f, pstmut.XBlockType, 2)
	if x == 0 || len(xx) != 1 {
		t.Fatalf("XBLOCK 0x%X, %d XXBLOCKs: the fixture does not have the trees it should", x, len(xx))
	}
	for _, c := range []struct {
		name string
		root uint64
		size int
	}{
		{"XBLOCK", x, xblockData},
		{"XXBLOCK", xx[0], xxblockData},
	} {
		_, _, _, total := f.InternalHeader(c.root)
		blocks, err := res.ReadBlocks(c.root, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		data, err := res.ReadData(c.root)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := f.DataBlocks(c.root)
		var got []uint64
		n := 0
		for i, b := range blocks {
			got = append(got, b.BID)
			n += len(data[i])
			if !bytes.Equal(data[i], f.Decoded(b.BID)) {
				t.Errorf("%s: block 0x%X does not read decoded", c.name, b.BID)
			}
		}
		if !slices.Equal(got, want) || n != int(total) || n != c.size {
			t.Errorf("%s: %d blocks holding %d bytes, want %d holding %d (the attachment's %d)", c.name, len(got), n, len(want), total, c.size)
		}
	}
}

// A subnode tree reads as its entries by NID, through an SIBLOCK's
// SLBLOCKs as well as a single SLBLOCK.
func TestReadSubnodeTrees(t *testing.T) {
	f := trees(t)
	res, _ := scan(f)
	si := internalBlocks(f, pstmut.SLBlockType, 1)
	if len(si) != 1 {
		t.Fatalf("%d SIBLOCKs: the fixture does not have the tree it should", len(si))
	}
	sl := internalBlocks(f, pstmut.SLBlockType, 0)
	for _, root := range []uint64{si[0], sl[0]} {
		got, err := res.Subnodes(root, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := f.Subnodes(root)
		if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
			t.Fatalf("block 0x%X: %d subnodes, want %d", root, len(got), len(want))
		}
		for nid, s := range got {
			if w := want[nid]; s.NID != nid || s.Data != w.Data || s.Sub != w.Sub {
				t.Errorf("subnode 0x%X: %+v, want data 0x%X sub 0x%X", nid, s, w.Data, w.Sub)
			}
		}
		if root == si[0] && len(got) < attachments {
			t.Errorf("the SIBLOCK lists %d subnodes, want the %d attachments and more", len(got), attachments)
		}
	}
	if got, err := res.Subnodes(0, nil); err != nil || len(got) != 0 {
		t.Errorf("no subnode tree: %v, %v", got, err)
	}
}

// Reading node data gives an error that says why, never a block the
// block pass did not verify or bytes from the wrong kind of tree.
func TestReadErrors(t *testing.T) {
	f := trees(t)
	sl := internalBlocks(f, pstmut.SLBlockType, 0)[0]
	x := internalBlocks(f, pstmut.XBlockType, 1)[0]
	data := f.XEntries(x)[0]
	res, _ := scan(f)
	for _, c := range []struct {
		name string
		read func() error
		code finding.Code
	}{
		{"data of a block not in the BBT", func() error { _, err := res.ReadBlocks(f.FreeBID(false), nil); return err }, finding.NodeBlockMissing},
		{"data of a subnode tree", func() error { _, err := res.ReadBlocks(sl, nil); return err }, finding.NodeDataTree},
		{"subnodes of a data block", func() error { _, err := res.Subnodes(data, nil); return err }, finding.NodeSubnodeTree},
		{"subnodes of a data tree", func() error { _, err := res.Subnodes(x, nil); return err }, finding.NodeSubnodeTree},
		{"subnodes of a block not in the BBT", func() error { _, err := res.Subnodes(f.FreeBID(true), nil); return err }, finding.NodeBlockMissing},
	} {
		var re *ndb.ReadError
		if err := c.read(); !errors.As(err, &re) || re.Code != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
}

// A malformed data or subnode tree whose blocks are sound (checksums
// intact) reads as an error, not as bytes or subnodes made up from it.
func TestReadMalformedTrees(t *testing.T) {
	for _, c := range []struct {
		name   string
		btype  uint8
		level  uint8
		damage func(f *pstmut.File, bid uint64)
		code   finding.Code
	}{
		{"XBLOCK listing more BIDs than it holds", pstmut.XBlockType, 1, func(f *pstmut.File, bid uint64) {
			f.SetInternalHeader(bid, pstmut.XBlockType, 1, 5000)
		}, finding.NodeDataTree},
		{"XBLOCK listing itself", pstmut.XBlockType, 1, func(f *pstmut.File, bid uint64) { f.SetXEntry(bid, 0, bid) }, finding.NodeDataTree},
		{"SLBLOCK listing more entries than it holds", pstmut.SLBlockType, 0, func(f *pstmut.File, bid uint64) {
			f.SetInternalHeader(bid, pstmut.SLBlockType, 0, 5000)
		}, finding.NodeSubnodeTree},
		{"SLBLOCK of level 2", pstmut.SLBlockType, 0, func(f *pstmut.File, bid uint64) {
			_, _, n, _ := f.InternalHeader(bid)
			f.SetInternalHeader(bid, pstmut.SLBlockType, 2, n)
		}, finding.NodeSubnodeTree},
		{"SIBLOCK listing itself", pstmut.SLBlockType, 1, func(f *pstmut.File, bid uint64) {
			setSIEntry(f, bid, 0, bid)
		}, finding.NodeSubnodeTree},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := trees(t)
			bid := internalBlocks(f, c.btype, c.level)[0]
			c.damage(f, bid)
			res, _ := scan(f)
			var err error
			if c.btype == pstmut.XBlockType {
				_, err = res.ReadBlocks(bid, nil)
			} else {
				_, err = res.Subnodes(bid, nil)
			}
			var re *ndb.ReadError
			if !errors.As(err, &re) || re.Code != c.code {
				t.Errorf("%v, want %s", err, c.code)
			}
		})
	}
}

// Where a data tree's level bytes are wrong but it can still be followed
// (its blocks sound, at most two levels deep), its data is read: the node
// pass reports the tree (nodes_test.go), and the layers above may salvage
// what its blocks hold.
func TestReadSalvagesDataTrees(t *testing.T) {
	f := trees(t)
	x := internalBlocks(f, pstmut.XBlockType, 1)[0]
	_, _, n, _ := f.InternalHeader(x)
	f.SetInternalHeader(x, pstmut.XBlockType, 3, n)
	res, _ := scan(f)
	blocks, err := res.ReadBlocks(x, nil)
	if err != nil || len(blocks) != n {
		t.Errorf("an XBLOCK of level 3 reads as %d blocks (%v), want its %d", len(blocks), err, n)
	}
}

// Node data read into an arena is the same as read into fresh memory;
// an arena hands out slices that never overlap until it is reset, and
// reuses its memory after.
func TestReadIntoArena(t *testing.T) {
	f := sample(t, unicodeSample)
	res, _ := scan(f)
	var arena ndb.Arena
	var got [][]byte
	for _, n := range res.NBT.All() {
		if n.Data == 0 {
			continue
		}
		blocks, err := res.ReadBlocks(n.Data, &arena)
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := res.ReadBlocks(n.Data, nil)
		for i, b := range blocks {
			if !bytes.Equal(b.Data, fresh[i].Data) {
				t.Fatalf("node 0x%X: arena and fresh reads differ", n.NID)
			}
			got = append(got, bytes.Clone(b.Data))
		}
	}
	// Every slice handed out still holds what was read into it.
	i := 0
	for _, n := range res.NBT.All() {
		if n.Data == 0 {
			continue
		}
		blocks, _ := res.ReadBlocks(n.Data, nil)
		for _, b := range blocks {
			if !bytes.Equal(b.Data, got[i]) {
				t.Fatalf("node 0x%X: a later read overwrote an earlier one", n.NID)
			}
			i++
		}
	}
	var small ndb.Arena
	first := small.Alloc(100)
	small.Reset()
	if again := small.Alloc(100); &again[0] != &first[0] {
		t.Errorf("the arena does not reuse its memory after Reset")
	}
	if big := small.Alloc(1 << 20); len(big) != 1<<20 {
		t.Errorf("Alloc(1 MiB) gave %d bytes", len(big))
	}
	var none *ndb.Arena
	if b := none.Alloc(10); len(b) != 10 {
		t.Errorf("a nil arena gave %d bytes", len(b))
	}
}

// BlockOffset says where a block is, for callers that sort their reads.
func TestBlockOffset(t *testing.T) {
	f := sample(t, ansiSample)
	res, _ := scan(f)
	for _, b := range f.BBT {
		if got := res.BlockOffset(b.BID); got != int64(b.IB) {
			t.Errorf("block 0x%X at 0x%X, want 0x%X", b.BID, got, b.IB)
		}
		if got := res.BlockOffset(b.BID | 1); got != int64(b.IB) {
			t.Errorf("block 0x%X with its reserved bit set: 0x%X", b.BID, got)
		}
	}
	if got := res.BlockOffset(f.FreeBID(false)); got != -1 {
		t.Errorf("a block not in the BBT at 0x%X", got)
	}
}

// In a 4K-page file compressed blocks are read inflated.
func TestReadData4K(t *testing.T) {
	b, err := os.ReadFile(corpusFile(t, is4K))
	if err != nil {
		t.Fatal(err)
	}
	res, fs := scanBytes(b)
	if len(fs.errors()) > 0 {
		t.Fatalf("the 4K OST:%s", fs)
	}
	compressed := 0
	for _, e := range res.BBT.All() {
		if e.CB != e.Inflated {
			compressed++
		}
	}
	if compressed == 0 {
		t.Fatal("no compressed block")
	}
	for _, n := range res.NBT.All() {
		if k := n.NID & 0x1F; k != ndb.NIDTypeFolder && k != ndb.NIDTypeMessage {
			continue
		}
		data, err := res.ReadData(n.Data)
		if err != nil || len(data) == 0 || len(data[0]) < 3 || data[0][2] != 0xEC {
			t.Fatalf("node 0x%X does not read as a heap: %v", n.NID, err)
		}
	}
}

// A Tolerant view reads a data block whose one fault is its checksum (a
// byte of it changed) as it is, through ReadBlocks and a DataReader
// alike, and notes it; it still refuses an internal block whose checksum
// fails, and a data block whose trailer is gone. The plain reads refuse
// all three.
func TestReadTolerant(t *testing.T) {
	f0 := trees(t)
	x := internalBlocks(f0, pstmut.XBlockType, 1)[0]
	blocks := f0.XEntries(x)
	flip := func(bid uint64) *pstmut.File {
		f := f0.Clone()
		b := f.MustBlock(bid)
		f.FlipByte(int64(b.IB) + int64(b.CB)/2)
		return f
	}
	stream := func(res *ndb.Result, bid uint64) ([]byte, error) {
		d, err := res.OpenData(bid)
		if err != nil {
			return nil, err
		}
		return io.ReadAll(d)
	}

	// A data block with a byte changed: read as it is, and noted once per
	// read of it.
	f := flip(blocks[1])
	res, fs := scan(f)
	if got := fs.with(finding.BlockCRC); len(got) != 1 || got[0].BID != blocks[1] {
		t.Fatalf("the flipped block: %s", fs)
	}
	if _, err := res.ReadData(x); err == nil {
		t.Error("the plain read takes a block whose checksum fails")
	}
	if _, err := stream(res, x); err == nil {
		t.Error("the plain stream takes a block whose checksum fails")
	}
	var used []uint64
	tol := res.Tolerant(&used)
	data, err := tol.ReadData(x)
	if err != nil {
		t.Fatalf("tolerant read: %v", err)
	}
	var want []byte
	for _, b := range blocks {
		want = append(want, f.Decoded(b)...)
	}
	if got := bytes.Join(data, nil); !bytes.Equal(got, want) {
		t.Error("the tolerant read does not give the blocks' bytes as they are")
	}
	if !slices.Equal(used, []uint64{blocks[1]}) {
		t.Errorf("noted %#x, want the flipped block 0x%X", used, blocks[1])
	}
	if got, err := stream(res.Tolerant(nil), x); err != nil || !bytes.Equal(got, want) {
		t.Errorf("tolerant stream: %d bytes, %v; want the %d bytes as they are", len(got), err, len(want))
	}

	// A data block whose trailer's BID has a byte changed, its data whole:
	// read as it is, and not noted, since its data checks out.
	ft := f0.Clone()
	tb := ft.MustBlock(blocks[1])
	ft.FlipByte(int64(tb.IB) + ft.L.BlockExtent(int(tb.CB)) - 8 + 1)
	var whole []byte
	for _, b := range blocks {
		whole = append(whole, ft.Decoded(b)...)
	}
	res, fs = scan(ft)
	if got := fs.with(finding.BlockBID); len(got) != 1 || !strings.Contains(got[0].Detail, "its data checks out against its CRC") {
		t.Fatalf("the block with its trailer's BID changed: %s", fs)
	}
	if _, err := res.ReadData(x); err == nil {
		t.Error("the plain read takes a block whose trailer names another")
	}
	used = nil
	if data, err := res.Tolerant(&used).ReadData(x); err != nil || !bytes.Equal(bytes.Join(data, nil), whole) || len(used) != 0 {
		t.Errorf("tolerant read of a block whose trailer alone changed: %v, noted %#x", err, used)
	}
	if got, err := stream(res.Tolerant(nil), x); err != nil || !bytes.Equal(got, whole) {
		t.Errorf("tolerant stream of a block whose trailer alone changed: %d bytes, %v", len(got), err)
	}
	// Its data changed after the scan: the stream, which verifies each
	// block again, refuses it.
	ft.FlipByte(int64(tb.IB) + int64(tb.CB)/2)
	if _, err := stream(res.Tolerant(nil), x); err == nil {
		t.Error("the tolerant stream takes a block whose data changed since the scan")
	}

	// The XBLOCK with a byte changed, and a data block zeroed with its
	// trailer: refused.
	fz := f0.Clone()
	z := fz.MustBlock(blocks[1])
	fz.Zero(int64(z.IB), fz.L.BlockExtent(int(z.CB)))
	for name, f := range map[string]*pstmut.File{"XBLOCK flipped": flip(x), "data block zeroed": fz} {
		res, _ := scan(f)
		if _, err := res.Tolerant(nil).ReadData(x); err == nil {
			t.Errorf("%s: the tolerant read takes it", name)
		}
		if _, err := stream(res.Tolerant(nil), x); err == nil {
			t.Errorf("%s: the tolerant stream takes it", name)
		}
	}
}
