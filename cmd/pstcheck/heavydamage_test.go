package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
	"github.com/pstcheck/pstcheck/report"
)

// Heavy damage, judged against an oracle from the clean file: on damaged
// copies of the real samples (cut off, zeroed regions, destroyed index
// pages; damagekit.Cases), export saves every message whose blocks and own
// index entry survive, byte for byte as the clean export writes it, even
// when the B-tree pages above it or the BBT pages listing its blocks are
// gone; writes no message with a destroyed block as healthy (unless what
// it writes is the clean message, found again elsewhere); accounts for
// every item the store held whenever it says its count is complete;
// exits 0 only when everything was saved; and, with --include-damaged,
// writes a damaged item without a word of what it lacks or of bytes read
// unverified only when it is the clean one (judgePartial).
func TestHeavyDamage(t *testing.T) {
	forEachDamageSample(t, func(t *testing.T, src string, f *pstmut.File, base string, clean exported, cleanSum cleanSums) {
		outside := outsideIPMSubtree(t, src, filepath.Join(base, "clean-repaired.pst"))
		total := 0
		for _, c := range damagekit.Cases(f) {
			t.Run(c.Name, func(t *testing.T) {
				total++
				dir := filepath.Join(base, "case", c.Name)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				damaged := c.Damage(f)
				p, rep, _ := scanAndExportDamaged(t, dir, src, damaged, c.Oracle(f, damaged), clean, cleanSum)
				// Where that half held blocks or B-tree pages and a map
				// page (not only free space, as in an OST made large at
				// once, nor only map pages, nor is the file smaller than
				// two map intervals), the report says the end is zeros.
				held := rep.Has(finding.AMapPage) && (rep.Damage.Blocks > 0 || rep.Damage.IndexPages > 0)
				if c.Name == damagekit.ZeroedEnd && held && (rep.Damage.ZeroedBytes == 0 || !rep.Has(finding.RootFileZeroed)) {
					t.Errorf("the file's second half is zeros, but the report does not say its end is (%d bytes)", rep.Damage.ZeroedBytes)
				}
				salvage := runExport(t, p, filepath.Join(dir, "salvage"), "--include-damaged")
				judgeSalvage(t, clean, rep, salvage)
				judgePartial(t, clean, salvage)
				judgeRepair(t, p, filepath.Join(dir, "repaired.pst"), salvage, outside)
			})
		}
	})
}

// forEachDamageSample runs body on each sample the heavy-damage tests
// damage (go-pst's; the corpus' too unless -short), loaded, with a
// temporary folder, its clean export and its written items' sums.
func forEachDamageSample(t *testing.T, body func(t *testing.T, src string, f *pstmut.File, base string, clean exported, sums cleanSums)) {
	srcs := samples.GoPstAll()
	if !testing.Short() {
		srcs = append(srcs, samples.CorpusNamed(samples.DamageCorpus...)...)
	}
	if len(srcs) == 0 {
		t.Skip("no samples")
	}
	for _, src := range srcs {
		t.Run(filepath.Base(src), func(t *testing.T) {
			f, err := pstmut.Load(src)
			if err != nil {
				t.Fatal(err)
			}
			base := t.TempDir()
			clean := runExport(t, src, filepath.Join(base, "clean"))
			body(t, src, f, base, clean, sumsOf(t, clean))
		})
	}
}

// cleanSums are a clean export's written items' sums: by NID
// (contentSum), and how many of each content (fileSum) and in which
// folders, for the items a damaged copy's export writes without a NID.
type cleanSums struct {
	byNID     map[uint32]string
	byContent map[string]int
	// folders are the names of the folders (their last level, as the
	// manifest shows it) the clean file holds each content in.
	folders map[string]map[string]bool
}

func sumsOf(t *testing.T, clean exported) cleanSums {
	t.Helper()
	s := cleanSums{byNID: map[uint32]string{}, byContent: map[string]int{}, folders: map[string]map[string]bool{}}
	for _, it := range clean.man.Items {
		if it.Path != nil {
			s.byNID[it.NID] = contentSum(t, clean, it)
			sum := fileSum(t, clean, it)
			s.byContent[sum]++
			if s.folders[sum] == nil {
				s.folders[sum] = map[string]bool{}
			}
			s.folders[sum][path.Base(it.Folder)] = true
		}
	}
	return s
}

