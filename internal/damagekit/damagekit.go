// Package damagekit makes the heavily damaged copies of a real sample that
// users bring to a repair tool (a copy cut off, a run of zeros, a
// destroyed index page) and the oracle to judge a tool by: for every
// message of the clean file, whether all its blocks and its own index
// entry survive in the damaged copy. The matrix test and
// scripts/compare-damage share it.
package damagekit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Case is one kind of damage.
type Case struct {
	Name string
	// Damage returns the damaged bytes of the clean file f (f is left as
	// it is).
	Damage func(f *pstmut.File) []byte
	// gaps, for a copy that lacks bytes inside it, are where they were (in
	// order): the oracle judges the rest where it belongs.
	gaps []ndb.Gap
}

// Oracle gives the fate of every message of the clean file in the copy
// damaged, c's damage of it.
func (c Case) Oracle(clean *pstmut.File, damaged []byte) map[uint32]Fate {
	if c.gaps != nil {
		// What the index sees: the bytes after each gap back in place.
		b := make([]byte, int64(len(damaged))+gapBytes(c.gaps))
		if _, err := ndb.GapReader(bytes.NewReader(damaged), c.gaps).ReadAt(b, 0); err != nil {
			panic(err)
		}
		damaged = b
	}
	return Oracle(clean, damaged)
}

// ZeroedEnd names the case whose second half is zeros, to the end.
const ZeroedEnd = "second half zeroed, to the end (a copy that set its size and stopped)"

