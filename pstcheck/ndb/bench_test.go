package ndb

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// The pass benchmarks read $PSTCHECK_BENCH_FILE (a pstgen archive, say),
// else go-pst's enron.pst (testkit.BenchFile). Each scans the
// file once to have what its pass needs, then times that pass alone, and
// reports its processor time (cpu-ms/op) beside the wall time: on a shared
// machine the wall time is noise. The file should be sound: a damaged
// one's first scan leaves states the passes timed would then skip.

type discard struct{}

func (discard) Report(finding.Finding) {}

// benchScan scans the bench file through the block and node passes.
func benchScan(b *testing.B) (*Result, int64) {
	f, size := testkit.OpenBenchFile(b)
	res := Scan(context.Background(), f, size, discard{}, Options{Workers: 2})
	if res == nil {
		b.Fatal("unusable header")
	}
	return res, size
}

// scanner returns a scanner of res's file that has run no pass.
func (res *Result) scanner(workers int) *Scanner {
	s := res.s
	return &Scanner{r: s.r, size: s.size, limit: s.limit, h: s.h, sink: discard{}, progress: noProgress{},
		workers: workers, visited: newPageSet(s.size, s.h.Layout.PageSize)}
}

// BenchmarkIndex measures the walk of both B-trees (every page read and
// checked, every leaf entry kept) and their sorting for lookups, on 1 and
// 2 workers (reading pages ahead: childpages.go).
func BenchmarkIndex(b *testing.B) {
	res, size := benchScan(b)
	onWorkers(b, size, func(_ *testing.B, workers int) {
		s := res.scanner(workers)
		s.walkTree(s.h.NBT, PageNBT)
		s.walkTree(s.h.BBT, PageBBT)
		s.sortTrees()
	})
}

// BenchmarkBlockPass measures the block pass alone (every block read and
// verified) on 1 and 2 workers.
func BenchmarkBlockPass(b *testing.B) {
	res, size := benchScan(b)
	var pages []pageRef // the B-tree pages, without the map pages it adds
	for _, p := range res.s.sortedPages {
		if p.Type == PageBBT || p.Type == PageNBT {
			pages = append(pages, p)
		}
	}
	onWorkers(b, size, func(_ *testing.B, workers int) {
		s := res.scanner(workers)
		s.pages = append(s.pages[:0], pages...)
		s.res.BBT = res.BBT
		s.checkBlocks(context.Background())
	})
}

// onWorkers runs a sub-benchmark of run on 1 and on 2 workers, each over
// size bytes, with its processor time.
func onWorkers(b *testing.B, size int64, run func(b *testing.B, workers int)) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(size)
			defer testkit.ReportCPU(b, testkit.CPUTime())
			for b.Loop() {
				run(b, workers)
			}
		})
	}
}

// BenchmarkNodePass measures the node pass: every node's data and subnode
// trees walked, their internal blocks read, every block's references
// counted.
func BenchmarkNodePass(b *testing.B) {
	res, size := benchScan(b)
	res.s.checkBlocks(context.Background()) // keeps the internal blocks again, as a scan does
	b.SetBytes(size)
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		res.s.checkNodes(context.Background())
	}
}

// BenchmarkMaps measures the allocation pass.
func BenchmarkMaps(b *testing.B) {
	res, size := benchScan(b)
	order, pages := res.s.order, res.s.sortedPages
	b.SetBytes(size)
	defer testkit.ReportCPU(b, testkit.CPUTime())
	for b.Loop() {
		res.s.order, res.s.sortedPages = order, pages
		res.CheckMaps(discard{})
	}
}

// BenchmarkRebuild measures the index rebuild as when both B-tree roots
// are lost: the sweep of the whole data section for leaf pages and for
// blocks by their trailers, and the merge of what it found, on 1 and 2
// workers.
func BenchmarkRebuild(b *testing.B) {
	res, size := benchScan(b)
	onWorkers(b, size, func(b *testing.B, workers int) {
		s := res.scanner(workers)
		s.res.Header = s.h
		s.loseRange(PageNBT, 0, math.MaxUint64, int64(s.h.NBT.IB))
		s.loseRange(PageBBT, 0, math.MaxUint64, int64(s.h.BBT.IB))
		s.rebuildIndex(context.Background())
		if s.res.Rebuild == nil || s.res.Rebuild.Blocks == 0 {
			b.Fatal("nothing rebuilt")
		}
	})
}

// BenchmarkLookup measures finding blocks and nodes by ID, the upper
// layers' most frequent call (several per item read): one op is a lookup
// of each of 65,536 BIDs and NIDs of the file, in random order.
func BenchmarkLookup(b *testing.B) {
	res, _ := benchScan(b)
	rng := rand.New(rand.NewPCG(1, 2))
	bids := make([]uint64, 1<<16)
	nids := make([]uint32, 1<<16)
	for i := range bids {
		bids[i] = res.BBT.BID(rng.IntN(res.BBT.Len()))
		nids[i] = res.NBT.NID(rng.IntN(res.NBT.Len()))
	}
	for b.Loop() {
		for i := range bids {
			if res.BBT.find(bids[i]) < 0 || res.NBT.find(nids[i]) < 0 {
				b.Fatal("an entry of the table is not found")
			}
		}
	}
}