// judgeUnlinked: each item of got written unmarked without a NID (no row
// or entry names it: recovered from its blocks alone) is a message of the
// clean file, byte for byte but for what export makes up from the NID,
// none more often than the clean file has it; one written into a folder
// under Recovered items is one the clean file holds in a folder of that
// name. It returns how many are.
func judgeUnlinked(t *testing.T, sums cleanSums, got exported, what string) int {
	t.Helper()
	left, n := maps.Clone(sums.byContent), 0
	for _, it := range got.man.Items {
		if it.Path == nil || it.Damaged || it.NID != 0 {
			continue
		}
		s := fileSum(t, got, it)
		if left[s] == 0 {
			t.Errorf("%s%s: recovered without its index entry, written as healthy, but it is no message of the clean file (or one written twice)", what, *it.Path)
			continue
		}
		left[s]--
		n++
		if placed, ok := strings.CutPrefix(it.Folder, pstcheck.RecoveredFolder+"/"); ok {
			name, _, _ := strings.Cut(path.Base(placed), " (folder 0x")
			if !sums.folders[s][name] {
				t.Errorf("%s%s: recovered into %q, but the clean file holds it in no folder of that name", what, *it.Path, it.Folder)
			}
		}
	}
	return n
}

func judgeHeavyDamage(t *testing.T, clean exported, sums cleanSums, fates map[uint32]damagekit.Fate, rep *pstcheck.Report, got exported) {
	t.Helper()
	written := map[uint32]export.ManifestItem{}
	var unlinked []export.ManifestItem // written without a NID: no row or entry names them
	for _, it := range got.man.Items {
		switch {
		case it.Path == nil:
		case it.NID == 0:
			unlinked = append(unlinked, it)
		default:
			written[it.NID] = it
		}
	}
	saveable, whole, namesLost := 0, 0, 0
	beyond := judgeUnlinked(t, sums, got, "")
	// What export makes up to name an item whose store gives no name (a
	// Message-ID, a UID) is its own: it comes from the block that holds
	// the item's properties when its NID is unknown.
	madeUp := map[string]string{}
	for _, it := range unlinked {
		for _, l := range strings.Split(string(got.file(t, *it.Path)), "\n") {
			if (strings.HasPrefix(l, "Message-ID: ") || strings.HasPrefix(l, "UID:")) && strings.Contains(l, "@pstcheck.invalid") {
				if other, twice := madeUp[l]; twice && other != *it.Path {
					t.Errorf("%s and %s, both recovered without a NID, are named alike: %s", other, *it.Path, l)
				}
				madeUp[l] = *it.Path
			}
		}
	}
	for _, it := range clean.man.Items {
		fate, known := fates[it.NID]
		g, ok := written[it.NID]
		if !known || !fate.Saveable() {
			if ok && !g.Damaged {
				if contentSum(t, got, g) != sums.byNID[it.NID] {
					t.Errorf("0x%X written as healthy (%s) although a block or the index entry of it is destroyed, and it differs from the clean message", it.NID, *g.Path)
				} else {
					beyond++ // found again whole although its index entry is lost
				}
			}
			continue
		}
		saveable++
		switch {
		case !ok:
			t.Errorf("0x%X (%s: %s): its blocks and index entry survive, but it was not saved", it.NID, it.Folder, it.Subject)
		case g.Damaged && (g.Problem == nil || !strings.HasPrefix(*g.Problem, string(finding.StoreNameMap))):
			t.Errorf("0x%X: its blocks and index entry survive, but it was written as damaged: %s", it.NID, deref(g.Problem))
		case g.Damaged:
			// Whole but for its named properties: the store's name map,
			// which the oracle does not look at, is lost.
			namesLost++
		case contentSum(t, got, g) != sums.byNID[it.NID]:
			t.Errorf("0x%X: saved, but not as the clean export writes it", it.NID)
		default:
			whole++
		}
	}
	acct := got.man.Store
	if acct == nil {
		t.Fatal("the manifest has no store accounting")
	}
	if acct.Total != acct.Readable+acct.Damaged+acct.Lost+acct.Recovered {
		t.Errorf("accounting %+v does not add up", *acct)
	}
	if acct.Complete && acct.Total != len(clean.man.Items) {
		t.Errorf("the accounting says it is complete with %d items; the store held %d", acct.Total, len(clean.man.Items))
	}
	if got.status == 0 && (len(written)+len(unlinked) != len(clean.man.Items) || namesLost > 0) {
		t.Errorf("exit 0, but %d of %d items were written (%d without their named properties)", len(written)+len(unlinked), len(clean.man.Items), namesLost)
	}
	if rep.Items != *acct {
		t.Errorf("the scan counts %+v, the export's manifest %+v", rep.Items, *acct)
	}
	// The items the manifest lists in each state are those the accounting
	// counts (lost items may be counted without a row to list them, and
	// damaged ones nothing names may be counted as recovered heaps, at
	// most one each: the summary then says it names more than the count,
	// below).
	states := map[string]int{}
	for _, it := range got.man.Items {
		states[it.State]++
	}
	if states[export.StateReadable] != acct.Readable || states[export.StateRecovered] != acct.Recovered ||
		states[export.StateDamaged] < acct.Damaged || states[export.StateDamaged]-acct.Damaged > acct.Recovered {
		t.Errorf("the manifest lists %v; the accounting counts %+v", states, *acct)
	}
	// Where it names more items not written whole than the accounting
	// counts damaged or lost (messages known only by a block), the
	// summary says how many more.
	named := 0
	for _, it := range got.man.Items {
		if it.Path == nil || it.Damaged {
			named++
		}
	}
	more := fmt.Sprintf("manifest.json names %d item", named-acct.Damaged-acct.Lost)
	if said := strings.Contains(got.stdout, "more than the count"); said != (named > acct.Damaged+acct.Lost) || said && !strings.Contains(got.stdout, more) {
		t.Errorf("the manifest names %d items not written whole, %d damaged and %d lost counted; the summary says:\n%s", named, acct.Damaged, acct.Lost, got.stdout)
	}
	switch {
	case rep.Damage.MissingBytes > 0 && rep.Content != pstcheck.ContentOST && rep.Action != pstcheck.ActionRestore:
		t.Errorf("a cut-off copy gets action %s, want restore (copy it again)", rep.Action)
	case rep.Damage.ZeroedBytes > 0 && rep.Content != pstcheck.ContentOST && rep.Action != pstcheck.ActionRestore:
		t.Errorf("a file whose end is zeros gets action %s, want restore (copy it again)", rep.Action)
	case rep.Action == pstcheck.ActionExport && rep.Damage.Salvage == 0:
		t.Errorf("action export, but export saves nothing")
	}
	quietReport(t, rep)
	t.Logf("saved %d of %d saveable messages whole, %d without their named properties, %d more whole (%d written in all, %d items in the clean file); accounting %+v; exit %d; action %s",
		whole, saveable, namesLost, beyond, len(written), len(clean.man.Items), *acct, got.status, rep.Action)
}

