package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

// BenchmarkExportEnron exports enron.pst's 2,178 messages (or
// $PSTCHECK_BENCH_FILE's) as EML into a fresh folder each time (under
// $PSTCHECK_BENCH_DIR, e.g. /dev/shm, to leave the disk out).
// scripts/bench-export times the same next to readpst and pffexport.
func BenchmarkExportEnron(b *testing.B) {
	src := testkit.BenchFile(b)
	base := os.Getenv("PSTCHECK_BENCH_DIR")
	if base == "" {
		base = b.TempDir()
	}
	for i := 0; b.Loop(); i++ {
		dir := filepath.Join(base, "bench-export")
		os.RemoveAll(dir)
		ios, _, _ := testIO(false)
		if _, err := exportRun(context.Background(), &ExportOptions{IO: ios, Path: src, To: dir, Format: "eml", NoProgress: true}); err != nil {
			b.Fatal(err)
		}
	}
}
