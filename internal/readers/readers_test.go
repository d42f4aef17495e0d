package readers_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/readers"
	"github.com/pstcheck/pstcheck/internal/synth"
)

// TestGeneratedArchiveReadByEveryReader generates a small archive with
// every structure (nested folders, attachments small and large, embedded
// messages, FAI items, named properties) and has every reader installed
// here read it: each must find exactly the messages written, folder by
// folder, and pstcheck must have no error or warning. Readers that are
// not installed are skipped (pstcheck and go-pst always run).
func TestGeneratedArchiveReadByEveryReader(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.pst")
	shape := synth.DefaultShape()
	shape.Messages, shape.Folders, shape.Depth = 120, 7, 3
	shape.AttachEvery, shape.AttachMax, shape.EmbedEvery = 4, 60<<10, 9
	gen := gentest.Store(t, path, "readers test", shape, 42)
	want := map[string]int{}
	for _, fo := range gen.Folders {
		want[fo.Path] = fo.Messages
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := readers.Check(ctx, path, want, "Top of Personal Folders", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Readers {
		if c.Absent {
			t.Logf("%s is not installed: skipped", c.Reader)
			continue
		}
		t.Logf("%s: %s %s", c.Reader, res.Cell(c.Reader), c.Note)
		for _, p := range res.Problems[c.Reader] {
			t.Errorf("%s: %s", c.Reader, p)
		}
		if c.Folders != nil && len(res.Problems[c.Reader]) == 0 && c.Total() != gen.Messages {
			t.Errorf("%s found %d messages, %d written", c.Reader, c.Total(), gen.Messages)
		}
	}
}
