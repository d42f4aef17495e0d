package repair_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/readers"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
	"github.com/pstcheck/pstcheck/repair"
)

// repairFile repairs src into a new file of the test's temporary folder.
func repairFile(t *testing.T, src string, opts repair.Options) (string, *repair.Summary) {
	t.Helper()
	store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	dst := filepath.Join(t.TempDir(), filepath.Base(src)+".repaired.pst")
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sum, err := repair.Run(context.Background(), store, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	return dst, sum
}

// items reads every item of a store as export sees it (its item model,
// which carries subjects, addresses, bodies, attachment bytes, embedded
// messages, contact and calendar fields), keyed by folder and position
// among the folder's items of their class and subject (a repair writes a
// folder's distribution lists after its other items). NIDs are left
// out: a repair numbers nodes afresh.
func items(t *testing.T, path string) (map[string]*export.Item, *pstcheck.Report) {
	t.Helper()
	store, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	conv := export.NewConverter(store.Reader)
	out := map[string]*export.Item{}
	n := map[string]int{}
	for it := range store.Items(nil) {
		if it.State != pstcheck.ItemReadable && it.State != pstcheck.ItemRecovered {
			continue
		}
		m, err := store.Reader.Message(it.NID)
		if err != nil {
			t.Fatalf("%s: item 0x%X: %v", path, it.NID, err)
		}
		x := conv.Item(m, it.Folder)
		clearNIDs(x)
		key := fmt.Sprintf("%s %s %q", it.Folder, x.Class, x.Subject)
		out[fmt.Sprintf("%s #%d", key, n[key])] = x
		n[key]++
	}
	return out, store.Report
}

// hiddenItems counts a store's readable hidden (folder associated) items
// by folder path, message class and display name.
func hiddenItems(t *testing.T, path string) map[string]int {
	t.Helper()
	store, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	out := map[string]int{}
	for it := range store.ItemsAndAssociated(nil) {
		if !it.Associated || it.State != pstcheck.ItemReadable {
			continue
		}
		m, err := store.Reader.Message(it.NID)
		if err != nil {
			t.Fatalf("%s: hidden item 0x%X: %v", path, it.NID, err)
		}
		class := store.Reader.String(m.Props, 0x001A)
		name := store.Reader.String(m.Props, 0x3001)
		out[fmt.Sprintf("%s | %s | %s", it.Folder, class, name)]++
	}
	return out
}

func total(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// TestRepairCopiesHiddenItems repairs a generated store with a view in
// every folder: each is in the new store, in its folder.
func TestRepairCopiesHiddenItems(t *testing.T) {
	src := filepath.Join(t.TempDir(), "hidden.pst")
	gen := gentest.Store(t, src, "hidden items", synth.Shape{Messages: 40, Folders: 6, Depth: 2, BodyMin: 10, BodyMax: 40, Recipients: 1, AssocEvery: 1}, 3)
	want := hiddenItems(t, src)
	if total(want) != gen.Assoc || gen.Assoc < 6 {
		t.Fatalf("the generated store has %d hidden items readable, %d written", total(want), gen.Assoc)
	}
	dst, sum := repairFile(t, src, repair.Options{})
	if got := hiddenItems(t, dst); !reflect.DeepEqual(got, want) || sum.Associated != gen.Assoc || sum.AssociatedSkipped != 0 {
		t.Errorf("wrote %d hidden items (%d left out): got %v, want %v", sum.Associated, sum.AssociatedSkipped, got, want)
	}
	if sum.Saved != gen.Messages {
		t.Errorf("saved %d of %d messages", sum.Saved, gen.Messages)
	}
	_, rep := items(t, dst)
	mustBeClean(t, rep)
}

// diffFields names the fields of two values that differ, with both values
// (long ones cut short).
func diffFields(path string, a, b reflect.Value) []string {
	if reflect.DeepEqual(a.Interface(), b.Interface()) {
		return nil
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			break
		}
		return diffFields(path, a.Elem(), b.Elem())
	case reflect.Struct:
		var out []string
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue // not comparable by reflection; the exported fields say what differs
			}
			out = append(out, diffFields(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))...)
		}
		return out
	case reflect.Slice:
		if a.Len() == b.Len() && a.Type().Elem().Kind() != reflect.Uint8 {
			var out []string
			for i := range a.Len() {
				out = append(out, diffFields(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))...)
			}
			return out
		}
	}
	short := func(v reflect.Value) string {
		s := fmt.Sprintf("%v", v.Interface())
		if len(s) > 80 {
			s = s[:80] + "..."
		}
		return s
	}
	return []string{fmt.Sprintf("%s: got %s, want %s", path, short(a), short(b))}
}

// moveFolder rewrites an item's folder (and its embedded items') from
// one path prefix to another.
func moveFolder(x *export.Item, from, to string) {
	if rest, ok := strings.CutPrefix(x.Folder, from); ok {
		x.Folder = to + rest
	}
	for i := range x.Attachments {
		if e := x.Attachments[i].Embedded; e != nil {
			moveFolder(e, from, to)
		}
	}
}

