package pstcheck_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// A store opened over any io.ReaderAt yields the items a store opened by
// path does, each with its folder and what became of it, and every item
// of every folder the report counts.
func TestOpenOverReaderAt(t *testing.T) {
	p := samples.GoPst("support.pst")
	if p == "" {
		t.Skip("go-pst's samples are not downloaded")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	byPath, err := pstcheck.OpenStore(context.Background(), p, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer byPath.Close()
	inMemory, err := pstcheck.Open(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{Name: p})
	if err != nil {
		t.Fatal(err)
	}
	a, c := slices.Collect(byPath.Items(nil)), slices.Collect(inMemory.Items(nil))
	if !slices.Equal(a, c) || len(a) != byPath.Report.Items.Total {
		t.Errorf("%d items by path, %d in memory; the report counts %d", len(a), len(c), byPath.Report.Items.Total)
	}
	for _, it := range c {
		if it.State != pstcheck.ItemReadable || it.Folder == "" {
			t.Errorf("item 0x%X in %q is %v", it.NID, it.Folder, it.State)
		}
		if _, err := inMemory.Reader.Message(it.NID); err != nil {
			t.Errorf("item 0x%X: %v", it.NID, err)
		}
	}
}

// A choice of folders counts what Items yields for them: its readable,
// recovered and damaged items exactly, its lost ones at least, and messages
// known only by their heap with the folder whose listing places them (one
// taken for a lost item that folder's count names counted once). On
// enron.pst with every NBT page zeroed, "(unreachable)/All documents" was
// said "Exported 840 of 10 items", and bailey-s/Sent Items counted 12 lost
// the whole store recovers (audit).
func TestAccountingOfChosenFolders(t *testing.T) {
	f := loadGoPst(t, "enron.pst")
	s := openBytes(t, nodeIndexZeroed(t, f))
	defer s.Close()
	choices := []string{pstcheck.RecoveredFolder}
	for _, fo := range s.Report.Folders {
		choices = append(choices, pstcheck.ExportPath(fo.Path))
	}
	whole := s.Accounting(nil)
	for _, choice := range choices {
		keep := func(folder string) bool { return folder == choice || strings.HasPrefix(folder, choice+"/") }
		acct := s.Accounting(keep)
		states := map[pstcheck.ItemState]int{}
		for it := range s.Items(keep) {
			states[it.State]++
		}
		if states[pstcheck.ItemReadable] != acct.Readable || states[pstcheck.ItemRecovered] != acct.Recovered ||
			states[pstcheck.ItemDamaged] != acct.Damaged || acct.Lost < 0 || acct.Total > whole.Total ||
			acct.Total != acct.Readable+acct.Damaged+acct.Lost+acct.Recovered {
			t.Errorf("%q: counted %+v, yielded %v (the whole store %d)", choice, acct, states, whole.Total)
		}
		// Sent Items' 12 messages its listing, found among the unused
		// blocks, places are its own: yielded and counted with it.
		if strings.HasSuffix(choice, "bailey-s/Sent Items") && (acct.Lost != 0 || acct.Recovered != 15) {
			t.Errorf("%q: counted %+v, yielded %v; want its 15 items recovered", choice, acct, states)
		}
	}
}
