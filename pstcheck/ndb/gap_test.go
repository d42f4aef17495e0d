package ndb

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// damageSamples returns go-pst's samples and, unless -short, the corpus
// files the damage matrix uses; it skips the test when there are none.
func damageSamples(t *testing.T) []string {
	files := samples.GoPstAll()
	if !testing.Short() {
		files = append(files, samples.CorpusNamed(samples.DamageCorpus...)...)
	}
	if len(files) == 0 {
		t.Skip("go-pst's samples are not downloaded")
	}
	return files
}

// A copy that lacks bytes inside it (the rest moved up) is found, with the
// bytes missing, never after where they went missing (before it only by
// bytes that hold no page or block: free space, or one the gap cut
// through), so that read through the gap every page and block of the
// clean file outside the hole is where the index says and as it was.
// When the bytes went missing before the data section, all of it moved:
// the gap is put just before it. A gap past the last page and block moves
// nothing and need not be found. A clean file, a copy cut off at its end
// and one with its tail zeroed have no gap.
func TestFindGap(t *testing.T) {
	files := damageSamples(t)
	for _, path := range files {
		clean, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(clean))
		h := ReadHeader(bytes.NewReader(clean), size, discard{})
		// A gap after the last page and block moves nothing that matters
		// and need not be found: the copy is as good as one cut off.
		res := Scan(context.Background(), bytes.NewReader(clean), size, discard{}, Options{Workers: 1})
		type extent struct{ off, end int64 }
		var structures []extent // every block and page of the clean file
		last := int64(0)
		for i := range res.BBT.Len() {
			e := res.BBT.Entry(i)
			structures = append(structures, extent{int64(e.IB), int64(e.IB) + h.Layout.BlockExtent(int(e.CB))})
			last = max(last, int64(e.IB))
		}
		for _, p := range res.s.sortedPages {
			structures = append(structures, extent{p.IB, p.IB + h.Layout.PageSize})
			last = max(last, p.IB)
		}
		if _, ok := FindGaps(bytes.NewReader(clean), size); ok {
			t.Errorf("%s: a gap in the clean file", path)
		}
		// check drops holes (in order) from the clean file and requires
		// FindGaps to find them: as many bytes, each gap never after its
		// hole's place (but when the hole is before the data section),
		// and read through them, every page and block outside the holes
		// where the index says and as it was. Holes in the same run of
		// free space may make one gap.
		// With headerless, the copy's header is destroyed too: a miss is
		// counted, not failed (without the header's end, a small file
		// may not show enough pages and blocks that moved).
		var checkHoles func(t *testing.T, holes []Gap, cut int64, headerless bool)
		var checkRuns func(t *testing.T, runs []Gap, fill func(at, n int64) []byte, cut int64, headerless bool)
		missed := 0
		check := func(t *testing.T, holes []Gap, cut int64) { checkHoles(t, holes, cut, false) }
		checkHoles = func(t *testing.T, holes []Gap, cut int64, headerless bool) {
			var copy []byte
			at, dropped := int64(0), int64(0)
			for _, g := range holes {
				copy = append(copy, clean[at:g.Offset]...)
				at = g.Offset + g.Size
				dropped += g.Size
			}
			copy = append(copy, clean[at:]...)
			if cut > 0 {
				copy = copy[:cut]
			}
			if headerless {
				clear(copy[:h.Layout.FirstAMap])
			}
			gaps, ok := FindGaps(bytes.NewReader(copy), int64(len(copy)))
			// Only a hole with a page or block after it moves anything.
			moved := int64(0)
			for _, g := range holes {
				if g.Offset+g.Size <= last {
					moved += g.Size
				}
			}
			if !ok && moved == 0 {
				return
			}
			if headerless && !ok {
				missed++
				return
			}
			found := int64(0)
			for _, g := range gaps {
				found += g.Size
			}
			if !ok || found < moved || found > dropped || len(gaps) > len(holes) {
				t.Fatalf("found %+v (%v); the holes are %+v", gaps, ok, holes)
			}
			if g := gaps[0]; g.Offset > holes[0].Offset && g.Offset+g.Size != h.Layout.FirstAMap {
				t.Fatalf("found %+v, after the first hole %+v", gaps, holes[0])
			}
			// Holes past the last page and block may be left, the copy
			// then as short as one cut off.
			got := make([]byte, int64(len(copy))+found)
			if _, err := GapReader(bytes.NewReader(copy), gaps).ReadAt(got, 0); err != nil {
				t.Fatal(err)
			}
			for _, x := range structures {
				if x.end > int64(len(got)) {
					continue
				}
				inHole := false
				for _, g := range holes {
					inHole = inHole || x.end > g.Offset && x.off < g.Offset+g.Size
				}
				if !inHole && !bytes.Equal(got[x.off:x.end], clean[x.off:x.end]) {
					t.Fatalf("found %+v: read through it, the page or block at 0x%X is not as in the clean file", gaps, x.off)
				}
			}
		}
		for _, pct := range []int64{10, 25, 50, 75, 90} {
			for _, n := range []int64{512, 4 << 10, 64 << 10} {
				at := size * pct / 100 / 512 * 512
				if at+n >= size {
					continue
				}
				t.Run(fmt.Sprintf("%s/%d bytes at %d%%", filepath.Base(path), n, pct), func(t *testing.T) {
					check(t, []Gap{{Offset: at, Size: n}}, 0)
				})
			}
		}
		// The file's first sectors missing, the header with them (a disk
		// whose first sectors fail, copied by a tool that passes over
		// them): the first AMap page, found moved, tells the format; 256
		// KiB take a 4 KiB-page store's one AMap page of its first 16 MB
		// with them, and a B-tree page found moved tells it.
		for _, n := range []int64{4 << 10, 64 << 10, 256 << 10} {
			t.Run(fmt.Sprintf("%s/first %d bytes", filepath.Base(path), n), func(t *testing.T) {
				if n < size/2 {
					check(t, []Gap{{Offset: 0, Size: n}}, 0)
				}
			})
		}
		// Several holes, as a failing disk gives them: two, and sixteen
		// sectors of 4 KiB spread over a file large enough to keep most.
		t.Run(filepath.Base(path)+"/4 KiB at 25% and 75%", func(t *testing.T) {
			check(t, []Gap{{Offset: size / 4 / 512 * 512, Size: 4 << 10}, {Offset: size * 3 / 4 / 512 * 512, Size: 4 << 10}}, 0)
		})
		// A hole, and the copy cut off later at no particular byte.
		t.Run(filepath.Base(path)+"/4 KiB at 25%, cut at 90%", func(t *testing.T) {
			check(t, []Gap{{Offset: size / 4 / 512 * 512, Size: 4 << 10}}, size*9/10+7)
		})
		if size >= 1<<20 {
			t.Run(filepath.Base(path)+"/16 sectors", func(t *testing.T) {
				r := rand.New(rand.NewPCG(5, 6))
				var holes []Gap
				for range 16 {
					holes = append(holes, Gap{Offset: r.Int64N(size/(4<<10)-1) * 4 << 10, Size: 4 << 10})
				}
				slices.SortFunc(holes, func(a, b Gap) int { return cmp.Compare(a.Offset, b.Offset) })
				holes = slices.CompactFunc(holes, func(a, b Gap) bool { return a.Offset == b.Offset })
				check(t, holes, 0)
			})
		}
		// checkAdded adds runs of bytes (in order, each given by where it
		// goes in the clean file and how long it is) that fill makes, and
		// requires FindGaps to find them: as many bytes, the first never
		// after its run, and read through them, every page and block of
		// the clean file where the index says and as it was. Added bytes
		// lose nothing of the store, not even a block they cut through.
		// When cut is not 0 the copy is then cut off there, as a transfer
		// that wrote a piece twice and then stopped leaves it.
		checkAdded := func(t *testing.T, runs []Gap, fill func(at, n int64) []byte, cut int64) {
			checkRuns(t, runs, fill, cut, false)
		}
		checkRuns = func(t *testing.T, runs []Gap, fill func(at, n int64) []byte, cut int64, headerless bool) {
			var copy []byte
			at, added, moved := int64(0), int64(0), int64(0)
			for _, g := range runs {
				copy = append(copy, clean[at:g.Offset]...)
				copy = append(copy, fill(g.Offset, g.Size)...)
				at, added = g.Offset, added+g.Size
				if g.Offset <= last {
					moved += g.Size
				}
			}
			copy = append(copy, clean[at:]...)
			if cut > 0 {
				copy = copy[:cut]
			}
			if headerless {
				clear(copy[:h.Layout.FirstAMap])
			}
			gaps, ok := FindGaps(bytes.NewReader(copy), int64(len(copy)))
			if !ok && moved == 0 {
				return
			}
			if headerless && !ok {
				missed++
				return
			}
			found := int64(0)
			for _, g := range gaps {
				found += g.Size
				if !g.Added {
					t.Fatalf("found %+v: bytes missing, not added", gaps)
				}
			}
			if !ok || found < moved || found > added || len(gaps) > len(runs) {
				t.Fatalf("found %+v (%v); the runs added are %+v", gaps, ok, runs)
			}
			// A piece written twice may be passed over anywhere in it.
			if g := gaps[0]; g.Offset > runs[0].Offset+runs[0].Size {
				t.Fatalf("found %+v, after the first run %+v", gaps, runs[0])
			}
			got := make([]byte, int64(len(copy))-found)
			if _, err := GapReader(bytes.NewReader(copy), gaps).ReadAt(got, 0); err != nil {
				t.Fatal(err)
			}
			for _, x := range structures {
				if x.end <= int64(len(got)) && !bytes.Equal(got[x.off:x.end], clean[x.off:x.end]) {
					t.Fatalf("found %+v: read through it, the page or block at 0x%X is not as in the clean file", gaps, x.off)
				}
			}
		}
		zeros := func(_, n int64) []byte { return make([]byte, n) }
		twice := func(at, n int64) []byte { return clean[at-n : at] }
		noise := func(_, n int64) []byte {
			b := make([]byte, n)
			r := rand.New(rand.NewPCG(uint64(n), 7))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return b
		}
		for _, pct := range []int64{10, 25, 50, 75, 90} {
			for _, n := range []int64{512, 4 << 10, 64 << 10} {
				at := size * pct / 100 / 512 * 512
				if at-n < h.Layout.FirstAMap {
					continue
				}
				for name, fill := range map[string]func(at, n int64) []byte{"zeros": zeros, "written twice": twice, "random": noise} {
					t.Run(fmt.Sprintf("%s/%d bytes added at %d%%, %s", filepath.Base(path), n, pct, name), func(t *testing.T) {
						checkAdded(t, []Gap{{Offset: at, Size: n}}, fill, 0)
					})
				}
			}
		}
		t.Run(filepath.Base(path)+"/4 KiB added at 25% and 75%", func(t *testing.T) {
			checkAdded(t, []Gap{{Offset: size / 4 / 512 * 512, Size: 4 << 10}, {Offset: size * 3 / 4 / 512 * 512, Size: 4 << 10}}, zeros, 0)
		})
		// Bytes added, and the copy cut off later: it is shorter than the
		// header says, but its pages moved down.
		t.Run(filepath.Base(path)+"/4 KiB added at 25%, cut at 90%", func(t *testing.T) {
			checkAdded(t, []Gap{{Offset: size / 4 / 512 * 512, Size: 4 << 10}}, zeros, size*9/10+7)
		})
		t.Run(filepath.Base(path)+"/64 KiB written twice at 50%, cut at 95%", func(t *testing.T) {
			if at := size / 2 / 512 * 512; at-64<<10 >= h.Layout.FirstAMap {
				checkAdded(t, []Gap{{Offset: at, Size: 64 << 10}}, twice, size*95/100)
			}
		})
		// Cut off by more than was added: a search for bytes missing may
		// find a shift by chance (it does in enron.pst, cut there); the map
		// page at the end says otherwise.
		t.Run(filepath.Base(path)+"/46.5 KiB written twice at 50%, cut 1,822 bytes short of 85%", func(t *testing.T) {
			if at := size / 2 / 512 * 512; at-47616 >= h.Layout.FirstAMap {
				checkAdded(t, []Gap{{Offset: at, Size: 47616}}, twice, size*85/100-1822)
			}
		})
		// With the header destroyed as well, the map page nearest the end
		// or the pages and blocks that moved tell (findGapsByMaps): what
		// is found must be right, and in a file of a MiB or more nothing
		// is missed.
		for _, pct := range []int64{25, 50, 75} {
			for _, n := range []int64{4 << 10, 64 << 10} {
				at := size * pct / 100 / 512 * 512
				if at+n >= size || at-n < h.Layout.FirstAMap {
					continue
				}
				t.Run(fmt.Sprintf("%s/header destroyed, %d bytes missing at %d%%", filepath.Base(path), n, pct), func(t *testing.T) {
					checkHoles(t, []Gap{{Offset: at, Size: n}}, 0, true)
				})
				t.Run(fmt.Sprintf("%s/header destroyed, %d bytes written twice at %d%%", filepath.Base(path), n, pct), func(t *testing.T) {
					checkRuns(t, []Gap{{Offset: at, Size: n}}, twice, 0, true)
				})
			}
		}
		if missed > 0 && size >= 1<<20 {
			t.Errorf("%s: header destroyed: %d copies whose bytes missing or added are not found", path, missed)
		}
		headerless := func(b []byte) []byte {
			clear(b[:h.Layout.FirstAMap])
			return b
		}
		for name, copy := range map[string][]byte{
			"clean":              headerless(slices.Clone(clean)),
			"cut at 90%":         headerless(slices.Clone(clean[:size*9/10/512*512])),
			"tail zeroed at 90%": headerless(slices.Concat(clean[:size*9/10], make([]byte, size-size*9/10))),
		} {
			if g, ok := FindGaps(bytes.NewReader(copy), int64(len(copy))); ok {
				t.Errorf("%s %s, header destroyed: a gap %+v", path, name, g)
			}
		}
		for name, copy := range map[string][]byte{
			"4 KiB appended": slices.Concat(clean, make([]byte, 4096)),
			// The tail of an older, longer file left after the end (the
			// copy written over it was not cut to size): pages that
			// verify, but no part of the store.
			"its own second half appended": slices.Concat(clean, clean[size/2:]),
			"itself appended":              slices.Concat(clean, clean),
			"cut at 90%":                   clean[:size*9/10/512*512],
			"cut at 50%":                   clean[:size/2/512*512],
			"tail zeroed at 90%":           slices.Concat(clean[:size*9/10], make([]byte, size-size*9/10)),
		} {
			if g, ok := FindGaps(bytes.NewReader(copy), int64(len(copy))); ok {
				t.Errorf("%s %s: a gap %+v", path, name, g)
			}
		}
	}
}

