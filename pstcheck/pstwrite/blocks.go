package pstwrite

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Block-level limits of a Unicode file (MS-PST 2.2.2.8).
const (
	maxBlockData   = 8192 - 16               // data bytes in one block
	xblockFanout   = (maxBlockData - 8) / 8  // BIDs in an XBLOCK or XXBLOCK
	slblockFanout  = (maxBlockData - 8) / 24 // SLENTRYs in an SLBLOCK
	siblockFanout  = (maxBlockData - 8) / 16 // SIENTRYs in an SIBLOCK
	blockRefCount  = 2                       // the BBT's reference and the one user
	firstBlockBID  = 4                       // bidIndex 1: BID 0 means "none"
	bidInternalBit = 0x2
)

// blocks writes blocks and keeps the BBT. BIDs are handed out in the order
// blocks are written, so the BBT's leaves are complete, and in key order,
// as soon as their blocks are: each leaf page is queued for the stream the
// moment it fills, and only one entry per leaf (its first key and place)
// stays in memory for the branch pages written at the end.
type blocks struct {
	s      *stream
	crypt  uint8
	nextB  uint64 // next block BID
	nextP  uint64 // next page BID
	leaf   []byte // entries of the BBT leaf being filled
	nLeaf  int
	leaves []btRef // BBT leaf pages placed so far

	count int64 // blocks written
	bytes int64 // their data bytes

	// spare holds block-sized buffers to reuse: every message's heaps
	// take a page or more each, and allocating them afresh made the
	// collector a good part of a repair's time.
	spare [][]byte
}

// buffer returns an empty buffer with room for a block's data.
func (b *blocks) buffer() []byte {
	if n := len(b.spare); n > 0 {
		p := b.spare[n-1]
		b.spare = b.spare[:n-1]
		return p[:0]
	}
	return make([]byte, 0, maxBlockData)
}

// release takes back a buffer from buffer once its block is written.
func (b *blocks) release(p []byte) {
	if cap(p) == maxBlockData && len(b.spare) < 64 {
		b.spare = append(b.spare, p)
	}
}

// btRef is a B-tree page's first key and where it lies.
type btRef struct {
	key uint64
	ref ndb.BREF
}

func newBlocks(s *stream, crypt uint8) *blocks {
	return &blocks{s: s, crypt: crypt, nextB: firstBlockBID, nextP: 1,
		leaf: make([]byte, 0, s.l.BTFooterOff)}
}

func (b *blocks) pageBID() uint64 {
	bid := b.nextP
	b.nextP++
	return bid
}

// write stores one block: data blocks are encoded with the file's
// bCryptMethod, internal blocks (XBLOCK, SLBLOCK, ...) never are.
func (b *blocks) write(data []byte, internal bool) uint64 {
	if len(data) == 0 || len(data) > maxBlockData {
		panic(fmt.Sprintf("pstwrite: block of %d bytes", len(data)))
	}
	l := &b.s.l
	bid := b.nextB
	b.nextB += 4
	if internal {
		bid |= bidInternalBit
	}
	cb := len(data)
	ext := l.BlockExtent(cb)
	off, e := b.s.block(ext)
	copy(e, data)
	t := e[ext-int64(l.BlockTrailerSize):]
	binary.LittleEndian.PutUint16(t, uint16(cb))
	binary.LittleEndian.PutUint16(t[2:], ndb.Signature(uint64(off), bid))
	binary.LittleEndian.PutUint64(t[8:], bid)
	crypt := b.crypt
	if internal {
		crypt = 0
	}
	b.s.sealLater(off, cb, crypt, bid) // encoding and CRC: stream.seal
	b.count++
	b.bytes += int64(cb)
	b.addBBT(bid, off, cb)
	return bid
}

func (b *blocks) addBBT(bid uint64, off int64, cb int) {
	var e [24]byte
	binary.LittleEndian.PutUint64(e[0:], bid)
	binary.LittleEndian.PutUint64(e[8:], uint64(off))
	binary.LittleEndian.PutUint16(e[16:], uint16(cb))
	binary.LittleEndian.PutUint16(e[18:], blockRefCount)
	b.leaf = append(b.leaf, e[:]...)
	b.nLeaf++
	if len(b.leaf)+len(e) > b.s.l.BTFooterOff {
		b.flushLeaf()
	}
}

