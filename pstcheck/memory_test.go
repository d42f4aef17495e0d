package pstcheck_test

import (
	"context"
	"encoding/binary"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// zeroTail serves b and then zeros up to size: a huge file that costs no
// memory to hold.
type zeroTail struct{ b []byte }

func (z zeroTail) ReadAt(p []byte, off int64) (int, error) {
	for i := range p {
		p[i] = 0
	}
	if off < int64(len(z.b)) {
		copy(p, z.b[off:])
	}
	return len(p), nil
}

// peakHeap returns the largest live heap seen while f runs: what each
// collection found live, sampled every millisecond with the collector set
// to run often. (The heap's objects, dead ones not yet swept among them,
// followed garbage: a scan that formats 169,000 findings' details, most
// of them then dropped by the cap, measured 14 MB or 45 MB as the
// machine's load let the collector keep up or not.)
func peakHeap(f func()) uint64 {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	base := read()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(stop)
	<-done
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}

func fixHeader(b []byte) {
	binary.LittleEndian.PutUint32(b[4:], ndb.CRC(b[8:479]))
	binary.LittleEndian.PutUint32(b[524:], ndb.CRC(b[8:524]))
}

// Adversarial counts and sizes read from a file must not turn into
// allocations: the engine's memory follows what it really finds.
func TestAdversarialCountsStayBounded(t *testing.T) {
	src := samples.GoPst("support.pst")
	if src == "" {
		t.Skip("go-pst samples not downloaded")
	}
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 32 << 20
	cases := []struct {
		name string
		make func() ([]byte, int64)
	}{
		{"end of file claims 2^62 bytes", func() ([]byte, int64) {
			b := append([]byte(nil), orig...)
			binary.LittleEndian.PutUint64(b[184:], 1<<62)
			fixHeader(b)
			return b, int64(len(b))
		}},
		{"every count and size byte of every page at its maximum", func() ([]byte, int64) {
			b := append([]byte(nil), orig...)
			for off := 0x4400; off+512 <= len(b); off += 512 {
				p := b[off : off+512]
				if p[496] == ndb.PageBBT || p[496] == ndb.PageNBT {
					p[488], p[489], p[490], p[491] = 0xFF, 0xFF, 0xFF, 0xFF
					binary.LittleEndian.PutUint32(p[500:], ndb.CRC(p[:496]))
				}
			}
			return b, int64(len(b))
		}},
		{"a 40 GB file of zeros behind a valid header", func() ([]byte, int64) {
			b := append([]byte(nil), orig[:0x4400]...)
			binary.LittleEndian.PutUint64(b[184:], 40<<30)
			fixHeader(b)
			return b, 40 << 30
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, size := c.make()
			var rep *pstcheck.Report
			n := peakHeap(func() {
				rep = pstcheck.Check(context.Background(), zeroTail{b}, size, pstcheck.Options{})
			})
			t.Logf("verdict %s, %d findings, %d MB peak heap", rep.Verdict, len(rep.Findings), n>>20)
			if n > limit {
				t.Errorf("peak heap %d MB, limit %d MB", n>>20, limit>>20)
			}
			// 40 GB of zeros after its root pages are too many to read
			// again: the zeros are checked at the root pages, at every
			// map page's place and over the last GiB, and told from there.
			if size == 40<<30 && rep.Damage.ZeroedBytes != 1<<30 {
				t.Errorf("zeros at the end told as %d bytes, want the last GiB", rep.Damage.ZeroedBytes)
			}
		})
	}
}
