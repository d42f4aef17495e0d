package pstmut_test

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

func sampleFiles(t *testing.T) []string {
	// Beside go-pst's, the corpus' OSTs: the 4K one, and a Unicode one.
	return testkit.Samples(t, func(p string) bool { return filepath.Ext(p) == ".ost" })
}

// On a sound file every "fix" helper must be a no-op, and the parsed
// trees must agree with the engine's: that pins the offsets the helpers
// write to.
func TestFixesAreNoOpsOnSoundFiles(t *testing.T) {
	for _, p := range sampleFiles(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, err := pstmut.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			orig := append([]byte(nil), f.B...)
			f.FixHeaderCRCs()
			for _, pg := range f.Pages {
				f.FixPageCRC(pg.Off)
				f.SetFooter(pg.Off, f.Footer(pg.Off))
			}
			for _, off := range f.AMaps() {
				f.FixPageCRC(off)
			}
			for _, b := range f.BBT {
				f.FixBlockCRC(b.BID)
				f.EditBBT(b.BID, func(*ndb.BBTEntry) {})
			}
			for _, n := range f.NBT {
				f.EditNBT(n.NID, func(*ndb.NBTEntry) {})
			}
			if !bytes.Equal(orig, f.B) {
				for i := range orig {
					if orig[i] != f.B[i] {
						t.Fatalf("the fixes changed byte 0x%X (0x%02X -> 0x%02X)", i, orig[i], f.B[i])
					}
				}
			}
			res, _ := f.Scan()
			if res.BBT.Len() != len(f.BBT) || res.NBT.Len() != len(f.NBT) {
				t.Fatalf("parsed %d blocks %d nodes, the engine %d and %d", len(f.BBT), len(f.NBT), res.BBT.Len(), res.NBT.Len())
			}
			for i, b := range res.BBT.All() {
				if b != f.BBT[i].BBTEntry {
					t.Fatalf("block %d: parsed %+v, engine %+v", i, f.BBT[i].BBTEntry, b)
				}
				tr := f.ParseBlockTrailer(b.BID)
				if tr.BID != b.BID || tr.CB != b.CB {
					t.Fatalf("block 0x%X: trailer %+v", b.BID, tr)
				}
			}
			for i, n := range res.NBT.All() {
				if n != f.NBT[i].NBTEntry {
					t.Fatalf("node %d: parsed %+v, engine %+v", i, f.NBT[i].NBTEntry, n)
				}
			}
			if len(f.Pages) != res.Pages-len(f.FixedPages(0, f.Size())) {
				t.Errorf("walked %d B-tree pages, the engine %d pages with %d map pages", len(f.Pages), res.Pages, len(f.FixedPages(0, f.Size())))
			}
			// Every block in use is marked allocated in the AMap.
			for _, b := range f.BBT {
				if !f.Allocated(int64(b.IB)) {
					t.Fatalf("block 0x%X at 0x%X is not marked allocated", b.BID, b.IB)
				}
			}
		})
	}
}

func TestUsersMatchRefCounts(t *testing.T) {
	p := samples.GoPst("support.pst")
	if p == "" {
		t.Skip("no support.pst")
	}
	f, err := pstmut.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	users := f.Users()
	for _, b := range f.BBT {
		if got := len(users[b.BID]); got != int(b.Ref)-1 {
			t.Errorf("block 0x%X: %d users, cRef %d", b.BID, got, b.Ref)
		}
	}
}

// A file grown with Grow is sound: no error or warning, and the header's
// free count matches the maps.
func TestGrowIsSound(t *testing.T) {
	for _, name := range []string{"support.pst", "32-bit.pst"} {
		t.Run(name, func(t *testing.T) {
			p := samples.GoPst(name)
			if p == "" {
				t.Skip("sample absent")
			}
			f, err := pstmut.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			// Past the eighth AMap, so that a PMap is written too.
			size := f.L.FirstAMap + 9*f.L.AMapCoverage + 0x1000
			if err := f.Grow(size); err != nil {
				t.Fatal(err)
			}
			if f.FileEOF() != size {
				t.Fatalf("ibFileEof %d, want %d", f.FileEOF(), size)
			}
			_, findings := f.Scan()
			for _, x := range findings {
				if x.Severity() != finding.SeverityInfo || x.Code == finding.AMapFree {
					t.Errorf("%v", x)
				}
			}
		})
	}
}

func TestFailingReader(t *testing.T) {
	data := []byte("0123456789")
	r := pstmut.FailingReader{R: bytes.NewReader(data), Off: 4, Len: 2}
	buf := make([]byte, 3)
	if n, err := r.ReadAt(buf, 0); n != 3 || err != nil {
		t.Errorf("before the bad range: %d, %v", n, err)
	}
	if n, err := r.ReadAt(buf, 2); n != 2 || !errors.Is(err, pstmut.ErrInjected) || string(buf[:2]) != "23" {
		t.Errorf("into the bad range: %d, %v", n, err)
	}
	if n, err := r.ReadAt(buf, 5); n != 0 || !errors.Is(err, pstmut.ErrInjected) {
		t.Errorf("inside the bad range: %d, %v", n, err)
	}
	if n, err := r.ReadAt(buf, 6); n != 3 || err != nil || string(buf) != "678" {
		t.Errorf("after the bad range: %d, %v", n, err)
	}
	all := pstmut.FailAfter(bytes.NewReader(data), 0)
	if _, err := all.ReadAt(buf, 7); !errors.Is(err, pstmut.ErrInjected) {
		t.Errorf("FailAfter(0): %v", err)
	}
}

func TestZeroExtended(t *testing.T) {
	z := pstmut.ZeroExtended{R: bytes.NewReader([]byte("abc")), RSize: 3, Size: 6}
	buf := make([]byte, 5)
	if n, err := z.ReadAt(buf, 1); n != 5 || err != nil || string(buf) != "bc\x00\x00\x00" {
		t.Errorf("read across: %d %v %q", n, err, buf)
	}
	if n, err := z.ReadAt(buf, 4); n != 2 || err != io.EOF {
		t.Errorf("read past the end: %d %v", n, err)
	}
	if _, err := z.ReadAt(buf, 6); err != io.EOF {
		t.Errorf("read at the end: %v", err)
	}
}
