package rtf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Compression types (COMPTYPE) of MS-OXRTFCP.
const (
	compTypeCompressed   = 0x75465A4C // "LZFu"
	compTypeUncompressed = 0x414C454D // "MELA"
)

// headerSize is the size of the MS-OXRTFCP header: COMPSIZE, RAWSIZE,
// COMPTYPE and CRC, four little-endian DWORDs.
const headerSize = 16

// MaxDecompressedSize is the hard cap on the output of [Decompress]. A stream
// whose RAWSIZE is larger is rejected with [ErrTooLarge] before anything is
// allocated.
const MaxDecompressedSize = 256 << 20

// maxInitialCapacity caps the buffer allocated up front from RAWSIZE; the
// buffer grows past it only as real output is produced.
const maxInitialCapacity = 64 << 20

// Errors returned by [Decompress]; test with errors.Is.
var (
	ErrTruncated       = errors.New("rtf: compressed RTF is truncated")
	ErrUnknownType     = errors.New("rtf: unknown compressed RTF type")
	ErrCRC             = errors.New("rtf: compressed RTF CRC mismatch")
	ErrTooLarge        = errors.New("rtf: decompressed RTF too large")
	ErrRawSizeMismatch = errors.New("rtf: decompressed size differs from RAWSIZE")
	ErrBadHeader       = errors.New("rtf: invalid compressed RTF header")
)

// initialDictionary is the 207-byte string MS-OXRTFCP preloads into the
// 4096-byte dictionary (note the real CR LF pair after \blue0).
const initialDictionary = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}" +
	"{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor " +
	"MS Sans SerifSymbolArialTimes New RomanCourier" +
	"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

const (
	dictSize = 4096
	dictMask = dictSize - 1
)

// crc computes the MS-OXRTFCP CRC: the reflected CRC-32 polynomial
// 0xEDB88320 table of IEEE 802.3, but with an initial value of 0 and no final
// inversion (so it differs from crc32.ChecksumIEEE and from MS-PST's CRC).
func crc(p []byte) uint32 {
	// crc32.Update inverts on entry and exit; pre-inverting the seed and
	// inverting the result cancels both.
	return ^crc32.Update(^uint32(0), crc32.IEEETable, p)
}

// Decompress decodes a PidTagRtfCompressed value (MS-OXRTFCP) and returns
// the RTF it holds.
//
// For COMPTYPE "LZFu" the CRC over the compressed contents is verified
// ([ErrCRC]), the stream must end with the end-of-stream reference or run out
// exactly at RAWSIZE ([ErrTruncated] otherwise), and output beyond RAWSIZE is
// an error ([ErrTooLarge]). If the stream ends cleanly but produced fewer than
// RAWSIZE bytes, the bytes produced are returned together with an error
// wrapping [ErrRawSizeMismatch].
//
// For COMPTYPE "MELA" (uncompressed) the RAWSIZE bytes following the header
// are returned as they are; its CRC field is not checked (the specification
// requires 0 there, but some writers store a checksum). Exchange stores MELA
// streams with RAWSIZE set to COMPSIZE, 12 bytes more than the data; when
// fewer than RAWSIZE bytes follow the header but COMPSIZE-12 do, those
// COMPSIZE-12 bytes are returned.
//
// RAWSIZE is never trusted for allocation beyond what the input can produce;
// streams declaring more than [MaxDecompressedSize] are rejected.
func Decompress(b []byte) ([]byte, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, header needs %d", ErrTruncated, len(b), headerSize)
	}
	compSize := binary.LittleEndian.Uint32(b[0:4])
	rawSize := binary.LittleEndian.Uint32(b[4:8])
	compType := binary.LittleEndian.Uint32(b[8:12])
	wantCRC := binary.LittleEndian.Uint32(b[12:16])

	if uint64(rawSize) > MaxDecompressedSize {
		return nil, fmt.Errorf("%w: RAWSIZE %d exceeds %d", ErrTooLarge, rawSize, MaxDecompressedSize)
	}

	switch compType {
	case compTypeUncompressed:
		data := b[headerSize:]
		n := uint64(rawSize)
		if uint64(len(data)) < n {
			// Exchange writes MELA streams whose RAWSIZE equals COMPSIZE,
			// 12 more than the data it stores. When COMPSIZE delimits data
			// that is all there, that data is the whole RTF.
			if compSize < headerSize-4 || uint64(compSize)+4 > uint64(len(b)) {
				return nil, fmt.Errorf("%w: uncompressed RTF has %d of %d bytes", ErrTruncated, len(data), rawSize)
			}
			n = uint64(compSize) - (headerSize - 4)
		}
		out := make([]byte, n)
		copy(out, data)
		return out, nil

	case compTypeCompressed:
		// COMPSIZE counts the contents plus the 12 header bytes after it.
		if compSize < headerSize-4 {
			return nil, fmt.Errorf("%w: COMPSIZE %d is smaller than the header", ErrBadHeader, compSize)
		}
		end := uint64(compSize) + 4
		if end > uint64(len(b)) {
			return nil, fmt.Errorf("%w: COMPSIZE %d needs %d bytes, have %d", ErrTruncated, compSize, end, len(b))
		}
		contents := b[headerSize:end] // bytes past COMPSIZE are padding and ignored
		if got := crc(contents); got != wantCRC {
			return nil, fmt.Errorf("%w: header 0x%08X, computed 0x%08X", ErrCRC, wantCRC, got)
		}
		return lzfu(contents, int(rawSize))

	default:
		return nil, fmt.Errorf("%w: COMPTYPE 0x%08X", ErrUnknownType, compType)
	}
}

