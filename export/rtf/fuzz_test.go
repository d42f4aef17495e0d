package rtf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"unicode/utf8"
)

func FuzzDecompress(f *testing.F) {
	f.Add(specHello)
	f.Add(specWXYZ)
	f.Add(pyTest)
	f.Add(mela([]byte(pyTestRaw), nil, 0))
	f.Add(compress([]byte(initialDictionary)))
	f.Add([]byte{})
	f.Add(lzfuStream([]byte{0xff, 0x00, 0x0f}, 1000))
	for _, name := range realSamples {
		if b, err := readTestdata(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Decompress(in)
		if len(in) < headerSize {
			if err == nil {
				t.Fatal("accepted a stream shorter than the header")
			}
			return
		}
		rawSize := int(binary.LittleEndian.Uint32(in[4:8]))
		if len(out) > rawSize || len(out) > MaxDecompressedSize {
			t.Fatalf("%d bytes out, RAWSIZE %d", len(out), rawSize)
		}
		if err != nil {
			if out != nil && !errors.Is(err, ErrRawSizeMismatch) {
				t.Fatalf("data returned with %v", err)
			}
			return
		}
		compSize := int64(binary.LittleEndian.Uint32(in[0:4]))
		isMELA := binary.LittleEndian.Uint32(in[8:12]) == compTypeUncompressed
		if len(out) != rawSize && !(isMELA && int64(len(out)) == compSize-12) {
			t.Fatalf("success with %d bytes, RAWSIZE %d, COMPSIZE %d", len(out), rawSize, compSize)
		}
		if !isMELA {
			if len(out) > 8*(len(in)-headerSize)+16 {
				t.Fatalf("%d bytes from %d", len(out), len(in))
			}
			// Whatever decoded must survive a round trip.
			if len(out) <= 512 {
				back, err := Decompress(compress(out))
				if err != nil || !bytes.Equal(back, out) {
					t.Fatalf("round trip: %v", err)
				}
			}
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte(specHelloRaw))
	f.Add([]byte(specWXYZRaw))
	f.Add([]byte(initialDictionary))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1024 {
			return // the test encoder is quadratic-ish
		}
		got, err := Decompress(compress(raw))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, raw) {
			t.Fatalf("round trip differs")
		}
	})
}

var realSamples = []string{
	"real/ruby-msg_msgInMsg.bin", "real/tika_variousBodyTypes.bin",
	"real/aspose_SampleOstFile_html.bin", "real/aspose_passwordprotected_mela.bin",
}

func rtfSeeds(f *testing.F) {
	if b, err := readTestdata("spec_oxrtfex_3_1.rtf"); err == nil {
		f.Add(b)
	}
	for _, name := range realSamples {
		if b, err := readTestdata(name); err == nil {
			if raw, err := Decompress(b); err == nil {
				f.Add(raw)
			}
		}
	}
	for _, s := range []string{
		`{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss\fcharset0 Arial;}}{\*\htmltag <p>}caf\'e9\u8364?{\*\htmltag </p>}}`,
		`{\rtf1\ansi\ansicpg1251\fromhtml1 {\fonttbl{\f1\fcharset204 A;}}{\*\htmltag <p \'c0>}\f1\'c1\u-10179?\u-8694?}`,
		`{\rtf1\ansi\fromtext \deff0 a\par b\htmlrtf c\htmlrtf0\tab d\bin2 xy}`,
		`{\rtf1 {\field{\*\fldinst X}{\fldrslt y}}\uc2\u233 ab{\pict 00}}`,
		`{\rtf1\fromhtml1{{{{{{{{{{`,
	} {
		f.Add([]byte(s))
	}
}

func FuzzToHTML(f *testing.F) {
	rtfSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		html, charset, ok := ToHTML(in)
		if !ok {
			if html != nil || charset != "" {
				t.Fatal("output without ok")
			}
			return
		}
		if len(html) > 8*len(in)+16 {
			t.Fatalf("%d bytes of HTML from %d", len(html), len(in))
		}
		if charset == "utf-8" && !utf8.Valid(html) {
			t.Fatal("invalid UTF-8 labelled utf-8")
		}
		if charset == "" {
			t.Fatal("empty charset")
		}
	})
}

func FuzzToText(f *testing.F) {
	rtfSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		text, ok := ToText(in)
		if !ok {
			if text != "" {
				t.Fatal("output without ok")
			}
			return
		}
		if len(text) > 8*len(in)+16 {
			t.Fatalf("%d bytes of text from %d", len(text), len(in))
		}
		if !utf8.ValidString(text) {
			t.Fatal("invalid UTF-8")
		}
	})
}