// Cases is the matrix: the file cut at 50, 90, 97 and 99.9% of its
// length; 64 KiB, 1 MiB and 4 MiB zeroed at 25, 50 and 75% (regions that
// would reach past the end are left out); the NBT and BBT root pages
// zeroed; every NBT page zeroed (the node index destroyed, all but older
// copies of its pages left in free space); three NBT leaf pages zeroed one at a time: the one holding
// the root folder, one holding a folder with items, and one holding
// messages only; the header's first 512 bytes zeroed; 16 bad sectors of
// 4 KiB; 1 MiB overwritten with random bytes at 50%, and the first 1 MiB
// of a file of 4 MiB or more (as ransomware that encrypts the start of a
// file leaves it, the header with it); one bit flipped per
// 128 KiB; 4 KiB and 64 KiB dropped at 25 and 75%, the rest moved up, as
// a copy that passes over what it cannot read leaves it, and the first
// 64 KiB of a file of 1 MiB or more so (the header with them); 4 KiB of zeros
// added at 50% and 64 KiB written twice at 75%, the rest moved down, as a
// copy that writes a piece it should not leaves it; and the second half
// zeroed, as a copy that set the file's size and stopped half way leaves
// it (ZeroedEnd); 16 clusters of 4 KiB holding the bytes of others of the
// file, as a file system that cross-linked them or an undelete tool that
// put the file together from the wrong ones leaves it, alone and with the
// BBT root zeroed too.
func Cases(f *pstmut.File) []Case {
	size := f.Size()
	var out []Case
	for _, pct := range []float64{50, 90, 97, 99.9} {
		n := int64(float64(size) * pct / 100)
		out = append(out, Case{Name: fmt.Sprintf("cut at %g%%", pct), Damage: func(f *pstmut.File) []byte { return slices.Clone(f.B[:n]) }})
	}
	for _, run := range []struct {
		name string
		n    int64
	}{{"64 KiB", 64 << 10}, {"1 MiB", 1 << 20}, {"4 MiB", 4 << 20}} {
		for _, pct := range []int64{25, 50, 75} {
			at := size * pct / 100 / 512 * 512
			if at+run.n > size {
				continue
			}
			out = append(out, Case{Name: fmt.Sprintf("%s zeroed at %d%%", run.name, pct), Damage: zero(at, run.n)})
		}
	}
	out = append(out,
		Case{Name: "NBT root zeroed", Damage: zero(f.Root(ndb.PageNBT).Off, f.L.PageSize)},
		Case{Name: "BBT root zeroed", Damage: zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)},
		Case{Name: "every NBT page zeroed (the node index destroyed)", Damage: zeroPages(f.TreePages(ndb.PageNBT, -1))},
	)
	for _, l := range nbtLeaves(f) {
		out = append(out, Case{Name: "NBT leaf zeroed (" + l.what + ")", Damage: zero(l.off, f.L.PageSize)})
	}
	for _, run := range []struct {
		name string
		n    int64
	}{{"4 KiB", 4 << 10}, {"64 KiB", 64 << 10}} {
		for _, pct := range []int64{25, 75} {
			g := []ndb.Gap{{Offset: size * pct / 100 / 512 * 512, Size: run.n}}
			if g[0].Offset+g[0].Size > size {
				continue
			}
			out = append(out, Case{Name: fmt.Sprintf("%s dropped at %d%% (the rest moved up)", run.name, pct), gaps: g, Damage: drop(g)})
		}
	}
	// The file's first 64 KiB left out, the header with them (a disk
	// whose first sectors fail, copied by a tool that passes over them).
	if size >= 1<<20 {
		g := []ndb.Gap{{Offset: 0, Size: 64 << 10}}
		out = append(out, Case{Name: "first 64 KiB dropped (the header with them, the rest moved up)", gaps: g, Damage: drop(g)})
	}
	// Bytes added, what followed moved down: zeros, and a piece written
	// twice (a transfer resumed at the wrong place).
	if at := size / 2 / 512 * 512; at > 64<<10 {
		g := []ndb.Gap{{Offset: at, Size: 4 << 10, Added: true}}
		out = append(out, Case{Name: "4 KiB of zeros added at 50% (the rest moved down)", gaps: g, Damage: add(g, false)})
	}
	if at := size * 3 / 4 / 512 * 512; at > 128<<10 {
		g := []ndb.Gap{{Offset: at, Size: 64 << 10, Added: true}}
		out = append(out, Case{Name: "64 KiB written twice at 75% (the rest moved down)", gaps: g, Damage: add(g, true)})
	}
	// The bad sectors below, left out instead of zeroed (in a file large
	// enough that they leave most of it).
	if g := sectorGaps(size, 16, 4<<10); len(g) > 1 && gapBytes(g)*8 < size {
		out = append(out, Case{Name: "16 bad sectors dropped (4 KiB each, the rest moved up)", gaps: g, Damage: drop(g)})
	}
	out = append(out,
		Case{Name: "header zeroed", Damage: zero(0, 512)},
		Case{Name: ZeroedEnd, Damage: zero(size/2/512*512, size-size/2/512*512)},
		Case{Name: "16 bad sectors (4 KiB zeroed each)", Damage: badSectors(16, 4<<10)},
	)
	if at := size / 2 / 512 * 512; at+1<<20 <= size {
		out = append(out, Case{Name: "1 MiB of random bytes at 50%", Damage: garbage(at, 1<<20)})
	}
	if size >= 4<<20 {
		out = append(out, Case{Name: "first 1 MiB of random bytes (as ransomware leaves it)", Damage: garbage(0, 1<<20)})
	}
	// Clusters holding others' bytes, alone and with the index lost (in a
	// file large enough that they leave most of it).
	if 16*4<<10*8 < size {
		out = append(out,
			Case{Name: "16 clusters cross-linked (4 KiB holding another place's bytes)", Damage: crossLinked(16, 4<<10)},
			Case{Name: "16 clusters cross-linked and the BBT root zeroed", Damage: both(crossLinked(16, 4<<10), zero(f.Root(ndb.PageBBT).Off, f.L.PageSize))},
		)
	}
	return append(out, Case{Name: "bits flipped (one per 128 KiB)", Damage: flipBits(128 << 10)})
}

// zeroPages zeroes the B-tree pages ps.
func zeroPages(ps []pstmut.Page) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		b := slices.Clone(f.B)
		for _, p := range ps {
			clear(b[p.Off : p.Off+f.L.PageSize])
		}
		return b
	}
}

// crossLinked writes over n clusters of size bytes, aligned to size, the
// bytes of n other clusters of the file, as a fixed seed picks them: a file
// system that gave two files the same cluster, or an undelete tool that
// put a file together from the wrong ones. The blocks in them check out
// where they came from, and lie in the wrong place here.
func crossLinked(n int, size int64) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		b := slices.Clone(f.B)
		r := rand.New(rand.NewPCG(7, 8))
		clusters := int64(len(b)) / size
		for range n {
			to, from := r.Int64N(clusters)*size, r.Int64N(clusters)*size
			copy(b[to:to+size], f.B[from:from+size])
		}
		return b
	}
}

