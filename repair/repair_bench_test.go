package repair

import (
	"context"
	"testing"

	"github.com/pstcheck/pstcheck/internal/gcpolicy"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// discard is a pstwrite.Output that keeps nothing: the benchmark measures
// reading and writing the store, not the disk (and TestLanesStopAtTheirBytes
// needs a writer, not its output).
type discard struct{ n int64 }

func (d *discard) WriteAt(p []byte, off int64) (int, error) {
	d.n = max(d.n, off+int64(len(p)))
	return len(p), nil
}

func (d *discard) Write(p []byte) (int, error) { return d.WriteAt(p, d.n) }

// BenchmarkRepairEnron copies enron.pst into a new store in memory, the
// scan included, as `pstcheck repair` does (scripts/bench-repair prints it
// next to readpst's).
func BenchmarkRepairEnron(b *testing.B) {
	path := samples.GoPst("enron.pst")
	if path == "" {
		b.Skip("go-pst samples not downloaded")
	}
	defer gcpolicy.ForItems()() // as pstcheck repair sets the collector
	for b.Loop() {
		store, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(context.Background(), store, &discard{}, Options{}); err != nil {
			b.Fatal(err)
		}
		store.Close()
	}
}