// The gap reader serves reads that straddle the gap's edges, for bytes
// missing and for bytes added.
func TestGapReader(t *testing.T) {
	file := []byte("abcdefghij")
	r := GapReader(bytes.NewReader(file), []Gap{{Offset: 4, Size: 3}})
	got := make([]byte, 13)
	if n, err := r.ReadAt(got, 0); n != 13 || err != nil || string(got) != "abcd\x00\x00\x00efghij" {
		t.Errorf("read %q (%d, %v)", got, n, err)
	}
	if n, _ := r.ReadAt(got[:4], 5); string(got[:n]) != "\x00\x00ef" {
		t.Errorf("read %q", got[:n])
	}
	// "XY" and "Z" were added; the store was "abcdefgh", with 2 bytes
	// missing at its end.
	r = GapReader(bytes.NewReader([]byte("abXYcdefZgh")), []Gap{{Offset: 2, Size: 2, Added: true}, {Offset: 6, Size: 1, Added: true}})
	got = make([]byte, 8)
	if n, err := r.ReadAt(got, 0); n != 8 || err != nil || string(got) != "abcdefgh" {
		t.Errorf("read %q (%d, %v)", got, n, err)
	}
	if n, _ := r.ReadAt(got[:5], 1); string(got[:n]) != "bcdef" {
		t.Errorf("read %q", got[:n])
	}
}