// judgeSalvage: with --include-damaged, the lost items written (what was
// left of them) are as many as the scan counts salvageable, marked, and
// each is a message of the clean file: the one of its NID when it has one
// (its contents-table row survived), else one of the same subject.
func judgeSalvage(t *testing.T, clean exported, rep *pstcheck.Report, got exported) {
	t.Helper()
	cleanByNID, subjects := clean.byNID(), map[string]bool{}
	for _, it := range clean.man.Items {
		subjects[it.Subject] = true
	}
	salvaged, whole := 0, 0
	for _, it := range got.man.Items {
		if it.State != export.StateLost || it.Path == nil {
			continue
		}
		salvaged++
		c, ok := cleanByNID[it.NID]
		switch {
		case !it.Damaged:
			t.Errorf("0x%X %q: lost, written unmarked", it.NID, it.Subject)
		case it.NID != 0 && (!ok || c.Subject != it.Subject):
			t.Errorf("0x%X: salvaged as %q, the clean file's message is %q", it.NID, it.Subject, c.Subject)
		case it.NID == 0 && !subjects[it.Subject]:
			t.Errorf("a message no entry links to was salvaged as %q, which no message of the clean file is", it.Subject)
		case it.NID != 0 && strings.Contains(deref(it.Problem), "its subnodes in block") && !strings.Contains(deref(it.Problem), "not written:") &&
			!strings.Contains(deref(it.Problem), string(finding.StoreNameMap)) && c.Path != nil:
			// Salvaged with all its subnodes: the clean message whole, but
			// for the header that marks it.
			if g, w := unmarked(got.file(t, *it.Path)), string(clean.file(t, *c.Path)); g != w {
				t.Errorf("0x%X: salvaged with its subnodes, but not as the clean export writes it", it.NID)
			} else {
				whole++
			}
		}
	}
	t.Logf("%d lost items salvaged, %d of them whole", salvaged, whole)
	// The damaged items nothing could be written of are those the scan
	// counts unreadable (its advice offers only the others), but for
	// damaged items the count takes for recovered heaps.
	beyond, damaged := 0, 0
	for _, it := range got.man.Items {
		if it.State == export.StateDamaged {
			damaged++
			if it.Skipped != nil && strings.HasPrefix(*it.Skipped, "damaged beyond reading") {
				beyond++
			}
		}
	}
	if extra := damaged - rep.Items.Damaged; beyond < rep.Items.Unreadable || beyond > rep.Items.Unreadable+extra {
		t.Errorf("%d damaged items written with nothing read; the scan counts %d unreadable (%d damaged items more listed than counted)", beyond, rep.Items.Unreadable, extra)
	}
	// Those the count takes for versions of items it counts are written
	// apart; the rest are lost items counted.
	versions := rep.Items.Versions
	if salvaged != rep.Items.Salvageable || salvaged-versions > rep.Items.Lost ||
		versions > 0 && !strings.Contains(got.stdout, fmt.Sprintf("Also written, marked X-Pstcheck-Damaged: %d message", versions)) {
		t.Errorf("%d lost items salvaged; the scan counts %d salvageable of %d lost; the summary says:\n%s", salvaged, rep.Items.Salvageable, rep.Items.Lost, got.stdout)
	}
}

