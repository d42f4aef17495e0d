package pstwrite

import (
	"encoding/binary"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Unicode HEADER and ROOT field offsets (MS-PST 2.2.2.5, 2.2.2.6).
const (
	hdrLen          = 564
	hdrVerClient    = 19 // wVerClient of the format MS-PST describes
	hdrOffBidNextP  = 32
	hdrOffUnique    = 40
	hdrOffRgnid     = 44
	hdrOffRoot      = 180
	hdrOffFM        = 256
	hdrOffFP        = 384
	hdrOffSentinel  = 512
	hdrOffCrypt     = 513
	hdrOffBidNextB  = 516
	hdrOffCRCFull   = 524
	rootOffFileEOF  = hdrOffRoot + 4
	rootOffAMapLast = hdrOffRoot + 12
	rootOffAMapFree = hdrOffRoot + 20
	rootOffPMapFree = hdrOffRoot + 28
	rootOffNBT      = hdrOffRoot + 36
	rootOffBBT      = hdrOffRoot + 52
	rootOffAMapOK   = hdrOffRoot + 68
	ampValid2       = 0x02 // VALID_AMAP2
)

// headerState is what the header records of a finished file.
type headerState struct {
	crypt         uint8
	bidNextB      uint64
	bidNextP      uint64
	unique        uint32
	rgnid         [32]uint32
	eof, amapLast int64
	amapFree      int64
	nbt, bbt      ndb.BREF
}

// header builds the 564-byte Unicode header with both CRCs.
func (h *headerState) bytes() []byte {
	b := make([]byte, hdrLen)
	copy(b, "!BDN")
	copy(b[8:], "SM")
	binary.LittleEndian.PutUint16(b[10:], 23) // wVer: Unicode
	binary.LittleEndian.PutUint16(b[12:], hdrVerClient)
	b[14], b[15] = 0x01, 0x01 // bPlatformCreate, bPlatformAccess
	binary.LittleEndian.PutUint64(b[hdrOffBidNextP:], h.bidNextP)
	binary.LittleEndian.PutUint32(b[hdrOffUnique:], h.unique)
	for i, n := range h.rgnid {
		binary.LittleEndian.PutUint32(b[hdrOffRgnid+4*i:], n)
	}
	binary.LittleEndian.PutUint64(b[rootOffFileEOF:], uint64(h.eof))
	binary.LittleEndian.PutUint64(b[rootOffAMapLast:], uint64(h.amapLast))
	binary.LittleEndian.PutUint64(b[rootOffAMapFree:], uint64(h.amapFree))
	binary.LittleEndian.PutUint64(b[rootOffPMapFree:], 0) // PMaps: deprecated, none free
	binary.LittleEndian.PutUint64(b[rootOffNBT:], h.nbt.BID)
	binary.LittleEndian.PutUint64(b[rootOffNBT+8:], h.nbt.IB)
	binary.LittleEndian.PutUint64(b[rootOffBBT:], h.bbt.BID)
	binary.LittleEndian.PutUint64(b[rootOffBBT+8:], h.bbt.IB)
	b[rootOffAMapOK] = ampValid2
	// rgbFM and rgbFP are deprecated: a new file fills them with 0xFF.
	for i := hdrOffFM; i < hdrOffSentinel; i++ {
		b[i] = 0xFF
	}
	b[hdrOffSentinel] = 0x80
	b[hdrOffCrypt] = h.crypt
	binary.LittleEndian.PutUint64(b[hdrOffBidNextB:], h.bidNextB)
	binary.LittleEndian.PutUint32(b[4:], ndb.CRC(b[8:479]))
	binary.LittleEndian.PutUint32(b[hdrOffCRCFull:], ndb.CRC(b[8:hdrOffCRCFull]))
	return b
}
