package ndb

import (
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// This file gives the layers above (LTP, messaging) access to node data
// after the passes have run: only blocks the block pass verified are
// returned, so what the upper layers parse has sound checksums.

// ReadError says why node data could not be read: a missing or damaged
// block, or a malformed tree. The NDB passes have already reported the
// block itself; the upper layers use this to classify the item.
type ReadError struct {
	BID    uint64
	Offset int64
	Code   finding.Code
	Detail string
}

func (e *ReadError) Error() string { return e.Detail }

// Subnode is an entry of a node's subnode tree.
type Subnode struct {
	NID       uint32
	Data, Sub uint64
}

// maxNodeData caps what one node's data may total when read into memory.
// The largest heaps (the contents table of a folder with 100,000 items)
// stay well below it; attachment bytes are never read this way.
const maxNodeData = 256 << 20

// The read methods below may be called from several goroutines at once.

// Node returns the NBT entry of nid.
func (res *Result) Node(nid uint32) (NBTEntry, bool) {
	i := res.s.node(nid)
	if i < 0 {
		return NBTEntry{}, false
	}
	return res.NBT[i], true
}

// Crypt is the file's bCryptMethod.
func (res *Result) Crypt() uint8 { return res.Header.Crypt }

// Block is one data block of a node: its BID and its bytes, still
// encoded with the file's bCryptMethod (see Decode).
type Block struct {
	BID  uint64
	Data []byte
}

// Arena hands out byte slices from a few large chunks, reused after Reset:
// the upper layers read each item's blocks into one arena and reset it for
// the next, so checking a file's messages allocates almost nothing.
type Arena struct {
	chunks [][]byte
	n      int // chunks in use
	off    int // bytes used of chunks[n-1]
}

const arenaChunk = 256 << 10

// Alloc returns n bytes (fresh memory when a is nil).
func (a *Arena) Alloc(n int) []byte {
	if a == nil {
		return make([]byte, n)
	}
	if a.n > 0 && a.off+n <= len(a.chunks[a.n-1]) {
		b := a.chunks[a.n-1][a.off : a.off+n : a.off+n]
		a.off += n
		return b
	}
	if a.n < len(a.chunks) && n <= len(a.chunks[a.n]) {
		a.n, a.off = a.n+1, n
		return a.chunks[a.n-1][:n:n]
	}
	// Chunks grow from 16 KB to arenaChunk: the items of a small file
	// never need the large ones.
	c := make([]byte, max(n, min(arenaChunk, 16<<10<<len(a.chunks))))
	a.chunks = append(a.chunks[:a.n], c)
	a.n, a.off = a.n+1, n
	return c[:n:n]
}

// Reset makes every slice handed out reusable.
func (a *Arena) Reset() { a.n, a.off = 0, 0 }

// Decode decodes in place bytes b found at offset off of block bid.
func (res *Result) Decode(bid uint64, off int, b []byte) {
	DecodeAt(res.Header.Crypt, bid, off, b)
}

// BlockOffset returns the file offset of bid's block, or -1. The layers
// above sort their work by it so that reads go forward through the file.
func (res *Result) BlockOffset(bid uint64) int64 {
	if i := res.s.block(bid); i >= 0 {
		return int64(res.BBT[i].IB)
	}
	return -1
}

// ReadBlocks reads the data tree rooted at bid and returns its data
// blocks, still encoded, one per block (heap-on-node pages are per block).
// The bytes come from arena (nil: fresh memory).
func (res *Result) ReadBlocks(bid uint64, arena *Arena) ([]Block, error) {
	var out []Block
	total := 0
	err := res.walkData(bid, 0, arena, func(e BBTEntry, b []byte) error {
		total += len(b)
		if total > maxNodeData {
			return &ReadError{BID: bid, Offset: -1, Code: finding.NodeDataTree, Detail: fmt.Sprintf("node data exceeds %d bytes", maxNodeData)}
		}
		out = append(out, Block{BID: e.BID, Data: b})
		return nil
	})
	return out, err
}

// ReadData reads the data tree rooted at bid and returns its data blocks,
// decoded, one slice per block.
func (res *Result) ReadData(bid uint64) ([][]byte, error) { return res.ReadDataIn(bid, nil) }

// ReadDataIn is ReadData with the blocks read into arena (nil: fresh
// memory), for a caller that reads many trees and reuses its buffers.
func (res *Result) ReadDataIn(bid uint64, arena *Arena) ([][]byte, error) {
	blocks, err := res.ReadBlocks(bid, arena)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(blocks))
	for i, b := range blocks {
		res.Decode(b.BID, 0, b.Data)
		out[i] = b.Data
	}
	return out, nil
}

