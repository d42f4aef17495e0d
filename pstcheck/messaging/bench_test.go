package messaging

import (
	"context"
	"fmt"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// BenchmarkMessaging measures the messaging layer over a scanned store:
// the store and its folders, every folder's tables, every message checked
// (on 1 and 2 workers), and the item accounting. It reads
// $PSTCHECK_BENCH_FILE (a pstgen archive, say), else go-pst's enron.pst,
// and reports processor time (cpu-ms/op) and items a second beside the
// wall time.
func BenchmarkMessaging(b *testing.B) {
	f, size := testkit.OpenBenchFile(b)
	discard := finding.SinkFunc(func(finding.Finding) {})
	res := ndb.Scan(context.Background(), f, size, discard, ndb.Options{Workers: 2})
	if res == nil {
		b.Fatal("unusable header")
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(size)
			items := 0
			defer testkit.ReportCPU(b, testkit.CPUTime())
			for b.Loop() {
				m := Check(context.Background(), res, discard, Options{Workers: workers})
				items = 0
				for _, fo := range m.Folders {
					items += fo.Readable + fo.Damaged + fo.Recovered
				}
			}
			b.ReportMetric(float64(items)*float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
