#include "textflag.h"

// func substitute64(b []byte, t *[256]byte)
// Each byte c of b (len(b) a multiple of 64) becomes t[c]. Z0..Z3 hold
// the table; VPERMT2B looks a byte's low seven bits up in Z0:Z1 and in
// Z2:Z3, and its top bit, moved to K1, picks which of the two it gets.
TEXT ·substitute64(SB), NOSPLIT, $0-32
	MOVQ b_base+0(FP), SI
	MOVQ b_len+8(FP), CX
	MOVQ t+24(FP), DX
	VMOVDQU64 0(DX), Z0
	VMOVDQU64 64(DX), Z1
	VMOVDQU64 128(DX), Z2
	VMOVDQU64 192(DX), Z3
	SHRQ $6, CX
	JZ done

loop:
	VMOVDQU64 (SI), Z4
	VMOVDQA64 Z0, Z5
	VPERMT2B Z1, Z4, Z5
	VMOVDQA64 Z2, Z6
	VPERMT2B Z3, Z4, Z6
	VPMOVB2M Z4, K1
	VPBLENDMB Z6, Z5, K1, Z7
	VMOVDQU64 Z7, (SI)
	ADDQ $64, SI
	DECQ CX
	JNZ loop

done:
	VZEROUPPER
	RET