func (res *Result) walkData(bid uint64, depth int, arena *Arena, yield func(BBTEntry, []byte) error) error {
	e, b, err := res.readBlock(bid, arena)
	if err != nil {
		return err
	}
	if !IsInternal(e.BID) {
		return yield(e, b)
	}
	if depth > 1 || len(b) < 8 || b[0] != 1 {
		return res.treeError(e, finding.NodeDataTree, "malformed data tree block")
	}
	l := &res.Header.Layout
	n := int(binary.LittleEndian.Uint16(b[2:]))
	if 8+n*l.BIDSize > len(b) {
		return res.treeError(e, finding.NodeDataTree, "data tree block too short for its entries")
	}
	for k := 0; k < n; k++ {
		if err := res.walkData(l.uint(b[8+k*l.BIDSize:]), depth+1, arena, yield); err != nil {
			return err
		}
	}
	return nil
}

// Subnodes reads the subnode tree rooted at bid (0: none).
func (res *Result) Subnodes(bid uint64) (map[uint32]Subnode, error) {
	out := map[uint32]Subnode{}
	if bid == 0 {
		return out, nil
	}
	return out, res.walkSub(bid, 0, out)
}

func (res *Result) walkSub(bid uint64, depth int, out map[uint32]Subnode) error {
	e, b, err := res.readBlock(bid, nil)
	if err != nil {
		return err
	}
	l := &res.Header.Layout
	hdr := 8
	if l.Kind == ANSI {
		hdr = 4
	}
	// The level (0 SLBLOCK, 1 SIBLOCK) sets the size of the entries: at
	// any other they have none.
	if !IsInternal(e.BID) || depth > 1 || len(b) < hdr || b[0] != 2 || b[1] > 1 {
		return res.treeError(e, finding.NodeSubnodeTree, "malformed subnode tree block")
	}
	n := int(binary.LittleEndian.Uint16(b[2:]))
	level := b[1]
	size := 3 * l.BIDSize
	if level == 1 {
		size = 2 * l.BIDSize
	}
	if hdr+n*size > len(b) {
		return res.treeError(e, finding.NodeSubnodeTree, "subnode block too short for its entries")
	}
	for k := 0; k < n; k++ {
		ent := b[hdr+k*size:]
		if level == 1 {
			if err := res.walkSub(l.uint(ent[l.BIDSize:]), depth+1, out); err != nil {
				return err
			}
			continue
		}
		nid := uint32(l.uint(ent))
		out[nid] = Subnode{NID: nid, Data: l.uint(ent[l.BIDSize:]), Sub: l.uint(ent[2*l.BIDSize:])}
	}
	return nil
}

func (res *Result) treeError(e BBTEntry, code finding.Code, what string) error {
	return &ReadError{BID: e.BID, Offset: int64(e.IB), Code: code, Detail: fmt.Sprintf("%s 0x%X", what, e.BID)}
}

// readBlock returns a verified block's data (inflated in 4K files), not
// yet decoded.
func (res *Result) readBlock(bid uint64, arena *Arena) (BBTEntry, []byte, error) {
	if !res.verified {
		return BBTEntry{}, nil, &ReadError{BID: bid &^ bidReserved, Offset: -1, Code: finding.FileRead,
			Detail: "the scan was interrupted before its blocks were verified"}
	}
	i := res.s.block(bid)
	if i < 0 {
		return BBTEntry{}, nil, &ReadError{BID: bid &^ bidReserved, Offset: -1, Code: finding.NodeBlockMissing,
			Detail: fmt.Sprintf("block 0x%X is not in the BBT", bid&^bidReserved)}
	}
	e := res.BBT[i]
	if c := res.BlockDamage[i].Code(); c != "" {
		return e, nil, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: c, Detail: fmt.Sprintf("block 0x%X is damaged (%s)", e.BID, c)}
	}
	l := &res.Header.Layout
	buf := arena.Alloc(int(e.CB))
	if err := readFull(res.s.r, buf, int64(e.IB)); err != nil {
		return e, nil, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.FileRead, Detail: err.Error()}
	}
	if l.Kind == Unicode4K && e.Inflated != e.CB {
		res.s.inflateMu.Lock()
		defer res.s.inflateMu.Unlock()
		out, err := res.s.inflater.inflate(buf, int(e.Inflated))
		if err != nil || len(out) != int(e.Inflated) {
			return e, nil, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.BlockInflate, Detail: "block does not inflate"}
		}
		buf = arena.Alloc(len(out))
		copy(buf, out)
	}
	return e, buf, nil
}
