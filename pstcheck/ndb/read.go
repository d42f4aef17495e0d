package ndb

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// This file gives the layers above (LTP, messaging) access to node data
// after the passes have run: only blocks the block pass verified are
// returned, so what the upper layers parse has sound checksums.

// ReadError says why node data could not be read: a missing or damaged
// block, or a malformed tree. The NDB passes have already reported the
// block itself; the upper layers use this to classify the item. Not so
// when Unreported is set: the data is more than this reader holds (see
// maxNodeData), which no pass checks, so the reader must report it.
type ReadError struct {
	BID        uint64
	Offset     int64
	Code       finding.Code
	Detail     string
	Unreported bool
}

func (e *ReadError) Error() string { return e.Detail }

// Subnode is an entry of a node's subnode tree.
type Subnode struct {
	NID       uint32
	Data, Sub uint64
}

// maxNodeData caps what one node's data may total when read into memory.
// Message heaps stay far below it (Outlook keeps large values in
// subnodes); a folder table larger than a few MB is read block by block
// (DataBlocks), whatever its size, and attachment bytes are streamed.
var maxNodeData = 256 << 20 // a variable for the tests

// maxTreeData is the most a data tree can hold: its size (lcbTotal) is 32
// bits.
const maxTreeData = math.MaxUint32

// tooLarge is the error of a node whose data totals more than limit.
func tooLarge(bid uint64, limit int) *ReadError {
	return &ReadError{BID: bid &^ bidReserved, Offset: -1, Code: finding.NodeDataTree, Unreported: true,
		Detail: fmt.Sprintf("node data exceeds %d bytes", limit)}
}

// The read methods below may be called from several goroutines at once.

// Node returns the NBT entry of nid.
func (res *Result) Node(nid uint32) (NBTEntry, bool) {
	i := res.s.node(nid)
	if i < 0 {
		return NBTEntry{}, false
	}
	return res.NBT.Entry(i), true
}

// NodeIndex returns the index of nid's entry in NBT, or -1.
func (res *Result) NodeIndex(nid uint32) int { return res.s.node(nid) }

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
	// win serves the reads of the goroutine that owns the arena.
	win window
	// blocks holds what ReadBlocks returns, subs the subnode sets
	// Subnodes fills (the first nsubs in use).
	blocks []Block
	subs   []map[uint32]Subnode
	nsubs  int
	// raw holds a compressed block ReadBlock inflates.
	raw []byte
	// keep: what the arena hands out is never reused (NewKeepingArena).
	keep bool
}

// NewKeepingArena returns an arena whose memory is fresh and never reused,
// for reads whose values outlive the item (an item read to be exported
// or copied): only its read window serves item after item, so that a
// goroutine reading a store's items does not make a system call per block.
func NewKeepingArena() *Arena { return &Arena{keep: true} }

const arenaChunk = 256 << 10

