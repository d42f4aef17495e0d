package rtf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"runtime"
	"strings"
	"testing"
)

// MS-OXRTFCP 3.1.1: compressing "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n".
var specHello = []byte{
	0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
	0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20,
	0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f,
	0xa0,
}

const specHelloRaw = "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"

// MS-OXRTFCP 3.1.2: a dictionary reference that crosses the write position,
// "{\rtf1 WXYZWXYZWXYZWXYZWXYZ}".
var specWXYZ = []byte{
	0x1a, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xe2, 0xd4, 0x4b, 0x51,
	0x41, 0x00, 0x04, 0x20, 0x57, 0x58, 0x59, 0x5a, 0x0d, 0x6e, 0x7d, 0x01, 0x0e, 0xb0,
}

const specWXYZRaw = "{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}"

// The compressed example of the compressed_rtf Python package's README.
var pyTest = []byte("#\x00\x00\x00\"\x00\x00\x00LZFu3\\\xe8t\x03\x00\n\x00rcpg125\x922\n\xf3 t\x07\x90t}\x0f\x10")

const pyTestRaw = "{\\rtf1\\ansi\\ansicpg1252\\pard test}"

// mela builds an uncompressed ("MELA") stream around raw, followed by tail.
func mela(raw, tail []byte, crc uint32) []byte {
	b := make([]byte, headerSize, headerSize+len(raw)+len(tail))
	binary.LittleEndian.PutUint32(b[0:], uint32(len(raw)+12))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(raw)))
	binary.LittleEndian.PutUint32(b[8:], compTypeUncompressed)
	binary.LittleEndian.PutUint32(b[12:], crc)
	b = append(b, raw...)
	return append(b, tail...)
}

// lzfuStream wraps LZFu contents in a header with a correct CRC.
func lzfuStream(contents []byte, rawSize uint32) []byte {
	b := make([]byte, headerSize, headerSize+len(contents))
	binary.LittleEndian.PutUint32(b[0:], uint32(len(contents)+12))
	binary.LittleEndian.PutUint32(b[4:], rawSize)
	binary.LittleEndian.PutUint32(b[8:], compTypeCompressed)
	binary.LittleEndian.PutUint32(b[12:], crc(contents))
	return append(b, contents...)
}

// compress is a test-only LZFu encoder: greedy longest match over the whole
// dictionary, earliest offset on ties, never referencing dictionary bytes
// that were not written yet. It exists to make round-trip tests; its output
// is valid MS-OXRTFCP.
func compress(raw []byte) []byte {
	var dict [dictSize]byte
	copy(dict[:], initialDictionary)
	wpos := len(initialDictionary)
	filled := wpos // positions [0, filled) hold data until the first wrap

	written := func(p int) bool { return filled >= dictSize || p < filled }
	put := func(c byte) {
		dict[wpos] = c
		wpos = (wpos + 1) & dictMask
		if filled < dictSize {
			filled++
		}
	}

	var body []byte
	ctrl, bit := 0, 8
	token := func(ref bool) {
		if bit == 8 {
			ctrl = len(body)
			body = append(body, 0)
			bit = 0
		}
		if ref {
			body[ctrl] |= 1 << bit
		}
		bit++
	}

	for i := 0; i < len(raw); {
		bestLen, bestOff := 0, 0
		for off := 0; off < dictSize; off++ {
			if off == wpos {
				continue
			}
			n := 0
			for n < 17 && i+n < len(raw) {
				src := (off + n) & dictMask
				var v byte
				if d := (src - wpos) & dictMask; d < n {
					v = raw[i+d] // written earlier in this same copy
				} else if written(src) {
					v = dict[src]
				} else {
					break
				}
				if v != raw[i+n] {
					break
				}
				n++
			}
			if n > bestLen {
				bestLen, bestOff = n, off
			}
		}
		if bestLen >= 2 {
			token(true)
			ref := bestOff<<4 | (bestLen - 2)
			body = append(body, byte(ref>>8), byte(ref))
			for k := 0; k < bestLen; k++ {
				put(raw[i+k])
			}
			i += bestLen
		} else {
			token(false)
			body = append(body, raw[i])
			put(raw[i])
			i++
		}
	}
	token(true)
	body = append(body, byte(wpos>>4), byte(wpos<<4))
	return lzfuStream(body, uint32(len(raw)))
}

func TestInitialDictionary(t *testing.T) {
	if len(initialDictionary) != 207 {
		t.Fatalf("initial dictionary is %d bytes, want 207", len(initialDictionary))
	}
	if !strings.Contains(initialDictionary, "\\blue0\r\n\\par ") {
		t.Fatal("initial dictionary lacks the CR LF after \\blue0")
	}
	if !strings.HasSuffix(initialDictionary, "\\tab\\tx") {
		t.Fatal("initial dictionary has the wrong end")
	}
}

