package pstmut_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

func TestEncodeInvertsDecode(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for method := uint8(0); method <= 2; method++ {
		for _, bid := range []uint64{0, 4, 0x4C8, 0x12345678, 0xFFFFFFFC, 0x1_0000_0004} {
			orig := make([]byte, 1000)
			rng.Read(orig)
			b := append([]byte(nil), orig...)
			ndb.Decode(method, bid, b)
			pstmut.Encode(method, bid, b)
			if !bytes.Equal(b, orig) {
				t.Errorf("method %d bid 0x%X: Encode(Decode(x)) != x", method, bid)
			}
			pstmut.Encode(method, bid, b)
			ndb.Decode(method, bid, b)
			if !bytes.Equal(b, orig) {
				t.Errorf("method %d bid 0x%X: Decode(Encode(x)) != x", method, bid)
			}
		}
	}
}

// ltpSamples are the sample files whose blocks are all stored
// uncompressed (the writers cannot rewrite a compressed 4K block).
func ltpSamples(t *testing.T) []string {
	return testkit.Samples(t, func(p string) bool { return filepath.Ext(p) == ".pst" })
}

// On every sound sample the readers agree with the engine and with the
// NBT: each folder's contents table has as many rows as the engine counts
// items, its hierarchy and contents tables list exactly the folders and
// messages that name it as parent, and its display name property decodes
// to the name in the engine's folder path. Then the writers, given what
// the readers read, change nothing.
func TestLTPReadersMatchEngine(t *testing.T) {
	for _, p := range ltpSamples(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, err := pstmut.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			rep := pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{})
			if rep.Verdict != pstcheck.Healthy {
				t.Fatalf("the sample is %s", rep.Verdict)
			}
			orig := append([]byte(nil), f.B...)
			children := map[uint32][]uint32{}
			for _, n := range f.NBT {
				children[n.Parent] = append(children[n.Parent], n.NID)
			}
			kids := func(folder uint32, types ...uint32) []uint32 {
				var out []uint32
				for _, c := range children[folder] {
					if c != folder && slices.Contains(types, c&0x1F) {
						out = append(out, c)
					}
				}
				return out
			}
			sorted := func(s []uint32) []uint32 { s = slices.Clone(s); slices.Sort(s); return s }
			tables := 0
			for _, fo := range rep.Folders {
				base := fo.NID &^ 0x1F
				if _, ok := f.Node(base | ndb.NIDTypeContentsTable); ok {
					tb := f.NodeTable(base | ndb.NIDTypeContentsTable)
					ids := tb.RowIDs()
					if len(ids) != fo.Items {
						t.Errorf("folder 0x%X: %d contents rows, the engine %d items", fo.NID, len(ids), fo.Items)
					}
					if want := kids(fo.NID, ndb.NIDTypeMessage); !slices.Equal(sorted(ids), want) {
						t.Errorf("folder 0x%X: contents rows %#x, messages naming it %#x", fo.NID, ids, want)
					}
					tables++
				}
				if _, ok := f.Node(base | ndb.NIDTypeHierarchyTable); ok {
					ids := f.NodeTable(base | ndb.NIDTypeHierarchyTable).RowIDs()
					if want := kids(fo.NID, ndb.NIDTypeFolder, ndb.NIDTypeSearchFolder); !slices.Equal(sorted(ids), want) {
						t.Errorf("folder 0x%X: hierarchy rows %#x, folders naming it %#x", fo.NID, ids, want)
					}
					tables++
				}
				if fo.NID == messaging.NIDRootFolder {
					continue
				}
				h := f.NodeHeap(fo.NID)
				name, ok := h.Prop(0x3001)
				if ok && name.Type == 0x001E && !isASCII(h.Item(name.Value)) {
					continue // its code page is the engine's guess (pstcheck's TestFolderPaths)
				}
				if !ok || !strings.HasSuffix(fo.Path, decodeName(h, name)) {
					t.Errorf("folder 0x%X: display name %q, path %q", fo.NID, decodeName(h, name), fo.Path)
				}
			}
			pcs := 0
			for _, n := range f.NBT {
				switch n.NID & 0x1F {
				case ndb.NIDTypeHierarchyTable, ndb.NIDTypeContentsTable, ndb.NIDTypeAssocContents:
					tb := f.NodeTable(n.NID)
					for i, id := range tb.RowIDs() {
						tb.EditRow(i, func([]byte) {})
						if tb.Find(id) != i {
							t.Fatalf("table 0x%X: Find(0x%X) != %d", n.NID, id, i)
						}
					}
					tb.Heap.SortRecords(tb.Info.RowIndex)
					tb.Heap.SetTCInfo(tb.Info)
					continue
				case ndb.NIDTypeFolder, ndb.NIDTypeMessage, ndb.NIDTypeAssocMessage:
				default:
					if n.NID != messaging.NIDMessageStore {
						continue
					}
				}
				h := f.NodeHeap(n.NID)
				props := h.Props()
				for i, x := range props {
					if i > 0 && x.ID <= props[i-1].ID {
						t.Fatalf("node 0x%X: property 0x%04X after 0x%04X", n.NID, x.ID, props[i-1].ID)
					}
					h.SetProp(x.ID, x.Type, x.Value)
				}
				h.SetHeader(h.Header())
				for i := range h.Blocks {
					h.SetPageMap(i, h.PageMap(i))
				}
				h.SortRecords(h.Header().UserRoot)
				pcs++
			}
			if !bytes.Equal(orig, f.B) {
				t.Fatal("rewriting what was read changed the file")
			}
			t.Logf("%d property contexts, %d folder tables", pcs, tables)
		})
	}
}