// judgePartial: a damaged item --include-damaged writes, whose problem
// names no part left out and no block read as it is (a block whose
// trailer alone changed, its data checking out, say), must be the clean
// export's file but for its X-Pstcheck-Damaged header: the problem is all
// the user is told of what differs.
func judgePartial(t *testing.T, clean, got exported) {
	t.Helper()
	cleanByNID := clean.byNID()
	checked := 0
	for _, it := range got.man.Items {
		if it.State != export.StateDamaged || it.Path == nil {
			continue
		}
		p := deref(it.Problem)
		c, ok := cleanByNID[it.NID]
		if !ok || c.Path == nil || strings.Contains(p, "not written:") || strings.Contains(p, "read as it is") ||
			strings.Contains(p, "read as they are") || strings.Contains(p, string(finding.StoreNameMap)) {
			continue
		}
		checked++
		if g, w := unmarked(got.file(t, *it.Path)), string(clean.file(t, *c.Path)); g != w {
			t.Errorf("0x%X %q: written damaged with nothing said missing or unverified (%s), but not as the clean export writes it", it.NID, it.Subject, p)
		}
	}
	if checked > 0 {
		t.Logf("%d damaged items written with nothing left out: each the clean one", checked)
	}
}

// judgeRepair: repair --include-damaged of the damaged copy src writes
// exactly as many items as the export with --include-damaged (x), and the
// new store scans healthy with all of them readable.
func judgeRepair(t *testing.T, src, to string, x exported, outside map[string]bool) {
	t.Helper()
	written := 0
	for _, it := range x.man.Items {
		if it.Path != nil {
			written++
		}
	}
	ios, stdout, stderr := testIO(false)
	status := runCLI(ios, "repair", src, "--to", to, "--include-damaged", "--no-progress")
	if written == 0 {
		// Nothing written: no store of folders alone is made where the
		// store had items, and the exit status is export's.
		if status != x.status {
			t.Errorf("nothing to write: repair exits %d, export %d\n%s%s", status, x.status, stdout, stderr)
		}
		if _, err := os.Stat(to); err == nil && len(x.man.Items) > 0 {
			t.Errorf("nothing to write, yet repair made %s", to)
		}
		return
	}
	if status != x.status {
		t.Errorf("repair exits %d, export %d\n%s%s", status, x.status, stdout, stderr)
	}
	rep := pstcheck.ScanFile(t.Context(), to, pstcheck.Options{})
	if rep.Verdict != pstcheck.Healthy || rep.Items.Readable != written || rep.Items.Total != written {
		t.Errorf("the new store is %s with %d readable of %d items; the export wrote %d", rep.Verdict, rep.Items.Readable, rep.Items.Total, written)
	}
	underIPMSubtree(t, to, outside)
}

