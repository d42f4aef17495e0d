package ndb

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// badSector fails every read that touches [off, off+n), as a disk with a
// bad sector does.
type badSector struct {
	b       []byte
	off, n  int64
	reads   int
	touched bool
}

func (r *badSector) ReadAt(p []byte, off int64) (int, error) {
	r.reads++
	if off < r.off+r.n && off+int64(len(p)) > r.off {
		r.touched = true
		return 0, errors.New("bad sector")
	}
	return bytes.NewReader(r.b).ReadAt(p, off)
}

// A window serves every read as the file holds it, in far fewer reads than
// one per block when the reads are close together, and a bad sector costs
// only the reads that touch it.
func TestWindow(t *testing.T) {
	data := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	r := &badSector{b: data, off: 3 << 20, n: 512}
	var w window
	size := int64(len(data))
	reads := 0
	for off := int64(0); off+600 < 3<<20; off += 700 + int64(rng.IntN(400)) {
		for _, o := range []int64{off + 300, off} { // each "item": a block, then one before it
			p := make([]byte, 200+rng.IntN(300))
			if err := w.readAt(r, size, p, o); err != nil {
				t.Fatalf("read at %d: %v", o, err)
			}
			if !bytes.Equal(p, data[o:o+int64(len(p))]) {
				t.Fatalf("read at %d: wrong bytes", o)
			}
			reads++
		}
	}
	if r.reads*20 > reads {
		t.Errorf("%d reads from the file for %d reads from the window", r.reads, reads)
	}
	// Just before the bad sector: served, though a window over it fails.
	p := make([]byte, 512)
	if err := w.readAt(r, size, p, r.off-512); err != nil || !bytes.Equal(p, data[r.off-512:r.off]) {
		t.Errorf("read before the bad sector: %v", err)
	}
	if err := w.readAt(r, size, p, r.off); err == nil {
		t.Error("read of the bad sector succeeded")
	}
	if err := w.readAt(r, size, p, r.off+512); err != nil || !bytes.Equal(p, data[r.off+512:r.off+1024]) {
		t.Errorf("read after the bad sector: %v", err)
	}
	// Past the end of the file.
	if err := w.readAt(r, size, p, size-100); err == nil {
		t.Error("read past the end succeeded")
	}
	// A prefetched span serves the reads in it without reading again.
	w.prefetch(r, size, 1<<20, 1<<20+8000)
	before := r.reads
	for o := int64(1 << 20); o+500 <= 1<<20+8000; o += 500 {
		if err := w.readAt(r, size, p[:500], o); err != nil || !bytes.Equal(p[:500], data[o:o+500]) {
			t.Fatalf("prefetched read at %d: %v", o, err)
		}
	}
	if r.reads != before {
		t.Errorf("%d reads after the prefetch", r.reads-before)
	}
}
