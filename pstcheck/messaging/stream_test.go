package messaging

import (
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// Streaming a Unicode string decodes it exactly as String does, however
// the input is cut: surrogate pairs split across reads, unpaired halves,
// an odd last byte, NULs inside and at the end.
func TestUTF16ReaderMatchesDecode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	units := []uint16{0, 0, 'a', 'Z', '\n', 0xE9, 0x20AC, 0xD83D, 0xDE00, 0xDC00, 0xD800, 0xFFFD}
	for n := range 3000 {
		var b []byte
		for range rng.IntN(40) {
			u := units[rng.IntN(len(units))]
			b = append(b, byte(u), byte(u>>8))
		}
		if n%5 == 0 {
			b = append(b, 0, 0, 0, 0)
		}
		if n%7 == 0 {
			b = append(b, 'x') // odd length
		}
		want := strings.TrimRight(decodeUTF16(b), "\x00")
		for _, r := range []io.Reader{bytes.NewReader(b), iotest.OneByteReader(bytes.NewReader(b)), iotest.HalfReader(bytes.NewReader(b))} {
			got, err := io.ReadAll(&utf16Reader{src: r})
			if err != nil || string(got) != want {
				t.Fatalf("% x: streamed %q (%v), want %q", b, got, err, want)
			}
		}
	}
}

// A read error of the source ends the stream with that error.
func TestUTF16ReaderError(t *testing.T) {
	r := io.MultiReader(bytes.NewReader([]byte{'a', 0, 'b', 0}), iotest.ErrReader(io.ErrUnexpectedEOF))
	if _, err := io.ReadAll(&utf16Reader{src: r}); err != io.ErrUnexpectedEOF {
		t.Fatalf("error %v, want %v", err, io.ErrUnexpectedEOF)
	}
}
