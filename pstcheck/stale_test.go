package pstcheck_test

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// With both B-tree roots zeroed (one bad sector can take both), node
// entries count as lost, so the NDB passes cannot tell whether a block
// only an old leaf page names, its place written over since, was a lost
// item's. The messaging layer can: it finds every item with its node, and
// those blocks are stale, no damaged block reported (enron.pst had 2, the
// corpus' Outlook.pst 17, every item whole). Nor is a count of references
// an old leaf page gives compared (32-bit.pst: 3 BLOCK-REF-LOW), nor,
// the header destroyed, one the root taken for the live one gives. When an
// item did lose its node (an NBT leaf of messages zeroed too), the blocks
// are reported as before.
func TestBothRootsZeroed(t *testing.T) {
	srcs := append(samples.GoPstAll(), samples.CorpusNamed("aspose-email-dotnet__Outlook.pst", "aspose-email-dotnet__Outlook_1.pst", "java-libpst__dist-list.pst")...)
	for _, src := range srcs {
		for _, header := range []bool{false, true} {
			name := filepath.Base(src) + ", both roots zeroed"
			if header {
				name = filepath.Base(src) + ", the header and the BBT root zeroed"
			}
			t.Run(name, func(t *testing.T) {
				f, err := pstmut.Load(src)
				if err != nil {
					t.Fatal(err)
				}
				clean := checkWithin(t, f, time.Minute)
				f.Zero(f.Root(ndb.PageBBT).Off, f.L.PageSize)
				if header {
					f.Zero(0, 512)
				} else {
					f.Zero(f.Root(ndb.PageNBT).Off, f.L.PageSize)
				}
				rep := checkWithin(t, f, time.Minute)
				if rep.Damage.Blocks != 0 || rep.Items != clean.Items {
					t.Errorf("%d damaged blocks, items %+v; want none damaged, items as clean %+v", rep.Damage.Blocks, rep.Items, clean.Items)
				}
				for _, x := range rep.Findings {
					if x.Severity() == finding.SeverityError && x.Code != finding.PageType && x.Code != finding.HeaderMagic {
						t.Errorf("%s at 0x%X: %s", x.Code, x.Offset, x.Detail)
					}
				}
				if rep.Rebuild != nil {
					t.Logf("%d stale entries left out", rep.Rebuild.StaleEntries)
				}
			})
		}
	}
	t.Run("an item's node lost too", func(t *testing.T) {
		f, err := pstmut.Load(testkit.GoPst(t, "enron.pst"))
		if err != nil {
			t.Fatal(err)
		}
		c, ok := damagekit.Named(f, "NBT leaf zeroed (messages only)")
		if !ok {
			t.Fatal("no such damage case")
		}
		nbt, bbt := f.Root(ndb.PageNBT).Off, f.Root(ndb.PageBBT).Off
		f.B = c.Damage(f)
		f.Zero(nbt, f.L.PageSize)
		f.Zero(bbt, f.L.PageSize)
		rep := checkWithin(t, f, time.Minute)
		if rep.Items.Recovered == 0 && rep.Items.Lost == 0 {
			t.Fatalf("items %+v: no item lost its node", rep.Items)
		}
		if !slices.ContainsFunc(rep.Findings, func(x finding.Finding) bool { return x.Code == finding.BlockCRC }) {
			t.Errorf("%d damaged blocks; the blocks old leaf pages name are not reported", rep.Damage.Blocks)
		}
	})
}
