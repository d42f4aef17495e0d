package ndb

import (
	"bytes"
	"testing"
)

// The cache hands back each block it kept by BBT index, whatever order
// the verifiers kept them in, and nothing for a block it did not keep;
// once a batch would pass the limit it keeps nothing more, and those
// blocks are read from the file instead.
func TestInternalCache(t *testing.T) {
	c := &internalCache{}
	c.keep([]internalSpan{{idx: 7, off: 0, len: 3}, {idx: 2, off: 3, len: 2}}, []byte("abcde"))
	c.keep([]internalSpan{{idx: 5, off: 0, len: 1}}, []byte("z"))
	c.keep([]internalSpan{{idx: 9, off: 0, len: maxInternalKept}}, make([]byte, maxInternalKept))
	c.keep([]internalSpan{{idx: 1, off: 0, len: 1}}, []byte("y"))
	c.seal()
	for idx, want := range map[int]string{7: "abc", 2: "de", 5: "z", 9: "", 1: "", 3: ""} {
		if got := c.block(idx); !bytes.Equal(got, []byte(want)) && !(got == nil && want == "") {
			t.Errorf("block %d: %q, want %q", idx, got, want)
		}
	}
	if !c.full {
		t.Error("a batch past the limit did not fill the cache")
	}
	var none *internalCache
	if none.block(7) != nil {
		t.Error("no cache, yet a block")
	}
}
