package ndb_test

import (
	"context"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// phases records the passes' phases and cancels the scan when one
// starts.
type phases struct {
	names    []string
	cancelAt string
	cancel   context.CancelFunc
	bytes    int64
}

func (p *phases) Phase(name string) {
	p.names = append(p.names, name)
	if name == p.cancelAt {
		p.cancel()
	}
}

func (p *phases) Add(n int64) { p.bytes += n }

// The passes run in order and say so through Progress.
func TestScanPhases(t *testing.T) {
	f := sample(t, unicodeSample)
	p := &phases{}
	ndb.Scan(context.Background(), f.Reader(), f.Size(), finding.SinkFunc(func(finding.Finding) {}), p)
	want := []string{"header", "b-trees", "blocks", "nodes"}
	if len(p.names) != len(want) {
		t.Fatalf("phases %q, want %q", p.names, want)
	}
	for i := range want {
		if p.names[i] != want[i] {
			t.Fatalf("phases %q, want %q", p.names, want)
		}
	}
	if p.bytes <= 0 || p.bytes > f.Size() {
		t.Errorf("progress of %d bytes for a file of %d", p.bytes, f.Size())
	}
}
