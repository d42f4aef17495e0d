package synth_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/pstcheck/pstcheck/internal/gopst"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"os"
	"path/filepath"
)

// The tiny stores are healthy, small, and have the structures they are
// made to have.
func TestTiny(t *testing.T) {
	for v := range 2 {
		b, err := synth.Tiny(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 96<<10 {
			t.Errorf("variant %d is %d bytes", v, len(b))
		}
		rep := pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
		if rep.Verdict != pstcheck.Healthy || rep.Count(finding.SeverityWarning) > 0 {
			t.Errorf("variant %d: %s", v, rep.Verdict)
		}
		path := filepath.Join(t.TempDir(), "tiny.pst")
		os.WriteFile(path, b, 0o644)
		s, err := gopst.Inspect(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("variant %d: %d bytes, %d internal blocks, %d folders", v, len(b), s.InternalBlocks, len(rep.Folders))
		if s.InternalBlocks < 2 {
			t.Errorf("variant %d has %d internal blocks", v, s.InternalBlocks)
		}
	}
}
