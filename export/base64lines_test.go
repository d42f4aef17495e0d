package export

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"testing"
)

// appendBase64Lines writes what encoding/base64 does, cut into lines of 76
// characters ending in CRLF, for every length around whole lines and any
// bytes, after what out already holds.
func TestAppendBase64Lines(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 4*57 + 3 {
		for range 20 {
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			var want []byte
			for rest := data; len(rest) > 0; rest = rest[min(len(rest), 57):] {
				want = base64.StdEncoding.AppendEncode(want, rest[:min(len(rest), 57)])
				want = append(want, '\r', '\n')
			}
			got := appendBase64Lines([]byte("x"), data)
			if !bytes.Equal(got, append([]byte("x"), want...)) {
				t.Fatalf("% x:\n got %q\nwant %q", data, got[1:], want)
			}
		}
	}
}

// The line-at-a-time encoder, which processors without AVX-512 VBMI use,
// writes what encoding/base64 does too (on those that have it the test
// above checks the vector encoder).
func TestEncodeBase64LinesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	src := make([]byte, 9*57)
	for i := range src {
		src[i] = byte(rng.Uint32())
	}
	src[0], src[1], src[2] = 0xFF, 0xFF, 0xFF
	dst := make([]byte, 9*78)
	encodeBase64LinesScalar(dst, src)
	for i := range 9 {
		want := base64.StdEncoding.EncodeToString(src[i*57:(i+1)*57]) + "\r\n"
		if got := string(dst[i*78 : (i+1)*78]); got != want {
			t.Fatalf("line %d:\n got %q\nwant %q", i+1, got, want)
		}
	}
}

func BenchmarkAppendBase64Lines(b *testing.B) {
	data := make([]byte, base64Chunk)
	for i := range data {
		data[i] = byte(i * 7)
	}
	out := make([]byte, 0, base64Chunk/57*78)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if o := appendBase64Lines(out[:0], data); &o[0] != &out[:1][0] {
			b.Fatal("whole lines did not fit the buffer made for them")
		}
	}
}
