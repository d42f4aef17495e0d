package pstcheck_test

// The messaging layer's measured behaviours, on real samples: damage
// inside one message is reported in exactly that message's folder; the
// folder walk ends on cycles and on rows that point at nothing; folder
// paths are decoded; clean samples have no heap, table or messaging
// findings at all.

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// checkWithin scans f, failing the test when the scan has not ended after
// d: a hang in the folder walk must show as a failure, not as a test
// binary killed by its deadline.
func checkWithin(t *testing.T, f *pstmut.File, d time.Duration) *pstcheck.Report {
	t.Helper()
	done := make(chan *pstcheck.Report, 1)
	go func() {
		done <- pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{})
	}()
	select {
	case rep := <-done:
		return rep
	case <-time.After(d):
		t.Fatalf("the scan did not end within %v", d)
		return nil
	}
}

// folderTargets picks, in every folder that has items, the first message
// its contents table lists whose data is one block of its own: damage to
// it touches that message alone.
func folderTargets(t *testing.T, f *pstmut.File, rep *pstcheck.Report) []pstmut.NBTRef {
	t.Helper()
	users := f.Users()
	var out []pstmut.NBTRef
	for _, fo := range rep.Folders {
		if fo.Items == 0 {
			continue
		}
		for _, id := range f.NodeTable(fo.NID&^0x1F | ndb.NIDTypeContentsTable).RowIDs() {
			n, ok := f.Node(id)
			if ok && n.Data != 0 && !ndb.IsInternal(n.Data) && slices.Equal(users[n.Data&^1], []uint32{id}) && n.Parent == fo.NID {
				out = append(out, n)
				break
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no message with a data block of its own")
	}
	return out
}

// damageKind is one way to damage one message.
type damageKind struct {
	name string
	code finding.Code // the finding that must name the message
	// damage returns false when the message has nothing to damage this way.
	damage func(t *testing.T, f *pstmut.File, n pstmut.NBTRef) bool
}

var messageDamages = []damageKind{
	{"byte flipped", finding.NodeBlockDamaged, func(t *testing.T, f *pstmut.File, n pstmut.NBTRef) bool {
		b := f.MustBlock(n.Data)
		f.FlipByte(int64(b.IB) + int64(b.CB)/2)
		return true
	}},
	{"HN signature", finding.HeapHeader, func(t *testing.T, f *pstmut.File, n pstmut.NBTRef) bool {
		mutHeapSig(t, f.NodeHeap(n.NID))
		return true
	}},
	{"property to a missing subnode", finding.PCProperty, func(t *testing.T, f *pstmut.File, n pstmut.NBTRef) bool {
		mutPropSubnode(t, f.NodeHeap(n.NID))
		return true
	}},
	{"SLENTRY to a missing block", finding.NodeBlockMissing, func(t *testing.T, f *pstmut.File, n pstmut.NBTRef) bool {
		if n.Sub == 0 || !ndb.IsInternal(n.Sub) {
			return false
		}
		users := f.Users()
		if !slices.Equal(users[n.Sub&^1], []uint32{n.NID}) {
			return false
		}
		if btype, level, _, _ := f.InternalHeader(n.Sub); btype != pstmut.SLBlockType || level != 0 {
			return false
		}
		for k, e := range f.SLEntries(n.Sub) {
			if e.Data != 0 && slices.Equal(users[e.Data&^1], []uint32{n.NID}) {
				f.SetSLEntry(n.Sub, k, f.FreeBID(false), e.Sub)
				return true
			}
		}
		return false
	}},
}

// Damage made inside one message's blocks is reported in exactly that
// message's folder: the folder has one damaged item and the rest readable,
// every other folder is untouched, and every finding that names a node
// names the message, its folder's NID and its folder's path.
func TestDamageStaysInItsFolder(t *testing.T) {
	for _, name := range []string{sampleSupport, sampleEnron, sampleANSI} {
		t.Run(name, func(t *testing.T) {
			f, base := mutSample(t, name)
			baseItems := map[uint32]int{}
			for _, fo := range base.Folders {
				baseItems[fo.NID] = fo.Items
			}
			for _, n := range folderTargets(t, f, base) {
				for _, k := range messageDamages {
					t.Run(fmt.Sprintf("%s/0x%X", k.name, n.NID), func(t *testing.T) {
						g := f.Clone()
						if !k.damage(t, g, n) {
							t.Skipf("message 0x%X has nothing to damage this way", n.NID)
						}
						rep := checkWithin(t, g, time.Minute)
						checkOneDamagedItem(t, rep, baseItems, n, k.code)
					})
				}
			}
		})
	}
}

func checkOneDamagedItem(t *testing.T, rep *pstcheck.Report, baseItems map[uint32]int, n pstmut.NBTRef, code finding.Code) {
	t.Helper()
	defer func() {
		if t.Failed() {
			for _, x := range rep.Findings {
				t.Logf("  got %v (folder %q)", x, x.Folder)
			}
		}
	}()
	if rep.Verdict != pstcheck.Damaged {
		t.Errorf("verdict %s", rep.Verdict)
	}
	path := ""
	for _, fo := range rep.Folders {
		if fo.Items != baseItems[fo.NID] {
			t.Errorf("folder 0x%X %q: %d items, the clean file %d", fo.NID, fo.Path, fo.Items, baseItems[fo.NID])
		}
		want := 0
		if fo.NID == n.Parent {
			want, path = 1, fo.Path
		}
		if fo.Damaged != want || fo.Readable != fo.Items-want {
			t.Errorf("folder 0x%X %q: %d items, %d readable, %d damaged; want %d damaged", fo.NID, fo.Path, fo.Items, fo.Readable, fo.Damaged, want)
		}
	}
	if path == "" {
		t.Fatalf("the message's folder 0x%X is not in the report", n.Parent)
	}
	named := false
	for _, x := range rep.Findings {
		if x.NID == 0 {
			// Block findings name the block, not its user; besides them
			// only facts about the whole file go without a node.
			if x.Layer() != finding.LayerBlock && x.Severity() != finding.SeverityInfo {
				t.Errorf("%v names no node", x)
			}
			continue
		}
		if x.NID != n.NID || x.FolderNID != n.Parent || x.Folder != path {
			t.Errorf("%v (folder %q): want message 0x%X in folder 0x%X %q", x, x.Folder, n.NID, n.Parent, path)
		}
		named = named || x.Code == code
	}
	if !named {
		t.Errorf("no %s finding for message 0x%X", code, n.NID)
	}
}

// The folder walk ends, with a finding, on a hierarchy that loops and on
// contents rows that point at nothing.
func TestWalkTerminates(t *testing.T) {
	for _, c := range []struct {
		name   string
		sample string
		mutate func(t *testing.T, f *pstmut.File) []mwant
	}{
		{"subfolder row to the parent", sampleSupport, func(t *testing.T, f *pstmut.File) []mwant {
			return mutFolderCycle(t, f).wants
		}},
		{"folder lists itself", sampleSupport, func(t *testing.T, f *pstmut.File) []mwant {
			return mutFolderSelf(t, f).wants
		}},
		{"every subfolder row to the root folder", sampleSupport, func(t *testing.T, f *pstmut.File) []mwant {
			return everyRowTo(t, f, ndb.NIDTypeHierarchyTable, messaging.NIDRootFolder, finding.FolderCycle)
		}},
		{"unreachable loop of two folders", sampleSupport, unreachableLoop},
		{"contents row to a missing node", sampleSupport, func(t *testing.T, f *pstmut.File) []mwant {
			return mutMessageMissing(t, f).wants
		}},
		{"enron: every contents row of the biggest folder to missing nodes", sampleEnron, func(t *testing.T, f *pstmut.File) []mwant {
			return everyContentsRowMissing(t, f)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, _ := mutSample(t, c.sample)
			wants := c.mutate(t, f)
			rep := checkWithin(t, f, time.Minute)
			for _, w := range wants {
				n := 0
				for _, x := range rep.Findings {
					if w.matches(x) {
						n++
					}
				}
				if n == 0 {
					t.Errorf("no finding %v", w)
				}
			}
			if t.Failed() {
				for _, x := range rep.Findings {
					t.Logf("  got %v", x)
				}
			}
		})
	}
}

// everyRowTo renames every row of every hierarchy table (or contents
// table) whose blocks are its own to id, one row per table (row IDs must
// stay unique), and returns the finding each must cause.
func everyRowTo(t *testing.T, f *pstmut.File, tableType uint32, id uint32, code finding.Code) []mwant {
	users := f.Users()
	var wants []mwant
	for _, n := range slices.Clone(f.NBT) {
		if n.NID&0x1F != tableType || !ownedBy(f, users, n.NID, n.Data) {
			continue
		}
		tb := f.NodeTable(n.NID)
		if tb.Len() == 0 {
			continue
		}
		folder := n.NID&^0x1F | ndb.NIDTypeFolder
		if slices.Contains(tb.RowIDs(), id) {
			continue
		}
		tb.SetRowNID(tb.RowID(0), id)
		wants = append(wants, ltpWant(code, id, folder))
	}
	if len(wants) == 0 {
		t.Fatal("no table to rename a row of")
	}
	return wants
}

// fullestFolder returns the folder whose contents table lists the most
// rows, and how many.
func fullestFolder(f *pstmut.File) (folder uint32, rows int) {
	for _, n := range f.NBT {
		if n.NID&0x1F == ndb.NIDTypeContentsTable {
			if k := f.NodeTable(n.NID).Len(); k > rows {
				folder, rows = n.NID&^0x1F|ndb.NIDTypeFolder, k
			}
		}
	}
	return folder, rows
}

// everyContentsRowMissing renames every row of the biggest contents table
// to message NIDs that do not exist.
func everyContentsRowMissing(t *testing.T, f *pstmut.File) []mwant {
	folder, _ := fullestFolder(f)
	tb := f.NodeTable(folder&^0x1F | ndb.NIDTypeContentsTable)
	var wants []mwant
	for i, id := range tb.RowIDs() {
		bad := uint32(0x3F0000+i)<<5 | ndb.NIDTypeMessage
		tb.SetRowNID(id, bad)
		wants = append(wants, ltpWant(finding.MessageMissing, bad, folder), ltpWant(finding.MessageOrphan, id, folder))
	}
	t.Logf("%d rows of folder 0x%X renamed", len(wants)/2, folder)
	return wants
}

// unreachableLoop cuts a folder off the root (the root's row for it names
// a missing folder) and closes a loop below it: one of its subfolders'
// hierarchy tables lists it, and its NBT parent is that subfolder. The
// walk of what the root does not reach must end too. It returns the
// subfolder and the folder its table listed before (now an orphan).
func unreachableLoop(t *testing.T, f *pstmut.File) []mwant {
	wants, _, _ := makeUnreachableLoop(t, f)
	return wants
}

func makeUnreachableLoop(t *testing.T, f *pstmut.File) (wants []mwant, sub, orphan uint32) {
	n, tb := hierarchyTable(t, f, 1, true) // a folder below a top folder
	top := n.Parent
	child := tb.RowID(0)
	tb.SetRowNID(child, top)
	f.EditNBT(top, func(e *ndb.NBTEntry) { e.Parent = n.NID })
	root := f.NodeTable(messaging.NIDRootFolder&^0x1F | ndb.NIDTypeHierarchyTable)
	bad := missingNID(t, f, ndb.NIDTypeFolder)
	root.SetRowNID(top, bad)
	return []mwant{
		ltpWant(finding.FolderMissing, bad, messaging.NIDRootFolder),
		ltpWant(finding.FolderCycle, top, n.NID),
	}, n.NID, child
}

// A folder whose parent is reached only by the walk of unreachable
// folders, and whose parent's hierarchy table (read whole) does not list
// it, is an orphan like any other, with its path under its parent.
func TestOrphanBelowUnreachableFolder(t *testing.T) {
	f, _ := mutSample(t, sampleSupport)
	_, sub, orphan := makeUnreachableLoop(t, f)
	rep := checkWithin(t, f, time.Minute)
	want := ltpWant(finding.FolderOrphan, orphan, sub)
	found := false
	for _, x := range rep.Findings {
		found = found || want.matches(x)
	}
	if !found {
		t.Errorf("no finding %v", want)
	}
	paths := map[uint32]string{}
	for _, fo := range rep.Folders {
		paths[fo.NID] = fo.Path
	}
	if !strings.HasPrefix(paths[orphan], paths[sub]+"/") {
		t.Errorf("orphan 0x%X has path %q, its parent 0x%X %q", orphan, paths[orphan], sub, paths[sub])
	}
	if t.Failed() {
		for _, x := range rep.Findings {
			t.Logf("  got %v", x)
		}
	}
}

// A normal folder (NID type 0x02) always has a hierarchy, a contents and
// an FAI contents table (MS-PST 2.4.4; every normal folder of every sample
// has all three; only search folders lack some). A folder whose contents
// or hierarchy table node is gone cannot be listed by Outlook: damage, not
// a folder that lacks a table.
func TestFolderTableNodeMissing(t *testing.T) {
	for _, typ := range []uint32{ndb.NIDTypeContentsTable, ndb.NIDTypeHierarchyTable} {
		t.Run(ndb.NIDKind(typ), func(t *testing.T) {
			f, _ := mutSample(t, sampleSupport)
			var folder uint32
			if typ == ndb.NIDTypeContentsTable {
				n, _ := ownMessageBlock(t, f)
				folder = n.Parent
			} else {
				n, _ := hierarchyTable(t, f, 2, false)
				folder = n.NID
			}
			table := folder&^0x1F | typ
			f.RemoveNBT(table)
			rep := checkWithin(t, f, time.Minute)
			found := false
			for _, x := range rep.Findings {
				if x.Severity() == finding.SeverityError && x.FolderNID == folder && (x.NID == table || x.NID == folder) {
					found = true
				}
			}
			if rep.Verdict != pstcheck.Damaged || !found {
				t.Errorf("verdict %s; want an error naming table 0x%X of folder 0x%X", rep.Verdict, table, folder)
				for _, x := range rep.Findings {
					t.Logf("  got %v", x)
				}
			}
		})
	}
}

// ansiNames are folder paths the ANSI samples must show, decoded in their
// code page: contacts97-2002.pst was written by a Japanese Outlook (code
// page 932), the others in Windows-1252.
var ansiNames = map[string][]string{
	"32-bit.pst":                       {"Top of Personal Folders", "Top of Personal Folders/Deleted Items", "Top of Personal Folders/Calendar"},
	"pstsdk__test_ansi.pst":            {"Top of Personal Folders", "Top of Personal Folders/Folder"},
	"pstsdk__sample2.pst":              {"Top of Outlook data file", "Top of Outlook data file/Sample2"},
	"pstsdk__fairport-sample2-old.pst": {"Top of Outlook data file", "Top of Outlook data file/Sample2"},
	"hiraoka-pst-extractor__contacts97-2002.pst": {
		"Outlook データ ファイルのトップ",
		"Outlook データ ファイルのトップ/削除済みアイテム",
		"Outlook データ ファイルのトップ/連絡先 (Contact dedicated)",
		"検索ルート",
	},
}

// Folder paths on every clean sample are decoded text: valid UTF-8, no
// U+FFFD, no NUL, no empty element, and unique; the ANSI samples' names
// decode to what their authors wrote.
func TestFolderPaths(t *testing.T) {
	files := append(samples.GoPstAll(), samples.CorpusFiles(false)...)
	if len(files) == 0 {
		t.Skip("no sample files (run go mod download)")
	}
	for _, p := range files {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			rep := pstcheck.ScanFile(context.Background(), p, pstcheck.Options{})
			seen := map[string]uint32{}
			for _, fo := range rep.Folders {
				switch {
				case !utf8.ValidString(fo.Path), strings.ContainsRune(fo.Path, utf8.RuneError), strings.ContainsRune(fo.Path, 0):
					t.Errorf("folder 0x%X: path %q is not clean text", fo.NID, fo.Path)
				case fo.Path == "" || strings.HasPrefix(fo.Path, "/") || strings.HasSuffix(fo.Path, "/") || strings.Contains(fo.Path, "//"):
					t.Errorf("folder 0x%X: path %q has an empty element", fo.NID, fo.Path)
				case strings.HasPrefix(fo.Path, "(folder 0x") || strings.Contains(fo.Path, "/(folder 0x"):
					t.Errorf("folder 0x%X: path %q has a folder without a name", fo.NID, fo.Path)
				}
				if other, dup := seen[fo.Path]; dup {
					t.Errorf("folders 0x%X and 0x%X have the same path %q", other, fo.NID, fo.Path)
				}
				seen[fo.Path] = fo.NID
			}
			if seen["(root)"] != messaging.NIDRootFolder {
				t.Errorf("no (root) folder")
			}
			for _, want := range ansiNames[name] {
				if _, ok := seen[want]; !ok {
					t.Errorf("no folder %q", want)
				}
			}
			if t.Failed() {
				for _, fo := range rep.Folders {
					t.Logf("  0x%X %q", fo.NID, fo.Path)
				}
			}
		})
	}
}

// Every clean sample: no finding of the heap, table or messaging layers,
// and no damaged item in any folder.
func TestCleanSamplesHaveNoItemFindings(t *testing.T) {
	for _, p := range cleanSamples(t) {
		t.Run(filepath.Base(p), func(t *testing.T) {
			rep := pstcheck.ScanFile(context.Background(), p, pstcheck.Options{})
			for _, x := range rep.Findings {
				switch x.Layer() {
				case finding.LayerHeap, finding.LayerTable, finding.LayerMessage:
					t.Errorf("%v", x)
				}
			}
			if len(rep.Folders) == 0 {
				t.Error("no folders")
			}
			for _, fo := range rep.Folders {
				if fo.Damaged != 0 || fo.Readable != fo.Items {
					t.Errorf("folder 0x%X %q: %d items, %d readable, %d damaged", fo.NID, fo.Path, fo.Items, fo.Readable, fo.Damaged)
				}
			}
		})
	}
}
