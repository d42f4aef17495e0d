package pstcheck_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// BenchmarkScan measures a whole scan (every layer) of the bench file
// ($PSTCHECK_BENCH_FILE, else enron.pst) from the page cache, and reports
// the block pass on its own (blockpass-MB/s, blockpass-ms), the whole
// scan's time as a multiple of it (scan/blockpass) and its processor time.
// scripts/bench prints these figures next to cat's.
func BenchmarkScan(b *testing.B) {
	path := testkit.BenchFile(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	var blockPass, whole float64
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{})
		if rep.Verdict != pstcheck.Healthy {
			b.Fatalf("verdict %s", rep.Verdict)
		}
		blockPass += rep.Stats.BlockPass.Seconds()
		whole += rep.Stats.Duration.Seconds()
	}
	b.ReportMetric(float64(st.Size())*float64(b.N)/blockPass/1e6, "blockpass-MB/s")
	b.ReportMetric(blockPass/float64(b.N)*1e3, "blockpass-ms")
	b.ReportMetric(whole/blockPass, "scan/blockpass")
}

// BenchmarkScanMemory is the same scan over bytes already in memory: the
// engine's own cost, without system calls.
func BenchmarkScanMemory(b *testing.B) {
	path := samples.GoPst("enron.pst")
	if path == "" {
		b.Skip("go-pst samples not downloaded")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		pstcheck.Check(context.Background(), bytes.NewReader(data), int64(len(data)), pstcheck.Options{})
	}
}