func TestCRC(t *testing.T) {
	if got := crc(specHello[headerSize:]); got != 0xa7c7c5f1 {
		t.Errorf("crc(spec example) = %#08x, want 0xa7c7c5f1", got)
	}
	if got := crc(nil); got != 0 {
		t.Errorf("crc(empty) = %#08x, want 0", got)
	}
	if got := crc(specWXYZ[headerSize:]); got != 0x514bd4e2 {
		t.Errorf("crc(WXYZ example) = %#08x, want 0x514bd4e2", got)
	}
}

func TestDecompressVectors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"MS-OXRTFCP 3.1.1", specHello, specHelloRaw},
		{"MS-OXRTFCP 3.1.2", specWXYZ, specWXYZRaw},
		{"compressed_rtf README", pyTest, pyTestRaw},
	} {
		got, err := Decompress(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The test encoder reproduces the specification's bytes, which checks the
// encoder used by the round-trip tests.
func TestCompressMatchesSpec(t *testing.T) {
	if got := compress([]byte(specHelloRaw)); !bytes.Equal(got, specHello) {
		t.Errorf("compress(hello) =\n% x\nwant\n% x", got, specHello)
	}
	if got := compress([]byte(specWXYZRaw)); !bytes.Equal(got, specWXYZ) {
		t.Errorf("compress(WXYZ) =\n% x\nwant\n% x", got, specWXYZ)
	}
}

func TestDecompressUncompressed(t *testing.T) {
	raw := []byte(pyTestRaw)
	// Exactly RAWSIZE bytes come back, none dropped (go-pst drops the last
	// 16) and trailing bytes are not included.
	for _, tail := range [][]byte{nil, []byte("trailing padding....")} {
		got, err := Decompress(mela(raw, tail, 0))
		if err != nil || string(got) != pyTestRaw {
			t.Errorf("MELA with %d-byte tail: %q, %v", len(tail), got, err)
		}
	}
	// A non-zero CRC (written by some tools) is tolerated.
	if got, err := Decompress(mela(raw, nil, 0xce12df20)); err != nil || string(got) != pyTestRaw {
		t.Errorf("MELA with CRC: %q, %v", got, err)
	}
	// The python package's MELA vector.
	py := []byte(".\x00\x00\x00\"\x00\x00\x00MELA\x00\x00\x00\x00{\\rtf1\\ansi\\ansicpg1252\\pard test}")
	if got, err := Decompress(py); err != nil || string(got) != pyTestRaw {
		t.Errorf("python MELA: %q, %v", got, err)
	}
	// Empty.
	if got, err := Decompress(mela(nil, nil, 0)); err != nil || len(got) != 0 {
		t.Errorf("empty MELA: %q, %v", got, err)
	}
	// Exchange's MELA streams: RAWSIZE = COMPSIZE = data + 12. The data is
	// all there, as COMPSIZE says.
	exch := mela(raw, nil, 0)
	binary.LittleEndian.PutUint32(exch[4:], uint32(len(raw)+12))
	if got, err := Decompress(exch); err != nil || string(got) != pyTestRaw {
		t.Errorf("Exchange MELA: %q, %v", got, err)
	}
	// ... but not when COMPSIZE says more data is missing.
	binary.LittleEndian.PutUint32(exch[0:], uint32(len(raw)+13))
	if _, err := Decompress(exch); !errors.Is(err, ErrTruncated) {
		t.Errorf("Exchange MELA cut short: %v, want ErrTruncated", err)
	}
	// Truncated.
	b := mela(raw, nil, 0)
	if _, err := Decompress(b[:len(b)-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated MELA: %v, want ErrTruncated", err)
	}
	// The result is a copy, not an alias of the input.
	got, _ := Decompress(b)
	got[0] = 'X'
	if b[headerSize] != '{' {
		t.Error("MELA result aliases the input")
	}
}

func TestDecompressErrors(t *testing.T) {
	withByte := func(b []byte, i int, v byte) []byte {
		c := append([]byte(nil), b...)
		c[i] = v
		return c
	}
	setU32 := func(b []byte, off int, v uint32) []byte {
		c := append([]byte(nil), b...)
		binary.LittleEndian.PutUint32(c[off:], v)
		return c
	}
	contents := specHello[headerSize:]

	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"15 bytes", specHello[:15], ErrTruncated},
		{"unknown type", withByte(specHello, 8, 'X'), ErrUnknownType},
		{"bad CRC field", withByte(specHello, 12, 0), ErrCRC},
		{"corrupt contents", withByte(specHello, 20, 'X'), ErrCRC},
		{"COMPSIZE past end", setU32(specHello, 0, 0x2e), ErrTruncated},
		{"COMPSIZE huge", setU32(specHello, 0, 0xffffffff), ErrTruncated},
		{"COMPSIZE below 12", setU32(specHello, 0, 11), ErrBadHeader},
		{"cut input", specHello[:len(specHello)-4], ErrTruncated},
		{"RAWSIZE too small", setU32(specHello, 4, 42), ErrTooLarge},
		{"RAWSIZE zero", setU32(specHello, 4, 0), ErrTooLarge},
		{"RAWSIZE over cap", setU32(specHello, 4, MaxDecompressedSize+1), ErrTooLarge},
		{"no end marker", lzfuStream(contents[:len(contents)-2], 44), ErrTruncated},
		{"reference cut in half", lzfuStream(contents[:len(contents)-1], 43), ErrTruncated},
		{"only a control byte", lzfuStream([]byte{0xff}, 10), ErrTruncated},
		{"empty contents", lzfuStream(nil, 1), ErrTruncated},
	} {
		out, err := Decompress(tc.in)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
		if out != nil {
			t.Errorf("%s: returned %d bytes with the error", tc.name, len(out))
		}
	}

	// Bytes past COMPSIZE are ignored (they are not covered by the CRC).
	padded := append(append([]byte(nil), specHello...), 0xde, 0xad)
	if got, err := Decompress(padded); err != nil || string(got) != specHelloRaw {
		t.Errorf("padded: %q, %v", got, err)
	}

	// A clean end short of RAWSIZE returns the data and ErrRawSizeMismatch.
	got, err := Decompress(setU32(specHello, 4, 100))
	if !errors.Is(err, ErrRawSizeMismatch) || string(got) != specHelloRaw {
		t.Errorf("RAWSIZE too large: %q, %v", got, err)
	}

	// Empty RTF: just the end marker.
	got, err = Decompress(compress(nil))
	if err != nil || len(got) != 0 {
		t.Errorf("empty LZFu: %q, %v", got, err)
	}

	// No end marker but exactly RAWSIZE produced: accepted.
	body := append([]byte{0x00}, "{\\rtf1}"...) // 7 literals, input ends at the 8th
	got, err = Decompress(lzfuStream(body, 7))
	if err != nil || string(got) != "{\\rtf1}" {
		t.Errorf("missing end marker at RAWSIZE: %q, %v", got, err)
	}
}

// A huge RAWSIZE on a tiny stream must not allocate RAWSIZE bytes.
func TestDecompressHugeRawSizeAllocatesLittle(t *testing.T) {
	in := append([]byte(nil), specHello...)
	binary.LittleEndian.PutUint32(in[4:], MaxDecompressedSize)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, err := Decompress(in)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrRawSizeMismatch) || string(out) != specHelloRaw {
		t.Fatalf("got %q, %v", out, err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("allocated %d bytes for a 49-byte stream", d)
	}
}

// A stream that is nothing but references expands 8x and stops at RAWSIZE.
func TestDecompressMaxExpansion(t *testing.T) {
	var body []byte
	for i := 0; i < 100; i++ {
		body = append(body, 0xff)
		for k := 0; k < 8; k++ {
			body = append(body, 0x00, 0x0f) // offset 0, 17 bytes
		}
	}
	// The write position never meets offset 0 at a token boundary here, so
	// there is no end marker and the stream ends exactly at RAWSIZE.
	out, err := Decompress(lzfuStream(body, 100*8*17))
	if err != nil || len(out) != 100*8*17 {
		t.Fatalf("got %d bytes, %v", len(out), err)
	}
	if len(out) > 8*len(body)+16 {
		t.Errorf("expansion bound broken: %d bytes from %d", len(out), len(body))
	}
	if _, err := Decompress(lzfuStream(body, 100*8*17-1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("one byte short RAWSIZE: %v, want ErrTooLarge", err)
	}
}

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	randBytes := func(n int, alphabet string) []byte {
		b := make([]byte, n)
		for i := range b {
			if alphabet == "" {
				b[i] = byte(rng.Intn(256))
			} else {
				b[i] = alphabet[rng.Intn(len(alphabet))]
			}
		}
		return b
	}
	spec, err := readTestdata("spec_oxrtfex_3_1.rtf")
	if err != nil {
		t.Fatal(err)
	}
	inputs := [][]byte{
		nil,
		[]byte("a"),
		[]byte(initialDictionary),
		[]byte(initialDictionary + initialDictionary),
		bytes.Repeat([]byte("x"), 5000),
		bytes.Repeat([]byte("{\\rtf1\\ansi hello world}"), 400), // > 4096: the dictionary wraps
		spec,
		randBytes(3000, ""),
		randBytes(6000, "ab\\{}"),
	}
	for i, raw := range inputs {
		c := compress(raw)
		got, err := Decompress(c)
		if err != nil {
			t.Errorf("input %d (%d bytes): %v", i, len(raw), err)
			continue
		}
		if !bytes.Equal(got, raw) {
			t.Errorf("input %d (%d bytes): round trip differs", i, len(raw))
		}
	}
}