// flushLeaf queues the BBT leaf being filled, if it holds anything.
func (b *blocks) flushLeaf() {
	if b.nLeaf == 0 {
		return
	}
	key := binary.LittleEndian.Uint64(b.leaf)
	b.s.queuePage(b.btPage(ndb.PageBBT, 0, b.leaf, 24, key, &b.leaves))
	b.leaf = b.leaf[:0]
	b.nLeaf = 0
}

// btPage makes a B-tree page of entries (each cbEnt bytes) at level; when
// placed, its first key and BREF are appended to into.
func (b *blocks) btPage(ptype uint8, level int, entries []byte, cbEnt int, key uint64, into *[]btRef) *page {
	l := &b.s.l
	p := &page{bid: b.pageBID()}
	copy(p.b[:], entries)
	f := p.b[l.BTFooterOff:]
	f[0] = byte(len(entries) / cbEnt)
	f[1] = byte(l.BTFooterOff / cbEnt)
	f[2] = byte(cbEnt)
	f[3] = byte(level)
	t := p.b[l.PageTrailerOff:]
	t[0], t[1] = ptype, ptype
	binary.LittleEndian.PutUint32(t[4:], ndb.CRC(p.b[:l.PageTrailerOff]))
	binary.LittleEndian.PutUint64(t[8:], p.bid)
	bid := p.bid
	p.placed = func(ib int64) {
		*into = append(*into, btRef{key: key, ref: ndb.BREF{BID: bid, IB: uint64(ib)}})
	}
	return p
}

// tree writes the branch levels above leaves (in key order, all placed)
// and returns the root's reference.
func (b *blocks) tree(ptype uint8, leaves []btRef) ndb.BREF {
	const perPage = 20 // BTENTRYs in a branch page
	refs := leaves
	for level := 1; len(refs) > 1; level++ {
		var up []btRef
		for i := 0; i < len(refs); i += perPage {
			group := refs[i:min(i+perPage, len(refs))]
			ents := make([]byte, 0, len(group)*24)
			for _, r := range group {
				ents = binary.LittleEndian.AppendUint64(ents, r.key)
				ents = binary.LittleEndian.AppendUint64(ents, r.ref.BID)
				ents = binary.LittleEndian.AppendUint64(ents, r.ref.IB)
			}
			b.s.queuePage(b.btPage(ptype, level, ents, 24, group[0].key, &up))
		}
		b.s.flushPages()
		refs = up
	}
	if len(refs) == 0 {
		panic("pstwrite: empty B-tree")
	}
	return refs[0].ref
}

// blockList is the data blocks of one node's data, in order; a slot may
// be filled in later (heap pages written out of order).
type blockList struct {
	bids  []uint64
	sizes []uint16
}

func (bl *blockList) add(bid uint64, size int) {
	bl.bids = append(bl.bids, bid)
	bl.sizes = append(bl.sizes, uint16(size))
}

// dataTree writes the data tree over a block list and returns its root:
// the block itself when there is one, else an XBLOCK, or an XXBLOCK over
// XBLOCKs (MS-PST 2.2.2.8.3). 0 for no data.
func (b *blocks) dataTree(bl *blockList) (uint64, error) {
	var total uint64
	for _, s := range bl.sizes {
		total += uint64(s)
	}
	switch {
	case len(bl.bids) == 0:
		return 0, nil
	case len(bl.bids) == 1:
		return bl.bids[0], nil
	case total > 0xFFFFFFFF || len(bl.bids) > xblockFanout*xblockFanout:
		return 0, fmt.Errorf("pstwrite: %d bytes of node data is more than a data tree holds", total)
	}
	xblock := func(level int, bids []uint64, size uint64) uint64 {
		x := make([]byte, 8, 8+8*len(bids))
		x[0], x[1] = 0x01, byte(level)
		binary.LittleEndian.PutUint16(x[2:], uint16(len(bids)))
		binary.LittleEndian.PutUint32(x[4:], uint32(size))
		for _, bid := range bids {
			x = binary.LittleEndian.AppendUint64(x, bid)
		}
		return b.write(x, true)
	}
	if len(bl.bids) <= xblockFanout {
		return xblock(1, bl.bids, total), nil
	}
	var xs []uint64
	for i := 0; i < len(bl.bids); i += xblockFanout {
		j := min(i+xblockFanout, len(bl.bids))
		var size uint64
		for _, s := range bl.sizes[i:j] {
			size += uint64(s)
		}
		xs = append(xs, xblock(1, bl.bids[i:j], size))
	}
	return xblock(2, xs, total), nil
}

