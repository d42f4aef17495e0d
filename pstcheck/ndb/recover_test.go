package ndb_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// headerLen is the length of the header of f's kind.
func headerLen(f *pstmut.File) int64 {
	if f.L.Kind == ndb.ANSI {
		return 512
	}
	return 564
}

// A destroyed header is found again from what follows it: the format
// from the first AMap page, the end of the file from its size, the
// encoding from the data blocks, and the index from its roots where they
// can be told (findRoots), else from its surviving pages. Every node and
// block of the sound file comes back.
func TestRecoverHeader(t *testing.T) {
	for _, c := range []struct {
		file   string
		method uint8 // the encoding the file is rewritten with
	}{
		{ansiSample, 1}, {unicodeSample, 1}, {unicodeSample, 0}, {unicodeSample, 2},
	} {
		t.Run(c.file+"/"+(&ndb.Header{Crypt: c.method}).CryptName(), func(t *testing.T) {
			f := sample(t, c.file)
			if c.method != f.H.Crypt {
				reencode(f, c.method)
			}
			f.Zero(0, headerLen(f))
			res, fs := scan(f)
			if res == nil {
				t.Fatalf("no result:%s", fs)
			}
			fs.mustHave(t, finding.HeaderMagic, 0)
			fs.mustHave(t, finding.HeaderGuessed, 0)
			h := res.Header
			if !h.Guessed || h.Kind != f.L.Kind || h.Crypt != c.method || h.FileEOF != uint64(f.Size()) {
				t.Errorf("guessed %v, kind %s, crypt %d, end 0x%X; want %s, %d, 0x%X", h.Guessed, h.Kind, h.Crypt, h.FileEOF, f.L.Kind, c.method, f.Size())
			}
			for _, n := range f.NBT {
				if got, ok := res.Node(n.NID); !ok || got.Data != n.Data || got.Sub != n.Sub || got.Parent != n.Parent {
					t.Errorf("node 0x%X: %+v, %v; want %+v", n.NID, got, ok, n.NBTEntry)
				}
			}
			for _, b := range f.BBT {
				if i := blockIndex(res, b.BID); i < 0 || res.BBT.Entry(i).IB != b.IB || res.BBT.State(i) != 0 {
					t.Errorf("block 0x%X was not found again at 0x%X", b.BID, b.IB)
				}
			}
			if len(res.NodeDamaged) > 0 {
				t.Errorf("%d nodes damaged", len(res.NodeDamaged))
			}
		})
	}
}

// The 4K-page OST of the corpus, its header destroyed, is found again as
// a 4K-page file.
func TestRecoverHeader4K(t *testing.T) {
	b, err := os.ReadFile(corpusFile(t, is4K))
	if err != nil {
		t.Fatal(err)
	}
	clean := slices.Clone(b)
	clear(b[:564])
	res, fs := scanBytes(b)
	if res == nil || !res.Header.Guessed || res.Header.Kind != ndb.Unicode4K {
		t.Fatalf("result %+v:%s", res, fs)
	}
	fs.mustHave(t, finding.HeaderGuessed, 0)
	// Its first MiB overwritten with random bytes, its only AMap page
	// with it: a B-tree page past it tells the format, and the blocks
	// that verify, not the random ones, that it is not encoded.
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 1 << 20 {
		b[i] = byte(r.Uint32())
	}
	res, fs = scanBytes(b)
	if res == nil || res.Header.Kind != ndb.Unicode4K || res.Header.Crypt != clean[0x201] {
		t.Fatalf("first MiB destroyed: result %+v:%s", res, fs)
	}
	if g := fs.with(finding.HeaderGuessed); len(g) != 1 || !strings.Contains(g[0].Detail, "the B-tree page at") {
		t.Errorf("first MiB destroyed: %+v", g)
	}
}

