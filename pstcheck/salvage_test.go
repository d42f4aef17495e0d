package pstcheck_test

import (
	"bytes"
	"context"
	"fmt"
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
//
// A lost message's subnodes (recipients, attachments, large values) are
// found when one unused subnode tree alone fits it: then it is salvaged
// whole, equal to the clean message in every property, recipient and
// attachment. enron.pst names distinct subnodes per message, so all 7 are;
// support.pst gives every message the same few, so none is.
func TestSalvageLostItems(t *testing.T) {
	wantWhole := map[string]int{"support.pst": 0, "enron.pst": 7}
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
			leaf, ok := damagekit.Named(f, "NBT leaf zeroed (messages only)")
			if !ok {
				t.Fatal("no such damage case")
			}
			damaged := leaf.Damage(f)
			clean, err := pstcheck.Open(context.Background(), bytes.NewReader(f.B), int64(len(f.B)), pstcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			store, err := pstcheck.Open(context.Background(), bytes.NewReader(damaged), int64(len(damaged)), pstcheck.Options{})
			if err != nil {
				t.Fatal(err)
			}
			lost, salvaged, whole := 0, 0, 0
			for x := range store.Items(nil) {
				if x.State != pstcheck.ItemLost {
					continue
				}
				lost++
				if x.Salvage.Data == 0 {
					continue
				}
				salvaged++
				if m, why := pstcheck.ReadItem(x, readWith(store.Reader, x), false); m != nil || !strings.HasPrefix(why, "lost: ") {
					t.Errorf("0x%X: written without includeDamaged (%q)", x.NID, why)
				}
				m, why := pstcheck.ReadItem(x, readWith(store.Reader, x), true)
				if m == nil || !strings.HasPrefix(why, "lost: ") {
					t.Fatalf("0x%X: not salvaged: %q", x.NID, why)
				}
				want, err := clean.Reader.Message(x.NID)
				if err != nil {
					t.Fatalf("0x%X in the clean file: %v", x.NID, err)
				}
				if x.Salvage.Sub != 0 {
					// Its subnodes were told apart: it is the clean
					// message whole.
					whole++
					sameMessage(t, x.NID, m, want)
					continue
				}
				if len(m.Props) < 5 || len(m.Recipients) != 0 || len(m.Attachments) != 0 {
					t.Errorf("0x%X: salvaged %d properties, %d recipients, %d attachments", x.NID, len(m.Props), len(m.Recipients), len(m.Attachments))
				}
				sameProps(t, fmt.Sprintf("0x%X", x.NID), m.Props, want.Props, false)
			}
			if lost == 0 || salvaged != lost || store.Report.Items.Salvageable != salvaged || whole != wantWhole[name] {
				t.Errorf("%d lost items, %d offered for salvage (%d with their subnodes, want %d), the report counts %d salvageable",
					lost, salvaged, whole, wantWhole[name], store.Report.Items.Salvageable)
			}
		})
	}
}

// sameMessage fails unless got equals want in every property,
// recipient and attachment.
func sameMessage(t *testing.T, nid uint32, got, want *messaging.Message) {
	t.Helper()
	what := fmt.Sprintf("0x%X", nid)
	sameProps(t, what, got.Props, want.Props, true)
	if len(got.Recipients) != len(want.Recipients) || len(got.Attachments) != len(want.Attachments) {
		t.Errorf("%s: %d recipients and %d attachments salvaged, the clean message has %d and %d",
			what, len(got.Recipients), len(got.Attachments), len(want.Recipients), len(want.Attachments))
		return
	}
	for i := range got.Recipients {
		sameProps(t, fmt.Sprintf("%s recipient %d", what, i), got.Recipients[i], want.Recipients[i], true)
	}
	for i, a := range got.Attachments {
		w := want.Attachments[i]
		sameProps(t, fmt.Sprintf("%s attachment %d", what, i), a.Props, w.Props, true)
		if !bytes.Equal(a.Data, w.Data) || (a.Embedded == nil) != (w.Embedded == nil) {
			t.Errorf("%s attachment %d: %d bytes salvaged, the clean one has %d", what, i, len(a.Data), len(w.Data))
		}
	}
}

// sameProps fails unless every property of got has want's value, and,
// when all, got has every property of want.
func sameProps(t *testing.T, what string, got, want messaging.Props, all bool) {
	t.Helper()
	for id, v := range got {
		w, ok := want[id]
		if !ok || w.Type != v.Type || w.Inline != v.Inline || !bytes.Equal(w.Data, v.Data) {
			t.Errorf("%s: property 0x%04X salvaged as %+v, the clean one has %+v", what, id, v, w)
		}
	}
	if all && len(got) != len(want) {
		t.Errorf("%s: %d properties salvaged, the clean one has %d", what, len(got), len(want))
	}
}

func readWith(r *messaging.Reader, x pstcheck.Item) func(bool) (*messaging.Message, []string, error) {
	return func(lenient bool) (*messaging.Message, []string, error) {
		return pstcheck.ReadMessage(r, x, messaging.ReadOptions{Lenient: lenient})
	}
}
