package ndb_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// The NDB tests read real files: go-pst's samples (32-bit.pst is ANSI,
// support.pst and enron.pst Unicode, all permute-encoded), the shared
// corpus when present (it adds a 4 KiB-page OST), and a store written for
// them by pstwrite with the tree shapes the samples lack. Damaged copies
// are made with pstmut, which names what it damages (a page, a block, a
// tree entry) and keeps or breaks checksums on purpose.

// sample opens a copy of one of go-pst's sample files to damage.
func sample(t *testing.T, name string) *pstmut.File {
	t.Helper()
	f, err := pstmut.Load(testkit.GoPst(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Sample names by layout.
const (
	ansiSample    = "32-bit.pst"
	unicodeSample = "support.pst"
)

// findings is what one run of the passes reported.
type findings []finding.Finding

// scan runs the NDB passes over f's bytes.
func scan(f *pstmut.File) (*ndb.Result, findings) {
	res, fs := f.Scan()
	return res, fs
}

// scanBytes runs the NDB passes over b.
func scanBytes(b []byte) (*ndb.Result, findings) {
	var fs findings
	sink := finding.SinkFunc(func(x finding.Finding) { fs = append(fs, x) })
	res := ndb.Scan(context.Background(), bytes.NewReader(b), int64(len(b)), sink, ndb.Options{})
	res.SettleStale(false, sink)
	return res, fs
}

// with returns the findings of code.
func (fs findings) with(code finding.Code) findings {
	var out findings
	for _, f := range fs {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// errors returns the findings of error severity.
func (fs findings) errors() findings {
	var out findings
	for _, f := range fs {
		if f.Severity() == finding.SeverityError {
			out = append(out, f)
		}
	}
	return out
}

func (fs findings) String() string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "\n  %s at 0x%X BID 0x%X NID 0x%X: %s", f.Code, f.Offset, f.BID, f.NID, f.Detail)
	}
	return b.String()
}

// mustHave fails unless a finding of code was reported at offset off
// (any offset when off is -1), and returns it.
func (fs findings) mustHave(t *testing.T, code finding.Code, off int64) finding.Finding {
	t.Helper()
	for _, f := range fs.with(code) {
		if off < 0 || f.Offset == off {
			return f
		}
	}
	t.Fatalf("no %s at 0x%X; got:%s", code, off, fs)
	return finding.Finding{}
}

// reencode rewrites every data block of f with another encoding method
// and names it in the header, as a file Outlook wrote with it.
func reencode(f *pstmut.File, method uint8) {
	plain := map[uint64][]byte{}
	for _, b := range f.BBT {
		if !ndb.IsInternal(b.BID) {
			plain[b.BID] = f.Decoded(b.BID)
		}
	}
	f.SetHeaderByte(f.HF.Crypt, method)
	for bid, b := range plain {
		f.WriteDecoded(bid, b)
	}
}

// nodes returns the NIDs of an NBT.
func nodes(nbt []ndb.NBTEntry) []uint32 {
	out := make([]uint32, len(nbt))
	for i, n := range nbt {
		out[i] = n.NID
	}
	return out
}

// ownDataBlock returns a top-level node whose data block is its own (no
// other node uses it) and that block.
func ownDataBlock(t *testing.T, f *pstmut.File) (pstmut.NBTRef, pstmut.BBTRef) {
	t.Helper()
	users := f.Users()
	for _, n := range f.NBT {
		if n.NID&0x1F == ndb.NIDTypeMessage && !ndb.IsInternal(n.Data) && slices.Equal(users[n.Data&^1], []uint32{n.NID}) {
			return n, f.MustBlock(n.Data)
		}
	}
	t.Fatal("no message with a data block of its own")
	return pstmut.NBTRef{}, pstmut.BBTRef{}
}

// internalBlocks returns the internal blocks of f of one type and level
// (pstmut.XBlockType or SLBlockType), in BID order.
func internalBlocks(f *pstmut.File, btype, level uint8) []uint64 {
	var out []uint64
	for _, b := range f.BBT {
		if ndb.IsInternal(b.BID) {
			if bt, lv, _, _ := f.InternalHeader(b.BID); bt == btype && lv == level {
				out = append(out, b.BID)
			}
		}
	}
	return out
}

// setSIEntry points entry k of SIBLOCK bid at child and fixes the
// block's CRC. An SIBLOCK entry is a NID and a BID, after a header of 8
// bytes (4 in ANSI files).
func setSIEntry(f *pstmut.File, bid uint64, k int, child uint64) {
	hdr := 8
	if f.L.Kind == ndb.ANSI {
		hdr = 4
	}
	at := int64(f.MustBlock(bid).IB) + int64(hdr+(2*k+1)*f.L.BIDSize)
	f.PutUint(at, f.L.BIDSize, child)
	f.FixBlockCRC(bid)
}

// Sizes of the written store's attachments: one data block, an XBLOCK's
// worth, more than an XBLOCK maps (an XXBLOCK), and more attachments than
// one SLBLOCK lists (an SIBLOCK).
const (
	xblockData  = 20_000
	xxblockData = 9 << 20
	attachments = 400
)

var (
	treesOnce  sync.Once
	treesBytes []byte
	treesErr   error
)

// trees returns a copy of a store whose nodes have every shape of data
// and subnode tree: XBLOCK, XXBLOCK, SLBLOCK and SIBLOCK.
func trees(t *testing.T) *pstmut.File {
	t.Helper()
	treesOnce.Do(func() {
		var buf pstwrite.Buffer
		w, err := pstwrite.New(&buf, pstwrite.Options{Trim: true})
		if err != nil {
			treesErr = err
			return
		}
		attach := func(name string, data []byte) pstwrite.Attachment {
			return pstwrite.Attachment{Props: []pstwrite.Property{pstwrite.String(0x3707, name)},
				Data: bytes.NewReader(data), Size: int64(len(data))}
		}
		many := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "many")}}
		for i := range attachments {
			many.Attachments = append(many.Attachments, attach(fmt.Sprintf("a%d", i), []byte{byte(i)}))
		}
		for _, m := range []*pstwrite.Message{
			{Props: []pstwrite.Property{pstwrite.String(0x0037, "x")}, Attachments: []pstwrite.Attachment{
				attach("x.bin", bytes.Repeat([]byte("x"), xblockData))}},
			{Props: []pstwrite.Property{pstwrite.String(0x0037, "xx")}, Attachments: []pstwrite.Attachment{
				attach("xx.bin", bytes.Repeat([]byte("0123456789abcdef"), xxblockData/16))}},
			many,
		} {
			if err := w.AddMessage(w.IPMSubtree(), m); err != nil {
				treesErr = err
				return
			}
		}
		if treesErr = w.Close(); treesErr == nil {
			treesBytes = buf.Bytes()
		}
	})
	if treesErr != nil {
		t.Fatal(treesErr)
	}
	f, err := pstmut.Open(treesBytes)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// corpusFile returns the first file of the shared corpus keep says yes
// to, skipping the test when there is none.
func corpusFile(t *testing.T, keep func(path string) bool) string {
	t.Helper()
	for _, p := range samples.CorpusFiles(false) {
		if keep(p) {
			return p
		}
	}
	t.Skip("no such file in the corpus (see internal/samples)")
	return ""
}