// A destroyed header's B-tree roots are the newest pages at the top of
// each tree: support.pst's are found, and its index read as the header
// had it, with nothing rebuilt. With the NBT's root page destroyed too,
// what is left at the top is an older tree, or the live one's children:
// that root is not taken, the NBT is rebuilt from its leaves, and every
// node comes back.
func TestRecoverHeaderRoots(t *testing.T) {
	f := sample(t, unicodeSample)
	f.Zero(0, headerLen(f))
	res, fs := scan(f)
	if res == nil || res.Rebuild != nil || res.Header.NBT != f.H.NBT || res.Header.BBT != f.H.BBT {
		t.Fatalf("roots NBT %+v BBT %+v (rebuild %+v), want %+v and %+v:%s", res.Header.NBT, res.Header.BBT, res.Rebuild, f.H.NBT, f.H.BBT, fs)
	}

	f = sample(t, unicodeSample)
	f.Zero(0, headerLen(f))
	f.Zero(int64(f.H.NBT.IB), f.L.PageSize)
	res, fs = scan(f)
	if res == nil || res.Header.NBTUsable || res.Rebuild == nil || res.Rebuild.NBTPages == 0 {
		t.Fatalf("NBT root taken at %+v, rebuild %+v:%s", res.Header.NBT, res.Rebuild, fs)
	}
	for _, n := range f.NBT {
		if got, ok := res.Node(n.NID); !ok || got.Data != n.Data || got.Sub != n.Sub || got.Parent != n.Parent {
			t.Errorf("node 0x%X: %+v, %v; want %+v", n.NID, got, ok, n.NBTEntry)
		}
	}
}

// A file whose start is destroyed well past its header (ransomware that
// encrypts a file's first bytes, a disk's first sectors failing: here the
// first 300 KB of support.pst, its first two AMap pages among them,
// zeroed or overwritten with random bytes) is found again from a later
// AMap page, and every block past the destroyed part at its place.
func TestRecoverHeaderStartDestroyed(t *testing.T) {
	for _, random := range []bool{false, true} {
		f := sample(t, unicodeSample)
		const gone = 300_000
		if random {
			r := rand.New(rand.NewPCG(7, 8))
			for i := range gone {
				f.B[i] = byte(r.Uint32())
			}
		} else {
			f.Zero(0, gone)
		}
		res, fs := scan(f)
		if res == nil || !res.Header.Guessed || res.Header.Kind != ndb.Unicode {
			t.Fatalf("random %v: result %+v:%s", random, res, fs)
		}
		if g := fs.with(finding.HeaderGuessed); len(g) != 1 || !strings.Contains(g[0].Detail, "the AMap page at 0x80400") {
			t.Errorf("random %v: %+v", random, g)
		}
		for _, b := range f.BBT {
			if b.IB < gone {
				continue
			}
			if i := blockIndex(res, b.BID); i < 0 || res.BBT.Entry(i).IB != b.IB {
				t.Errorf("random %v: block 0x%X was not found again at 0x%X", random, b.BID, b.IB)
			}
		}
	}
}

// With the header, every AMap page and every B-tree page gone nothing
// tells the format: there is no result, and no guess is claimed. With one
// B-tree page left, it does.
func TestRecoverHeaderNothingToGo(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		f := sample(t, name)
		f.Zero(0, headerLen(f))
		for off := f.L.FirstAMap; off+f.L.PageSize <= f.Size(); off += f.L.AMapCoverage {
			f.Zero(off, f.L.PageSize)
		}
		kept := slices.Clone(f.B)
		last := int64(-1)
		for off := f.L.FirstAMap; off+f.L.PageSize <= f.Size(); off += f.L.PageSize {
			if p := f.L.ParsePageTrailer(f.B[off : off+f.L.PageSize]); p.Type == p.TypeRepeat && (p.Type == ndb.PageNBT || p.Type == ndb.PageBBT) {
				f.Zero(off, f.L.PageSize)
				last = off
			}
		}
		copy(f.B[last:last+f.L.PageSize], kept[last:])
		if res, fs := scan(f); res == nil || res.Header.Kind != f.L.Kind {
			t.Errorf("%s: one B-tree page left: result %v:%s", name, res != nil, fs)
		}
		f.Zero(last, f.L.PageSize)
		res, fs := scan(f)
		if res != nil || len(fs.with(finding.HeaderGuessed)) > 0 {
			t.Errorf("%s: result %v:%s", name, res != nil, fs)
		}
		fs.mustHave(t, finding.HeaderMagic, 0)
	}
}

