package export

import (
	"encoding/base64"
	"encoding/binary"
	"slices"
)

// Attachments are most of what an export writes, and all of it base64:
// appendBase64Lines encodes a whole line at a time through a table of
// character pairs (12 bits of input each), which is about three times as
// fast as encoding/base64 line by line. The bytes are the same as
// base64.StdEncoding's, in lines of 76 characters ending in CRLF.

// base64LineIn is what one line of 76 characters encodes.
const base64LineIn = 57

// base64Pairs holds, for each 12 bits of input, their two characters,
// the first in the low byte.
var base64Pairs = func() *[4096]uint16 {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var t [4096]uint16
	for i := range t {
		t[i] = uint16(alphabet[i>>6]) | uint16(alphabet[i&63])<<8
	}
	return &t
}()

// appendBase64Lines appends data to out as base64Lines encodes it.
func appendBase64Lines(out, data []byte) []byte {
	full := len(data) / base64LineIn
	need := full * 78
	if rest := len(data) % base64LineIn; rest > 0 {
		need += base64.StdEncoding.EncodedLen(rest) + 2
	}
	out = slices.Grow(out, need)
	at := len(out)
	out = out[:at+full*78]
	encodeBase64Lines(out[at:], data[:full*base64LineIn])
	if rest := data[full*base64LineIn:]; len(rest) > 0 {
		out = base64.StdEncoding.AppendEncode(out, rest)
		out = append(out, '\r', '\n')
	}
	return out
}

// encodeBase64LinesScalar is encodeBase64Lines a line at a time, where
// the processor has no vector instructions for it.
func encodeBase64LinesScalar(dst, src []byte) {
	for i := range len(src) / base64LineIn {
		encodeBase64Line((*[78]byte)(dst[i*78:]), (*[base64LineIn]byte)(src[i*base64LineIn:]))
	}
}

// encodeBase64Line encodes 57 bytes as one line: nine groups of six bytes
// (read as one word, the two bytes past them included: the line holds
// them), then three.
func encodeBase64Line(dst *[78]byte, src *[base64LineIn]byte) {
	t := base64Pairs
	for g := range 9 {
		v := binary.BigEndian.Uint64(src[g*6:])
		binary.LittleEndian.PutUint64(dst[g*8:], uint64(t[v>>52])|uint64(t[v>>40&0xFFF])<<16|
			uint64(t[v>>28&0xFFF])<<32|uint64(t[v>>16&0xFFF])<<48)
	}
	v := uint32(src[54])<<16 | uint32(src[55])<<8 | uint32(src[56])
	binary.LittleEndian.PutUint32(dst[72:], uint32(t[v>>12])|uint32(t[v&0xFFF])<<16)
	dst[76], dst[77] = '\r', '\n'
}
