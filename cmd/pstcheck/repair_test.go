package main

import (
	"context"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// TestRepairCommand runs "pstcheck repair" on a clean sample: exit 0, the
// summary counts every item, the new store scans healthy, the source is
// untouched and no temporary file is left behind.
func TestRepairCommand(t *testing.T) {
	dir := t.TempDir()
	src := copySample(t, "support.pst", dir, "support.pst")
	before, _ := os.ReadFile(src)
	to := filepath.Join(dir, "new", "repaired.pst")
	os.MkdirAll(filepath.Dir(to), 0o755)
	ios, stdout, stderr := testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "Wrote 17 of 17 items") {
		t.Errorf("summary: %s", stdout)
	}
	rep := pstcheck.ScanFile(context.Background(), to, pstcheck.Options{})
	if rep.Verdict != pstcheck.Healthy || rep.Items.Readable != 17 {
		t.Errorf("new store: %s with %d readable items", rep.Verdict, rep.Items.Readable)
	}
	if after, _ := os.ReadFile(src); string(after) != string(before) {
		t.Error("the source changed")
	}
	ents, _ := os.ReadDir(filepath.Dir(to))
	if len(ents) != 1 {
		t.Errorf("the target folder holds %d entries, want only the new store", len(ents))
	}
}

// TestRepairRefusesToOverwrite: the target must be a new file, never the
// source nor any existing file (exit 2, nothing written).
func TestRepairRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	src := copySample(t, "32-bit.pst", dir, "a.pst")
	other := filepath.Join(dir, "other.pst")
	os.WriteFile(other, []byte("keep me"), 0o644)
	for _, to := range []string{src, other} {
		ios, stdout, stderr := testIO(false)
		if code := runCLI(ios, "repair", src, "--to", to); code != 2 {
			t.Errorf("--to %s: exit %d, want 2\n%s%s", to, code, stdout, stderr)
		}
	}
	if b, _ := os.ReadFile(other); string(b) != "keep me" {
		t.Error("an existing file was overwritten")
	}
	ios, _, _ := testIO(false)
	if code := runCLI(ios, "repair", src); code != 2 {
		t.Errorf("without --to: exit %d, want 2", code)
	}
	ios, _, _ = testIO(false)
	garbage := filepath.Join(dir, "garbage.pst")
	os.WriteFile(garbage, make([]byte, 4096), 0o644)
	if code := runCLI(ios, "repair", garbage, "--to", filepath.Join(dir, "g.pst")); code != 2 {
		t.Errorf("not a PST: exit %d, want 2", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "g.pst")); err == nil {
		t.Error("a store was written for a file that is not one")
	}
}

// TestRepairDamagedExitStatus: a store with a damaged item repairs with
// exit 1 and names the item; the new store is healthy.
func TestRepairDamagedExitStatus(t *testing.T) {
	dir := t.TempDir()
	src, _ := supportWithMessagesDamaged(t, dir, 1)
	to := filepath.Join(dir, "repaired.pst")
	ios, stdout, stderr := testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	list := filepath.Join(dir, "repaired-not-written.txt")
	if !strings.Contains(stdout.String(), "Not written: 1 damaged") || !strings.Contains(stdout.String(), "skipped: damaged") ||
		!strings.Contains(stdout.String(), "is listed in "+list+":") {
		t.Errorf("summary does not name the damaged item and the list:\n%s", stdout)
	}
	if rep := pstcheck.ScanFile(context.Background(), to, pstcheck.Options{}); rep.Verdict != pstcheck.Healthy {
		t.Errorf("new store: %s", rep.Verdict)
	}
	// The list names the item too, one line; a second repair to a new
	// store beside it does not replace the list.
	b, err := os.ReadFile(list)
	if err != nil || strings.Count(string(b), "\n") != 1 || !strings.Contains(string(b), "skipped: damaged") {
		t.Errorf("list %q: %v", b, err)
	}
	os.Remove(to)
	ios, stdout, stderr = testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to); code != 2 || !strings.Contains(stderr.String(), list+" already exists") {
		t.Errorf("repair beside an earlier list: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(to); err == nil {
		t.Error("a store was written although its list could not be")
	}
}

// TestRepairListStreams: a repair of a store whose items are mostly lost
// names the first few on the terminal and every one in the list file:
// enron.pst cut off at half its size.
func TestRepairListStreams(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "cut.pst")
	b, err := os.ReadFile(testkit.GoPst(t, "enron.pst"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(src, b[:len(b)/2], 0o644)
	to := filepath.Join(dir, "new.pst")
	ios, stdout, stderr := testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	list, err := os.ReadFile(filepath.Join(dir, "new-not-written.txt"))
	lines := strings.Count(string(list), "\n")
	if err != nil || lines <= shownNotWritten {
		t.Fatalf("list of %d lines: %v", lines, err)
	}
	shown := 0
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "  ") {
			shown++
			if !strings.Contains(string(list), strings.TrimSpace(l)+"\n") {
				t.Errorf("shown, not in the list: %s", l)
			}
		}
	}
	want := fmt.Sprintf("the first %d of %d:", shownNotWritten, lines)
	if shown != shownNotWritten || !strings.Contains(strings.ReplaceAll(stdout.String(), ",", ""), want) {
		t.Errorf("%d lines shown, want %d and %q:\n%s", shown, shownNotWritten, want, stdout)
	}
}

