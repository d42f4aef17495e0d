package ndb

import "golang.org/x/sys/cpu"

// substituteVBMI is what a processor with AVX-512 VBMI offers for the
// permute encoding, which every attachment's and body's bytes pass
// through: it looks up 64 bytes at a time in the 256-byte table held in
// four registers (two VPERMT2B, one for each half of the table, and a
// blend on each byte's top bit), some ten times the speed of a byte at a
// time, which the table lookups bound at about 3 GB/s.
var substituteVBMI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

// substitute replaces each byte c of b with t[c].
func substitute(b []byte, t *[256]byte) {
	if n := len(b) &^ 63; substituteVBMI && n > 0 {
		substitute64(b[:n], t)
		b = b[n:]
	}
	substituteBytes(b, t)
}

// substitute64 is substitute for a b whose length is a multiple of 64, on
// a processor with AVX-512 VBMI (crypt_amd64.s).
//
//go:noescape
func substitute64(b []byte, t *[256]byte)

func hasVectorSubstitute() bool { return substituteVBMI }
