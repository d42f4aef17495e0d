package ndb_test

import (
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// MS-PST's CRC is the reflected CRC-32 of polynomial 0xEDB88320 started
// at 0 and not inverted at the end: not the zlib CRC-32 (0xCBF43926 for
// "123456789"). The values below come from a bit-by-bit implementation of
// that definition. Zeros check to 0, which is why a zeroed page passes
// its CRC and is caught by its type instead.
func TestCRC(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint32
	}{
		{"", 0},
		{"a", 0x3AB551CE},
		{"123456789", 0x2DFD2D88},
		{string(make([]byte, 100)), 0},
	} {
		if got := ndb.CRC([]byte(c.in)); got != c.want {
			t.Errorf("CRC(%q) = 0x%08X, want 0x%08X", c.in, got, c.want)
		}
	}
}

// Every B-tree page and block of the samples carries the signature
// Signature computes from its offset and BID, as Outlook wrote it.
func TestSignatureSamples(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		f := sample(t, name)
		for _, p := range f.Pages {
			if got := f.PageTrailer(p.Off).Sig; got != ndb.Signature(uint64(p.Off), p.BID) {
				t.Errorf("%s page 0x%X: signature 0x%04X, computed 0x%04X", name, p.Off, got, ndb.Signature(uint64(p.Off), p.BID))
			}
		}
		for _, b := range f.BBT {
			if got := f.ParseBlockTrailer(b.BID).Sig; got != ndb.Signature(b.IB, b.BID) {
				t.Errorf("%s block 0x%X: signature 0x%04X, computed 0x%04X", name, b.BID, got, ndb.Signature(b.IB, b.BID))
			}
		}
	}
	// Only the low 32 bits of offset and BID count.
	if ndb.Signature(0x1_0000_4400, 0x2_0000_0024) != ndb.Signature(0x4400, 0x24) {
		t.Errorf("Signature depends on the high bits")
	}
}
