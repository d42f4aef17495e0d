package pstcheck_test

// End-to-end golden reports: a real sample, sound or damaged by a named
// mutation, scanned by the engine and rendered by the report writers,
// compared byte for byte with testdata/golden/. After an intended change
// to the engine or the writers, regenerate them with
//
//	go test ./pstcheck -run Golden -update
//
// and review the diff.

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/report"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden reports in testdata/golden")

// goldenDir holds the golden reports, at the module's testdata/golden.
const goldenDir = "../testdata/golden"

// goldenCases are the scans pinned by golden files: name is the file
// name stem and the path the report shows.
var goldenCases = []struct {
	name   string
	sample string
	mutate func(t *testing.T, f *pstmut.File)
}{
	{"support-clean", sampleSupport, func(*testing.T, *pstmut.File) {}},
	{"support-block-crc", sampleSupport, func(t *testing.T, f *pstmut.File) {
		// One flipped byte in one message's data block.
		_, b := ownMessageBlock(t, f)
		f.FlipByte(int64(b.IB) + int64(b.CB)/2)
	}},
	{"truncated-header", sampleSupport, func(t *testing.T, f *pstmut.File) { f.Truncate(100) }},
	{"enron-nbt-branch", sampleEnron, func(t *testing.T, f *pstmut.File) {
		// One NBT branch page below the root zeroed: every node of its
		// subtree is reached only by the index rebuild.
		for _, p := range f.TreePages(ndb.PageNBT, -1) {
			if p.Level > 0 && p.Parent >= 0 {
				f.Zero(p.Off, f.L.PageSize)
				return
			}
		}
		t.Fatal("no NBT branch page below the root")
	}},
	{"cut-off", sampleSupport, func(t *testing.T, f *pstmut.File) {
		// A copy that stopped at 0xE0000: the last blocks and the BBT
		// leaf at 0xE4200 are gone.
		f.Truncate(0xE0000)
	}},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := mutSample(t, c.sample)
			c.mutate(t, f)
			rep := pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{Name: c.name + ".pst"})
			rep.Path = c.name + ".pst"
			rep.Stats.Duration = 0
			rep.Stats.BlockPass = 0
			run := report.Run{Version: "test", Reports: []*pstcheck.Report{rep}}
			for _, format := range []string{"text", "json"} {
				w, err := report.New(format)
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := w.Write(&got, run); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				ext := map[string]string{"text": ".txt", "json": ".json"}[format]
				testkit.Golden(t, filepath.Join(goldenDir, c.name+ext), got.Bytes(), *updateGolden)
			}
		})
	}
}
