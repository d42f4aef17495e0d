package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Damage seldom comes alone. Each sample is damaged 25 ways, a fixed seed
// picking a combination: the first 12 zero 1 to 3 NBT leaf pages, the BBT
// root or not, and up to 2 regions of 4 to 64 KiB (zeroed or random
// bytes); the other 12 zero up to 3 B-tree pages of either tree, flip up
// to 20 bits, zero a region of 512 bytes to 64 KiB or not, and cut the
// file at 60 to 99% or not; the last is one of the first kind a longer
// run found. In every one, an item the export writes unmarked is the
// clean export's file byte for byte (one written without a NID, a clean
// one by content, none twice), the manifest lists as
// many readable, recovered and damaged items as the accounting counts, the
// accounting adds up, and when it says it is complete it counts the items
// the store held. It found a name-to-ID map whose property context opened
// while its streams could not be read (calendar items written without
// their times, as readable), and a walk called complete with no item,
// through an older copy of the root folder's hierarchy that listed none of
// its folders; a longer run (800 more combinations) a walk called complete
// with a folder counted by its count read through an older copy of its
// node, one short.
func TestCombinedDamage(t *testing.T) {
	forEachDamageSample(t, func(t *testing.T, src string, f *pstmut.File, base string, clean exported, sums cleanSums) {
		leaves := f.TreePages(ndb.PageNBT, 0)
		for seed := range 25 {
			var b []byte
			switch {
			case seed < 12:
				b = combinedDamage(f, leaves, rand.New(rand.NewPCG(uint64(seed), 99)))
			case seed < 24:
				b = combinedDamageCut(f, rand.New(rand.NewPCG(uint64(seed-12), 7)))
			default:
				// Found in a longer run: enron.pst's "All documents" lost
				// its listing, and its count, read through an older copy
				// of its node, was one short; the walk said complete.
				b = combinedDamage(f, leaves, rand.New(rand.NewPCG(1025, 99)))
			}
			p := filepath.Join(base, "damaged"+filepath.Ext(src))
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			got := runExport(t, p, filepath.Join(base, "out", string(rune('a'+seed))))
			states := map[string]int{}
			judgeUnlinked(t, sums, got, fmt.Sprintf("seed %d: ", seed))
			for _, it := range got.man.Items {
				states[it.State]++
				if it.Path == nil || it.Damaged || it.NID == 0 {
					continue
				}
				if want, ok := sums.byNID[it.NID]; ok && want != contentSum(t, got, it) {
					t.Errorf("seed %d: 0x%X (%s) written unmarked, and it differs from the clean message", seed, it.NID, it.State)
				}
			}
			a := got.man.Store
			if states[export.StateReadable] != a.Readable || states[export.StateRecovered] != a.Recovered || states[export.StateDamaged] != a.Damaged {
				t.Errorf("seed %d: the manifest lists %v; the accounting counts %+v", seed, states, *a)
			}
			if a.Total != a.Readable+a.Damaged+a.Lost+a.Recovered || a.Complete && a.Total != len(clean.man.Items) {
				t.Errorf("seed %d: accounting %+v; the store held %d items", seed, *a, len(clean.man.Items))
			}
		}
	})
}

// combinedDamage returns f's bytes damaged as r picks (TestCombinedDamage).
func combinedDamage(f *pstmut.File, leaves []pstmut.Page, r *rand.Rand) []byte {
	b := slices.Clone(f.B)
	for range 1 + r.IntN(3) {
		p := leaves[r.IntN(len(leaves))]
		clear(b[p.Off : p.Off+f.L.PageSize])
	}
	if r.IntN(2) == 0 {
		o := f.Root(ndb.PageBBT).Off
		clear(b[o : o+f.L.PageSize])
	}
	for range r.IntN(3) {
		n := int64(4096 << r.IntN(5))
		if n >= int64(len(b))/4 {
			continue
		}
		at := r.Int64N(int64(len(b))-n) &^ 511
		if r.IntN(2) == 0 {
			clear(b[at : at+n])
			continue
		}
		for i := at; i < at+n; i++ {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}

// combinedDamageCut returns f's bytes damaged as r picks, a cut among the
// damage (TestCombinedDamage).
func combinedDamageCut(f *pstmut.File, r *rand.Rand) []byte {
	b := slices.Clone(f.B)
	for range r.IntN(4) {
		p := f.Pages[r.IntN(len(f.Pages))]
		clear(b[p.Off : p.Off+f.L.PageSize])
	}
	for range r.IntN(20) {
		b[r.IntN(len(b))] ^= 1 << r.IntN(8)
	}
	if r.IntN(2) == 0 {
		if n := int64(512 << r.IntN(8)); n < int64(len(b))/4 {
			at := r.Int64N(int64(len(b))-n) &^ 511
			clear(b[at : at+n])
		}
	}
	if r.IntN(3) == 0 {
		b = b[:int64(len(b))*int64(60+r.IntN(40))/100]
	}
	return b
}