// synthesizedID matches a Message-ID export makes up for an item without
// one, from the item's NID and its store's record key or search key.
var synthesizedID = regexp.MustCompile(`^<pstcheck\.[0-9a-f]+\.[0-9a-f]+@pstcheck\.invalid>$`)

// clearNIDs leaves out what export derives from a store's own numbering
// and identity (a repair numbers nodes afresh and gives the new store a
// record key of its own): NIDs, made-up Message-IDs, contact UIDs.
func clearNIDs(x *export.Item) {
	x.NID = 0
	x.MessageID = synthesizedID.ReplaceAllString(x.MessageID, "<synthesized>")
	if x.Contact != nil {
		x.Contact.UID = ""
		for i := range x.Contact.Members {
			// A member that is a contact of the store is named by its
			// UID, of the store's provider UID and its NID, both new:
			// still a contact of the store, not an address alone.
			if x.Contact.Members[i].UID != "" {
				x.Contact.Members[i].UID = "a contact of the store"
			}
		}
	}
	for i := range x.Attachments {
		if e := x.Attachments[i].Embedded; e != nil {
			clearNIDs(e)
		}
	}
}

// mustBeClean fails on any finding but the free space note.
func mustBeClean(t *testing.T, rep *pstcheck.Report) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Code != finding.MapFreeSpace {
			t.Errorf("%s: %s %s", rep.Path, f.Code, f.Detail)
		}
	}
}

// TestRepairRoundTrip repairs every clean real sample (go-pst's three,
// ANSI included, and the corpus' PSTs and OSTs, 4K-page included): the new
// store scans clean, and every item reads back as export sees it, folder
// by folder, field by field: subjects, bodies, recipients, attachment
// bytes, embedded messages, contacts and events.
func TestRepairRoundTrip(t *testing.T) {
	files := append(samples.GoPstAll(), samples.CorpusFiles(false)...)
	if len(files) == 0 {
		t.Skip("no samples")
	}
	for _, src := range files {
		t.Run(filepath.Base(src), func(t *testing.T) {
			want, _ := items(t, src)
			dst, sum := repairFile(t, src, repair.Options{})
			got, rep := items(t, dst)
			if sum.Moved != nil {
				// An OST's mailbox moves to the top of the new store's
				// folders: compare its items there.
				moved := map[string]*export.Item{}
				for k, x := range want {
					if rest, ok := strings.CutPrefix(x.Folder, sum.Moved.From); ok {
						k = sum.Moved.To + rest + k[len(sum.Moved.From)+len(rest):]
						moveFolder(x, sum.Moved.From, sum.Moved.To)
					}
					moved[k] = x
				}
				want = moved
			}
			mustBeClean(t, rep)
			wantHidden, gotHidden := hiddenItems(t, src), hiddenItems(t, dst)
			if sum.Moved != nil {
				moved := map[string]int{}
				for k, n := range wantHidden {
					if rest, ok := strings.CutPrefix(k, sum.Moved.From); ok {
						k = sum.Moved.To + rest
					}
					moved[k] += n
				}
				wantHidden = moved
			}
			if !reflect.DeepEqual(gotHidden, wantHidden) || sum.Associated != total(wantHidden) {
				t.Errorf("hidden items: wrote %d, got %v, want %v", sum.Associated, gotHidden, wantHidden)
			}
			if sum.Saved != len(want) || sum.Listed != 0 {
				t.Errorf("saved %d, %d listed as not written whole; the original has %d readable items", sum.Saved, sum.Listed, len(want))
			}
			if len(got) != len(want) {
				t.Errorf("%d items after repair, %d before", len(got), len(want))
			}
			for k, w := range want {
				g, ok := got[k]
				switch {
				case !ok:
					t.Errorf("%s: missing after repair", k)
				case !reflect.DeepEqual(g, w):
					t.Errorf("%s (%q) differs after repair: %s", k, w.Subject, strings.Join(diffFields("", reflect.ValueOf(*g), reflect.ValueOf(*w)), "; "))
				}
			}
		})
	}
}

