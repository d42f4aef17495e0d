package ndb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// inMemory is a reader the scan takes for a mapping: it reads no page
// ahead (childpages.go).
type inMemory struct{ io.ReaderAt }

func (inMemory) ReadsFromMemory() {}

// badSectors fails every read that touches one of its 4 KiB sectors.
type badSectors struct {
	io.ReaderAt
	bad map[int64]bool // sector offsets
}

func (b badSectors) ReadAt(p []byte, off int64) (int, error) {
	for s := off &^ 4095; s < off+int64(len(p)); s += 4096 {
		if b.bad[s] {
			return 0, errors.New("input/output error")
		}
	}
	return b.ReaderAt.ReadAt(p, off)
}

// The B-tree walk reads pages ahead of itself when the file is not read
// from memory (a branch page's children, a level-2 page's leaf pages in
// batches, on several workers). Where the pages come from must change
// nothing: findings, entries and bytes verified are those of the walk
// reading each page as it comes to it, on sound samples, with tree pages
// changed, zeroed or pointed elsewhere, listed over and over, and with
// pages that cannot be read.
func TestBTreeReadAhead(t *testing.T) {
	// The OST has 4 KiB pages: up to 169 children a branch page.
	paths := append(samples.GoPstAll(), samples.CorpusNamed("npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost")...)
	if len(paths) == 0 {
		t.Skip("no sample here")
	}
	for _, path := range paths {
		f, err := pstmut.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, uint64(len(f.B))))
		for k := range 6 {
			b := bytes.Clone(f.B)
			bad := map[int64]bool{}
			for i, p := range f.Pages {
				switch {
				case k == 1 && i%4 == 1:
					b[p.Off+rng.Int64N(f.L.PageSize)] ^= 0x41
				case k == 2 && i%7 == 3:
					clear(b[p.Off : p.Off+f.L.PageSize])
				case k == 3 && p.Level > 0 && i%3 == 0:
					// A child reference elsewhere: another page's place,
					// a misaligned one, one past the end.
					e := p.Off + int64(rng.IntN(p.Entries))*int64(f.L.BranchEntrySize) + 2*int64(f.L.BIDSize)
					to := []uint64{uint64(f.Pages[rng.IntN(len(f.Pages))].Off), uint64(p.Off + 8), uint64(len(b)) + 4096}[i%3]
					putUint(b[e:], to, f.L.BIDSize)
				case k == 4 && i%5 == 2:
					bad[p.Off&^4095] = true
				case k == 5 && p.Level == 2:
					// Every entry leads to the first child: a page listed
					// over and over.
					first := b[p.Off+2*int64(f.L.BIDSize):]
					for e := 1; e < p.Entries; e++ {
						copy(b[p.Off+int64(e*f.L.BranchEntrySize)+2*int64(f.L.BIDSize):], first[:f.L.BIDSize])
					}
				}
			}
			scan := func(r io.ReaderAt, workers int) string {
				var fs findings
				res := ndb.Scan(context.Background(), r, int64(len(b)), finding.SinkFunc(func(x finding.Finding) { fs = append(fs, x) }), ndb.Options{Workers: workers})
				if res == nil {
					return fs.String()
				}
				var out bytes.Buffer
				fmt.Fprintln(&out, fs, res.BytesVerified, res.Rebuild)
				for _, e := range res.BBT.All() {
					fmt.Fprintln(&out, e)
				}
				for _, n := range res.NBT.All() {
					fmt.Fprintln(&out, n)
				}
				return out.String()
			}
			var r io.ReaderAt = bytes.NewReader(b)
			if len(bad) > 0 {
				r = badSectors{r, bad}
			}
			want := scan(inMemory{r}, 1)
			for _, workers := range []int{1, 2, 3} {
				if got := scan(r, workers); got != want {
					t.Errorf("%s copy %d, %d workers: reading pages ahead finds otherwise than reading each in turn", path, k, workers)
				}
			}
		}
	}
}

func putUint(b []byte, v uint64, size int) {
	for i := range size {
		b[i] = byte(v >> (8 * i))
	}
}
