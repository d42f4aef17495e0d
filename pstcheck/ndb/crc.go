package ndb

import "hash/crc32"

// CRC is MS-PST's checksum (§5.3): the reflected CRC-32 table with initial
// value 0 and no final XOR. Go's crc32.Update inverts on entry and exit, so
// starting from ^0 and inverting the result gives the same value, with the
// hardware-accelerated implementation.
func CRC(b []byte) uint32 {
	return ^crc32.Update(0xFFFFFFFF, crc32.IEEETable, b)
}

// Signature is MS-PST's wSig (§5.5) of a page or block at offset ib with
// BID bid: both folded to 16 bits over their low 32 bits.
func Signature(ib, bid uint64) uint16 {
	x := uint32(ib) ^ uint32(bid)
	return uint16(x>>16) ^ uint16(x)
}