// Whatever a copy holds (an end of file anywhere, runs dropped, added,
// copied from elsewhere, bytes changed, the copy cut), FindGaps returns
// gaps GapReader can read through: in order, apart, of some size, and
// the whole store reads through them.
func TestFindGapsHostile(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, path := range samples.GoPstAll() {
		clean, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		size := int64(len(clean))
		if size > 4<<20 {
			continue // the ops below are sized for a small file
		}
		h := ReadHeader(bytes.NewReader(clean), size, discard{})
		for range 150 {
			c := slices.Clone(clean)
			if eof := r.Int64N(2 * size); r.IntN(2) == 0 {
				if binary.LittleEndian.Uint16(c[10:]) >= 23 { // wVer: Unicode
					binary.LittleEndian.PutUint64(c[184:], uint64(eof))
				} else {
					binary.LittleEndian.PutUint32(c[168:], uint32(eof))
				}
			}
			for k := r.IntN(4); k > 0; k-- {
				at, n := r.Int64N(int64(len(c))), (r.Int64N(64<<10)+1)&^63
				switch r.IntN(5) {
				case 0:
					c = slices.Concat(c[:at], c[min(at+n, int64(len(c))):])
				case 1:
					c = slices.Concat(c[:at], make([]byte, n), c[at:])
				case 2:
					from := r.Int64N(int64(len(c)))
					c = slices.Concat(c[:at], c[from:min(from+n, int64(len(c)))], c[at:])
				case 3:
					for range 200 {
						c[r.Int64N(int64(len(c)))] = byte(r.Uint32())
					}
				case 4:
					c = c[:max(at, 1)]
				}
			}
			gaps, ok := FindGaps(bytes.NewReader(c), int64(len(c)))
			if !ok {
				continue
			}
			from := int64(unicodeHeaderLen)
			if ReadHeader(bytes.NewReader(c), int64(len(c)), discard{}) == nil {
				from = 0 // a destroyed header's gaps may start anywhere
			}
			if !inOrder(gaps, from, h.Layout.FirstAMap) {
				t.Fatalf("gaps out of order: %+v", gaps)
			}
			n := int64(len(c))
			for _, g := range gaps {
				n += g.Lacking()
			}
			if _, err := GapReader(bytes.NewReader(c), gaps).ReadAt(make([]byte, n), 0); err != nil {
				t.Fatalf("gaps %+v: reading the %d bytes they give: %v", gaps, n, err)
			}
		}
	}
}
