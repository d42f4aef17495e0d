package export

import (
	"bytes"
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

// cfbFile builds a version 3 compound file (512-byte sectors) holding the
// streams given, in order: streams under 4096 bytes in the mini stream,
// others in regular sectors. One FAT sector is enough for the small files
// tests need (128 sectors).
func cfbFile(t testing.TB, streams ...[2]string) []byte {
	t.Helper()
	const ss = 512
	le := binary.LittleEndian
	var sectors [][]byte
	fat := []uint32{}
	// addChain stores data in new sectors, chained in the FAT, and returns
	// the first sector.
	addChain := func(data []byte) uint32 {
		if len(data) == 0 {
			return 0xFFFFFFFE
		}
		first := uint32(len(sectors))
		for off := 0; off < len(data); off += ss {
			s := make([]byte, ss)
			copy(s, data[off:])
			sectors = append(sectors, s)
			next := uint32(len(sectors))
			if off+ss >= len(data) {
				next = 0xFFFFFFFE
			}
			fat = append(fat, next)
		}
		return first
	}
	var mini, miniFAT []byte
	type entry struct {
		name  string
		typ   byte
		start uint32
		size  int
	}
	entries := []entry{{name: "Root Entry", typ: 5}}
	var big [][2]string
	for _, st := range streams {
		if len(st[1]) >= 4096 {
			big = append(big, st)
			continue
		}
		first := uint32(len(mini) / 64)
		n := (len(st[1]) + 63) / 64
		for i := 0; i < n; i++ {
			next := first + uint32(i) + 1
			if i == n-1 {
				next = 0xFFFFFFFE
			}
			miniFAT = le.AppendUint32(miniFAT, next)
		}
		padded := make([]byte, n*64)
		copy(padded, st[1])
		mini = append(mini, padded...)
		entries = append(entries, entry{st[0], 2, first, len(st[1])})
	}
	for _, st := range big {
		entries = append(entries, entry{st[0], 2, addChain([]byte(st[1])), len(st[1])})
	}
	entries[0].start, entries[0].size = addChain(mini), len(mini)
	miniFATStart := addChain(miniFAT)
	var dir []byte
	for i, e := range entries {
		d := make([]byte, 128)
		u := utf16.Encode([]rune(e.name))
		for k, c := range u {
			le.PutUint16(d[2*k:], c)
		}
		le.PutUint16(d[64:], uint16(2*len(u)+2))
		d[66] = e.typ
		le.PutUint32(d[68:], 0xFFFFFFFF)
		le.PutUint32(d[72:], 0xFFFFFFFF)
		le.PutUint32(d[76:], 0xFFFFFFFF)
		if i == 0 && len(entries) > 1 {
			le.PutUint32(d[76:], 1) // a flat list is enough for the reader
		}
		le.PutUint32(d[116:], e.start)
		le.PutUint64(d[120:], uint64(e.size))
		dir = append(dir, d...)
	}
	dirStart := addChain(dir)
	fatSector := uint32(len(sectors))
	fat = append(fat, 0xFFFFFFFD)
	sectors = append(sectors, make([]byte, ss))
	if len(fat) > ss/4 {
		t.Fatalf("test file too large for one FAT sector: %d sectors", len(fat))
	}
	for len(fat) < ss/4 {
		fat = append(fat, 0xFFFFFFFF)
	}
	for i, v := range fat {
		le.PutUint32(sectors[fatSector][4*i:], v)
	}
	h := make([]byte, ss)
	copy(h, cfbSignature)
	le.PutUint16(h[24:], 0x3E)
	le.PutUint16(h[26:], 3)
	le.PutUint16(h[28:], 0xFFFE)
	le.PutUint16(h[30:], 9)
	le.PutUint16(h[32:], 6)
	le.PutUint32(h[44:], 1)
	le.PutUint32(h[48:], dirStart)
	le.PutUint32(h[56:], 4096)
	le.PutUint32(h[60:], miniFATStart)
	le.PutUint32(h[64:], uint32((len(miniFAT)+ss-1)/ss))
	le.PutUint32(h[68:], 0xFFFFFFFE)
	for i := range 109 {
		le.PutUint32(h[76+4*i:], 0xFFFFFFFF)
	}
	le.PutUint32(h[76:], fatSector)
	out := h
	for _, s := range sectors {
		out = append(out, s...)
	}
	return out
}

// bmp makes a bitmap file of w x h 32-bit pixels.
func bmp(w, h int) []byte {
	le := binary.LittleEndian
	pixels := w * h * 4
	b := make([]byte, 54+pixels)
	b[0], b[1] = 'B', 'M'
	le.PutUint32(b[2:], uint32(len(b)))
	le.PutUint32(b[10:], 54)
	le.PutUint32(b[14:], 40)
	le.PutUint32(b[18:], uint32(w))
	le.PutUint32(b[22:], uint32(h))
	le.PutUint16(b[26:], 1)
	le.PutUint16(b[28:], 32)
	for i := 54; i < len(b); i++ {
		b[i] = byte(i * 7)
	}
	return b
}

func TestCFBStream(t *testing.T) {
	small, large := bmp(4, 3), bmp(40, 30) // 102 and 4,854 bytes
	ole := "\x01\x00\x00\x02" + string(make([]byte, 16))
	for _, c := range []struct {
		name    string
		streams [][2]string
		want    []byte
	}{
		{"in the mini stream", [][2]string{{"\x01Ole", ole}, {"CONTENTS", string(small)}, {"\x03MailStream", "abcdefghijkl"}}, small},
		{"in regular sectors", [][2]string{{"\x01Ole", ole}, {"CONTENTS", string(large)}}, large},
	} {
		f := cfbFile(t, c.streams...)
		got, ok := cfbStream(f, "CONTENTS")
		if !ok || !bytes.Equal(got, c.want) {
			t.Errorf("%s: CONTENTS %d bytes, %v; want %d bytes", c.name, len(got), ok, len(c.want))
		}
		if got, ok := cfbStream(f, "\x01Ole"); !ok || string(got) != ole {
			t.Errorf("%s: \\x01Ole %q, %v", c.name, got, ok)
		}
		if _, ok := cfbStream(f, "contents"); ok {
			t.Errorf("%s: names compared ignoring case", c.name)
		}
		pic, ext, mt, ok := olePicture(f)
		if !ok || ext != ".bmp" || mt != "image/bmp" || !bytes.Equal(pic, c.want) {
			t.Errorf("%s: olePicture %d bytes, %q %q %v", c.name, len(pic), ext, mt, ok)
		}
	}
	// Not a picture: the data stays as it is.
	for name, f := range map[string][]byte{
		"no CONTENTS":         cfbFile(t, [2]string{"Other", string(small)}),
		"CONTENTS not a BMP":  cfbFile(t, [2]string{"CONTENTS", "BM but not a bitmap"}),
		"not a compound file": append([]byte("not a compound file"), make([]byte, 600)...),
		"cut short":           cfbFile(t, [2]string{"CONTENTS", string(large)})[:2048],
	} {
		if _, _, _, ok := olePicture(f); ok {
			t.Errorf("%s: olePicture found a picture", name)
		}
	}
}

// Every sector number, count and size of a compound file is untrusted:
// cfbStream never panics, and what it returns lies within the input.
func FuzzCFBStream(f *testing.F) {
	f.Add(cfbFile(f, [2]string{"CONTENTS", string(bmp(4, 3))}))
	f.Add(cfbFile(f, [2]string{"\x01Ole", "x"}, [2]string{"CONTENTS", string(bmp(40, 30))}))
	f.Fuzz(func(t *testing.T, b []byte) {
		data, ok := cfbStream(b, "CONTENTS")
		if ok && len(data) > len(b) {
			t.Fatalf("a stream of %d bytes from %d bytes", len(data), len(b))
		}
		olePicture(b)
	})
}
