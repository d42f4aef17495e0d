package export

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// encodeBase64Lines encodes len(src)/57 whole lines of src into dst, 78
// bytes each. On a processor with AVX-512 VBMI it encodes 48 bytes at a
// time (base64lines_amd64.s): the bytes of each 3-byte group gathered
// into a 32-bit lane (VPERMB), its four 6-bit values moved into bytes of
// their own (VPMULTISHIFTQB), each looked up in the alphabet (VPERMB),
// ten times the speed of encodeBase64Line here.
func encodeBase64Lines(dst, src []byte) {
	lines := len(src) / base64LineIn
	if lines == 0 {
		return
	}
	if !base64VBMI {
		encodeBase64LinesScalar(dst, src)
		return
	}
	_ = dst[lines*78-1] // dst holds the lines: the vector code does not check
	encodeBase64LinesVBMI(unsafe.SliceData(dst), unsafe.SliceData(src), lines)
}

var base64VBMI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

//go:noescape
func encodeBase64LinesVBMI(dst, src *byte, lines int)
