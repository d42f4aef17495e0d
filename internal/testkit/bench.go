package testkit

import (
	"testing"
	"time"
)

// ReportCPU adds the processor time per operation (cpu-ms/op) to a
// benchmark: call it with CPUTime() taken before the loop, after it.
func ReportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(CPUTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}
