package export

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// mboxReference writes the lines of eml as an mbox holds them, the whole
// message at once: the rule mboxLines keeps for a message that comes cut.
func mboxReference(eml []byte) []byte {
	var out bytes.Buffer
	for len(eml) > 0 {
		var line []byte
		if i := bytes.IndexByte(eml, '\n'); i >= 0 {
			line, eml = eml[:i], eml[i+1:]
		} else {
			line, eml = eml, nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if isFromLine(line) {
			out.WriteByte('>')
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func TestMboxLinesAnyCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"From ", "From", ">", ">>From ", "\r", "\n", "\r\n", "x", "Fro", "m ", " ", "From x\r\n"}
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		in := []byte(b.String())
		want := mboxReference(in)
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		m := &mboxLines{w: bw, deciding: true}
		r := iotest.OneByteReader(bytes.NewReader(in))
		if rng.IntN(2) == 0 {
			r = bytes.NewReader(in)
		}
		io.Copy(m, r)
		m.end()
		bw.Flush()
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%q: got %q, want %q", in, got.Bytes(), want)
		}
	}
}
