package repair_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"runtime"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
	"github.com/pstcheck/pstcheck/repair"
)

// FuzzRepairEdits damages a tiny generated store with a few byte edits
// (as FuzzEdits does for the scan; with fix set, the checksums of the
// pages edited are made right again, so that the damage reaches the
// B-trees' structure) and repairs it in memory, with and without
// IncludeDamaged. Whatever the damage, what the repair promises must hold:
// the new store scans with no finding but free space; it holds exactly
// the items the summary counts as written; every item the scan found
// readable is written whole (none fails); and without IncludeDamaged the
// items written are exactly those the scan says a copy saves (readable,
// recovered, and whole but for their named properties), as export does.
func FuzzRepairEdits(f *testing.F) {
	var orig [2][]byte
	for v := range orig {
		b, err := synth.Tiny(v)
		if err != nil {
			f.Fatal(err)
		}
		orig[v] = b
	}
	h := ndb.ReadHeader(bytes.NewReader(orig[0]), int64(len(orig[0])), finding.SinkFunc(func(finding.Finding) {}))
	le := func(off uint64) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(off)) }
	f.Add(false, false, []byte{})
	f.Add(true, false, []byte{})
	f.Add(false, true, append(le(h.NBT.IB), 0x07))
	f.Add(false, true, append(le(h.BBT.IB+2), 0x7F))
	f.Add(true, false, append(le(uint64(len(orig[1])/2)), 0x00))
	f.Add(false, false, append(le(uint64(len(orig[0])*3/4)), 0xFF))
	f.Fuzz(func(t *testing.T, variant, fix bool, edits []byte) {
		b := append([]byte(nil), orig[0]...)
		if variant {
			b = append([]byte(nil), orig[1]...)
		}
		pstmut.ApplyEdits(b, edits, fix)
		for _, include := range []bool{false, true} {
			repairBytes(t, b, include)
		}
	})
}

// repairBytes repairs the store b in memory and checks what the repair
// promises (FuzzRepairEdits); a repair that takes over 20 s fails.
func repairBytes(t *testing.T, b []byte, include bool) {
	t.Helper()
	type result struct {
		rep *pstcheck.Report
		sum *repair.Summary
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		store, err := pstcheck.Open(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
		if err != nil {
			done <- result{err: err}
			return
		}
		var out pstwrite.Buffer
		sum, err := repair.Run(context.Background(), store, &out, repair.Options{IncludeDamaged: include})
		done <- result{rep: store.Report, sum: sum, out: out.Bytes(), err: err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("repair did not finish in 20 s:\n%s", buf[:runtime.Stack(buf, true)])
	}
	if r.err != nil {
		return // a store that cannot be opened or written to is refused
	}
	sum, items := r.sum, r.rep.Items
	rep := pstcheck.Check(context.Background(), bytes.NewReader(r.out), int64(len(r.out)), pstcheck.Options{})
	for _, f := range rep.Findings {
		if f.Code != finding.MapFreeSpace {
			t.Errorf("include %v: the new store: %s %s", include, f.Code, f.Detail)
		}
	}
	written := sum.Saved + sum.Partial + sum.Salvaged
	if rep.Items.Total != written || rep.Items.Readable != written {
		t.Errorf("include %v: the new store holds %+v, the repair says it wrote %d (saved %d, partial %d, salvaged %d)",
			include, rep.Items, written, sum.Saved, sum.Partial, sum.Salvaged)
	}
	if sum.Failed != 0 {
		t.Errorf("include %v: %d items the scan found readable could not be written", include, sum.Failed)
	}
	if saves := items.Readable + items.Recovered + items.NamesLost; !include && written != saves {
		t.Errorf("include %v: %d items written, the scan found %d readable, %d recovered and %d whole but for their named properties",
			include, written, items.Readable, items.Recovered, items.NamesLost)
	}
}
