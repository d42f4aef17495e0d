package repair_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
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
	f, err := pstmut.Load(srcs[0])
	if err != nil {
		t.Fatal(err)
	}
	c, ok := damagekit.Named(f, "every NBT page zeroed (the node index destroyed)")
	if !ok {
		t.Fatal("no such damage case")
	}
	src := filepath.Join(t.TempDir(), "destroyed.ost")
	if err := os.WriteFile(src, c.Damage(f), 0o644); err != nil {
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
