package ndb

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The compact tables give back every entry as it was added, across
// segments, whatever its BID, offset (off the grid, past 256 GiB) or
// inflated size, keep each block's state apart from how it was found, sort
// as a stable sort of the entries would, and find what they hold.
func TestTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var bt BlockTable
	var nt NodeTable
	var blocks []BBTEntry
	var nodes []NBTEntry
	for i := range 3*segLen + 77 {
		e := BBTEntry{BID: rng.Uint64() >> uint(rng.IntN(60)), IB: uint64(rng.IntN(1<<30)) * 64, CB: uint16(rng.IntN(8000)),
			Ref: uint16(rng.IntN(5)), Rebuilt: Found(rng.IntN(3))}
		e.Inflated = e.CB
		switch i % 1000 {
		case 7:
			e.IB = 0xFF<<32 | 0x1234
		case 9:
			e.IB = 1<<62 + 3
		case 11:
			e.IB = 0xFE<<32 | 0xFFFFFFFF
		case 13:
			e.IB = 1 << 40 // on the grid, past 256 GiB
		case 15:
			e.IB = farIB * ibUnit
		case 17:
			e.IB = (farIB - 1) * ibUnit // the last offset kept in the column
		}
		if i > segLen+500 && i%3 == 0 {
			e.Inflated = e.CB + 100 // a compressed block, well into a segment
		}
		blocks = append(blocks, e)
		bt.add(e)
		n := NBTEntry{NID: rng.Uint32() >> uint(rng.IntN(30)), Parent: rng.Uint32(), Data: rng.Uint64(), Sub: rng.Uint64(), Rebuilt: rng.IntN(5) == 0}
		nodes = append(nodes, n)
		nt.add(n)
	}
	if bt.Len() != len(blocks) || nt.Len() != len(nodes) {
		t.Fatalf("%d blocks, %d nodes", bt.Len(), nt.Len())
	}
	for i, e := range blocks {
		if got := bt.Entry(i); got != e {
			t.Fatalf("block %d: %+v, want %+v", i, got, e)
		}
		bt.setState(i, BlockState(i%12))
	}
	for i, e := range blocks {
		if bt.State(i) != BlockState(i%12) || bt.Found(i) != e.Rebuilt {
			t.Fatalf("block %d: state %d found %d", i, bt.State(i), bt.Found(i))
		}
	}
	for i, n := range nodes {
		if got := nt.Entry(i); got != n {
			t.Fatalf("node %d: %+v, want %+v", i, got, n)
		}
	}
	nt.setRebuilt(5)
	nodes[5].Rebuilt = true
	if nt.Entry(5) != nodes[5] {
		t.Fatal("setRebuilt")
	}

	bt.sortByBID()
	nt.sortByNID()
	slices.SortStableFunc(blocks, func(a, b BBTEntry) int { return cmp.Compare(a.BID, b.BID) })
	slices.SortStableFunc(nodes, func(a, b NBTEntry) int { return cmp.Compare(a.NID, b.NID) })
	for i, e := range blocks {
		if got := bt.Entry(i); got != e {
			t.Fatalf("sorted block %d: %+v, want %+v", i, got, e)
		}
		if j := bt.find(e.BID); j < 0 || blocks[j].BID != e.BID || (j > 0 && blocks[j-1].BID == e.BID) {
			t.Fatalf("find 0x%X: %d", e.BID, j)
		}
	}
	for i, n := range nodes {
		if got := nt.Entry(i); got != n {
			t.Fatalf("sorted node %d: %+v, want %+v", i, got, n)
		}
		if j := nt.find(n.NID); j < 0 || nodes[j].NID != n.NID {
			t.Fatalf("find node 0x%X: %d", n.NID, j)
		}
	}
	if bt.find(blocks[len(blocks)-1].BID+1) >= 0 && blocks[len(blocks)-1].BID != ^uint64(0) {
		t.Error("found a BID past the last")
	}
}

