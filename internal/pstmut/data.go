package pstmut

import (
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// This file reaches inside node data: data blocks decoded with the file's
// bCryptMethod, data trees (XBLOCK, XXBLOCK) and subnode trees (SLBLOCK,
// SIBLOCK). Its writers re-encode what they change and fix the block's
// CRC, so the damage they make is invisible to the NDB passes: only the
// LTP and messaging layers can find it.

// Encode encodes a data block's decoded bytes in place, the inverse of
// ndb.Decode: method is bCryptMethod (0 none, 1 permute, 2 cyclic), bid
// the block's BID. It is ndb.Encode, kept here for the tests that build
// blocks by hand.
func Encode(method uint8, bid uint64, b []byte) { ndb.Encode(method, bid, b) }

// Crypt is the file's bCryptMethod as the header bytes now say.
func (f *File) Crypt() uint8 { return uint8(f.Uint(f.HF.Crypt, 1)) }

// Decoded returns a copy of data block bid's bytes, inflated (4K files)
// and decoded: what the LTP layer parses. It panics on an internal block,
// which is never encoded.
func (f *File) Decoded(bid uint64) []byte {
	bid &^= 1
	if ndb.IsInternal(bid) {
		panic(fmt.Sprintf("pstmut: block 0x%X is an internal block, not a data block", bid))
	}
	b := f.Internal(bid)
	if b == nil {
		panic(fmt.Sprintf("pstmut: block 0x%X cannot be read", bid))
	}
	ndb.Decode(f.Crypt(), bid, b)
	return b
}

// WriteDecoded encodes b as data block bid's contents, writes it over the
// block's stored bytes and fixes the block's CRC. b must be exactly as long
// as the block. Compressed blocks of 4K files are not supported (the new
// stream would change the block's size): it panics on them.
func (f *File) WriteDecoded(bid uint64, b []byte) {
	bid &^= 1
	r := f.MustBlock(bid)
	if r.CB != r.Inflated {
		panic(fmt.Sprintf("pstmut: block 0x%X is compressed; WriteDecoded cannot rewrite it", bid))
	}
	if len(b) != int(r.CB) {
		panic(fmt.Sprintf("pstmut: %d bytes for block 0x%X of %d", len(b), bid, r.CB))
	}
	enc := append([]byte(nil), b...)
	Encode(f.Crypt(), bid, enc)
	copy(f.BlockData(bid), enc)
	f.FixBlockCRC(bid)
}

// EditDecoded decodes data block bid, lets edit change the decoded bytes
// in place, then encodes them back and fixes the block's CRC.
func (f *File) EditDecoded(bid uint64, edit func(b []byte)) {
	b := f.Decoded(bid)
	edit(b)
	f.WriteDecoded(bid, b)
}

// DataBlocks returns the data blocks of the data tree rooted at bid, in
// order: bid itself for a data block, else the blocks its XBLOCK or
// XXBLOCK lists. It panics on a tree it cannot follow.
func (f *File) DataBlocks(bid uint64) []uint64 {
	bid &^= 1
	if bid == 0 {
		return nil
	}
	if !ndb.IsInternal(bid) {
		return []uint64{bid}
	}
	b := f.Internal(bid)
	if len(b) < 8 || b[0] != XBlockType || b[1] == 0 || b[1] > 2 {
		panic(fmt.Sprintf("pstmut: block 0x%X is not an XBLOCK or XXBLOCK", bid))
	}
	level, n := b[1], int(binary.LittleEndian.Uint16(b[2:]))
	var out []uint64
	for k := 0; k < n; k++ {
		c := f.bidAt(b, 8+k*f.L.BIDSize)
		if level == 1 {
			out = append(out, c&^1)
		} else {
			out = append(out, f.DataBlocks(c)...)
		}
	}
	return out
}

func (f *File) bidAt(b []byte, off int) uint64 {
	if off+f.L.BIDSize > len(b) {
		panic("pstmut: internal block entry past its end")
	}
	if f.L.BIDSize == 4 {
		return uint64(binary.LittleEndian.Uint32(b[off:]))
	}
	return binary.LittleEndian.Uint64(b[off:])
}

// Subnodes returns the entries of the subnode tree rooted at bid (an
// SLBLOCK, or an SIBLOCK over SLBLOCKs), by subnode NID. Off is the
// entry's file offset, or -1 when its block is stored compressed. It
// panics on a tree it cannot follow.
func (f *File) Subnodes(bid uint64) map[uint32]SLEntry {
	out := map[uint32]SLEntry{}
	f.subnodes(bid&^1, out, 0)
	return out
}

func (f *File) subnodes(bid uint64, out map[uint32]SLEntry, depth int) {
	if bid == 0 {
		return
	}
	b := f.Internal(bid)
	if !ndb.IsInternal(bid) || depth > 1 || len(b) < f.slHeader() || b[0] != SLBlockType {
		panic(fmt.Sprintf("pstmut: block 0x%X is not an SLBLOCK or SIBLOCK", bid))
	}
	level, n := b[1], int(binary.LittleEndian.Uint16(b[2:]))
	w := f.L.BIDSize
	r := f.MustBlock(bid)
	for k := 0; k < n; k++ {
		if level == 1 {
			f.subnodes(f.bidAt(b, f.slHeader()+k*2*w+w)&^1, out, depth+1)
			continue
		}
		o := f.slHeader() + k*3*w
		e := SLEntry{NID: uint32(f.bidAt(b, o)), Data: f.bidAt(b, o+w), Sub: f.bidAt(b, o+2*w), Off: -1}
		if r.CB == r.Inflated {
			e.Off = int64(r.IB) + int64(o)
		}
		out[e.NID] = e
	}
}

// Subnode returns the subnode sub of top-level node nid, and panics when
// it does not have one.
func (f *File) Subnode(nid, sub uint32) SLEntry {
	e, ok := f.Subnodes(f.MustNode(nid).Sub)[sub]
	if !ok {
		panic(fmt.Sprintf("pstmut: node 0x%X has no subnode 0x%X", nid, sub))
	}
	return e
}

// RemoveNBT deletes nid's entry from its NBT leaf page: the entries after
// it move down, cEnt drops by one and the page's CRC is fixed. The parent
// branch's key is left as it was (still a lower bound of the leaf's keys).
// The node's blocks are not touched. The cached f.NBT and f.Pages follow.
func (f *File) RemoveNBT(nid uint32) {
	r := f.MustNode(nid)
	ft := f.Footer(r.Page)
	cb := int64(ft.CBEnt)
	end := r.Page + int64(ft.CEnt)*cb
	copy(f.B[r.Entry:end-cb], f.B[r.Entry+cb:end])
	clear(f.B[end-cb : end])
	ft.CEnt--
	f.SetFooter(r.Page, ft)
	i := sort.Search(len(f.NBT), func(i int) bool { return f.NBT[i].NID >= nid })
	f.NBT = append(f.NBT[:i], f.NBT[i+1:]...)
	for k := range f.NBT {
		if f.NBT[k].Page == r.Page && f.NBT[k].Entry > r.Entry {
			f.NBT[k].Entry -= cb
		}
	}
	for k := range f.Pages {
		if f.Pages[k].Off == r.Page {
			f.Pages[k].Entries--
		}
	}
}

// ShrinkBlock cuts the uncompressed data block bid to its first cb bytes,
// the way a writer stores a smaller block in place: the BBT entry's cb,
// the trailer (rewritten at the end of the new, possibly shorter, extent)
// and the CRC follow; the bytes freed at the end of the old extent are
// zeroed (they stay marked allocated in the AMap). The parent XBLOCK's
// lcbTotal, if any, is the caller's (SetLcbTotal).
func (f *File) ShrinkBlock(bid uint64, cb uint16) {
	bid &^= 1
	r := f.MustBlock(bid)
	if r.CB != r.Inflated || cb > r.CB || cb == 0 || ndb.IsInternal(bid) {
		panic(fmt.Sprintf("pstmut: cannot shrink block 0x%X of %d bytes to %d", bid, r.CB, cb))
	}
	tr := f.BlockTrailer(bid)
	trailer := append([]byte(nil), f.B[tr:tr+int64(f.L.BlockTrailerSize)]...)
	off, ext := f.Extent(bid)
	f.EditBBT(bid, func(e *ndb.BBTEntry) { e.CB, e.Inflated = cb, cb })
	clear(f.B[off+int64(cb) : off+ext])
	copy(f.B[f.BlockTrailer(bid):], trailer)
	f.SetBlockTrailerCB(bid, cb)
	f.FixBlockCRC(bid)
}
