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

// ReadData reads the data tree rooted at bid and returns its data blocks,
// decoded, one slice per block (heap-on-node pages are per block).
func (res *Result) ReadData(bid uint64) ([][]byte, error) {
	var out [][]byte
	total := 0
	err := res.walkData(bid, 0, func(b []byte) error {
		total += len(b)
		if total > maxNodeData {
			return &ReadError{BID: bid, Offset: -1, Code: finding.NodeDataTree, Detail: fmt.Sprintf("node data exceeds %d bytes", maxNodeData)}
		}
		out = append(out, b)
		return nil
	})
	return out, err
}

func (res *Result) walkData(bid uint64, depth int, yield func([]byte) error) error {
	e, b, err := res.readBlock(bid)
	if err != nil {
		return err
	}
	if !IsInternal(e.BID) {
		Decode(res.Header.Crypt, e.BID, b)
		return yield(b)
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
		if err := res.walkData(l.uint(b[8+k*l.BIDSize:]), depth+1, yield); err != nil {
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
	e, b, err := res.readBlock(bid)
	if err != nil {
		return err
	}
	l := &res.Header.Layout
	hdr := 8
	if l.Kind == ANSI {
		hdr = 4
	}
	if !IsInternal(e.BID) || depth > 1 || len(b) < hdr || b[0] != 2 {
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
func (res *Result) readBlock(bid uint64) (BBTEntry, []byte, error) {
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
	buf := make([]byte, e.CB)
	if err := readFull(res.s.r, buf, int64(e.IB)); err != nil {
		return e, nil, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.FileRead, Detail: err.Error()}
	}
	if l.Kind == Unicode4K && e.Inflated != e.CB {
		out, err := res.s.inflater.inflate(buf, int(e.Inflated))
		if err != nil || len(out) != int(e.Inflated) {
			return e, nil, &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.BlockInflate, Detail: "block does not inflate"}
		}
		buf = append([]byte(nil), out...)
	}
	return e, buf, nil
}
