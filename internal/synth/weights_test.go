package synth_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// Weights share the messages among the folders: 60,25,15 of 200 puts
// 120, 50 and 30 in the three folders, and the scan finds them there.
func TestWeights(t *testing.T) {
	path := filepath.Join(t.TempDir(), "weights.pst")
	shape := synth.Shape{Messages: 200, Folders: 3, Depth: 1, BodyMin: 10, BodyMax: 50, Weights: []int{60, 25, 15}}
	res := gentest.Store(t, path, "", shape, 7)
	want := map[string]int{}
	for _, fo := range res.Folders {
		if fo.Messages > 0 {
			want[fo.Path] = fo.Messages
		}
	}
	got := map[string]int{}
	rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{})
	for _, fo := range rep.Folders {
		if fo.Items > 0 {
			got[fo.Path] = fo.Items
		}
	}
	var counts []int
	for _, fo := range res.Folders[3:] {
		counts = append(counts, fo.Messages)
	}
	if len(counts) != 3 || counts[0] != 120 || counts[1] != 50 || counts[2] != 30 {
		t.Errorf("generated %v, want [120 50 30]", counts)
	}
	if len(got) != len(want) {
		t.Errorf("scan found %v, generated %v", got, want)
	}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("%s: scan found %d, generated %d", p, got[p], n)
		}
	}
}
