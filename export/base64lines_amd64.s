#include "textflag.h"

// The three tables of the AVX-512 VBMI base64 line encoder (see
// base64lines_amd64.go for what each step does).

// b64groups puts each 3-byte group s0 s1 s2 of 48 input bytes into a
// 32-bit lane as s1 s0 s2 s1.
DATA b64groups<>+0(SB)/8, $0x0405030401020001
DATA b64groups<>+8(SB)/8, $0x0a0b090a07080607
DATA b64groups<>+16(SB)/8, $0x10110f100d0e0c0d
DATA b64groups<>+24(SB)/8, $0x1617151613141213
DATA b64groups<>+32(SB)/8, $0x1c1d1b1c191a1819
DATA b64groups<>+40(SB)/8, $0x222321221f201e1f
DATA b64groups<>+48(SB)/8, $0x2829272825262425
DATA b64groups<>+56(SB)/8, $0x2e2f2d2e2b2c2a2b
GLOBL b64groups<>(SB), RODATA|NOPTR, $64

// b64shifts picks, in each 32-bit lane, the bits of the four 6-bit
// values: from bit 10, 4, 22 and 16 of the lane.
DATA b64shifts<>+0(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+8(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+16(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+24(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+32(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+40(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+48(SB)/8, $0x3036242a1016040a
DATA b64shifts<>+56(SB)/8, $0x3036242a1016040a
GLOBL b64shifts<>(SB), RODATA|NOPTR, $64

// b64alphabet is base64's 64 characters.
DATA b64alphabet<>+0(SB)/8, $0x4847464544434241
DATA b64alphabet<>+8(SB)/8, $0x504f4e4d4c4b4a49
DATA b64alphabet<>+16(SB)/8, $0x5857565554535251
DATA b64alphabet<>+24(SB)/8, $0x6665646362615a59
DATA b64alphabet<>+32(SB)/8, $0x6e6d6c6b6a696867
DATA b64alphabet<>+40(SB)/8, $0x767574737271706f
DATA b64alphabet<>+48(SB)/8, $0x333231307a797877
DATA b64alphabet<>+56(SB)/8, $0x2f2b393837363534
GLOBL b64alphabet<>(SB), RODATA|NOPTR, $64

// func encodeBase64LinesVBMI(dst, src *byte, lines int)
// Encodes lines lines of 57 bytes at src as lines of 76 characters and a
// CRLF at dst: the first 48 bytes of a line give its first 64
// characters, the last 9 its last 12, each through the same three steps.
TEXT ·encodeBase64LinesVBMI(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ lines+16(FP), CX
	TESTQ CX, CX
	JZ done
	VMOVDQU64 b64groups<>(SB), Z1
	VMOVDQU64 b64shifts<>(SB), Z2
	VMOVDQU64 b64alphabet<>(SB), Z3
	MOVQ $0xFFFFFFFFFFFF, AX
	KMOVQ AX, K1 // 48 bytes in
	MOVQ $0x1FF, AX
	KMOVQ AX, K2 // 9 bytes in
	MOVQ $0xFFF, AX
	KMOVQ AX, K3 // 12 characters out

loop:
	VMOVDQU8.Z (SI), K1, Z4
	VPERMB Z4, Z1, Z5
	VPMULTISHIFTQB Z5, Z2, Z5
	VPERMB Z3, Z5, Z5
	VMOVDQU64 Z5, (DI)
	VMOVDQU8.Z 48(SI), K2, Z4
	VPERMB Z4, Z1, Z5
	VPMULTISHIFTQB Z5, Z2, Z5
	VPERMB Z3, Z5, Z5
	VMOVDQU8 Z5, K3, 64(DI)
	MOVW $0x0A0D, 76(DI)
	ADDQ $57, SI
	ADDQ $78, DI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