// subnode is an entry of a node's subnode tree.
type subnode struct {
	nid       uint32
	data, sub uint64
}

// subnodeTree writes an SLBLOCK over the entries, or SLBLOCKs under an
// SIBLOCK when they do not fit in one (MS-PST 2.2.2.8.3.3), and returns its
// BID; 0 for none.
func (b *blocks) subnodeTree(subs []subnode) (uint64, error) {
	if len(subs) == 0 {
		return 0, nil
	}
	slices.SortFunc(subs, func(x, y subnode) int { return cmp.Compare(x.nid, y.nid) })
	for i := 1; i < len(subs); i++ {
		if subs[i].nid == subs[i-1].nid {
			return 0, fmt.Errorf("pstwrite: subnode 0x%X twice in one node", subs[i].nid)
		}
	}
	if len(subs) > slblockFanout*siblockFanout {
		return 0, fmt.Errorf("pstwrite: %d subnodes in one node (at most %d)", len(subs), slblockFanout*siblockFanout)
	}
	header := func(level, n int) []byte {
		h := make([]byte, 8)
		h[0], h[1] = 0x02, byte(level)
		binary.LittleEndian.PutUint16(h[2:], uint16(n))
		return h
	}
	type child struct {
		nid uint32
		bid uint64
	}
	var kids []child
	for i := 0; i < len(subs); i += slblockFanout {
		group := subs[i:min(i+slblockFanout, len(subs))]
		sl := header(0, len(group))
		for _, s := range group {
			sl = binary.LittleEndian.AppendUint64(sl, uint64(s.nid))
			sl = binary.LittleEndian.AppendUint64(sl, s.data)
			sl = binary.LittleEndian.AppendUint64(sl, s.sub)
		}
		kids = append(kids, child{group[0].nid, b.write(sl, true)})
	}
	if len(kids) == 1 {
		return kids[0].bid, nil
	}
	si := header(1, len(kids))
	for _, k := range kids {
		si = binary.LittleEndian.AppendUint64(si, uint64(k.nid))
		si = binary.LittleEndian.AppendUint64(si, k.bid)
	}
	return b.write(si, true), nil
}

// dataWriter streams bytes into full data blocks of one node's data.
type dataWriter struct {
	b    *blocks
	list blockList
	part []byte
}

func (w *dataWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(w.part) > 0 {
		k := min(maxBlockData-len(w.part), len(p))
		w.part = append(w.part, p[:k]...)
		p = p[k:]
		if len(w.part) == maxBlockData {
			w.list.add(w.b.write(w.part, false), maxBlockData)
			w.part = w.part[:0]
		}
	}
	for len(p) >= maxBlockData {
		w.list.add(w.b.write(p[:maxBlockData], false), maxBlockData)
		p = p[maxBlockData:]
	}
	if len(p) > 0 {
		if w.part == nil {
			w.part = w.b.buffer()
		}
		w.part = append(w.part, p...)
	}
	return n, w.b.s.err
}

// finish writes the last partial block and the data tree; 0 for no data.
func (w *dataWriter) finish() (uint64, error) {
	if len(w.part) > 0 {
		w.list.add(w.b.write(w.part, false), len(w.part))
	}
	if w.part != nil {
		w.b.release(w.part)
		w.part = nil
	}
	return w.b.dataTree(&w.list)
}
