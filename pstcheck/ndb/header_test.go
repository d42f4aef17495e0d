package ndb_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// readHeader runs ReadHeader over r, a file of size bytes.
func readHeader(r io.ReaderAt, size int64) (*ndb.Header, findings) {
	var fs findings
	h := ndb.ReadHeader(r, size, finding.SinkFunc(func(f finding.Finding) { fs = append(fs, f) }))
	return h, fs
}

// A sound header gives the file's layout, encoding, size and B-tree roots,
// with no finding.
func TestReadHeaderSamples(t *testing.T) {
	for _, c := range []struct {
		name     string
		kind     ndb.Kind
		nbt, bbt uint64 // root page offsets
	}{
		{ansiSample, ndb.ANSI, 0x7600, 0x4800},
		{unicodeSample, ndb.Unicode, 0x7200, 0x8000},
		{"enron.pst", ndb.Unicode, 0x1ACD600, 0x1ACDA00},
	} {
		t.Run(c.name, func(t *testing.T) {
			file, err := os.Open(testkit.GoPst(t, c.name))
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			st, err := file.Stat()
			if err != nil {
				t.Fatal(err)
			}
			size := st.Size()
			h, fs := readHeader(file, size)
			if h == nil || len(fs) > 0 {
				t.Fatalf("header %v, findings:%s", h, fs)
			}
			if h.Kind != c.kind || h.Content() != "pst" || h.CryptName() != "compressible" || h.Guessed {
				t.Errorf("kind %s content %q crypt %s guessed %v", h.Kind, h.Content(), h.CryptName(), h.Guessed)
			}
			if h.FileEOF != uint64(size) || h.Limit(size) != size {
				t.Errorf("end of file 0x%X, the file is 0x%X bytes", h.FileEOF, size)
			}
			if !h.NBTUsable || !h.BBTUsable || h.NBT.IB != c.nbt || h.BBT.IB != c.bbt {
				t.Errorf("roots NBT 0x%X (%v) BBT 0x%X (%v), want 0x%X and 0x%X", h.NBT.IB, h.NBTUsable, h.BBT.IB, h.BBTUsable, c.nbt, c.bbt)
			}
		})
	}
}

// The 4 KiB-page format (wVer 36) is recognised by its version: 4 KiB
// pages, 512-byte block alignment, and roots that must sit on a 4 KiB
// page boundary past the first AMap at 0x22000.
func TestReadHeader4K(t *testing.T) {
	f := sample(t, unicodeSample)
	hf := f.HF
	const size = 0x26000
	b := make([]byte, size)
	copy(b, f.B[:564])
	le64 := binary.LittleEndian.PutUint64
	binary.LittleEndian.PutUint16(b[hf.Version:], 36)
	le64(b[hf.FileEOF:], size)
	le64(b[hf.NBTIB:], 0x23000)
	le64(b[hf.BBTIB:], 0x24800) // a 512-byte boundary, not a 4 KiB one
	fixHeaderCRCs(b)

	h, fs := readHeader(bytes.NewReader(b), size)
	if h == nil {
		t.Fatalf("no header:%s", fs)
	}
	if h.Kind != ndb.Unicode4K || h.PageSize != 4096 || h.BlockAlign != 512 || h.FirstAMap != 0x22000 {
		t.Errorf("kind %s, pages of %d, blocks aligned on %d, first AMap 0x%X", h.Kind, h.PageSize, h.BlockAlign, h.FirstAMap)
	}
	if !h.NBTUsable || h.BBTUsable {
		t.Errorf("NBT usable %v, BBT usable %v; want true, false", h.NBTUsable, h.BBTUsable)
	}
	if rb := fs.mustHave(t, finding.RootBREF, 180); rb.BID != h.BBT.BID || len(fs) != 1 {
		t.Errorf("findings:%s", fs)
	}
}

// The corpus's 4K-page OST reads as one.
func TestReadHeader4KCorpus(t *testing.T) {
	p := corpusFile(t, is4K)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	h, fs := readHeader(bytes.NewReader(b), int64(len(b)))
	if h == nil || len(fs) > 0 || h.Kind != ndb.Unicode4K || h.Content() != "ost" {
		t.Fatalf("header %+v, findings:%s", h, fs)
	}
}

// is4K says whether the file at p has a 4 KiB-page header.
func is4K(p string) bool {
	b := make([]byte, 12)
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	_, err = f.ReadAt(b, 0)
	return err == nil && string(b[:4]) == "!BDN" && binary.LittleEndian.Uint16(b[10:]) == 36
}

// fixHeaderCRCs recomputes a Unicode header's two CRCs.
func fixHeaderCRCs(b []byte) {
	binary.LittleEndian.PutUint32(b[4:], ndb.CRC(b[8:479]))
	binary.LittleEndian.PutUint32(b[524:], ndb.CRC(b[8:524]))
}