// TestSalvageLostItemsCommands: support.pst with the NBT leaf page that
// holds only messages zeroed loses 10 messages' nodes; their folder still
// lists them and their property blocks survive. 5 are recovered whole: the
// one subnode tree that fits each is told apart by its recipients. The
// other 5 were sent to the same people and name the same subnodes; the
// Message-ID their transport headers repeat tells their trees apart, but
// here each heap's Message-ID is changed first (as a writer might keep
// one the headers do not give), so that no tree is theirs: they stay
// lost. The scan says
// --include-damaged saves what is left of them; export and repair write
// nothing of them without it (the export's summary offers it) and, with it, each with what its block holds,
// marked as damaged: the export's manifest keeps them "lost" (with the
// clean message's subject), the new store scans healthy and holds them.
func TestSalvageLostItemsCommands(t *testing.T) {
	dir := t.TempDir()
	f, err := pstmut.Load(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	// The Message-ID of every message that keeps its display Bcc in
	// subnode 0x803F (those sent to the same people, whose trees fit each
	// other's heaps).
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 {
			continue
		}
		h := f.NodeHeap(n.NID)
		bcc, inSub := h.Prop(0x0E02)
		id, ok := h.Prop(0x1035)
		if inSub && bcc.Value == 0x803F && ok {
			h.EditItem(id.Value, func(b []byte) { b[2] ^= 1 })
		}
	}
	src := filepath.Join(dir, "leaf.pst")
	leaf, ok := damagekit.Named(f, "NBT leaf zeroed (messages only)")
	if !ok {
		t.Fatal("no such damage case")
	}
	if err := os.WriteFile(src, leaf.Damage(f), 0o644); err != nil {
		t.Fatal(err)
	}
	clean := runExport(t, testkit.GoPst(t, "support.pst"), filepath.Join(dir, "clean")).byNID()

	ios, stdout, _ := testIO(false)
	runCLI(ios, "scan", src)
	if !strings.Contains(stdout.String(), "Add --include-damaged to write also what is left of 5 lost items") {
		t.Errorf("the scan's advice does not offer to salvage the lost items:\n%s", stdout)
	}

	plain := runExport(t, src, filepath.Join(dir, "plain"))
	full := runExport(t, src, filepath.Join(dir, "full"), "--include-damaged")
	if plain.status != 1 || full.status != 1 {
		t.Errorf("exit %d without --include-damaged, %d with it; want 1 and 1", plain.status, full.status)
	}
	if !strings.Contains(full.stdout, "Exported 17 of 17 items") || !strings.Contains(full.stdout, "5 lost, written from the blocks that still hold them") {
		t.Errorf("export summary:\n%s", full.stdout)
	}
	// Without --include-damaged the summary says what it would add.
	const offer = "Add --include-damaged to write also what is left of 5 lost items"
	if !strings.Contains(plain.stdout, offer) || strings.Contains(full.stdout, "Add --include-damaged") {
		t.Errorf("export summary without --include-damaged:\n%s\nwith it:\n%s", plain.stdout, full.stdout)
	}
	salvaged := 0
	for _, it := range full.man.Items {
		if it.State != export.StateLost {
			continue
		}
		if it.Path == nil || !it.Damaged {
			t.Errorf("0x%X: lost, written %v, damaged %v", it.NID, it.Path != nil, it.Damaged)
			continue
		}
		salvaged++
		eml := string(full.file(t, *it.Path))
		if !strings.Contains(eml, "\nX-Pstcheck-Damaged: lost: ") || it.Subject != clean[it.NID].Subject {
			t.Errorf("0x%X: subject %q (clean %q), header:\n%s", it.NID, it.Subject, clean[it.NID].Subject, eml[:min(len(eml), 600)])
		}
	}
	for _, it := range plain.man.Items {
		if it.State == export.StateLost && it.Path != nil {
			t.Errorf("0x%X: lost, written without --include-damaged", it.NID)
		}
	}
	if salvaged != 5 || *full.man.Store != *plain.man.Store || full.man.Store.Lost != 5 || full.man.Store.Recovered != 5 {
		t.Errorf("%d lost items written; accounting %+v with --include-damaged, %+v without", salvaged, *full.man.Store, *plain.man.Store)
	}
	for _, it := range plain.man.Items {
		if it.State == export.StateRecovered && (it.Path == nil || it.Damaged || *it.SHA256 != *clean[it.NID].SHA256) {
			t.Errorf("0x%X: recovered, but not written as the clean export writes it", it.NID)
		}
	}

	to := filepath.Join(dir, "repaired.pst")
	ios, stdout, stderr := testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to, "--include-damaged"); code != 1 {
		t.Fatalf("repair: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "Wrote 17 of 17 items") || !strings.Contains(stdout.String(), "5 lost, written from the blocks that still hold them") {
		t.Errorf("repair summary:\n%s", stdout)
	}
	if rep := pstcheck.ScanFile(context.Background(), to, pstcheck.Options{}); rep.Verdict != pstcheck.Healthy || rep.Items.Readable != 17 {
		t.Errorf("new store: %s with %d readable items", rep.Verdict, rep.Items.Readable)
	}
}

