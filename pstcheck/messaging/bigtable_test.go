package messaging

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

type collect []finding.Finding

func (c *collect) Report(f finding.Finding) { *c = append(*c, f) }

// A folder table read block by block (as the large ones are) finds what it
// finds read whole: the same findings, folders and items, on the samples
// and on a store with a folder of 20,000 messages (whose contents table
// spans far more blocks than are held at once), whole and with bytes
// flipped.
func TestBigTables(t *testing.T) {
	var stores [][]byte
	for _, name := range []string{"enron.pst", "support.pst", "32-bit.pst"} {
		if p := samples.GoPst(name); p != "" {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			stores = append(stores, b)
		}
	}
	var big pstwrite.Buffer
	w, err := pstwrite.New(&big, pstwrite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(w, synth.Shape{Messages: 5_000, Folders: 1, Depth: 1, BodyMin: 10, BodyMax: 40}, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	stores = append(stores, big.Bytes())
	defer func(old int) { bigTableBytes = old }(bigTableBytes)
	for i, clean := range stores {
		rng := rand.New(rand.NewPCG(5, uint64(len(clean))))
		for k := range 4 {
			b := slices.Clone(clean)
			for range k * 30 {
				b[rng.IntN(len(b))] ^= 0x3C
			}
			check := func(big int) string {
				bigTableBytes = big
				var c collect
				res := ndb.Scan(context.Background(), bytes.NewReader(b), int64(len(b)), &c, ndb.Options{})
				if res == nil {
					return "no store"
				}
				m := Check(context.Background(), res, &c, Options{Workers: 2, KeepItems: true})
				return fmt.Sprint(c, m.Folders, m.Items, m.Complete)
			}
			if whole, paged := check(1<<30), check(-1); whole != paged {
				t.Errorf("store %d copy %d: tables read block by block find otherwise than read whole", i, k)
			}
		}
	}
}
