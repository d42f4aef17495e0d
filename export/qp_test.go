package export

import (
	"bytes"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"testing"
	"testing/iotest"
)

// qpEncoder writes what mime/quotedprintable's Writer writes, for text
// of every kind of byte (breaks, spaces before them, '=', 8-bit, long
// runs) cut into chunks anywhere.
func TestQPEncoderMatchesWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabets := []string{"ab =\t\r\n\x00\xC3\xA9", "abcdefghij klmnop", "x\r\r\n\n=  \t", "abcdefghijklmnopqrstuvwxyz0123456789"}
	for n := range 3000 {
		alpha := alphabets[n%len(alphabets)]
		text := make([]byte, rng.IntN(400))
		for i := range text {
			if n%5 == 0 {
				text[i] = byte(rng.Uint32())
			} else {
				text[i] = alpha[rng.IntN(len(alpha))]
			}
		}
		var want bytes.Buffer
		w := quotedprintable.NewWriter(&want)
		var e qpEncoder
		var got []byte
		for rest := text; len(rest) > 0; {
			k := min(len(rest), 1+rng.IntN(90))
			w.Write(rest[:k])
			got = e.append(got, rest[:k])
			rest = rest[k:]
		}
		w.Close()
		got = e.close(got)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%q:\n got %q\nwant %q", text, got, want.Bytes())
		}
	}
}

func BenchmarkQP(b *testing.B) {
	text := bytes.Repeat([]byte("The quarterly report is attached; see =section 2.\r\nRegards,\r\n"), 400)
	b.SetBytes(int64(len(text)))
	b.Run("encoder", func(b *testing.B) {
		var out []byte
		for b.Loop() {
			var e qpEncoder
			out = e.close(e.append(out[:0], text))
		}
	})
	b.Run("writer", func(b *testing.B) {
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			w := quotedprintable.NewWriter(&out)
			w.Write(text)
			w.Close()
		}
	})
}

// A streamed body is encoded as the same body held: long texts, read a
// few bytes at a time, cross the points where the stream writes out what
// it has encoded (a space at a line's end then still becomes =20).
func TestQPStreamMatchesHeld(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := range 12 {
		text := make([]byte, rng.IntN(300<<10))
		for i := range text {
			text[i] = " \t\r\nab=\xE9"[rng.IntN(8)]
			if n%3 == 0 && i%100 < 90 {
				text[i] = 'x' // long lines
			}
		}
		held, err := textPart("plain", "", text, nil).body.bytes()
		if err != nil {
			t.Fatal(err)
		}
		src := &Source{Size: int64(len(text)), Open: func() (io.Reader, error) {
			return iotest.HalfReader(bytes.NewReader(text)), nil
		}}
		var streamed bytes.Buffer
		if err := qpStream(src)(&streamed); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed.Bytes(), held) {
			t.Fatalf("%d bytes: streamed %d bytes differ from the %d held", len(text), streamed.Len(), len(held))
		}
	}
}
