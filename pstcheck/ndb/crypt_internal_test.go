package ndb

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// The vector substitution must give what a byte at a time gives, for every
// byte value, every length around the 64 bytes a vector holds and every
// alignment of the slice, through both tables the permute encoding uses.
func TestSubstituteVector(t *testing.T) {
	if !hasVectorSubstitute() {
		t.Log("this processor has no vector substitution: the byte-at-a-time path was checked against itself")
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 600)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, table := range []*[256]byte{&mpbbCrypt[0], &mpbbCrypt[2]} {
		for _, src := range [][]byte{all, data} {
			for start := range 8 {
				for n := 0; start+n <= len(src); n++ {
					got, want := bytes.Clone(src[start:start+n]), bytes.Clone(src[start:start+n])
					substitute(got, table)
					substituteBytes(want, table)
					if !bytes.Equal(got, want) {
						t.Fatalf("%d bytes from %d: vector and byte-at-a-time substitution differ", n, start)
					}
				}
			}
		}
	}
}

// BenchmarkDecode decodes an 8 KiB data block with the permute encoding,
// the one Outlook writes by default, as Decode does and a byte at a time.
func BenchmarkDecode(b *testing.B) {
	block := make([]byte, 8176)
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(block)))
		for b.Loop() {
			Decode(cryptPermute, 4, block)
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.SetBytes(int64(len(block)))
		for b.Loop() {
			substituteBytes(block, &mpbbCrypt[2])
		}
	})
}
