package ndb

import (
	"math/rand/v2"
	"testing"
)

// firstFree, which reads whole words where it can, finds the clear bit a
// bit-by-bit search finds, for ranges of every length and start over
// bitmaps mostly set, as an AMap of a sound file is.
func TestFirstFree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	bits := make([]byte, 64)
	for round := range 200 {
		for i := range bits {
			bits[i] = 0xFF
		}
		for range round % 4 {
			u := rng.IntN(len(bits) * 8)
			bits[u>>3] &^= 0x80 >> (u & 7)
		}
		for from := int64(0); from < 200; from += 3 {
			for to := from; to <= int64(len(bits)*8); to += 7 {
				want := int64(-1)
				for u := from; u < to; u++ {
					if bits[u>>3]&(0x80>>(u&7)) == 0 {
						want = u
						break
					}
				}
				if got := firstFree(bits, from, to); got != want {
					t.Fatalf("bits % X, units [%d, %d): got %d, want %d", bits, from, to, got, want)
				}
			}
		}
	}
}