// On every sound sample, the OSTs too (4K pages, compressed blocks), every
// node's data blocks decode to what the engine reads and its subnodes are
// the engine's. The writers refuse a compressed block.
func TestNodeDataMatchesEngine(t *testing.T) {
	for _, p := range sampleFiles(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, err := pstmut.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			compressed := uint64(0)
			for _, b := range f.BBT {
				if b.CB != b.Inflated && !ndb.IsInternal(b.BID) {
					compressed = b.BID
				}
			}
			// Data trees, decoded blocks and subnode trees as the engine
			// reads them.
			res, _ := f.Scan()
			for _, n := range f.NBT {
				if n.Data != 0 {
					data, err := res.ReadData(n.Data)
					blocks := f.DataBlocks(n.Data)
					if err != nil || len(data) != len(blocks) {
						t.Fatalf("node 0x%X: %d data blocks, the engine %d (%v)", n.NID, len(blocks), len(data), err)
					}
					for i, b := range blocks {
						if !bytes.Equal(f.Decoded(b), data[i]) {
							t.Fatalf("node 0x%X block 0x%X decodes differently from the engine", n.NID, b)
						}
					}
				}
				subs, err := res.Subnodes(n.Sub, nil)
				mine := f.Subnodes(n.Sub)
				if err != nil || len(subs) != len(mine) {
					t.Fatalf("node 0x%X: %d subnodes, the engine %d (%v)", n.NID, len(mine), len(subs), err)
				}
				for nid, e := range subs {
					if m := mine[nid]; m.NID != e.NID || m.Data != e.Data || m.Sub != e.Sub {
						t.Fatalf("node 0x%X subnode 0x%X: %+v, the engine %+v", n.NID, nid, m, e)
					}
				}
			}
			if compressed != 0 {
				func() {
					defer func() {
						if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "compressed") {
							t.Errorf("WriteDecoded of compressed block 0x%X: %v", compressed, r)
						}
					}()
					f.EditDecoded(compressed, func([]byte) {})
				}()
			}
		})
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// decodeName decodes a string property stored in the heap (8-bit strings
// only when they are ASCII).
func decodeName(h *pstmut.Heap, p pstmut.Prop) string {
	if !pstmut.IsHID(p.Value) || p.Value == 0 {
		return ""
	}
	b := h.Item(p.Value)
	switch p.Type {
	case 0x001F:
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return strings.TrimRight(string(utf16.Decode(u)), "\x00")
	case 0x001E:
		return strings.TrimRight(messaging.DecodeANSI(1252, b), "\x00")
	}
	return ""
}