// A BID repeated across a segment boundary (only a damaged index repeats
// one) is found at its first entry, and a lookup among the first n
// entries sees none after them.
func TestTableFindAcrossSegments(t *testing.T) {
	var bt BlockTable
	for i := range segLen + 10 {
		bid := uint64(4 * i)
		if i >= segLen-5 && i < segLen+5 {
			bid = 4 * (segLen - 5)
		}
		bt.add(BBTEntry{BID: bid})
	}
	if got := bt.find(4 * (segLen - 5)); got != segLen-5 {
		t.Errorf("the repeated BID is found at %d, want %d", got, segLen-5)
	}
	if got := bt.find(4 * (segLen + 7)); got != segLen+7 {
		t.Errorf("a BID past the boundary is found at %d", got)
	}
	if got := bt.findIn(4*(segLen+7), segLen+7); got != -1 {
		t.Errorf("a BID past the first n entries is found at %d", got)
	}
	if got := bt.find(4*segLen + 1); got != -1 {
		t.Errorf("an absent BID is found at %d", got)
	}
}

// searchSpread finds what a binary search finds, the first of equal keys,
// however the keys are spread: evenly, in clumps with wide gaps, repeated,
// at the ends of the range, one or none.
func TestSearchSpread(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 2000 {
		n := rng.IntN(300)
		keys := make([]uint32, n)
		var k uint32
		for i := range keys {
			switch rng.IntN(8) {
			case 0: // repeated
			case 1:
				k += uint32(rng.IntN(1 << 22)) // a wide gap
			default:
				k += 4
			}
			if round%50 == 0 && i == n-1 {
				k = math.MaxUint32
			}
			keys[i] = k
		}
		probes := []uint32{0, 1, math.MaxUint32, k + 1}
		for range 50 {
			if n > 0 {
				probes = append(probes, keys[rng.IntN(n)], keys[rng.IntN(n)]+1, keys[rng.IntN(n)]-1)
			}
		}
		for _, v := range probes {
			wi, wok := slices.BinarySearch(keys, v)
			if gi, gok := searchSpread(keys, v); gi != wi || gok != wok {
				t.Fatalf("keys %v: searchSpread(%d) = %d, %v; a binary search gives %d, %v", keys, v, gi, gok, wi, wok)
			}
		}
	}
}

// Merging rebuilt entries into a live table gives the table a stable sort
// of both would (live entries first between equal keys, a repeated live
// key kept), says which keys the live table lists, and lets each live
// segment go once passed.
func TestMergeIntoLive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var live BlockTable
	var want []BBTEntry
	inLive := map[uint64]bool{}
	bid := uint64(4)
	for range 2*segLen + 99 {
		bid += 4 * uint64(rng.IntN(3)) // repeats, and gaps for the added ones
		e := BBTEntry{BID: bid, IB: uint64(rng.IntN(1<<20)) * 64, CB: 100, Inflated: 100, Ref: 2}
		live.add(e)
		want = append(want, e)
		inLive[bid] = true
	}
	m := mergeIntoLive[BBTEntry](&live, &BlockTable{})
	for k := uint64(0); k <= bid+8; k += 2 {
		listed := inLive[k]
		if got := m.passTo(k); got != listed {
			t.Fatalf("passTo(0x%X) = %v, want %v", k, got, listed)
		}
		if !listed && rng.IntN(4) == 0 {
			e := BBTEntry{BID: k, IB: 64, CB: 7, Inflated: 7, Rebuilt: FoundByTrailer}
			m.add(e)
			want = append(want, e)
		}
		if passed := m.next >> segShift; passed > 0 && live.segs[passed-1] != nil {
			t.Fatalf("segment %d kept after it was passed", passed-1)
		}
	}
	out := m.done()
	slices.SortStableFunc(want, func(a, b BBTEntry) int { return cmp.Compare(a.BID, b.BID) })
	if out.Len() != len(want) {
		t.Fatalf("%d entries, want %d", out.Len(), len(want))
	}
	for i, e := range want {
		if got := out.Entry(i); got != e {
			t.Fatalf("entry %d: %+v, want %+v", i, got, e)
		}
	}
}