// lzfu decodes the LZFu contents (the bytes after the header) into at most
// rawSize bytes.
func lzfu(in []byte, rawSize int) ([]byte, error) {
	var dict [dictSize]byte
	copy(dict[:], initialDictionary)
	wpos := len(initialDictionary)

	// Every 17 input bytes (a control byte and 8 references) yield at most
	// 8*17 output bytes, so the input bounds what can honestly be produced.
	capacity := rawSize
	if lim := 8*len(in) + 16; capacity > lim {
		capacity = lim
	}
	if capacity > maxInitialCapacity {
		capacity = maxInitialCapacity
	}
	out := make([]byte, 0, capacity)

	pos := 0
	for pos < len(in) {
		control := in[pos]
		pos++
		for bit := 0; bit < 8; bit++ {
			if pos >= len(in) {
				break // input ended inside a run; judged below
			}
			if control&(1<<bit) == 0 {
				// Literal.
				if len(out) >= rawSize {
					return nil, fmt.Errorf("%w: output exceeds RAWSIZE %d", ErrTooLarge, rawSize)
				}
				c := in[pos]
				pos++
				out = append(out, c)
				dict[wpos] = c
				wpos = (wpos + 1) & dictMask
				continue
			}
			// Dictionary reference: big-endian 12-bit offset, 4-bit length-2.
			if pos+2 > len(in) {
				return nil, fmt.Errorf("%w: reference at offset %d", ErrTruncated, pos)
			}
			ref := int(in[pos])<<8 | int(in[pos+1])
			pos += 2
			off := ref >> 4
			n := ref&0xF + 2
			if off == wpos {
				// End of stream.
				if len(out) != rawSize {
					return out, fmt.Errorf("%w: got %d bytes, RAWSIZE %d", ErrRawSizeMismatch, len(out), rawSize)
				}
				return out, nil
			}
			if len(out)+n > rawSize {
				return nil, fmt.Errorf("%w: output exceeds RAWSIZE %d", ErrTooLarge, rawSize)
			}
			// Copy byte by byte: the source may overlap the bytes being
			// written, which repeats them.
			for i := 0; i < n; i++ {
				c := dict[(off+i)&dictMask]
				out = append(out, c)
				dict[wpos] = c
				wpos = (wpos + 1) & dictMask
			}
		}
	}
	// No end-of-stream reference. Accept a stream that produced exactly
	// RAWSIZE bytes (its CRC already matched); anything else lost its tail.
	if len(out) == rawSize {
		return out, nil
	}
	return nil, fmt.Errorf("%w: no end marker after %d of %d bytes", ErrTruncated, len(out), rawSize)
}