// Each kind of header damage gives its finding at the field's offset.
// A header without its signature, or of an unknown version, is unusable
// (nil): the file's layout is unknown. Other damage is reported and the
// header used, since what it says can still be checked against the file.
func TestReadHeaderDamage(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		base := sample(t, name)
		hf := base.HF
		for _, c := range []struct {
			name   string
			damage func(f *pstmut.File)
			code   finding.Code
			off    int64
			usable bool
		}{
			{"magic", func(f *pstmut.File) { copy(f.B, "!BDX") }, finding.HeaderMagic, 0, false},
			{"version", func(f *pstmut.File) { f.PutUint(hf.Version, 2, 99); f.FixHeaderCRCs() }, finding.HeaderVersion, 10, false},
			{"client", func(f *pstmut.File) { copy(f.B[hf.Client:], "XX"); f.FixHeaderCRCs() }, finding.HeaderClient, 8, true},
			{"partial CRC", func(f *pstmut.File) { f.FlipByte(hf.CRCPartial) }, finding.HeaderCRCPartial, 4, true},
			{"sentinel", func(f *pstmut.File) { f.SetHeaderByte(hf.Sentinel, 0) }, finding.HeaderSentinel, hf.Sentinel, true},
			{"encryption method", func(f *pstmut.File) { f.SetHeaderByte(hf.Crypt, 7) }, finding.HeaderCrypt, hf.Crypt, true},
			{"file shorter than the header says", func(f *pstmut.File) { f.B = f.B[:f.Size()-512] }, finding.RootFileTruncated, base.Size() - 512, true},
			// An end other than the file's, which ends where the last
			// AMap page's interval does, as a whole store does (support.pst;
			// 32-bit.pst ends partway through its interval: its file is
			// taken for cut off).
			{"end of file other than a whole store's", func(f *pstmut.File) {
				f.SetRoot(hf.FileEOF, f.Uint(hf.AMapLast, hf.Width)+uint64(f.L.AMapCoverage)+512)
			}, map[bool]finding.Code{true: finding.RootFileEOFWrong, false: finding.RootFileTruncated}[name == unicodeSample],
				map[bool]int64{true: hf.FileEOF, false: base.Size()}[name == unicodeSample], true},
			{"file longer than the header says", func(f *pstmut.File) { f.Extend(512) }, finding.RootTrailingData, base.Size(), true},
			{"NBT root past the end", func(f *pstmut.File) { f.SetRoot(hf.NBTIB, uint64(f.Size())) }, finding.RootBREF, hf.Root, true},
			{"BBT root misaligned", func(f *pstmut.File) { f.SetRoot(hf.BBTIB, f.Uint(hf.BBTIB, hf.Width)+64) }, finding.RootBREF, hf.Root, true},
			{"BBT root in the header area", func(f *pstmut.File) { f.SetRoot(hf.BBTIB, 0x200) }, finding.RootBREF, hf.Root, true},
			{"AMaps not valid", func(f *pstmut.File) { f.SetHeaderByte(hf.AMapValid, 0) }, finding.RootAMapInvalid, hf.Root, true},
		} {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				f := base.Clone()
				c.damage(f)
				h, fs := readHeader(f.Reader(), f.Size())
				if (h != nil) != c.usable {
					t.Errorf("header returned: %v, want %v", h != nil, c.usable)
				}
				fs.mustHave(t, c.code, c.off)
				if len(fs) != 1 {
					t.Errorf("one damage, several findings:%s", fs)
				}
			})
		}
		// The full CRC (Unicode only) covers bytes the partial one does not.
		if base.HF.CRCFull > 0 {
			f := base.Clone()
			f.FlipByte(500)
			_, fs := readHeader(f.Reader(), f.Size())
			fs.mustHave(t, finding.HeaderCRCFull, 524)
			if len(fs) != 1 {
				t.Errorf("a byte only the full CRC covers:%s", fs)
			}
		}
	}
}

// A file cut inside its header is reported as such, however short, and
// has no usable header; neither has one that cannot be read.
func TestReadHeaderTruncated(t *testing.T) {
	for _, c := range []struct {
		name string
		need int // the header's length for its kind
	}{{ansiSample, 512}, {unicodeSample, 564}} {
		f := sample(t, c.name)
		for _, n := range []int{0, 3, 4, 11, 12, c.need - 1} {
			h, fs := readHeader(bytes.NewReader(f.B[:n]), int64(n))
			if h != nil {
				t.Errorf("%s cut to %d bytes: a header was returned", c.name, n)
			}
			fs.mustHave(t, finding.HeaderTruncated, -1)
			if res, _ := scanBytes(f.B[:n]); res != nil {
				t.Errorf("%s cut to %d bytes: Scan returned a result", c.name, n)
			}
		}
		h, fs := readHeader(pstmut.FailAfter(f.Reader(), 100), f.Size())
		if h != nil {
			t.Errorf("%s unreadable: a header was returned", c.name)
		}
		fs.mustHave(t, finding.FileRead, 0)
	}
}