// supportFile loads support.pst.
func supportFile(t *testing.T) *pstmut.File {
	t.Helper()
	p := samples.GoPst("support.pst")
	if p == "" {
		t.Skip("no support.pst")
	}
	f, err := pstmut.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// folderWithItems returns the first folder whose contents table has at
// least n rows.
func folderWithItems(t *testing.T, f *pstmut.File, n int) uint32 {
	t.Helper()
	for _, x := range f.NBT {
		if x.NID&0x1F == ndb.NIDTypeContentsTable {
			if tb := f.NodeTable(x.NID); tb.Len() >= n {
				return x.NID&^0x1F | ndb.NIDTypeFolder
			}
		}
	}
	t.Fatalf("no folder with %d items", n)
	return 0
}

// messagingFindings scans the file and returns its findings that are not
// information: for a writer's damage, the LTP and messaging findings.
func messagingFindings(t *testing.T, f *pstmut.File) []finding.Finding {
	t.Helper()
	var out []finding.Finding
	for _, x := range pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{}).Findings {
		if x.Severity() != finding.SeverityInfo {
			out = append(out, x)
		}
	}
	return out
}

// biggestFolder returns the folder whose contents table has the most rows.
func biggestFolder(t *testing.T, f *pstmut.File) uint32 {
	t.Helper()
	best, n := uint32(0), 0
	for _, x := range f.NBT {
		if x.NID&0x1F == ndb.NIDTypeContentsTable {
			if k := f.NodeTable(x.NID).Len(); k > n {
				best, n = x.NID&^0x1F|ndb.NIDTypeFolder, k
			}
		}
	}
	if n == 0 {
		t.Fatal("no folder with items")
	}
	return best
}

// Renaming a row and renaming it back restores the file; RemoveRow leaves
// a sound table one row shorter. support.pst's biggest contents table has
// its row matrix in the heap; enron.pst's has it in a subnode and a row
// index of two levels; 32-bit.pst's row index has 2-byte entries and one
// row, so removing it empties the table.
func TestTableRowEdits(t *testing.T) {
	for _, name := range []string{"support.pst", "enron.pst", "32-bit.pst"} {
		t.Run(name, func(t *testing.T) {
			p := samples.GoPst(name)
			if p == "" {
				t.Skip("sample absent")
			}
			f, err := pstmut.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			orig := append([]byte(nil), f.B...)
			folder := biggestFolder(t, f)
			ct := folder&^0x1F | ndb.NIDTypeContentsTable
			tb := f.NodeTable(ct)
			t.Logf("folder 0x%X: %d rows of %d bytes, matrix in %d subnode blocks, row index %d levels",
				folder, tb.Len(), tb.Info.Ib[3], len(tb.MatrixBlocks), tb.Heap.BTH(tb.Info.RowIndex).Levels)
			ids := tb.RowIDs()
			mid := len(ids) / 2
			const bad = 0x7FFFFFE4
			tb.SetRowNID(ids[mid], bad)
			got := tb.RowIDs()
			if got[mid] != bad || tb.Find(bad) != mid || tb.Find(ids[mid]) != -1 {
				t.Fatalf("renamed row %d: %#x", mid, got[mid])
			}
			fs := messagingFindings(t, f)
			if len(fs) != 2 || fs[0].Code != finding.MessageMissing || fs[0].NID != bad || fs[1].Code != finding.MessageOrphan || fs[1].NID != ids[mid] {
				t.Errorf("after renaming a row: %v", fs)
			}
			tb.SetRowNID(bad, ids[mid])
			if !bytes.Equal(orig, f.B) {
				t.Fatal("renaming a row back did not restore the file")
			}

			rm := min(1, len(ids)-1)
			tb.RemoveRow(ids[rm])
			tb = f.NodeTable(ct)
			want := slices.Clone(ids)
			want[rm] = want[len(want)-1]
			want = want[:len(want)-1]
			if got := tb.RowIDs(); !slices.Equal(got, want) {
				t.Fatalf("after removing 0x%X: %#x, want %#x", ids[rm], got, want)
			}
			if n := matrixRows(f, tb); n != len(want) {
				t.Errorf("the row matrix holds %d rows, the index %d", n, len(want))
			}
			h := f.NodeHeap(folder)
			p0, _ := h.Prop(0x3602)
			h.SetProp(0x3602, p0.Type, p0.Value-1)
			fs = messagingFindings(t, f)
			if len(fs) != 1 || fs[0].Code != finding.MessageOrphan || fs[0].NID != ids[rm] {
				t.Errorf("after removing a row: %v", fs)
			}
			// Nor any information the clean file does not give.
			infos := func(f *pstmut.File) map[finding.Code]bool {
				out := map[finding.Code]bool{}
				for _, x := range pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{}).Findings {
					out[x.Code] = true
				}
				return out
			}
			clean, _ := pstmut.Open(orig)
			was := infos(clean)
			for c := range infos(f) {
				if !was[c] && c != finding.MessageOrphan {
					t.Errorf("new finding code %s after removing a row", c)
				}
			}
		})
	}
}

