package export

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
)

// An OLE attachment (PidTagAttachMethod afOle) holds an OLE compound file
// (MS-CFB): a little file system of streams. Outlook keeps a picture
// pasted into an RTF message as such a storage named "Picture (Device
// Independent Bitmap)", whose CONTENTS stream is a complete .bmp file. The
// export writes that picture, which any viewer opens, instead of the
// storage around it, which nothing but Office does.

// cfbSignature starts every compound file (MS-CFB 2.2).
var cfbSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Special sector numbers (MS-CFB 2.1): anything at or above maxRegSect
// ends a chain.
const (
	cfbMaxRegSect = 0xFFFFFFFA
	cfbDirEntry   = 128
	cfbHeaderSize = 512
)

// cfbStream returns the bytes of the first stream named name (compared as
// stored, case-sensitively) in the compound file b. ok is false when b is
// not a compound file, has no such stream, or any structure on the way is
// out of bounds or loops: the file is untrusted, and every sector number,
// count and size is checked before use.
func cfbStream(b []byte, name string) (data []byte, ok bool) {
	if len(b) < cfbHeaderSize || !bytes.Equal(b[:8], cfbSignature) {
		return nil, false
	}
	le := binary.LittleEndian
	shift := le.Uint16(b[30:])
	miniShift := le.Uint16(b[32:])
	if shift != 9 && shift != 12 || miniShift != 6 || le.Uint16(b[28:]) != 0xFFFE {
		return nil, false
	}
	ss := 1 << shift
	// Sector n starts at (n+1)*ss: the header takes the first sector (a
	// whole 4 KiB one in version 4 files). Only whole sectors count.
	nSectors := (len(b) - ss) / ss
	sector := func(n uint32) []byte {
		if int64(n) >= int64(nSectors) {
			return nil
		}
		off := (int(n) + 1) * ss
		return b[off : off+ss]
	}

	// The FAT: its sectors are listed in the header's DIFAT (109 entries)
	// and then in a chain of DIFAT sectors.
	nFAT := le.Uint32(b[44:])
	if int64(nFAT) > int64(nSectors) {
		return nil, false
	}
	fatSectors := make([]uint32, 0, nFAT)
	for i := 0; i < 109 && uint32(len(fatSectors)) < nFAT; i++ {
		fatSectors = append(fatSectors, le.Uint32(b[76+4*i:]))
	}
	for d, steps := le.Uint32(b[68:]), 0; uint32(len(fatSectors)) < nFAT; steps++ {
		s := sector(d)
		if s == nil || steps > nSectors {
			return nil, false
		}
		for i := 0; i+4 < ss && uint32(len(fatSectors)) < nFAT; i += 4 {
			fatSectors = append(fatSectors, le.Uint32(s[i:]))
		}
		d = le.Uint32(s[ss-4:])
	}
	fat := make([]uint32, 0, len(fatSectors)*ss/4)
	for _, n := range fatSectors {
		s := sector(n)
		if s == nil {
			return nil, false
		}
		for i := 0; i < ss; i += 4 {
			fat = append(fat, le.Uint32(s[i:]))
		}
	}
	// chain reads the sectors of a chain starting at start, at most limit
	// bytes; nil when a sector is missing or the chain loops.
	chain := func(start uint32, limit int) []byte {
		var out []byte
		for n, steps := start, 0; n < cfbMaxRegSect && len(out) < limit; steps++ {
			s := sector(n)
			if s == nil || steps > nSectors || int(n) >= len(fat) {
				return nil
			}
			out = append(out, s...)
			n = fat[n]
		}
		return out
	}

	dir := chain(le.Uint32(b[48:]), len(b))
	if len(dir) < cfbDirEntry {
		return nil, false
	}
	want := string(utf16Bytes(utf16.Encode([]rune(name))))
	var root, found []byte
	for off := 0; off+cfbDirEntry <= len(dir); off += cfbDirEntry {
		e := dir[off : off+cfbDirEntry]
		switch e[66] {
		case 5: // the root storage: its stream holds the mini sectors
			if root == nil {
				root = e
			}
		case 2:
			if found == nil && entryName(e) == want {
				found = e
			}
		}
	}
	if found == nil || root == nil {
		return nil, false
	}
	size := le.Uint64(found[120:])
	if shift == 9 {
		size &= 0xFFFFFFFF // version 3 files may leave junk in the high half
	}
	if size > uint64(len(b)) {
		return nil, false
	}
	n := int(size)
	start := le.Uint32(found[116:])
	if size >= uint64(le.Uint32(b[56:])) {
		data = chain(start, n)
	} else {
		data = miniStream(b, chain, root, start, n)
	}
	if len(data) < n {
		return nil, false
	}
	return data[:n], true
}

// miniStream reads a stream kept in 64-byte mini sectors: the root
// entry's stream holds them, the mini FAT chains them.
func miniStream(b []byte, chain func(uint32, int) []byte, root []byte, start uint32, n int) []byte {
	le := binary.LittleEndian
	rootSize := le.Uint64(root[120:]) & 0xFFFFFFFF
	if rootSize > uint64(len(b)) {
		return nil
	}
	mini := chain(le.Uint32(root[116:]), int(rootSize))
	miniFATBytes := chain(le.Uint32(b[60:]), len(b))
	var out []byte
	for s, steps := start, 0; s < cfbMaxRegSect && len(out) < n; steps++ {
		off := int64(s) * 64
		if off+64 > int64(len(mini)) || steps > len(mini)/64 || int64(s)*4+4 > int64(len(miniFATBytes)) {
			return nil
		}
		out = append(out, mini[off:off+64]...)
		s = le.Uint32(miniFATBytes[s*4:])
	}
	return out
}

// entryName is a directory entry's name as UTF-16LE bytes, without the
// terminating NUL; empty when its length field is out of range.
func entryName(e []byte) string {
	n := int(binary.LittleEndian.Uint16(e[64:]))
	if n < 2 || n > 64 || n%2 != 0 {
		return ""
	}
	return string(e[:n-2])
}

func utf16Bytes(u []uint16) []byte {
	out := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(out[2*i:], c)
	}
	return out
}

// bmpFile reports whether b is a complete Windows bitmap file: "BM", a
// file size that is b's length, and pixel data starting inside it after a
// known DIB header.
func bmpFile(b []byte) bool {
	if len(b) < 14+12 || b[0] != 'B' || b[1] != 'M' {
		return false
	}
	le := binary.LittleEndian
	size, offBits, hdr := le.Uint32(b[2:]), le.Uint32(b[10:]), le.Uint32(b[14:])
	switch hdr {
	case 12, 40, 52, 56, 64, 108, 124:
	default:
		return false
	}
	return int64(size) == int64(len(b)) && offBits >= 14+hdr && int64(offBits) <= int64(len(b))
}

// olePicture returns the picture an OLE attachment's storage holds, as a
// file of its own with its extension and media type: a bitmap (the
// CONTENTS stream of Outlook's "Picture (Device Independent Bitmap)").
// ok is false for any other data, which is then written as stored.
func olePicture(data []byte) (pic []byte, ext, mediaType string, ok bool) {
	c, found := cfbStream(data, "CONTENTS")
	if found && bmpFile(c) {
		return c, ".bmp", "image/bmp", true
	}
	return nil, "", "", false
}