// TestRepairNothingWritten: a store none of whose items can be written is
// not repaired into a store of folders alone, which would pass for the
// repaired one (an audit found one left in place, with exit 2 where export
// gives 1): the summary says it was not created, the list names every
// item, and the exit status is export's.
func TestRepairNothingWritten(t *testing.T) {
	dir := t.TempDir()
	src, damaged := supportWithMessagesDamaged(t, dir, -1)
	to := filepath.Join(dir, "repaired.pst")
	ios, stdout, stderr := testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(to); err == nil {
		t.Error("a store was made although no item could be written")
	}
	if !strings.Contains(stdout.String(), "could be written, so "+to+" was not created") || strings.Contains(stdout.String(), "Wrote 0") {
		t.Errorf("summary:\n%s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(dir, "repaired-not-written.txt"))
	if err != nil || strings.Count(string(b), "\n") != damaged {
		t.Errorf("list of %d items: %q %v", damaged, b, err)
	}
}

// A copy of which no item can be found, its listings lost (the first 513
// bytes of 32-bit.pst), is repaired into no store either: an empty store
// that scans healthy would stand for one that held who knows what.
func TestRepairNothingFound(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(testkit.GoPst(t, "32-bit.pst"))
	if err != nil {
		t.Fatal(err)
	}
	src, to := filepath.Join(dir, "cut.pst"), filepath.Join(dir, "repaired.pst")
	if err := os.WriteFile(src, b[:513], 0o644); err != nil {
		t.Fatal(err)
	}
	ios, stdout, stderr := testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to); code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(to); err == nil {
		t.Error("an empty store was made")
	}
	if !strings.Contains(stdout.String(), "No item of "+src+" could be found, so "+to+" was not created") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// supportWithMessagesDamaged writes to dir, as damaged.pst, support.pst
// with a byte of the property heap of its first n messages changed (n < 0:
// all), and returns its path and how many were damaged.
func supportWithMessagesDamaged(t *testing.T, dir string, n int) (string, int) {
	t.Helper()
	f, err := pstmut.Load(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	for _, e := range f.NBT {
		if e.NID&0x1F == 0x04 && e.Data != 0 && damaged != n {
			f.FlipByte(int64(f.MustBlock(e.Data).IB) + 20)
			damaged++
		}
	}
	src := filepath.Join(dir, "damaged.pst")
	if err := os.WriteFile(src, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	return src, damaged
}

// A store with a PST password is said to have one (the password does not
// encrypt it: it is scanned and repaired without it), and the repair says
// the new store has none and how to set one. support.pst with its
// PidTagPstPassword set to the CRC-32 of "secret".
func TestRepairOfPasswordProtectedStore(t *testing.T) {
	f, err := pstmut.Load(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	h := f.NodeHeap(0x21) // the message store
	p, ok := h.Prop(0x67FF)
	if !ok {
		t.Fatal("support.pst keeps no PidTagPstPassword")
	}
	h.SetProp(0x67FF, p.Type, crc32.ChecksumIEEE([]byte("secret")))
	dir := t.TempDir()
	src, to := filepath.Join(dir, "locked.pst"), filepath.Join(dir, "open.pst")
	if err := os.WriteFile(src, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	ios, stdout, _ := testIO(false)
	if code := runCLI(ios, "scan", src); code != 0 || !strings.Contains(stdout.String(), "password-protected (Outlook asks for it; pstcheck reads the store without it)") {
		t.Errorf("scan: exit %d\n%s", code, stdout)
	}
	ios, stdout, _ = testIO(false)
	if code := runCLI(ios, "repair", src, "--to", to, "--no-progress"); code != 0 ||
		!strings.Contains(stdout.String(), "Wrote 17 of 17 items") ||
		!strings.Contains(stdout.String(), "The original store has a PST password; the new one has none") {
		t.Errorf("repair: exit %d\n%s", code, stdout)
	}
	if rep := pstcheck.ScanFile(context.Background(), to, pstcheck.Options{}); rep.Password || rep.Verdict != pstcheck.Healthy {
		t.Errorf("the new store: password %v, verdict %s", rep.Password, rep.Verdict)
	}
}
