package pstcheck_test

import (
	"bytes"
	"context"
	"os"
	"slices"
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