// Outlook's allocation maps keep leaked pages in use, old B-tree roots
// among them: enron.pst keeps two older NBT roots and one older BBT root
// beside the live ones. Its header destroyed, the newest root of each
// tree is taken, as the header had it, and nothing is rebuilt: a rebuild
// from every leaf page would read the old leaves' entries as damage
// (blocks overlapping, failing their CRC).
func TestRecoverHeaderOldRootsInUse(t *testing.T) {
	f := sample(t, "enron.pst")
	f.Zero(0, headerLen(f))
	res, fs := scan(f)
	if res == nil || res.Rebuild != nil || res.Header.NBT != f.H.NBT || res.Header.BBT != f.H.BBT {
		t.Fatalf("roots NBT %+v BBT %+v (rebuild %v), want %+v and %+v:%s", res.Header.NBT, res.Header.BBT, res.Rebuild != nil, f.H.NBT, f.H.BBT, fs)
	}
	for _, x := range fs.errors() {
		if x.Code != finding.HeaderMagic {
			t.Errorf("error besides the header's: %+v", x)
		}
	}
}

// With the header and every page of the live NBT destroyed, what is left
// at the top of the NBT is an older root, still marked in use: its nodes
// name blocks freed since, which the BBT no longer lists. The trees
// disagree, so the older one is not taken (its nodes would be read as the
// store's), and the NBT is rebuilt.
func TestRecoverHeaderOlderNBTRootRefused(t *testing.T) {
	f := sample(t, ansiSample)
	f.Zero(0, headerLen(f))
	for _, p := range f.TreePages(ndb.PageNBT, -1) {
		f.Zero(p.Off, f.L.PageSize)
	}
	res, fs := scan(f)
	if res == nil {
		t.Fatalf("no result:%s", fs)
	}
	if res.Header.NBTUsable || res.Rebuild == nil {
		t.Errorf("NBT root taken at %+v (rebuild %v):%s", res.Header.NBT, res.Rebuild != nil, fs)
	}
	if !res.Header.BBTUsable || res.Header.BBT != f.H.BBT {
		t.Errorf("BBT root %+v (usable %v), want %+v", res.Header.BBT, res.Header.BBTUsable, f.H.BBT)
	}
}

// enron.pst with its header and every page of its live NBT zeroed keeps
// only older NBT pages, two old roots among them. Its BBT, found among
// two roots in use and newer than every NBT page left, is taken; the maps,
// marking every page and block of it in use, are taken as valid; so the
// node index is rebuilt from the leaf pages in use alone, as with the
// header whole, not from old copies in free space too.
func TestRecoverHeaderNodeIndexDestroyed(t *testing.T) {
	f := sample(t, "enron.pst")
	for _, p := range f.TreePages(ndb.PageNBT, -1) {
		f.Zero(p.Off, f.L.PageSize)
	}
	whole, _ := scan(f)
	f.Zero(0, headerLen(f))
	res, fs := scan(f)
	if res == nil || whole == nil || whole.Rebuild == nil {
		t.Fatalf("no result:%s", fs)
	}
	h := res.Header
	if !h.BBTUsable || h.BBT != f.H.BBT || h.NBTUsable || h.AMapValid == 0 {
		t.Errorf("BBT %+v (usable %v), NBT usable %v, maps valid %d; want BBT %+v, maps valid", h.BBT, h.BBTUsable, h.NBTUsable, h.AMapValid, f.H.BBT)
	}
	if rb := res.Rebuild; rb == nil || rb.NBTPages != whole.Rebuild.NBTPages || rb.Nodes != whole.Rebuild.Nodes || rb.BBTPages != 0 {
		t.Errorf("rebuild %+v, want %+v as with the header whole", rb, whole.Rebuild)
	}
}

