package pstcheck_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

func cleanSamples(t *testing.T) []string { return testkit.Samples(t, nil) }

// Every clean real sample scans healthy with zero error findings.
func TestCleanSamplesAreHealthy(t *testing.T) {
	for _, path := range cleanSamples(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{})
			for _, f := range rep.Findings {
				if f.Severity() != "info" || testing.Verbose() {
					t.Logf("%v", f)
				}
			}
			if rep.Verdict != pstcheck.Healthy || rep.Count("error") != 0 {
				t.Errorf("verdict %s with %d errors, want healthy", rep.Verdict, rep.Count("error"))
			}
			t.Logf("%s %s: %d blocks %d nodes %d pages, free %d", rep.Format, rep.Content, rep.Stats.Blocks, rep.Stats.Nodes, rep.Stats.Pages, rep.Stats.FreeBytes)
		})
	}
}