// both applies one damage, then the other, to the bytes the first left.
func both(first, then func(*pstmut.File) []byte) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		g := *f
		g.B = first(f)
		return then(&g)
	}
}

// flipBits flips one bit per every bytes of the file, at places and in
// bits a fixed seed picks: bit rot, or a copy through failing memory,
// which leaves each block where it was with a byte of it changed.
func flipBits(every int64) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		b := slices.Clone(f.B)
		r := rand.New(rand.NewPCG(5, 6))
		for range max(int64(len(b))/every, 1) {
			b[r.Int64N(int64(len(b)))] ^= 1 << r.IntN(8)
		}
		return b
	}
}

// drop leaves out the bytes of gaps (in order, none overlapping).
func drop(gaps []ndb.Gap) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		var out []byte
		at := int64(0)
		for _, g := range gaps {
			out = append(out, f.B[at:g.Offset]...)
			at = g.Offset + g.Size
		}
		return append(out, f.B[at:]...)
	}
}

// add puts the bytes of gaps (in order, all Added) into the file: zeros,
// or when twice the bytes just before each, written a second time.
func add(gaps []ndb.Gap, twice bool) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		var out []byte
		at := int64(0)
		for _, g := range gaps {
			out = append(out, f.B[at:g.Offset]...)
			if twice {
				out = append(out, f.B[g.Offset-g.Size:g.Offset]...)
			} else {
				out = append(out, make([]byte, g.Size)...)
			}
			at = g.Offset
		}
		return append(out, f.B[at:]...)
	}
}

// gapBytes is how many bytes more the store has than the copy.
func gapBytes(gaps []ndb.Gap) int64 {
	n := int64(0)
	for _, g := range gaps {
		n += g.Lacking()
	}
	return n
}

// sectorGaps are the places badSectors zeroes, in order, apart, and short
// of the file's end, as gaps.
func sectorGaps(fileSize int64, n int, size int64) []ndb.Gap {
	r := rand.New(rand.NewPCG(1, 2))
	var offs []int64
	for range n {
		if at := r.Int64N(fileSize/size) * size; at+size < fileSize {
			offs = append(offs, at)
		}
	}
	slices.Sort(offs)
	offs = slices.Compact(offs)
	var out []ndb.Gap
	for _, at := range offs {
		out = append(out, ndb.Gap{Offset: at, Size: size})
	}
	return out
}

// badSectors zeroes n runs of size bytes, aligned to size, at places
// spread over the file as a fixed seed picks them: the unreadable sectors
// a failing disk gives back as zeros.
func badSectors(n int, size int64) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		b := slices.Clone(f.B)
		r := rand.New(rand.NewPCG(1, 2))
		for range n {
			at := r.Int64N(int64(len(b))/size) * size
			clear(b[at:min(at+size, int64(len(b)))])
		}
		return b
	}
}

// garbage overwrites n bytes at at with bytes a fixed seed gives: a region
// another file's data landed on.
func garbage(at, n int64) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		b := slices.Clone(f.B)
		r := rand.New(rand.NewPCG(3, 4))
		for i := at; i < at+n; i++ {
			b[i] = byte(r.Uint32())
		}
		return b
	}
}

// WriteNodeIndexDestroyed writes to dst the store at src with every NBT
// page zeroed (the case "every NBT page zeroed (the node index
// destroyed)").
func WriteNodeIndexDestroyed(src, dst string) error {
	f, err := pstmut.Load(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, zeroPages(f.TreePages(ndb.PageNBT, -1))(f), 0o644)
}

// Named returns the case of the matrix of f called name, if there is one.
func Named(f *pstmut.File, name string) (Case, bool) {
	for _, c := range Cases(f) {
		if c.Name == name {
			return c, true
		}
	}
	return Case{}, false
}

func zero(at, n int64) func(*pstmut.File) []byte {
	return func(f *pstmut.File) []byte {
		b := slices.Clone(f.B)
		clear(b[at : at+n])
		return b
	}
}

type leaf struct {
	off  int64
	what string
}

