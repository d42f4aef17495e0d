package ndb_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// blockCode is the problem the block pass recorded for bid ("" when
// sound; "missing" when bid is not in the BBT).
func blockCode(res *ndb.Result, bid uint64) finding.Code {
	for i, b := range res.BBT.All() {
		if b.BID == bid {
			return res.BBT.State(i).Code()
		}
	}
	return "missing"
}

// Each kind of damage to a block, or to its BBT entry, gives its finding
// at the block; the block is recorded as damaged, every node that uses it
// is marked and blamed, and reading the node's data gives the block's
// problem instead of its bytes.
func TestBlockDamage(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(f *pstmut.File, b pstmut.BBTRef) int64 // returns the offset reported
		code   finding.Code
	}{
		{"data byte", func(f *pstmut.File, b pstmut.BBTRef) int64 { f.FlipByte(int64(b.IB) + 5); return int64(b.IB) }, finding.BlockCRC},
		{"trailer BID", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.SetBlockTrailerBID(b.BID, b.BID+4)
			return int64(b.IB)
		}, finding.BlockBID},
		{"trailer cb", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.SetBlockTrailerCB(b.BID, b.CB-1)
			return int64(b.IB)
		}, finding.BlockTrailerSize},
		{"signature", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.SetBlockSig(b.BID, f.ParseBlockTrailer(b.BID).Sig^0x8000)
			return int64(b.IB)
		}, finding.BlockSignature},
		{"BBT size 0", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.CB = 0 })
			return int64(b.IB)
		}, finding.BlockSize},
		{"BBT size past the largest block", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.CB = uint16(f.L.MaxBlockData + 1) })
			return int64(b.IB)
		}, finding.BlockSize},
		{"BBT offset off the 64-byte grid", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB += 8 })
			return int64(b.IB) + 8
		}, finding.BlockAlign},
		{"BBT offset past the end", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = uint64(f.Size()) })
			return f.Size()
		}, finding.BlockRange},
		{"BBT offset in the header area", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = 0x200 })
			return 0x200
		}, finding.BlockRange},
		{"BBT offset of another block", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			other := f.BBT[0]
			if other.BID == b.BID {
				other = f.BBT[1]
			}
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = other.IB })
			return int64(other.IB)
		}, finding.BlockOverlap},
		{"BBT offset of a B-tree page", func(f *pstmut.File, b pstmut.BBTRef) int64 {
			root := f.Root(ndb.PageNBT).Off
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = uint64(root) })
			return root
		}, finding.BlockOverlap},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sample(t, unicodeSample)
			n, b := ownDataBlock(t, f)
			off := c.damage(f, b)
			res, fs := scan(f)
			x := fs.mustHave(t, c.code, off)
			if x.BID != b.BID {
				t.Errorf("reported for BID 0x%X, want 0x%X", x.BID, b.BID)
			}
			if got := blockCode(res, b.BID); got != c.code {
				t.Errorf("block recorded as %q, want %s", got, c.code)
			}
			if !res.NodeDamaged[n.NID] {
				t.Errorf("node 0x%X is not marked damaged", n.NID)
			}
			if d := fs.mustHave(t, finding.NodeBlockDamaged, -1); d.NID != n.NID || d.BID != b.BID || d.FolderNID != n.Parent {
				t.Errorf("blamed on node 0x%X (folder 0x%X), want 0x%X (0x%X)", d.NID, d.FolderNID, n.NID, n.Parent)
			}
			_, err := res.ReadBlocks(n.Data, nil)
			var re *ndb.ReadError
			if !errors.As(err, &re) || re.Code != c.code || re.BID != b.BID {
				t.Errorf("reading the node: %v, want the block's %s", err, c.code)
			}
		})
	}
}

// A block's trailer for layout l: cb, wSig, then (ANSI) BID and CRC or
// (Unicode) CRC and BID; 4K trailers add the inflated size at byte 18.
func putTrailer(l ndb.Layout, t []byte, tr ndb.BlockTrailer) {
	le16, le32 := binary.LittleEndian.PutUint16, binary.LittleEndian.PutUint32
	le16(t, tr.CB)
	le16(t[2:], tr.Sig)
	if l.Kind == ndb.ANSI {
		le32(t[4:], uint32(tr.BID))
		le32(t[8:], tr.CRC)
		return
	}
	le32(t[4:], tr.CRC)
	binary.LittleEndian.PutUint64(t[8:], tr.BID)
	if l.Kind == ndb.Unicode4K {
		le16(t[18:], tr.Inflated)
	}
}

// handBlock lays out a block of data stored at ib with bid: its extent
// (data, padding, trailer) and its BBT entry.
func handBlock(l ndb.Layout, ib, bid uint64, data []byte, inflated int) ([]byte, ndb.BBTEntry) {
	ext := make([]byte, l.BlockExtent(len(data)))
	copy(ext, data)
	e := ndb.BBTEntry{BID: bid, IB: ib, CB: uint16(len(data)), Inflated: uint16(inflated)}
	putTrailer(l, ext[len(ext)-l.BlockTrailerSize:], ndb.BlockTrailer{CB: e.CB, Sig: ndb.Signature(ib, bid),
		CRC: ndb.CRC(data), BID: bid, Inflated: e.Inflated})
	return ext, e
}