// TestRepairDamagedCopy repairs a copy of enron.pst with one message
// damaged: the new store holds exactly the items the scan finds readable,
// and the damaged one is listed; with IncludeDamaged it is written too,
// marked. Both new stores scan clean.
func TestRepairDamagedCopy(t *testing.T) {
	src := samples.GoPst("support.pst")
	if src == "" {
		t.Skip("go-pst samples not downloaded")
	}
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	// The first message whose recipient table has a block of its own: a
	// byte flipped in it damages that message's recipients alone, so the
	// rest of it can still be read.
	users := f.Users()
	var victim uint32
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 || n.Sub == 0 {
			continue
		}
		rt, ok := f.Subnodes(n.Sub)[0x692]
		if !ok || rt.Data == 0 || len(users[rt.Data&^1]) != 1 {
			continue
		}
		b := f.MustBlock(rt.Data)
		f.FlipByte(int64(b.IB) + 20)
		victim = n.NID
		break
	}
	if victim == 0 {
		t.Fatal("no message to damage")
	}
	path := filepath.Join(t.TempDir(), "damaged.pst")
	if err := os.WriteFile(path, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	readable, rep := items(t, path)
	if rep.Items.Damaged != 1 {
		t.Fatalf("the damaged copy has %d damaged items, want 1", rep.Items.Damaged)
	}
	for _, include := range []bool{false, true} {
		var listed []repair.Skipped
		dst, sum := repairFile(t, path, repair.Options{IncludeDamaged: include, Skipped: func(s repair.Skipped) { listed = append(listed, s) }})
		got, rep2 := items(t, dst)
		mustBeClean(t, rep2)
		if sum.Listed != 1 || len(listed) != 1 || listed[0].NID != victim || listed[0].Written != include {
			t.Errorf("include %v: listed %d, %+v, want message 0x%X", include, sum.Listed, listed, victim)
		}
		want := len(readable)
		if include {
			want++
		}
		if len(got) != want || sum.Saved != len(readable) {
			t.Errorf("include %v: %d items after repair (saved %d), want %d", include, len(got), sum.Saved, want)
		}
		if include && sum.Partial != 1 {
			t.Errorf("written in part: %d, want 1", sum.Partial)
		}
	}
}

// TestRepairReadersAgree: readpst and pffexport count the same items in a
// repaired store as in the original (each by its own rules), and pffinfo
// opens it: go-pst's samples (ANSI included) and the corpus' OSTs (4K-page
// included). Readers not installed are skipped.
func TestRepairReadersAgree(t *testing.T) {
	files := samples.GoPstAll()
	for _, p := range samples.CorpusFiles(false) {
		if strings.HasSuffix(p, ".ost") {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Skip("no samples")
	}
	for _, src := range files {
		name := filepath.Base(src)
		dst, _ := repairFile(t, src, repair.Options{})
		ctx := context.Background()
		dir := t.TempDir()
		for _, run := range []func(path, sub string) readers.Counts{
			func(path, sub string) readers.Counts {
				os.MkdirAll(filepath.Join(dir, sub), 0o755)
				return readers.Readpst(ctx, path, filepath.Join(dir, sub), "Top of Personal Folders")
			},
			func(path, sub string) readers.Counts {
				os.MkdirAll(filepath.Join(dir, sub), 0o755)
				return readers.Pffexport(ctx, path, filepath.Join(dir, sub))
			},
		} {
			before, after := run(src, name+"-a"), run(dst, name+"-b")
			if before.Absent {
				t.Logf("%s not installed: skipped", before.Reader)
				continue
			}
			if before.Err != nil || after.Err != nil {
				t.Errorf("%s: %s: %v / %v", name, before.Reader, before.Err, after.Err)
				continue
			}
			if before.Total() != after.Total() {
				t.Errorf("%s: %s counts %d items in the original, %d after repair", name, before.Reader, before.Total(), after.Total())
			}
		}
		if c := readers.Pffinfo(ctx, dst); !c.Absent && c.Err != nil {
			t.Errorf("%s: %v", name, c.Err)
		}
	}
}

// TestRepairDeterministic: repairing the same file twice gives the same
// bytes (named properties are renumbered in a fixed order, items are
// written in the store's order whatever the reading goroutines do).
func TestRepairDeterministic(t *testing.T) {
	src := samples.GoPst("support.pst")
	if src == "" {
		t.Skip("go-pst samples not downloaded")
	}
	a, _ := repairFile(t, src, repair.Options{})
	b, _ := repairFile(t, src, repair.Options{})
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if len(x) == 0 || string(x) != string(y) {
		t.Error("two repairs of the same file differ")
	}
}

// TestRepairEmbeddedWithoutSize: an embedded message without
// PidTagMessageSize (a store another program wrote) is copied; the writer
// took the size it lacks for granted and crashed the repair.
func TestRepairEmbeddedWithoutSize(t *testing.T) {
	src := filepath.Join(t.TempDir(), "nosize.pst")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	w, err := pstwrite.New(f, pstwrite.Options{Verbatim: true})
	if err != nil {
		t.Fatal(err)
	}
	inner := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "inner")}}
	outer := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "outer")},
		Attachments: []pstwrite.Attachment{{Embedded: inner}}}
	if err := w.AddMessage(w.IPMSubtree(), outer); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	dst, sum := repairFile(t, src, repair.Options{})
	if sum.Saved != 1 || sum.Listed != 0 {
		t.Fatalf("saved %d, %d listed as not written whole", sum.Saved, sum.Listed)
	}
	got, rep := items(t, dst)
	mustBeClean(t, rep)
	for _, x := range got {
		if len(x.Attachments) != 1 || x.Attachments[0].Embedded == nil || x.Attachments[0].Embedded.Subject != "inner" {
			t.Errorf("item %q lost its embedded message: %+v", x.Subject, x.Attachments)
		}
	}
}
