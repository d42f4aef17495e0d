package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// The export benchmarks run Run on a store, scanned once, into a fresh
// folder per iteration, and report items/s and MB/s (of the store file)
// besides the time per export. The store is $PSTCHECK_BENCH_PST when set
// (an archive cmd/pstgen wrote, say), else a synthetic one generated into
// a temporary folder: BenchmarkRunMail is attachment-heavy mail (the
// generator's default shape), BenchmarkRunSmall many small messages. The
// output goes under $PSTCHECK_BENCH_DIR when set (/dev/shm leaves the
// disk out), else a temporary folder.
//
//	go test ./export -run '^$' -bench BenchmarkRun -benchtime 3x -cpuprofile cpu.out
//	PSTCHECK_BENCH_PST=big.pst go test ./export -run '^$' -bench 'BenchmarkRunMail$' -benchtime 1x

func BenchmarkRunMail(b *testing.B) {
	shape := synth.DefaultShape()
	shape.Size = 64 << 20
	benchRun(b, shape, FormatEML)
}

func BenchmarkRunSmall(b *testing.B) {
	shape := synth.Shape{Messages: 20000, Folders: 3, Depth: 1, BodyMin: 100, BodyMax: 1500, Recipients: 2}
	benchRun(b, shape, FormatEML)
}

func BenchmarkRunMbox(b *testing.B) {
	shape := synth.DefaultShape()
	shape.Size = 64 << 20
	benchRun(b, shape, FormatMbox)
}

func benchRun(b *testing.B, shape synth.Shape, format string) {
	src := os.Getenv("PSTCHECK_BENCH_PST")
	if src == "" {
		src = filepath.Join(b.TempDir(), "bench.pst")
		gentest.Store(b, src, "bench", shape, 1)
	}
	st, err := os.Stat(src)
	if err != nil {
		b.Fatal(err)
	}
	store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	base := os.Getenv("PSTCHECK_BENCH_DIR")
	if base == "" {
		base = b.TempDir()
	}
	dir := filepath.Join(base, "bench-export")
	items := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
		res, err := Run(context.Background(), store, RunOptions{Dir: dir, Format: format, Source: src})
		if err != nil {
			b.Fatal(err)
		}
		items = res.Saved + res.Partial
	}
	b.StopTimer()
	os.RemoveAll(dir)
	secs := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(items)/secs, "items/s")
	b.ReportMetric(float64(st.Size())/1e6/secs, "MB/s")
	b.ReportMetric(secs*1e6/float64(max(items, 1)), "µs/item")
}
