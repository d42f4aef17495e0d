package ndb

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// benchFile is the file the pass benchmarks read: $PSTCHECK_BENCH_FILE
// (a pstgen archive, say), else go-pst's enron.pst.
func benchFile(b *testing.B) (*os.File, int64) {
	path := os.Getenv("PSTCHECK_BENCH_FILE")
	if path == "" {
		path = samples.GoPst("enron.pst")
	}
	if path == "" {
		b.Skip("no file: set PSTCHECK_BENCH_FILE or download go-pst's samples")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	return f, st.Size()
}

type discard struct{}

func (discard) Report(finding.Finding) {}

// BenchmarkBlockPass measures the block pass alone (every block read and
// verified) on 1 and 2 workers.
func BenchmarkBlockPass(b *testing.B) {
	f, size := benchFile(b)
	res := Scan(context.Background(), f, size, discard{}, Options{})
	if res == nil {
		b.Fatal("unusable header")
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(size)
			defer testkit.ReportCPU(b, testkit.CPUTime())
			for b.Loop() {
				s := &Scanner{r: f, size: size, limit: res.s.limit, h: res.Header, sink: discard{},
					progress: noProgress{}, workers: workers, pages: slices.Clip(res.s.pages)}
				s.res.BBT = res.BBT
				s.checkBlocks(context.Background())
			}
		})
	}
}