// matrixRows counts the whole rows a table's row matrix holds.
func matrixRows(f *pstmut.File, tb *pstmut.Table) int {
	rs, n := tb.Info.Ib[3], 0
	switch {
	case tb.Info.Rows == 0:
	case pstmut.IsHID(tb.Info.Rows):
		n = len(tb.Heap.Item(tb.Info.Rows)) / rs
	default:
		for _, b := range tb.MatrixBlocks {
			n += len(f.Decoded(b)) / rs
		}
	}
	return n
}

// Each writer makes the damage it names and nothing else.
func TestLTPWriters(t *testing.T) {
	f := supportFile(t)
	folder := folderWithItems(t, f, 1)
	msg := f.NodeTable(folder&^0x1F | ndb.NIDTypeContentsTable).RowID(0)
	for _, c := range []struct {
		name   string
		mutate func(f *pstmut.File)
		want   finding.Code
	}{
		{"HN signature", func(f *pstmut.File) {
			h := f.NodeHeap(msg)
			x := h.Header()
			x.Sig = 0xED
			h.SetHeader(x)
		}, finding.HeapHeader},
		{"page map past the page", func(f *pstmut.File) {
			f.NodeHeap(msg).EditPage(0, func(p []byte) { binary.LittleEndian.PutUint16(p, uint16(len(p))) })
		}, finding.HeapPageMap},
		{"user root to a missing item", func(f *pstmut.File) {
			h := f.NodeHeap(msg)
			x := h.Header()
			x.UserRoot = pstmut.HID(0, h.Allocs(0)+1)
			h.SetHeader(x)
		}, finding.HeapRef},
		{"BTH key size", func(f *pstmut.File) {
			h := f.NodeHeap(msg)
			b := h.BTH(h.Header().UserRoot)
			b.KeySize = 3
			h.SetBTH(h.Header().UserRoot, b)
		}, finding.BTHHeader},
		{"PC records swapped", func(f *pstmut.File) {
			h := f.NodeHeap(msg)
			p := h.Props()
			h.SwapRecords(p[0].Record, p[1].Record)
		}, finding.BTHRecords},
		{"property type", func(f *pstmut.File) {
			h := f.NodeHeap(msg)
			p := h.Props()[0]
			h.SetProp(p.ID, 0x0099, p.Value)
		}, finding.PCProperty},
		{"row ID", func(f *pstmut.File) {
			tb := f.NodeTable(folder&^0x1F | ndb.NIDTypeContentsTable)
			tb.SetRowID(0, tb.RowID(0)+0x20)
		}, finding.TCRows},
		{"TCI_bm", func(f *pstmut.File) {
			h := f.NodeTable(folder&^0x1F | ndb.NIDTypeContentsTable).Heap
			x := h.TCInfo()
			x.Ib[3]++
			h.SetTCInfo(x)
		}, finding.TCInfo},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := f.Clone()
			c.mutate(g)
			fs := messagingFindings(t, g)
			if len(fs) != 1 || fs[0].Code != c.want {
				t.Errorf("findings %v, want one %s", fs, c.want)
			}
		})
	}
}

// RemoveNBT removes a node, and nothing else: the NBT stays sound.
func TestRemoveNBT(t *testing.T) {
	f := supportFile(t)
	n := len(f.NBT)
	f.RemoveNBT(messaging.NIDMessageStore)
	if _, ok := f.Node(messaging.NIDMessageStore); ok || len(f.NBT) != n-1 {
		t.Fatal("the node is still listed")
	}
	res, fs := f.Scan()
	if res.NBT.Len() != n-1 {
		t.Errorf("the engine reads %d nodes, want %d", res.NBT.Len(), n-1)
	}
	for i, e := range res.NBT.All() {
		if e != f.NBT[i].NBTEntry {
			t.Fatalf("node %d: %+v, the cache %+v", i, e, f.NBT[i].NBTEntry)
		}
	}
	for _, x := range fs {
		if x.Layer() == finding.LayerBTree || x.Severity() == finding.SeverityError {
			t.Errorf("%v", x)
		}
	}
}