// The check of one block against its BBT entry, on blocks built by hand
// in each layout: a sound block passes; each mismatch gives its code; a
// block with several mismatches gives one finding that names them all;
// a compressed 4K block must inflate to exactly its inflated size.
func TestVerifyBlock(t *testing.T) {
	data := bytes.Repeat([]byte("block data "), 30)
	for _, kind := range []ndb.Kind{ndb.ANSI, ndb.Unicode, ndb.Unicode4K} {
		l := ndb.LayoutOf(kind)
		ib, bid := uint64(l.FirstAMap+4*l.BlockAlign), uint64(0x1234C)
		for _, c := range []struct {
			name   string
			damage func(ext []byte, e *ndb.BBTEntry)
			code   finding.Code
		}{
			{"sound", func([]byte, *ndb.BBTEntry) {}, ""},
			{"data byte", func(ext []byte, _ *ndb.BBTEntry) { ext[7] ^= 1 }, finding.BlockCRC},
			{"entry BID", func(_ []byte, e *ndb.BBTEntry) { e.BID += 4 }, finding.BlockBID},
			{"entry offset", func(_ []byte, e *ndb.BBTEntry) { e.IB += uint64(l.BlockAlign) }, finding.BlockSignature},
			{"trailer cb", func(ext []byte, e *ndb.BBTEntry) {
				binary.LittleEndian.PutUint16(ext[len(ext)-l.BlockTrailerSize:], e.CB+1)
			}, finding.BlockTrailerSize},
		} {
			ext, e := handBlock(l, ib, bid, data, len(data))
			c.damage(ext, &e)
			code, detail := l.VerifyBlock(&e, ext)
			if code != c.code {
				t.Errorf("%s %s: %q (%s), want %q", kind, c.name, code, detail, c.code)
			}
		}
		// A block moved whole to another place: its signature and the
		// entry's BID disagree with its trailer. One finding, both named.
		ext, e := handBlock(l, ib, bid, data, len(data))
		e.BID, e.IB = bid+8, ib+uint64(l.BlockAlign)
		ext[3] ^= 1
		code, detail := l.VerifyBlock(&e, ext)
		if code != finding.BlockBID || !strings.Contains(detail, "signature") || !strings.Contains(detail, "CRC") {
			t.Errorf("%s several mismatches: %s %q", kind, code, detail)
		}
	}

	l := ndb.LayoutOf(ndb.Unicode4K)
	ib, bid := uint64(0x23000), uint64(0x2000)
	// Bytes that do not compress well, so that a cut stream loses some.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 600 {
		data = append(data, byte(rng.Uint32()))
	}
	for _, c := range []struct {
		name     string
		stored   []byte
		inflated int
		code     finding.Code
	}{
		{"compressed", pstmut.Deflate(data), len(data), ""},
		{"inflates to more than its size", pstmut.Deflate(data), len(data) - 1, finding.BlockInflate},
		{"inflates to less than its size", pstmut.Deflate(data), len(data) + 1, finding.BlockInflate},
		{"not a zlib stream", data[:100], 200, finding.BlockInflate},
		{"cut zlib stream", pstmut.Deflate(data)[:300], len(data), finding.BlockInflate},
	} {
		ext, e := handBlock(l, ib, bid, c.stored, c.inflated)
		if code, detail := l.VerifyBlock(&e, ext); code != c.code {
			t.Errorf("4K %s: %q (%s), want %q", c.name, code, detail, c.code)
		}
	}
}

// BlockExtent is a block's size on disk: data and trailer rounded up to
// the layout's alignment.
func TestBlockExtent(t *testing.T) {
	for _, c := range []struct {
		kind ndb.Kind
		cb   int
		want int64
	}{
		{ndb.ANSI, 1, 64}, {ndb.ANSI, 52, 64}, {ndb.ANSI, 53, 128}, {ndb.ANSI, 8180, 8192},
		{ndb.Unicode, 48, 64}, {ndb.Unicode, 49, 128}, {ndb.Unicode, 8176, 8192},
		{ndb.Unicode4K, 488, 512}, {ndb.Unicode4K, 489, 1024}, {ndb.Unicode4K, 65535, 66048},
	} {
		l := ndb.LayoutOf(c.kind)
		if got := l.BlockExtent(c.cb); got != c.want {
			t.Errorf("%s: BlockExtent(%d) = %d, want %d", c.kind, c.cb, got, c.want)
		}
		if c.cb > l.MaxBlockData {
			t.Errorf("%s: %d bytes is more than a block holds", c.kind, c.cb)
		}
	}
}

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
	defer func(old int) { ndb.ChunkSize = old }(ndb.ChunkSize)
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
				ndb.ChunkSize = chunk
				var c findings
				res := ndb.Scan(context.Background(), bytes.NewReader(b), int64(len(b)), finding.SinkFunc(func(f finding.Finding) { c = append(c, f) }), ndb.Options{Workers: workers})
				if res != nil {
					states := make([]ndb.BlockState, res.BBT.Len())
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