// nbtLeaves picks the NBT leaf holding the root folder, one holding a
// folder some message names as its parent, and one holding messages only.
func nbtLeaves(f *pstmut.File) []leaf {
	parents := map[uint32]bool{}
	for _, n := range f.NBT {
		if n.NID&0x1F == ndb.NIDTypeMessage {
			parents[n.Parent] = true
		}
	}
	kinds := map[int64][2]bool{} // page -> has a folder with items, has anything but messages
	var order []int64
	var root int64 = -1
	for _, n := range f.NBT {
		if _, seen := kinds[n.Page]; !seen {
			order = append(order, n.Page)
		}
		k := kinds[n.Page]
		if n.NID&0x1F == ndb.NIDTypeFolder && parents[n.NID] {
			k[0] = true
		}
		if n.NID&0x1F != ndb.NIDTypeMessage {
			k[1] = true
		}
		kinds[n.Page] = k
		if n.NID == 0x122 {
			root = n.Page
		}
	}
	var out []leaf
	if root >= 0 {
		out = append(out, leaf{root, "root folder"})
	}
	for _, p := range order {
		if kinds[p][0] && p != root {
			out = append(out, leaf{p, "a folder with items"})
			break
		}
	}
	for _, p := range order {
		if !kinds[p][1] && p != root {
			out = append(out, leaf{p, "messages only"})
			break
		}
	}
	return out
}

// Fate is what survives of one message in a damaged copy.
type Fate struct {
	// BlocksIntact: every block of its data and subnode trees is byte for
	// byte as in the clean file.
	BlocksIntact bool
	// EntryIntact: the NBT leaf page holding its entry is as in the clean
	// file.
	EntryIntact bool
}

// Saveable says whether a tool could save the message whole: its blocks
// and its own index entry survive.
func (x Fate) Saveable() bool { return x.BlocksIntact && x.EntryIntact }

// Oracle gives the fate of every message of the clean file.
func Oracle(clean *pstmut.File, damaged []byte) map[uint32]Fate {
	blocks := map[uint32][]uint64{}
	for bid, users := range clean.Users() {
		for _, nid := range users {
			blocks[nid] = append(blocks[nid], bid)
		}
	}
	same := func(off, n int64) bool {
		return off+n <= int64(len(damaged)) && bytes.Equal(clean.B[off:off+n], damaged[off:off+n])
	}
	out := map[uint32]Fate{}
	for _, n := range clean.NBT {
		if n.NID&0x1F != ndb.NIDTypeMessage {
			continue
		}
		fate := Fate{BlocksIntact: true, EntryIntact: same(n.Page, clean.L.PageSize)}
		for _, bid := range blocks[n.NID] {
			off, size := clean.Extent(bid)
			if !same(off, size) {
				fate.BlocksIntact = false
				break
			}
		}
		out[n.NID] = fate
	}
	return out
}

// DamageMessage flips one byte inside the first data block of message nid
// (0: the first message the node index lists), the smallest damage a
// checksum catches: that message becomes damaged, every other item stays
// readable. It returns the message and the offset of the byte.
func DamageMessage(f *pstmut.File, nid uint32) (uint32, int64, error) {
	if nid == 0 {
		for _, n := range f.NBT {
			if n.NID&0x1F == ndb.NIDTypeMessage {
				nid = n.NID
				break
			}
		}
		if nid == 0 {
			return 0, 0, fmt.Errorf("the file lists no message")
		}
	}
	node, ok := f.Node(nid)
	if !ok {
		return 0, 0, fmt.Errorf("no node %#x", nid)
	}
	b, ok := f.Block(node.Data)
	if !ok {
		return 0, 0, fmt.Errorf("message %#x has no data block", nid)
	}
	off := int64(b.IB) + 20
	f.FlipByte(off)
	return nid, off, nil
}

// madeUp matches what export makes up from an item's NID: multipart
// boundaries, and the Message-ID, UID (an event's, a contact's) of an item
// whose store gives none.
var madeUp = regexp.MustCompile(`=_pst_[0-9a-f]{24}(_[0-9]+)?|pstcheck[.-][0-9a-f.b]+@pstcheck\.invalid|[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

// ContentSum is the SHA-256 of an exported message file without what
// export makes up from its NID: the same message exported under another
// NID (one recovered without its index entry has none) sums the same.
func ContentSum(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(madeUp.ReplaceAll(b, nil))
	return hex.EncodeToString(s[:]), nil
}