// Alloc returns n bytes (fresh memory when a is nil).
func (a *Arena) Alloc(n int) []byte {
	if a == nil || a.keep {
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

// Reset makes everything handed out reusable.
func (a *Arena) Reset() {
	a.n, a.off = 0, 0
	a.blocks = a.blocks[:0]
	a.nsubs = 0
}

// subnodeSet returns an empty subnode set (a fresh one when a is nil).
func (a *Arena) subnodeSet() map[uint32]Subnode {
	if a == nil || a.keep {
		return map[uint32]Subnode{}
	}
	if a.nsubs == len(a.subs) {
		a.subs = append(a.subs, map[uint32]Subnode{})
	}
	m := a.subs[a.nsubs]
	a.nsubs++
	clear(m)
	return m
}

// Decoder returns Decode as a function value, for the heaps that decode
// as they read: made once, where res.Decode made at each call allocates.
func (res *Result) Decoder() func(bid uint64, off int, b []byte) { return res.decode }

// Decode decodes in place bytes b found at offset off of block bid.
func (res *Result) Decode(bid uint64, off int, b []byte) {
	DecodeAt(res.Header.Crypt, bid, off, b)
}

// BlockOffset returns the file offset of bid's block, or -1. The layers
// above sort their work by it so that reads go forward through the file.
func (res *Result) BlockOffset(bid uint64) int64 {
	if i := res.s.block(bid); i >= 0 {
		return int64(res.BBT.IB(i))
	}
	return -1
}

// FileSize is the size of the file as read (through any gaps found). The
// blocks hold no more than that between them: work that reads blocks again
// through trees that share them is budgeted by it.
func (res *Result) FileSize() int64 { return res.s.size }

// BlockSize returns the size of bid's block's data (inflated in 4K
// files), 0 when it is not in the BBT.
func (res *Result) BlockSize(bid uint64) int {
	if i := res.s.block(bid); i >= 0 {
		return int(res.BBT.Entry(i).Inflated)
	}
	return 0
}

// Prefetch reads into arena's window the bytes from the start of the
// first of bids' blocks to the end of the last, when they lie close
// together: the reads of an item's blocks that follow are then served
// from memory. A file read from memory has no window to fill.
func (res *Result) Prefetch(arena *Arena, bids ...uint64) {
	if arena == nil || readsFromMemory(res.s.r) {
		return
	}
	lo, hi := int64(math.MaxInt64), int64(-1)
	l := &res.Header.Layout
	for _, bid := range bids {
		if i := res.s.block(bid); i >= 0 {
			e := res.BBT.Entry(i)
			lo = min(lo, int64(e.IB))
			hi = max(hi, int64(e.IB)+l.BlockExtent(int(e.CB)))
		}
	}
	if hi > lo {
		arena.win.prefetch(res.s.r, res.s.size, lo, hi)
	}
}

// ReadBlocks reads the data tree rooted at bid and returns its data
// blocks, still encoded, one per block (heap-on-node pages are per block).
// The blocks and their bytes come from arena (nil: fresh memory).
func (res *Result) ReadBlocks(bid uint64, arena *Arena) ([]Block, error) {
	var out []Block
	start := 0
	if arena != nil && !arena.keep {
		out, start = arena.blocks, len(arena.blocks)
	}
	total := 0
	err := res.walkData(bid, 0, arena, leavesRead, func(e BBTEntry, b []byte) error {
		total += len(b)
		if total > maxNodeData {
			return tooLarge(bid, maxNodeData)
		}
		out = append(out, Block{BID: e.BID, Data: b})
		return nil
	})
	if arena != nil && !arena.keep {
		arena.blocks = out
	}
	return out[start:len(out):len(out)], err
}

// ReadData reads the data tree rooted at bid and returns its data blocks,
// decoded, one slice per block.
func (res *Result) ReadData(bid uint64) ([][]byte, error) {
	blocks, err := res.ReadBlocks(bid, nil)
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

// leafMode is what walkData does with a data tree's data blocks.
type leafMode uint8

const (
	leavesRead  leafMode = iota // read them
	leavesCheck                 // only check them as readBlock does
	leavesList                  // list them, sound or not
)

// walkData walks the data tree rooted at bid, depth first, reading its
// internal blocks, and yields its data blocks as leaves says.
func (res *Result) walkData(bid uint64, depth int, arena *Arena, leaves leafMode, yield func(BBTEntry, []byte) error) error {
	if leaves == leavesList && !IsInternal(bid) {
		return yield(BBTEntry{BID: bid &^ bidReserved}, nil)
	}
	if leaves == leavesCheck && !IsInternal(bid) {
		e, err := res.soundBlock(bid)
		if err != nil {
			return err
		}
		if !IsInternal(e.BID) {
			return yield(e, nil)
		}
	}
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
		if err := res.walkData(l.uint(b[8+k*l.BIDSize:]), depth+1, arena, leaves, yield); err != nil {
			return err
		}
	}
	return nil
}

// Subnodes reads the subnode tree rooted at bid (0: none). The set and
// the blocks read come from arena (nil: fresh memory).
func (res *Result) Subnodes(bid uint64, arena *Arena) (map[uint32]Subnode, error) {
	out := arena.subnodeSet()
	if bid == 0 {
		return out, nil
	}
	return out, res.walkSub(bid, 0, out, arena)
}

func (res *Result) walkSub(bid uint64, depth int, out map[uint32]Subnode, arena *Arena) error {
	e, b, err := res.readBlock(bid, arena)
	if err != nil {
		return err
	}
	l := &res.Header.Layout
	if !IsInternal(e.BID) || depth > 1 {
		return res.treeError(e, finding.NodeSubnodeTree, "malformed subnode tree block")
	}
	level, n, size, start, problem := l.subnodeBlock(b)
	if problem != "" {
		return res.treeError(e, finding.NodeSubnodeTree, problem)
	}
	for k := 0; k < n; k++ {
		ent := b[start+k*size:]
		if level == 1 {
			if err := res.walkSub(l.uint(ent[l.BIDSize:]), depth+1, out, arena); err != nil {
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
// yet decoded, in memory from arena.
func (res *Result) readBlock(bid uint64, arena *Arena) (BBTEntry, []byte, error) {
	e, err := res.soundBlock(bid)
	if err != nil {
		return e, nil, err
	}
	b, err := res.readSound(e, arena.Alloc(int(e.CB)), arena)
	if err == nil {
		res.noteRead(e.BID)
	}
	return e, b, err
}

// soundBlock returns bid's BBT entry, or why the block cannot be read: the
// block pass did not finish (a block's state says nothing before it has),
// the block is not in the BBT, or the block pass found it damaged.
func (res *Result) soundBlock(bid uint64) (BBTEntry, error) {
	if !res.verified {
		return BBTEntry{}, &ReadError{BID: bid &^ bidReserved, Offset: -1, Code: finding.FileRead,
			Detail: "the scan was interrupted before its blocks were verified"}
	}
	i := res.s.block(bid)
	if i < 0 {
		return BBTEntry{}, &ReadError{BID: bid &^ bidReserved, Offset: -1, Code: finding.NodeBlockMissing,
			Detail: fmt.Sprintf("block 0x%X is not in the BBT", bid&^bidReserved)}
	}
	e := res.BBT.Entry(i)
	if c := res.BBT.State(i).Code(); c != "" {
		if res.tolerates(i) {
			return e, nil
		}
		return e, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: c, Detail: fmt.Sprintf("block 0x%X is damaged (%s)", e.BID, c)}
	}
	return e, nil
}

// Tolerant returns a view of res whose reads also take the data blocks
// whose one fault is their checksum (BLOCK-CRC): the right block, where
// its BBT entry says, of the size it says, with some of its bytes changed
// (a flipped bit, a lost sector inside it). Their bytes are returned as
// they are, and each such block's BID is added to *unverified (once per
// read of it). So are the data blocks whose one fault is a field of their
// trailer, their data checking out against its CRC; those are not noted.
// Internal blocks must still be sound, since their entries lead to other
// blocks. It is for lenient reads of damaged items, whose
// output is marked: most of such a block is what was written, and the
// rest of the item needs it (a property heap, a table). The view serves
// one goroutine, and reads only what res read.
func (res *Result) Tolerant(unverified *[]uint64) *Result {
	v := *res
	if unverified == nil {
		unverified = new([]uint64)
	}
	v.tolerant, v.unverified = true, unverified
	return &v
}

// tolerates says whether res takes the block at BBT index i as it is
// (Tolerant): a data block whose one fault, as the block pass found, is
// its checksum or one field of its trailer.
func (res *Result) tolerates(i int) bool {
	return res.tolerant && i >= 0 && !IsInternal(res.BBT.BID(i)) && res.BBT.State(i).changedInPlace()
}

// ChangedInPlace counts the blocks and B-tree pages whose bytes changed
// where they lie: the right block at its place, of its size, whose
// checksum fails (or one field of its trailer, its data whole), and the
// pages of the live trees whose checksum fails; and gives the offsets of
// the first and the last. Many of them spread over a file are the mark of
// a failing disk or of memory errors in a copy, not of a cut or
// overwritten region.
func (res *Result) ChangedInPlace() (n int, first, last int64) {
	first = -1
	note := func(off int64) {
		if n == 0 || off < first {
			first = off
		}
		last = max(last, off)
		n++
	}
	for i := range res.BBT.Len() {
		if res.BBT.State(i).changedInPlace() && !res.isStale(i) {
			note(int64(res.BBT.IB(i)))
		}
	}
	for _, off := range res.changedPages {
		note(off)
	}
	return n, first, last
}

// stillTolerated says whether res takes block bid, whose state is st when
// read again, as it is: it is tolerated (Tolerant) and was in the same
// state in the block pass, so nothing about it changed since.
func (res *Result) stillTolerated(bid uint64, st BlockState) bool {
	i := res.s.block(bid)
	return res.tolerates(i) && res.BBT.State(i) == st
}

// noteRead notes block bid, just read, among the view's unverified blocks
// when it was taken although its checksum fails (Tolerant). Only blocks
// read are noted, not those looked up ahead of a read.
func (res *Result) noteRead(bid uint64) {
	if !res.tolerant {
		return
	}
	if i := res.s.block(bid); i >= 0 && res.BBT.State(i) == stateCRC {
		*res.unverified = append(*res.unverified, bid&^bidReserved)
	}
}

// readSound reads sound block e's data into buf (len e.CB), through
// arena's window when arena is not nil, and inflates it in 4K files (into
// memory from arena).
func (res *Result) readSound(e BBTEntry, buf []byte, arena *Arena) ([]byte, error) {
	if err := res.readRaw(e, buf, arena); err != nil {
		return nil, err
	}
	if res.Header.Kind == Unicode4K && e.Inflated != e.CB {
		return res.inflate(e, buf, arena.Alloc(int(e.Inflated)))
	}
	return buf, nil
}

// readRaw reads block e's bytes as stored into buf (len e.CB).
func (res *Result) readRaw(e BBTEntry, buf []byte, arena *Arena) error {
	var err error
	if arena != nil {
		err = arena.win.readAt(res.s.r, res.s.size, buf, int64(e.IB))
	} else {
		err = readFull(res.s.r, buf, int64(e.IB))
	}
	if err != nil {
		return &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.FileRead, Detail: finding.ErrorText(err)}
	}
	return nil
}

// inflate inflates compressed block e's bytes into out (len e.Inflated).
func (res *Result) inflate(e BBTEntry, raw, out []byte) ([]byte, error) {
	res.s.inflateMu.Lock()
	defer res.s.inflateMu.Unlock()
	b, err := res.s.inflater.inflate(raw, int(e.Inflated))
	if err != nil || len(b) != int(e.Inflated) {
		return nil, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.BlockInflate, Detail: "block does not inflate"}
	}
	copy(out, b)
	return out, nil
}

// DataBlocks returns the data blocks of the data tree rooted at bid with
// their BIDs only, and their total size, reading only the tree's internal
// blocks: for a node too large to hold, whose blocks are then read one at
// a time (ReadBlock). A node ReadBlocks cannot read for its damage gives
// the same error; one too large to read whole is listed all the same (up
// to the most a data tree holds).
func (res *Result) DataBlocks(bid uint64, arena *Arena) ([]Block, int, error) {
	var out []Block
	total := 0
	err := res.walkData(bid, 0, arena, leavesCheck, func(e BBTEntry, _ []byte) error {
		total += int(e.Inflated)
		if total > maxTreeData {
			return tooLarge(bid, maxTreeData)
		}
		out = append(out, Block{BID: e.BID})
		return nil
	})
	return out, total, err
}

// WholeReadError is the error ReadBlocks(bid) gives for a data tree
// DataBlocks listed as size bytes before it failed with err: the same
// error, unless the blocks before the failing one already hold more than a
// node read whole may. So a table too large to hold learns, without
// reading its blocks, that reading it whole would fail (a 1.2-million-row
// contents table held 250 MB to find that out).
func WholeReadError(bid uint64, size int, err error) error {
	if size > maxNodeData {
		return tooLarge(bid, maxNodeData)
	}
	return err
}

// AllDataBlocks lists the data blocks of the data tree rooted at bid by
// their BIDs, damaged ones too, reading only its internal blocks (which
// must be sound): for a node read in part, whose damaged blocks fail as
// ReadBlock reads them (a table's listing, ltp.OpenTCListing).
func (res *Result) AllDataBlocks(bid uint64, arena *Arena) ([]Block, error) {
	var out []Block
	// The walk goes two levels deep at most: an XXBLOCK's XBLOCKs' blocks.
	err := res.walkData(bid, 0, arena, leavesList, func(e BBTEntry, _ []byte) error {
		out = append(out, Block{BID: e.BID})
		return nil
	})
	return out, err
}

// ReadBlock reads one data block of a node (from DataBlocks), still
// encoded, into buf, which it grows as needed: the memory is the caller's,
// reused block after block. Reads go through arena's window.
func (res *Result) ReadBlock(bid uint64, buf []byte, arena *Arena) ([]byte, error) {
	e, err := res.soundBlock(bid)
	if err != nil {
		return nil, err
	}
	if cap(buf) < int(e.Inflated) {
		buf = make([]byte, e.Inflated)
	}
	buf = buf[:e.Inflated]
	if res.Header.Kind != Unicode4K || e.Inflated == e.CB {
		if err := res.readRaw(e, buf, arena); err != nil {
			return nil, err
		}
		res.noteRead(e.BID)
		return buf, nil
	}
	var raw []byte
	if arena != nil {
		if cap(arena.raw) < int(e.CB) {
			arena.raw = make([]byte, e.CB)
		}
		raw = arena.raw[:e.CB]
	} else {
		raw = make([]byte, e.CB)
	}
	if err := res.readRaw(e, raw, arena); err != nil {
		return nil, err
	}
	out, err := res.inflate(e, raw, buf)
	if err == nil {
		res.noteRead(e.BID)
	}
	return out, err
}