// ipmSubtree opens the store at path, which repair wrote, and returns it,
// the NID of the folder its message store names as its IPM subtree (the
// folders Outlook shows), and its index, for the folders' parents.
func ipmSubtree(t *testing.T, path string) (*pstcheck.Store, uint32, *ndb.Result) {
	t.Helper()
	store, err := pstcheck.OpenStore(t.Context(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	props, err := store.Reader.Properties(messaging.NIDMessageStore)
	entry := messaging.Bytes(props, 0x35E0) // PidTagIpmSubtreeEntryId
	if err != nil || len(entry) != 24 {
		t.Fatalf("%s names no IPM subtree (%v)", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	res := ndb.Scan(t.Context(), f, st.Size(), finding.SinkFunc(func(finding.Finding) {}), ndb.Options{})
	return store, binary.LittleEndian.Uint32(entry[20:]), res
}

// topFolder returns the folder under the root that nid lies in (nid when
// it is one), or 0.
func topFolder(res *ndb.Result, nid uint32) uint32 {
	for range 64 {
		n, ok := res.Node(nid)
		if !ok || n.Parent == nid {
			return 0
		}
		if n.Parent == 0x122 {
			return nid
		}
		nid = n.Parent
	}
	return 0
}

// outsideIPMSubtree names the folders under the root of the repair of
// the clean store at src (written to to) outside its IPM subtree that hold
// items: what Outlook keeps out of sight ("Freebusy Data"), or what an OST
// keeps beside its mailbox.
func outsideIPMSubtree(t *testing.T, src, to string) map[string]bool {
	t.Helper()
	ios, stdout, stderr := testIO(false)
	if status := runCLI(ios, "repair", src, "--to", to, "--no-progress"); status != exitOK {
		t.Fatalf("repair of the clean file exits %d\n%s%s", status, stdout, stderr)
	}
	store, ipm, res := ipmSubtree(t, to)
	out := map[string]bool{}
	for it := range store.Items(nil) {
		if topFolder(res, it.FolderNID) != ipm {
			out[strings.Split(it.Folder, "/")[0]] = true
		}
	}
	return out
}

// underIPMSubtree: every item of the store at path lies under its IPM
// subtree, where Outlook shows it, but in folders the repair of the clean
// store keeps outside it too (outside). (A copy cut off has lost its message store,
// and with it the name of its IPM subtree: its folders were once copied
// beside the new store's, under the root, where Outlook shows nothing.)
func underIPMSubtree(t *testing.T, path string, outside map[string]bool) {
	t.Helper()
	store, ipm, res := ipmSubtree(t, path)
	for it := range store.Items(nil) {
		if top := topFolder(res, it.FolderNID); top != ipm && !outside[strings.Split(it.Folder, "/")[0]] {
			t.Errorf("item 0x%X in %q is not under the IPM subtree 0x%X: Outlook does not show it", it.NID, it.Folder, ipm)
			return
		}
	}
}

// unmarked is an exported EML without its X-Pstcheck-Damaged header (a
// vCard or iCalendar file without its X-PSTCHECK-DAMAGED property).
func unmarked(eml []byte) string {
	lines := strings.SplitAfter(string(eml), "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "X-Pstcheck-Damaged:") && !strings.HasPrefix(lines[i], "X-PSTCHECK-DAMAGED:") {
			out.WriteString(lines[i])
			continue
		}
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") {
			i++ // its folded lines
		}
	}
	return out.String()
}

// quietReport: however heavy the damage, the text report stays readable
// (findings of one code summed up, folders capped) while the JSON report
// still lists every finding the scan kept. The longest, 67 lines, is
// enron.pst with 4 MiB zeroed at 50% (11 kinds of finding, three
// MSG-UNLINKED listed one by one, five damaged folders and the line
// saying what their star means, an Index line of three); then the 4 MB OST with 1 MiB zeroed at 25%, 61 lines: 15 kinds
// of finding, two lines each.
func quietReport(t *testing.T, rep *pstcheck.Report) {
	t.Helper()
	run := report.Run{Version: "test", Reports: []*pstcheck.Report{rep}}
	var text, js bytes.Buffer
	for format, b := range map[string]*bytes.Buffer{"text": &text, "json": &js} {
		w, err := report.New(format)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(b, run); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(text.String(), "\n"); n > 68 {
		t.Errorf("the text report has %d lines, want at most 68:\n%s", n, text.String())
	}
	var parsed struct {
		Files []struct {
			Problems []json.RawMessage `json:"problems"`
		} `json:"files"`
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil || len(parsed.Files) != 1 {
		t.Fatalf("json report: %v", err)
	}
	if got := len(parsed.Files[0].Problems); got != len(rep.Findings) {
		t.Errorf("the JSON report lists %d findings, the scan kept %d", got, len(rep.Findings))
	}
}

func deref(s *string) string {
	if s == nil {
		return "(no problem named)"
	}
	return *s
}

// fileSum is damagekit.ContentSum of an exported item's file.
func fileSum(t *testing.T, x exported, it export.ManifestItem) string {
	t.Helper()
	sum, err := damagekit.ContentSum(filepath.Join(x.dir, filepath.FromSlash(*it.Path)))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// contentSum is the SHA-256 the manifest gives an exported item.
func contentSum(t *testing.T, x exported, it export.ManifestItem) string {
	t.Helper()
	if it.SHA256 == nil {
		t.Fatalf("0x%X: no SHA-256 in the manifest", it.NID)
	}
	return *it.SHA256
}

// TestNodeIndexDestroyedGenerated: a generated store (the project's
// writer, as pstgen writes it) with every NBT page zeroed. Its writer keeps
// a display To but no display Cc, and numbers every message's subnodes
// alike, so neither the recipients a heap names nor the subnodes it names
// tell its subnode tree apart: a heap whose own tree lists a Cc fits no
// tree, and was recovered without one, its recipients lost, as healthy.
// Every message written unmarked must be a clean one (judgeHeavyDamage).
func TestNodeIndexDestroyedGenerated(t *testing.T) {
	src := filepath.Join(t.TempDir(), "generated.pst")
	shape := synth.DefaultShape()
	shape.Messages, shape.BodyMin, shape.BodyMax, shape.AttachMin, shape.AttachMax = 2000, 20, 400, 100, 4000
	gentest.Store(t, src, "generated", shape, 3)
	got := judgeNodeIndexDestroyed(t, src, nil)
	if got.man.Store.Recovered == 0 {
		t.Errorf("nothing recovered: %+v", *got.man.Store)
	}
}

// The faults a review found in the first version, each in a store made for
// it, with every NBT page zeroed and judged by judgeHeavyDamage:
//   - a message whose display names leave out a recipient (A: display To
//     "X", recipients X and Y) fits no tree; its own tree fits another
//     heap (B, which names both) that fits two, so no tree was left over
//     and A was recovered without a tree, its recipients lost;
//   - the same with A's display To empty;
//   - a message embedded in an attachment whose subnode block is lost is
//     listed by no tree any more: its heap keeps no display names, and
//     was recovered as a message of its own, without its recipients.
func TestNodeIndexDestroyedReview(t *testing.T) {
	t0 := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	recipient := func(typ int32, name string) []pstwrite.Property {
		return []pstwrite.Property{pstwrite.Int32(0x0C15, typ), pstwrite.String(0x3001, name),
			pstwrite.String(0x3002, "SMTP"), pstwrite.String(0x3003, name+"@example.com")}
	}
	message := func(subject string, at time.Time, display map[uint16]string, recipients ...[]pstwrite.Property) *pstwrite.Message {
		m := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x001A, "IPM.Note"), pstwrite.String(0x0037, subject),
			pstwrite.String(0x0042, "Sender"), pstwrite.Time(0x0039, at), pstwrite.Time(0x0E06, at), pstwrite.Int32(0x0E07, 1),
			pstwrite.String(0x1000, "body of "+subject)}, Recipients: recipients}
		for id, v := range display {
			m.Props = append(m.Props, pstwrite.String(id, v))
		}
		return m
	}
	write := func(t *testing.T, msgs ...*pstwrite.Message) string {
		src := filepath.Join(t.TempDir(), "crafted.pst")
		gentest.Write(t, src, "crafted", func(w *pstwrite.Writer) error {
			inbox, err := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "Inbox", Class: "IPF.Note"})
			if err != nil {
				return err
			}
			for _, m := range msgs {
				if err := w.AddMessage(inbox, m); err != nil {
					return err
				}
			}
			return nil
		})
		return src
	}
	t.Run("display names leave out a Cc", func(t *testing.T) {
		judgeNodeIndexDestroyed(t, write(t,
			message("A", t0, map[uint16]string{0x0E04: "X"}, recipient(1, "X"), recipient(2, "Y")),
			message("B", t0.Add(time.Hour), map[uint16]string{0x0E04: "X", 0x0E03: "Y"}, recipient(1, "X"), recipient(2, "Y"))), nil)
	})
	t.Run("display To empty", func(t *testing.T) {
		judgeNodeIndexDestroyed(t, write(t,
			message("A", t0, map[uint16]string{0x0E04: ""}, recipient(1, "X")),
			message("B", t0.Add(time.Hour), map[uint16]string{0x0E04: "X"}, recipient(1, "X"))), nil)
	})
	t.Run("embedded message's attachment lost", func(t *testing.T) {
		src := filepath.Join(t.TempDir(), "embedded.pst")
		gentest.Store(t, src, "embedded", synth.Shape{Messages: 40, Folders: 2, Depth: 1, BodyMin: 100, BodyMax: 400, Recipients: 1, EmbedEvery: 2}, 5)
		judgeNodeIndexDestroyed(t, src, func(f *pstmut.File, b []byte) {
			// Zero the subnode block of the first attachment that embeds
			// a message.
			for _, n := range f.NBT {
				if n.NID&0x1F != ndb.NIDTypeMessage || n.Sub == 0 {
					continue
				}
				for nid, e := range f.Subnodes(n.Sub) {
					if nid&0x1F == ndb.NIDTypeAttachment && e.Sub != 0 {
						off, size := f.Extent(e.Sub)
						clear(b[off : off+size])
						return
					}
				}
			}
			t.Fatal("no attachment with subnodes")
		})
	})
}

