package pstcheck_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// BenchmarkScan measures a whole scan (every layer) of the bench file
// ($PSTCHECK_BENCH_FILE, else enron.pst) from the page cache, and reports
// the block pass on its own (blockpass-MB/s, blockpass-ms), the whole
// scan's time as a multiple of it (scan/blockpass), its processor time,
// and the time of each phase the scan announces (btrees-ms, blocks-ms,
// nodes-ms, mapsfolders-ms: the allocation maps and the layers above,
// side by side). scripts/bench prints these figures next to cat's.
func BenchmarkScan(b *testing.B) {
	path := testkit.BenchFile(b)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	var blockPass, whole float64
	phases := &phaseClock{spent: map[string]time.Duration{}}
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{Progress: phases})
		if rep.Verdict != pstcheck.Healthy {
			b.Fatalf("verdict %s", rep.Verdict)
		}
		blockPass += rep.Stats.BlockPass.Seconds()
		whole += rep.Stats.Duration.Seconds()
	}
	b.ReportMetric(float64(st.Size())*float64(b.N)/blockPass/1e6, "blockpass-MB/s")
	b.ReportMetric(blockPass/float64(b.N)*1e3, "blockpass-ms")
	b.ReportMetric(whole/blockPass, "scan/blockpass")
	for name, d := range phases.spent {
		b.ReportMetric(d.Seconds()*1e3/float64(b.N), strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return r
			}
			return -1
		}, name)+"-ms")
	}
}

// phaseClock is a progress receiver that adds up the time of each phase.
type phaseClock struct {
	spent map[string]time.Duration
	name  string
	since time.Time
}

func (p *phaseClock) Start(string, int64) { p.name, p.since = "", time.Now() }
func (p *phaseClock) Phase(name string) {
	now := time.Now()
	if p.name != "" {
		p.spent[p.name] += now.Sub(p.since)
	}
	p.name, p.since = name, now
}
func (p *phaseClock) Add(int64) {}
func (p *phaseClock) Done()     { p.Phase("") }

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
