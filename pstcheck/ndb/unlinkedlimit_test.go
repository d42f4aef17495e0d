package ndb_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// A store whose node index is destroyed, with more unused blocks than the
// scan keeps: a generated store of 2,000,000 messages kept the oldest
// 1,048,576 data blocks and said nothing of the rest, so that its name-to-ID
// map (rewritten last) was "lost", and a heap whose own tree was left out
// could be given another's that fits it. The newest are kept now, the rest
// are named by a finding, and every message recovered is the clean one.
func TestUnlinkedPastTheBound(t *testing.T) {
	src := samples.GoPst("enron.pst")
	dst := filepath.Join(t.TempDir(), "destroyed.pst")
	if err := damagekit.WriteNodeIndexDestroyed(src, dst); err != nil {
		t.Fatal(err)
	}
	clean, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	destroyed, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	bySubject := map[string][]*messaging.Message{}
	{
		res := ndb.Scan(context.Background(), bytes.NewReader(clean.B), int64(len(clean.B)), finding.SinkFunc(func(finding.Finding) {}), ndb.Options{})
		m := messaging.Check(context.Background(), res, finding.SinkFunc(func(finding.Finding) {}), messaging.Options{KeepItems: true})
		r := messaging.NewReader(res, m)
		for _, refs := range m.Items {
			for _, it := range refs {
				if msg, err := r.Message(it.NID); err == nil {
					s := r.String(msg.Props, 0x0037)
					bySubject[s] = append(bySubject[s], msg)
				}
			}
		}
	}
	scan := func(bound int) (*ndb.Result, *messaging.Result, []finding.Finding) {
		t.Helper()
		defer ndb.SetMaxUnlinked(bound)()
		var fs []finding.Finding
		sink := finding.SinkFunc(func(f finding.Finding) { fs = append(fs, f) })
		res := ndb.Scan(context.Background(), bytes.NewReader(destroyed), int64(len(destroyed)), sink, ndb.Options{})
		return res, messaging.Check(context.Background(), res, sink, messaging.Options{}), fs
	}
	wholeRes, whole, _ := scan(1 << 20)
	for _, bound := range []int{4000, 1500, 300} {
		res, m, fs := scan(bound)
		if res.UnlinkedLeftOut == 0 {
			t.Fatalf("bound %d: no block left out", bound)
		}
		limit := 0
		for _, f := range fs {
			if f.Code == finding.BlockUnusedLimit {
				limit++
			}
		}
		if limit != 1 {
			t.Errorf("bound %d: %d BLOCK-UNUSED-LIMIT findings, want 1", bound, limit)
		}
		if len(res.Unlinked) > bound || res.UnlinkedKept()-len(res.Unlinked) > bound {
			t.Errorf("bound %d: %d blocks kept, %d of them data blocks", bound, res.UnlinkedKept(), len(res.Unlinked))
		}
		// The newest are kept: the store's own nodes among them.
		if got, want := res.Unlinked[len(res.Unlinked)-1], wholeRes.Unlinked[len(wholeRes.Unlinked)-1]; got != want {
			t.Errorf("bound %d: newest heap kept 0x%X, want 0x%X", bound, got, want)
		}
		r := messaging.NewReader(res, m)
		recovered := 0
		for _, u := range m.Unlinked {
			if !u.Whole {
				continue
			}
			recovered++
			msg, _, err := r.ReadRemains(0, u.Remains, messaging.ReadOptions{Verify: true})
			if err != nil {
				t.Fatalf("bound %d: %q recovered but not read: %v", bound, u.Subject, err)
			}
			same := false
			for _, want := range bySubject[r.String(msg.Props, 0x0037)] {
				got := *msg
				got.NID, got.Heap = want.NID, want.Heap
				same = same || reflect.DeepEqual(&got, want)
			}
			if !same {
				t.Errorf("bound %d: %q recovered, but no clean message of that subject is the same", bound, u.Subject)
			}
		}
		t.Logf("bound %d: %d data and internal blocks left out; %d of %d heaps found recovered (%d with every block kept)",
			bound, res.UnlinkedLeftOut, recovered, len(m.Unlinked), whole.FromBlocks)
	}
}
