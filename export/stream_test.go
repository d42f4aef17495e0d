package export

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// Streaming bodies from the store writes the bytes holding them does: every
// sample exported with every body streamed equals the export with every
// body held, file for file, manifest included. (Attachments are streamed
// in both.)
func TestStreamedBodiesWriteTheSameBytes(t *testing.T) {
	defer func(b int64) { bodyStreamAbove = b }(bodyStreamAbove)
	for _, path := range testkit.Samples(t, nil) {
		store, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
		if err != nil {
			store.Close()
			continue
		}
		for _, opts := range []RunOptions{{Format: FormatEML}, {Format: FormatMbox, IncludeDamaged: true}} {
			opts.Source = path
			export := func(above int64) map[string][]byte {
				bodyStreamAbove = above
				opts.Dir = t.TempDir()
				if _, err := Run(context.Background(), store, opts); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				return readTree(t, opts.Dir)
			}
			held, streamed := export(1<<40), export(0)
			if len(held) != len(streamed) {
				t.Errorf("%s %s: %d files held, %d streamed", filepath.Base(path), opts.Format, len(held), len(streamed))
			}
			for name, b := range held {
				if !bytes.Equal(streamed[name], b) {
					t.Errorf("%s %s: %s differs when bodies are streamed", filepath.Base(path), opts.Format, name)
				}
			}
		}
		store.Close()
	}
}

// readTree reads every file under dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out[rel], err = os.ReadFile(p)
		}
		return err
	})
	return out
}
