package repair

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// Messages with bodies of megabytes (read whole, unlike attachments): a
// lane the writer does not take from stops reading once what it holds
// passes laneBytes, before laneItems, and gives every item once taken.
func TestLanesStopAtTheirBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 35 MB store")
	}
	src := filepath.Join(t.TempDir(), "large bodies.pst")
	gen := gentest.Store(t, src, "large bodies", synth.Shape{Messages: 16, Folders: 1, BodyMin: 1 << 20, BodyMax: 1 << 20}, 5)
	store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w, err := pstwrite.New(&discard{}, pstwrite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer func(b int64) { laneBytes = b }(laneBytes)
	laneBytes = 5 << 20
	lanes := readAhead(ctx, newConverter(w, store.Reader), store.Items(nil), false)
	// Each lane has 8 items of 2 MB to read: with nobody taking them, it
	// stops once it holds laneBytes, after 3.
	const largest = 3 << 20
	for k, l := range lanes {
		deadline := time.Now().Add(time.Minute)
		for l.held.Load() < laneBytes {
			if time.Now().After(deadline) {
				t.Fatalf("lane %d holds %d bytes after a minute", k, l.held.Load())
			}
			time.Sleep(time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond) // it would read on now, were it not stopped
		if n, held := len(l.results), l.held.Load(); n >= laneItems || n >= gen.Messages/len(lanes) || held >= laneBytes+largest {
			t.Errorf("lane %d holds %d items, %d bytes: not stopped by its bytes", k, n, held)
		}
	}
	n := 0
	for i := 0; ; i++ {
		res, ok := lanes[i%len(lanes)].take(ctx)
		if !ok {
			break
		}
		if res.msg == nil || res.problem != "" {
			t.Errorf("item 0x%X: %s", res.item.NID, res.problem)
		}
		n++
	}
	if n != gen.Messages {
		t.Errorf("the lanes gave %d items of %d", n, gen.Messages)
	}
}
