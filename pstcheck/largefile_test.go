package pstcheck_test

import (
	"context"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A valid Unicode PST past 2 GB holds its first FPMap at 0x7C004800 (after
// the AMap and PMap of interval 8192) and may put a block in the next slot,
// 0x7C004A00, where a wrong rule would expect the FPMap. support.pst grown
// sparsely to 2.2 GB, every map page where the format puts it, with one of
// its message blocks moved to 0x7C004A00: healthy, with no error or warning.
// The FPMap damaged at its real place: one FMAP-PAGE warning there.
func TestFPMapPlacementPast2GB(t *testing.T) {
	p := samples.GoPst("support.pst")
	if p == "" {
		t.Skip("go-pst's samples are not downloaded")
	}
	const fpmap, slot = 0x7C004800, 0x7C004A00
	build := func(t *testing.T) (*pstmut.Sparse, uint64) {
		f, err := pstmut.Load(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.L.FirstMapPage(ndb.PageFPMap); got != fpmap {
			t.Fatalf("first FPMap at 0x%X", got)
		}
		// A data block of a message: the largest, so the move is visible.
		var bid uint64
		var cb uint16
		for _, b := range f.BBT {
			if !ndb.IsInternal(b.BID) && b.CB > cb && b.Ref == 2 {
				bid, cb = b.BID, b.CB
			}
		}
		size := f.L.FirstAMap + 8663*f.L.AMapCoverage // 2.2 GB, a whole number of AMaps
		s, err := f.GrowSparse(size)
		if err != nil {
			t.Fatal(err)
		}
		s.MoveBlock(bid, slot)
		return s, bid
	}
	scan := func(s *pstmut.Sparse) *pstcheck.Report {
		return pstcheck.Check(context.Background(), s, s.Size(), pstcheck.Options{Name: "support-2.2GB.pst"})
	}

	t.Run("valid", func(t *testing.T) {
		s, bid := build(t)
		rep := scan(s)
		for _, f := range rep.Findings {
			if f.Severity() != finding.SeverityInfo {
				t.Errorf("finding on a valid file: %v", f)
			}
		}
		if rep.Verdict != pstcheck.Healthy || rep.Stats.Pages < 8663 {
			t.Errorf("verdict %s, %d pages", rep.Verdict, rep.Stats.Pages)
		}
		clean := pstcheck.ScanFile(context.Background(), p, pstcheck.Options{})
		if got, want := readable(rep), readable(clean); got != want || want == 0 {
			t.Errorf("%d items readable, the original %d (block 0x%X moved)", got, want, bid)
		}
	})
	t.Run("fpmap damaged", func(t *testing.T) {
		s, _ := build(t)
		s.Bytes(fpmap)[100] ^= 0xFF
		rep := scan(s)
		var got []finding.Finding
		for _, f := range rep.Findings {
			if f.Severity() != finding.SeverityInfo {
				got = append(got, f)
			}
		}
		if len(got) != 1 || got[0].Code != finding.FMapPage || got[0].Offset != fpmap || got[0].BID != fpmap {
			t.Errorf("findings %v, want one FMAP-PAGE at 0x%X", got, fpmap)
		}
		if rep.Verdict != pstcheck.Healthy {
			t.Errorf("verdict %s: a deprecated map page is no damage", rep.Verdict)
		}
	})
}

func readable(rep *pstcheck.Report) int {
	n := 0
	for _, f := range rep.Folders {
		n += f.Readable
	}
	return n
}