// Maps that mark a block the BBT lists free (as a crash leaves them) are
// not taken as valid for a file whose header is destroyed.
func TestRecoverHeaderMapsNotTrusted(t *testing.T) {
	f := sample(t, unicodeSample)
	f.Zero(0, headerLen(f))
	if res, fs := scan(f); res == nil || res.Header.AMapValid == 0 {
		t.Fatalf("sound maps not taken as valid:%s", fs)
	}
	b := f.BBT[len(f.BBT)/2]
	page, at, mask := f.AMapBit(int64(b.IB))
	f.B[at] &^= mask
	f.FixPageCRC(page)
	res, fs := scan(f)
	if res == nil || !res.Header.BBTUsable || res.Header.AMapValid != 0 {
		t.Errorf("maps valid %d with block 0x%X marked free (BBT usable %v):%s", res.Header.AMapValid, b.BID, res.Header.BBTUsable, fs)
	}
}

// A leaf page whose entries are shorter than its tree's (its CRC sound),
// in a file whose header is destroyed, is not read past its entries when
// the roots are checked against each other (it panicked): an NBT leaf of
// support.pst, and a BBT leaf with every NBT page zeroed besides.
func TestRecoverHeaderShortEntries(t *testing.T) {
	for _, tree := range []uint8{ndb.PageNBT, ndb.PageBBT} {
		f := sample(t, unicodeSample)
		leaf := f.TreePages(tree, 0)[0]
		ft := f.Footer(leaf.Off)
		ft.CBEnt = 8
		f.SetFooter(leaf.Off, ft)
		if tree == ndb.PageBBT {
			for _, p := range f.TreePages(ndb.PageNBT, -1) {
				f.Zero(p.Off, f.L.PageSize)
			}
		}
		f.Zero(0, headerLen(f))
		if res, fs := scan(f); res == nil {
			t.Errorf("tree 0x%X: no result:%s", tree, fs)
		}
	}
}

// A copy cut off whose header is destroyed too has no recorded end to
// fall short of, and was read as whole: an audit found such copies told
// to export instead of to copy the file again. A file that ends partway
// through an allocation unit, or through the AMap page of its last
// interval, is cut off there at least; one that ends partway through an
// interval (a store grows by whole intervals, MS-PST 2.6.1.1.2) at least
// to the interval's end; one whose live index (the tree under the newest
// roots found) names pages or blocks past its end, at least to the end of
// the furthest. None of the samples with their header destroyed alone is
// said to be cut off (go-pst's 32-bit.pst, which ends partway through its
// interval, marks the rest in use, as Outlook does not), and no end is put
// past the whole file's (but 32-bit.pst's, put at its interval's end).
func TestRecoverHeaderCutOff(t *testing.T) {
	const unit, secondAMap = 64, 0x4400 + 253952
	for _, name := range []string{ansiSample, unicodeSample, "enron.pst"} {
		f := sample(t, name)
		f.Zero(0, headerLen(f))
		whole := f.Size()
		if _, fs := scan(f); slices.ContainsFunc(fs, func(x finding.Finding) bool { return x.Code == finding.RootFileTruncated }) {
			t.Errorf("%s, header destroyed, whole: %s", name, fs)
		}
		most := whole
		if name == ansiSample {
			most = secondAMap // its first interval's end
		}
		cut := whole * 9 / 10
		cut -= cut % unit
		for _, c := range []struct {
			size, atLeast int64
		}{
			{cut + 38, cut + unit},                  // partway through a unit
			{secondAMap + 100, secondAMap + 512},    // partway through the second AMap page
			{secondAMap + 512, secondAMap + 253952}, // on a unit, partway through the second interval
			{whole / 2 &^ 4095, whole/2&^4095 + 1},  // on a 4 KiB boundary
		} {
			if c.size >= whole {
				continue
			}
			g := sample(t, name)
			g.Zero(0, headerLen(g))
			g.Truncate(c.size)
			res, fs := scan(g)
			if res == nil {
				t.Fatalf("%s cut at %d: no result", name, c.size)
			}
			told := slices.ContainsFunc(fs, func(x finding.Finding) bool { return x.Code == finding.RootFileTruncated && x.Offset == c.size })
			if end := int64(res.Header.FileEOF); !told || end < c.atLeast || end > most {
				t.Errorf("%s cut at %d: told %v, end %d; want it told, the end at least %d, at most %d", name, c.size, told, end, c.atLeast, most)
			}
		}
	}
}
