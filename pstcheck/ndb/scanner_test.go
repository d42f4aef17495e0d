package ndb_test

import (
	"context"
	"errors"
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
	ndb.Scan(context.Background(), f.Reader(), f.Size(), finding.SinkFunc(func(finding.Finding) {}), ndb.Options{Progress: p})
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

// A scan cancelled before its block pass has verified the blocks returns
// what it learned, but reads through it are refused (the blocks were not
// verified) and its maps are not checked: nothing unverified is handed on
// as sound.
func TestScanCancelled(t *testing.T) {
	for _, at := range []string{"b-trees", "blocks"} {
		t.Run(at, func(t *testing.T) {
			f := sample(t, unicodeSample)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			res := ndb.Scan(ctx, f.Reader(), f.Size(), finding.SinkFunc(func(finding.Finding) {}), ndb.Options{Progress: &phases{cancelAt: at, cancel: cancel}})
			if res == nil || res.NBT.Len() == 0 {
				t.Fatal("no result")
			}
			_, err := res.ReadBlocks(res.NBT.Entry(0).Data, nil)
			var re *ndb.ReadError
			if !errors.As(err, &re) {
				t.Errorf("read after the scan was cancelled: %v", err)
			}
			if _, err := res.Subnodes(f.NBT[len(f.NBT)-1].Sub, nil); err == nil {
				t.Errorf("subnodes read after the scan was cancelled")
			}
			var fs findings
			res.CheckMaps(finding.SinkFunc(func(x finding.Finding) { fs = append(fs, x) }))
			if len(fs) > 0 || res.FreeBytes != -1 {
				t.Errorf("maps checked after the scan was cancelled: %d free bytes:%s", res.FreeBytes, fs)
			}
		})
	}
}
