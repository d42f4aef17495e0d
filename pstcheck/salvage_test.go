package pstcheck_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// With the NBT leaf page that holds only messages zeroed, those messages'
// nodes are lost but their folders' contents tables still list them, and
// the blocks holding their properties survive, linked to nothing. Each
// such lost item is offered for salvage with the block that holds its
// properties, and what is read from it is the clean message's own: every
// property salvaged has the value the clean file's message has. Without
// includeDamaged nothing of it is written.
func TestSalvageLostItems(t *testing.T) {
	for _, name := range []string{"support.pst", "enron.pst"} {
		t.Run(name, func(t *testing.T) {
			p := samples.GoPst(name)
			if p == "" {
				t.Skip("go-pst's samples are not downloaded")
			}
			f, err := pstmut.Load(p)
			if err != nil {
				t.Fatal(err)
			}
			damaged := damageCase(t, f, "NBT leaf zeroed (messages only)")
			clean, err := pstcheck.Open(context.Background(), bytes.NewReader(f.B), int64(len(f.B)), pstcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			store, err := pstcheck.Open(context.Background(), bytes.NewReader(damaged), int64(len(damaged)), pstcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			lost, salvaged := 0, 0
			for x := range store.Items(nil) {
				if x.State != pstcheck.ItemLost {
					continue
				}
				lost++
				if x.Salvage == 0 {
					continue
				}
				salvaged++
				if m, why := pstcheck.ReadItem(x, readWith(store.Reader, x), false); m != nil || !strings.HasPrefix(why, "lost: ") {
					t.Errorf("0x%X: written without includeDamaged (%q)", x.NID, why)
				}
				m, why := pstcheck.ReadItem(x, readWith(store.Reader, x), true)
				if m == nil || !strings.Contains(why, "written from its properties alone") {
					t.Fatalf("0x%X: not salvaged: %q", x.NID, why)
				}
				want, err := clean.Reader.Message(x.NID)
				if err != nil {
					t.Fatalf("0x%X in the clean file: %v", x.NID, err)
				}
				if len(m.Props) < 5 || len(m.Recipients) != 0 || len(m.Attachments) != 0 {
					t.Errorf("0x%X: salvaged %d properties, %d recipients, %d attachments", x.NID, len(m.Props), len(m.Recipients), len(m.Attachments))
				}
				for id, v := range m.Props {
					w, ok := want.Props[id]
					if !ok || w.Type != v.Type || w.Inline != v.Inline || !bytes.Equal(w.Data, v.Data) {
						t.Errorf("0x%X: property 0x%04X salvaged as %+v, the clean message has %+v", x.NID, id, v, w)
					}
				}
			}
			if lost == 0 || salvaged != lost || store.Report.Items.Salvageable != salvaged {
				t.Errorf("%d lost items, %d offered for salvage, the report counts %d salvageable", lost, salvaged, store.Report.Items.Salvageable)
			}
		})
	}
}

// damageCase returns f's bytes damaged as the heavy-damage matrix's case
// name says.
func damageCase(t *testing.T, f *pstmut.File, name string) []byte {
	t.Helper()
	for _, c := range damagekit.Cases(f) {
		if c.Name == name {
			return c.Damage(f)
		}
	}
	t.Fatalf("no damage case %q", name)
	return nil
}

func readWith(r *messaging.Reader, x pstcheck.Item) func(bool) (*messaging.Message, []string, error) {
	return func(lenient bool) (*messaging.Message, []string, error) {
		return pstcheck.ReadMessage(r, x, messaging.ReadOptions{Lenient: lenient})
	}
}
