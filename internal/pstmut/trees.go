package pstmut

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Users returns, for every block, the NIDs of the top-level nodes (NBT
// entries) whose data or subnode trees use it, each NID once and in
// ascending order. It follows XBLOCKs, XXBLOCKs, SLBLOCKs and SIBLOCKs
// (inflating them in 4K files) and stops at anything it cannot follow, so
// it also works on a damaged file. A test uses it to name exactly which
// nodes a damaged block must be blamed on.
func (f *File) Users() map[uint64][]uint32 {
	users := map[uint64][]uint32{}
	for _, n := range f.NBT {
		seen := map[uint64]bool{}
		if n.Data != 0 {
			f.visit(n.Data, seen)
		}
		if n.Sub != 0 {
			f.visit(n.Sub, seen)
		}
		for bid := range seen {
			users[bid] = append(users[bid], n.NID)
		}
	}
	for _, u := range users {
		sort.Slice(u, func(i, j int) bool { return u[i] < u[j] })
	}
	return users
}

// visit marks bid and, for an internal block, everything under it.
func (f *File) visit(bid uint64, seen map[uint64]bool) {
	bid &^= 1
	if seen[bid] {
		return
	}
	b, ok := f.Block(bid)
	if !ok {
		return
	}
	seen[bid] = true
	if !ndb.IsInternal(bid) {
		return
	}
	data := f.Internal(b.BID)
	if len(data) < 8 {
		return
	}
	btype, level := data[0], data[1]
	cEnt := int(binary.LittleEndian.Uint16(data[2:]))
	n := f.L.BIDSize
	get := func(off int) uint64 {
		if off+n > len(data) {
			return 0
		}
		if n == 4 {
			return uint64(binary.LittleEndian.Uint32(data[off:]))
		}
		return binary.LittleEndian.Uint64(data[off:])
	}
	switch btype {
	case XBlockType:
		for k := 0; k < cEnt; k++ {
			if c := get(8 + k*n); c != 0 {
				f.visit(c, seen)
			}
		}
	case SLBlockType:
		ent := 3 * n
		if level == 1 {
			ent = 2 * n
		}
		for k := 0; k < cEnt; k++ {
			o := f.slHeader() + k*ent
			// SLBLOCK entry: nid, bidData, bidSub; SIBLOCK entry: nid, bid.
			if c := get(o + n); c != 0 {
				f.visit(c, seen)
			}
			if c := get(o + 2*n); level == 0 && c != 0 {
				f.visit(c, seen)
			}
		}
	}
}

// Internal returns the bytes of internal block bid, inflated when it is a
// compressed block of a 4K file. It returns nil when they cannot be read.
// The result is a copy: edit blocks through BlockData.
func (f *File) Internal(bid uint64) []byte {
	b, ok := f.Block(bid)
	if !ok || int64(b.IB)+int64(b.CB) > f.Size() {
		return nil
	}
	data := f.B[b.IB : b.IB+uint64(b.CB)]
	if f.L.Kind == ndb.Unicode4K && b.Inflated != b.CB {
		out, err := Inflate(data, int(b.Inflated))
		if err != nil {
			return nil
		}
		return out
	}
	return append([]byte(nil), data...)
}

// Inflate decompresses a compressed 4K block (a zlib stream), reading at
// most max+1 bytes.
func Inflate(data []byte, max int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(io.LimitReader(zr, int64(max)+1))
}

// Deflate compresses b the way a 4K file stores a compressed block.
func Deflate(b []byte) []byte {
	var out bytes.Buffer
	zw := zlib.NewWriter(&out)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}
