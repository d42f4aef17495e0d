package repair_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
	"github.com/pstcheck/pstcheck/repair"
)

// With every NBT page of the 4K-page OST zeroed, the messages recovered
// from their blocks are placed by the folders' listings among the unused
// blocks: repair makes a folder of each one's name under Recovered items,
// of the class the folder's hierarchy row keeps, so that Outlook shows
// the calendar as a calendar.
func TestRepairPlacesRecovered(t *testing.T) {
	srcs := samples.CorpusNamed("npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost")
	if len(srcs) == 0 {
		t.Skip("the corpus is not here")
	}
	src := filepath.Join(t.TempDir(), "destroyed.ost")
	if err := damagekit.WriteNodeIndexDestroyed(srcs[0], src); err != nil {
		t.Fatal(err)
	}
	dst, sum := repairFile(t, src, repair.Options{})
	store, err := pstcheck.OpenStore(context.Background(), dst, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	want := map[string]struct {
		class string
		items int
	}{
		"Recovered items/United States holidays": {"IPF.Appointment", 147},
		"Recovered items/Inbox":                  {"IPF.Note", 10},
	}
	for _, fd := range store.Report.Folders {
		i := strings.Index(fd.Path, pstcheck.RecoveredFolder+"/")
		if i < 0 {
			continue
		}
		w, ok := want[fd.Path[i:]]
		if !ok {
			continue
		}
		props, err := store.Reader.Properties(fd.NID)
		if err != nil {
			t.Fatal(err)
		}
		if class := store.Reader.String(props, 0x3613); class != w.class || fd.Items != w.items {
			t.Errorf("%s: class %q, %d items; want %q, %d", fd.Path, class, fd.Items, w.class, w.items)
		}
		delete(want, fd.Path[i:])
	}
	if len(want) > 0 || sum.Recovered < 180 {
		t.Errorf("folders not made: %v; %d recovered", want, sum.Recovered)
	}
}

// placingStore writes a store of folders (each "parent/name" under the
// IPM subtree, parents first) and messages (by folder: how many, how many
// unread), loses the NBT entries lose names (given the folders' IDs and
// the clean store's items), damages the property blocks of the folders
// damaged names (or, for "path hierarchy", of its hierarchy table), and
// zeroes the last NBT leaf page besides, so that the blocks no node uses
// are looked at; it returns the damaged copy's path.
func placingStore(t *testing.T, folders []string, messages map[string][2]int, lose func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32, damaged ...string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "placing.pst")
	out, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pstwrite.New(out, pstwrite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]pstwrite.FolderID{"": w.IPMSubtree()}
	for _, p := range folders {
		parent, name := "", p
		if i := strings.LastIndex(p, "/"); i >= 0 {
			parent, name = p[:i], p[i+1:]
		}
		if ids[p], err = w.AddFolder(ids[parent], pstwrite.Folder{Name: name, Class: "IPF.Note"}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, p := range append(slices.Clone(folders), "filler") {
		counts, ok := messages[p]
		folder := ids[p]
		if p == "filler" {
			counts, ok, folder = [2]int{40, 0}, true, w.IPMSubtree()
		}
		for i := range counts[0] * btoi(ok) {
			n++
			when := time.Date(2020, 1, 1, 0, 0, n, 0, time.UTC)
			m := &pstwrite.Message{Props: []pstwrite.Property{
				pstwrite.String(0x001A, "IPM.Note"),
				pstwrite.String(0x0037, fmt.Sprintf("%s message %d", p, i)),
				pstwrite.Int32(0x0E07, int32(btoi(i >= counts[1]))), // the first ones unread
				pstwrite.Time(0x0E06, when),
				pstwrite.Time(0x3008, when),
				pstwrite.String(0x1000, "body"),
			}}
			if err := w.AddMessage(folder, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range damaged {
		nid := uint32(ids[p])
		if folder, ok := strings.CutSuffix(p, " hierarchy"); ok {
			nid = uint32(ids[folder])&^0x1F | 0x0D
		}
		off, _ := f.Extent(f.MustNode(nid).Data)
		f.Zero(off, 32)
	}
	for _, nid := range lose(ids, clean) {
		if _, ok := f.Node(nid); ok {
			f.RemoveNBT(nid)
		}
	}
	clean.Close()
	f.Zero(f.NBT[len(f.NBT)-1].Page, 512)
	dst := filepath.Join(t.TempDir(), "damaged.pst")
	if err := os.WriteFile(dst, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tables are a folder's hierarchy, contents and FAI contents tables.
func tables(id pstwrite.FolderID) []uint32 {
	base := uint32(id) &^ 0x1F
	return []uint32{base | 0x0D, base | 0x0E, base | 0x0F}
}

// itemsOf are the NIDs of the clean store's items in the folder id.
func itemsOf(clean *pstcheck.Store, id pstwrite.FolderID) []uint32 {
	var out []uint32
	for x := range clean.Items(nil) {
		if x.FolderNID == uint32(id) {
			out = append(out, x.NID)
		}
	}
	return out
}

// A review built it: Fx's listing and its messages' entries are lost,
// and H's hierarchy table, whose row for Gy among the unused blocks has
// Fx's counts; Fx itself is still walked, its own row and heap in use. Its
// messages went to Gy. A walked folder's counts now bar a match as an
// unused folder heap's do: they stay in Recovered items itself.
func TestPlacedNotIntoAnotherOfTheSameCounts(t *testing.T) {
	dst := placingStore(t, []string{"Fx", "H", "H/Gy", "D"}, map[string][2]int{"Fx": {2, 0}, "H/Gy": {2, 0}, "D": {40, 0}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			return append([]uint32{uint32(ids["Fx"])&^0x1F | 0x0E, uint32(ids["H"])&^0x1F | 0x0D}, itemsOf(clean, ids["Fx"])...)
		})
	store, err := pstcheck.OpenStore(context.Background(), dst, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	seen := 0
	for x := range store.Items(nil) {
		if strings.HasPrefix(x.Subject, "Fx message") {
			seen++
			if x.Folder != pstcheck.RecoveredFolder && !strings.HasSuffix(x.Folder, "/Fx") {
				t.Errorf("%q placed in %q", x.Subject, x.Folder)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d of Fx's 2 messages found", seen)
	}
}

// A review built it: A/Inbox's node and A's hierarchy table are lost (A/Inbox
// is walked from its messages, "(folder 0x…)", and takes the name Inbox
// from the unused rows), and B/Inbox's node, tables and messages, placed by
// its listing under Recovered items/Inbox: the walked folder's path. Repair
// wrote that folder's items, closed it, and refused the placed ones. A placed
// folder of a path taken has its NID after its name.
func TestPlacedNotIntoAWalkedFolderOfItsPath(t *testing.T) {
	dst := placingStore(t, []string{"A", "B", "C", "D", "E", "A/Inbox", "B/Inbox"},
		map[string][2]int{"A/Inbox": {3, 0}, "B/Inbox": {2, 1}, "C": {4, 0}, "E": {2, 2}, "D": {40, 0}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			lose := []uint32{uint32(ids["A"])&^0x1F | 0x0D, uint32(ids["B"])&^0x1F | 0x0D, uint32(ids["A/Inbox"])}
			for _, p := range []string{"B/Inbox", "E"} {
				lose = append(append(append(lose, uint32(ids[p])), tables(ids[p])...), itemsOf(clean, ids[p])...)
			}
			return lose
		})
	_, sum := repairFile(t, dst, repair.Options{})
	if sum.Failed > 0 || sum.Saved < 11 {
		t.Errorf("%d items failed, %d saved", sum.Failed, sum.Saved)
	}
}

// placedIn says where the messages of subjects starting with prefix are
// placed in the store at path.
func placedIn(t *testing.T, path, prefix string) []string {
	t.Helper()
	store, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var out []string
	for x := range store.Items(nil) {
		if strings.HasPrefix(x.Subject, prefix) {
			out = append(out, x.Folder)
		}
	}
	return out
}

// The second review's cases. Fx's own property block is damaged besides:
// its row in the hierarchy table walked keeps its counts, and bars them.
func TestPlacedNotBarredOnlyByReadableHeaps(t *testing.T) {
	dst := placingStore(t, []string{"Fx", "P", "P/Gy", "D"}, map[string][2]int{"Fx": {2, 0}, "P/Gy": {2, 0}, "D": {40, 0}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			return append([]uint32{uint32(ids["Fx"])&^0x1F | 0x0E, uint32(ids["P"])&^0x1F | 0x0D}, itemsOf(clean, ids["Fx"])...)
		}, "Fx")
	if got := placedIn(t, dst, "Fx message"); len(got) != 2 || slices.ContainsFunc(got, func(p string) bool { return strings.HasSuffix(p, "/Gy") }) {
		t.Errorf("Fx's messages placed in %q", got)
	}
}

// A/Inbox and B/Inbox hold as many items: B/Inbox's listing and messages
// are lost, A's hierarchy table too. B/Inbox's messages went to A/Inbox,
// whose own heap (in use) was taken for one of its name.
func TestPlacedNotIntoAnotherOfItsName(t *testing.T) {
	dst := placingStore(t, []string{"A", "B", "A/Inbox", "B/Inbox", "D"}, map[string][2]int{"A/Inbox": {2, 0}, "B/Inbox": {2, 0}, "D": {40, 0}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			return append([]uint32{uint32(ids["A"])&^0x1F | 0x0D, uint32(ids["B/Inbox"])&^0x1F | 0x0E}, itemsOf(clean, ids["B/Inbox"])...)
		})
	if got := placedIn(t, dst, "B/Inbox message"); len(got) != 2 || slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, "/A/") }) {
		t.Errorf("B/Inbox's messages placed in %q", got)
	}
}

// Inbox's listing is lost; its path under Recovered items is that of a
// folder the hierarchy no longer reaches ("Top of Personal Folders/Inbox",
// under Q/P whose node is lost). Repair refused its messages.
func TestPlacedWalkedNotIntoAnotherWalked(t *testing.T) {
	dst := placingStore(t, []string{"Inbox", "Q", "Q/P", "Q/P/Top of Personal Folders", "Q/P/Top of Personal Folders/Inbox", "D", "E"},
		map[string][2]int{"Inbox": {2, 0}, "Q/P/Top of Personal Folders/Inbox": {3, 0}, "D": {40, 0}, "E": {4, 4}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			l := []uint32{uint32(ids[""])&^0x1F | 0x0D, uint32(ids["Q"])&^0x1F | 0x0D, uint32(ids["Q/P"]), uint32(ids["Inbox"])&^0x1F | 0x0E}
			l = append(append(append(l, uint32(ids["E"])), tables(ids["E"])...), itemsOf(clean, ids["E"])...)
			return append(l, itemsOf(clean, ids["Inbox"])...)
		})
	if _, sum := repairFile(t, dst, repair.Options{}); sum.Failed > 0 {
		t.Errorf("%d items failed", sum.Failed)
	}
}

// X/P and X/P/C are found without a name (their property blocks damaged,
// X's and P's hierarchy tables lost) and take the unused rows' names: X/P/C/G
// kept C's old path, and repair made a second chain of folders for it.
func TestRenamedFoldersPathsAgree(t *testing.T) {
	dst := placingStore(t, []string{"X", "X/P", "X/P/C", "X/P/C/G", "D", "E"}, map[string][2]int{"X/P/C/G": {2, 0}, "X/P/C": {1, 0}, "D": {40, 0}, "E": {4, 4}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			l := []uint32{uint32(ids["X"])&^0x1F | 0x0D, uint32(ids["X/P"])&^0x1F | 0x0D}
			return append(append(append(l, uint32(ids["E"])), tables(ids["E"])...), itemsOf(clean, ids["E"])...)
		}, "X/P", "X/P/C")
	store, err := pstcheck.OpenStore(context.Background(), dst, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var paths []string
	for _, fd := range store.Report.Folders {
		if strings.Contains(fd.Path, "/X/") {
			paths = append(paths, fd.Path)
		}
	}
	want := []string{"Top of Personal Folders/X/P", "Top of Personal Folders/X/P/C", "Top of Personal Folders/X/P/C/G"}
	if slices.Sort(paths); !slices.Equal(paths, want) {
		t.Errorf("folders %q, want %q", paths, want)
	}
	if _, sum := repairFile(t, dst, repair.Options{}); sum.Folders != 7 {
		t.Errorf("repair made %d folders, want 7 (X, P, C, G, D, E and Recovered items)", sum.Folders)
	}
}

// B/Inbox's node, listing and messages are lost and B's hierarchy table
// is destroyed: nothing names B/Inbox but its heap among the unused
// blocks, named Inbox, with A/Inbox's counts. A/Inbox is walked, its
// current heap in use, so that unused heap is another folder's: B/Inbox's
// messages do not go to A/Inbox's path.
func TestPlacedNotIntoAWalkedFolderOfItsName(t *testing.T) {
	dst := placingStore(t, []string{"A", "B", "A/Inbox", "B/Inbox", "D"}, map[string][2]int{"A/Inbox": {2, 0}, "B/Inbox": {2, 0}, "D": {40, 0}},
		func(ids map[string]pstwrite.FolderID, clean *pstcheck.Store) []uint32 {
			lose := []uint32{uint32(ids["A"])&^0x1F | 0x0D, uint32(ids["B/Inbox"]), uint32(ids["B/Inbox"])&^0x1F | 0x0E}
			return append(lose, itemsOf(clean, ids["B/Inbox"])...)
		}, "B hierarchy")
	if got := placedIn(t, dst, "B/Inbox message"); len(got) != 2 || slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, "/A/") }) {
		t.Errorf("B/Inbox's messages placed in %q", got)
	}
}