// judgeNodeIndexDestroyed zeroes every NBT page of src (and damages it
// further with more, when given), exports it, and judges the export
// against the clean one (judgeHeavyDamage).
func judgeNodeIndexDestroyed(t *testing.T, src string, more func(f *pstmut.File, b []byte)) exported {
	t.Helper()
	dir := t.TempDir()
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := damagekit.Named(f, "every NBT page zeroed (the node index destroyed)")
	if !ok {
		t.Fatal("no such damage case")
	}
	damaged := c.Damage(f)
	if more != nil {
		more(f, damaged)
	}
	clean := runExport(t, src, filepath.Join(dir, "clean"))
	_, _, got := scanAndExportDamaged(t, dir, src, damaged, c.Oracle(f, damaged), clean, sumsOf(t, clean))
	return got
}

// scanAndExportDamaged writes the damaged copy of src into dir, scans
// and exports it, and judges the export against the clean one
// (judgeHeavyDamage).
func scanAndExportDamaged(t *testing.T, dir, src string, damaged []byte, fates map[uint32]damagekit.Fate, clean exported, sums cleanSums) (string, *pstcheck.Report, exported) {
	t.Helper()
	p := filepath.Join(dir, "damaged"+filepath.Ext(src))
	if err := os.WriteFile(p, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	rep := pstcheck.ScanFile(t.Context(), p, pstcheck.Options{})
	got := runExport(t, p, filepath.Join(dir, "out"))
	judgeHeavyDamage(t, clean, sums, fates, rep, got)
	return p, rep, got
}

// TestNodeIndexDestroyedCodepage: an ANSI store in code page 932 with
// every NBT page zeroed. No message node is left to say the store's code
// page; the message heaps no node uses say it instead, so the contact
// recovered is written in Japanese, not read as code page 1252.
func TestNodeIndexDestroyedCodepage(t *testing.T) {
	srcs := samples.CorpusNamed("hiraoka-pst-extractor__contacts97-2002.pst")
	if len(srcs) == 0 {
		t.Skip("the corpus is not here")
	}
	got := judgeNodeIndexDestroyed(t, srcs[0], nil)
	if got.man.Store.Recovered != 1 {
		t.Errorf("%+v, want the contact recovered", *got.man.Store)
	}
}

// With support.pst's node index destroyed, its recovered messages go to
// Recovered items/Drafts and Recovered items/Sent Messages, as their
// listings among the unused blocks tell; --folders can name those folders:
// the 6 drafts, all recovered.
func TestExportPlacedFolder(t *testing.T) {
	src := samples.GoPst("support.pst")
	if src == "" {
		t.Skip("go-pst samples not downloaded")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "destroyed.pst")
	if err := damagekit.WriteNodeIndexDestroyed(src, p); err != nil {
		t.Fatal(err)
	}
	x := runExport(t, p, filepath.Join(dir, "out"), "--folders", "Recovered items/Drafts")
	var written []string
	for _, it := range x.man.Items {
		if it.Path != nil {
			written = append(written, it.Folder)
		}
	}
	if len(written) != 6 || slices.ContainsFunc(written, func(f string) bool { return f != "Recovered items/Drafts" }) {
		t.Errorf("exit %d, written in %q\n%s%s", x.status, written, x.stdout, x.stderr)
	}
}

// TestExportUnreachableFolder: with the NBT leaf holding the root folder
// zeroed, support.pst's folders are reached by no walk and the scan shows
// them as "(unreachable)/...", their items go under "Recovered items/..."
// (Item.Folder; the export tree puts them where their parents' NIDs lead,
// here the root's). --folders takes either path and exports the folder's
// items; the exit status says listings are lost.
func TestExportUnreachableFolder(t *testing.T) {
	f, err := pstmut.Load(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := damagekit.Named(f, "NBT leaf zeroed (root folder)")
	if !ok {
		t.Fatal("no such damage case")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "rootleaf.pst")
	if err := os.WriteFile(p, c.Damage(f), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, typed := range []string{"(unreachable)/Top of Personal Folders/Drafts", `recovered items\top of personal folders\drafts`} {
		x := runExport(t, p, filepath.Join(dir, fmt.Sprint("out", i)), "--folders", typed)
		var written []string
		for _, it := range x.man.Items {
			if it.Path != nil {
				written = append(written, it.Folder)
			}
		}
		if x.status != 1 || len(written) != 6 || slices.ContainsFunc(written, func(f string) bool { return f != "Top of Personal Folders/Drafts" }) {
			t.Errorf("--folders %q: exit %d, written in %q\n%s%s", typed, x.status, written, x.stdout, x.stderr)
		}
	}
}
