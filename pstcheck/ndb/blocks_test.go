package ndb

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

type collect []finding.Finding

func (c *collect) Report(f finding.Finding) { *c = append(*c, f) }

// The block pass finds the same, in the same order, however the file is cut
// into chunks and however many workers check them: on the samples whole
// and with bytes flipped and runs zeroed across chunk boundaries.
func TestBlockPassChunks(t *testing.T) {
	var files []string
	for _, name := range []string{"enron.pst", "support.pst", "32-bit.pst"} {
		if p := samples.GoPst(name); p != "" {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Skip("go-pst samples not downloaded")
	}
	defer func(old int) { ChunkSize = old }(ChunkSize)
	for _, path := range files {
		clean, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, uint64(len(clean))))
		for k := range 4 {
			b := slices.Clone(clean)
			for range k * 20 {
				b[rng.IntN(len(b))] ^= 0x5A
			}
			if k == 3 {
				n := len(b) / 5
				at := rng.IntN(len(b) - n)
				clear(b[at : at+n])
			}
			scan := func(chunk, workers int) string {
				ChunkSize = chunk
				var c collect
				res := Scan(context.Background(), bytes.NewReader(b), int64(len(b)), &c, Options{Workers: workers})
				if res != nil {
					states := make([]BlockState, res.BBT.Len())
					for i := range states {
						states[i] = res.BBT.State(i)
					}
					c = append(c, finding.Finding{Detail: fmt.Sprint(res.BytesVerified, states)})
				}
				return fmt.Sprint(c)
			}
			want := scan(4<<20, 1)
			for _, run := range []struct{ chunk, workers int }{{64 << 10, 1}, {64 << 10, 3}, {4 << 20, 2}, {200 << 10, 2}} {
				if got := scan(run.chunk, run.workers); got != want {
					t.Errorf("%s copy %d: chunks of %d on %d workers find otherwise than one chunk pass", path, k, run.chunk, run.workers)
				}
			}
		}
	}
}
