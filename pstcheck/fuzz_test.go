package pstcheck_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

var realSeeds = flag.Bool("realseeds", false, "fuzz with the small real samples too (far slower per input)")

// fuzzSeeds are tiny generated stores, trimmed to tens of kilobytes yet
// holding every structure (data trees, subnode trees, heaps, tables,
// attachments, an embedded message): at that size the engine checks
// thousands of inputs a second. With -realseeds the small real samples
// are added too, for campaigns that want Outlook's own layouts (at tens of
// inputs a second).
func fuzzSeeds(f *testing.F) [][]byte {
	var out [][]byte
	for v := range 2 {
		b, err := synth.Tiny(v)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	if !*realSeeds {
		return out
	}
	paths := []string{samples.GoPst("32-bit.pst")}
	for _, p := range samples.CorpusFiles(false) {
		if st, err := os.Stat(p); err == nil && st.Size() <= 300<<10 {
			paths = append(paths, p)
			if len(paths) > 4 {
				break
			}
		}
	}
	for _, p := range paths {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// checkBytes scans b and fails on a hang; a panic fails the fuzz run by
// itself. Every report must have a verdict.
func checkBytes(t *testing.T, b []byte) *pstcheck.Report {
	t.Helper()
	done := make(chan *pstcheck.Report, 1)
	go func() {
		done <- pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
	}()
	var rep *pstcheck.Report
	select {
	case rep = <-done:
	case <-time.After(10 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("scan did not finish in 10 s:\n%s", buf[:runtime.Stack(buf, true)])
	}
	switch rep.Verdict {
	case pstcheck.Healthy, pstcheck.Damaged, pstcheck.Unreadable, pstcheck.Failed:
	default:
		t.Fatalf("verdict %q", rep.Verdict)
	}
	if rep.Items.Salvageable > 0 || rep.Items.Damaged > 0 {
		salvageAll(t, b)
	}
	return rep
}

// salvageAll reads what can be read of every damaged item of b, and what
// is left of every lost item the scan offers for salvage, as export and
// repair do with --include-damaged: the reads of blocks the scan did not
// find sound (unlinked ones, ones that fail only their checksum) must
// end, whatever those hold.
func salvageAll(t *testing.T, b []byte) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		store, err := pstcheck.Open(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
		if err != nil {
			return
		}
		for x := range store.Items(nil) {
			if x.Salvage.Data != 0 || x.State == pstcheck.ItemDamaged {
				pstcheck.ReadItem(x, readWith(store.Reader, x), true)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("salvage did not finish in 10 s:\n%s", buf[:runtime.Stack(buf, true)])
	}
}

// FuzzCheck feeds arbitrary bytes, seeded with real files, to the engine.
func FuzzCheck(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte("!BDN"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkBytes(t, b)
	})
}

// FuzzEdits applies a few byte edits to a tiny generated Unicode store
// (with -realseeds, to the real support.pst) and, when asked, recomputes
// the checksum of every page an edit lands in, so the damage reaches past
// the CRC checks into B-tree and tree structure. Each edit is 5 bytes of
// the input: a little-endian offset (modulo the file size) and the new
// byte value.
func FuzzEdits(f *testing.F) {
	orig, err := synth.Tiny(0)
	if err != nil {
		f.Fatal(err)
	}
	if *realSeeds {
		path := samples.GoPst("support.pst")
		if path == "" {
			f.Skip("go-pst samples not downloaded")
		}
		if orig, err = os.ReadFile(path); err != nil {
			f.Fatal(err)
		}
	}
	h := ndb.ReadHeader(bytes.NewReader(orig), int64(len(orig)), finding.SinkFunc(func(finding.Finding) {}))
	le := func(off uint64) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(off)) }
	f.Add(true, append(le(h.NBT.IB), 0x07))   // the NBT root page's first entry
	f.Add(true, append(le(h.BBT.IB+2), 0x7F)) // a BBT entry's BID
	f.Add(false, append(le(h.BBT.IB+488), 0xFF))
	f.Add(true, []byte{0xD8, 0x00, 0x00, 0x00, 0x01}) // the NBT root reference
	f.Fuzz(func(t *testing.T, fix bool, edits []byte) {
		b := append([]byte(nil), orig...)
		pstmut.ApplyEdits(b, edits, fix)
		checkBytes(t, b)
	})
}
