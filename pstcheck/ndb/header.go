package ndb

import (
	"encoding/binary"
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// BREF is a reference to a page or block: its BID and file offset.
type BREF struct {
	BID uint64
	IB  uint64
}

// Header is the decoded HEADER and ROOT.
type Header struct {
	Layout
	Version   uint16
	Client    string // "SM", "SO", "AB" or the bytes found
	Crypt     uint8  // bCryptMethod
	FileEOF   uint64 // ROOT.ibFileEof
	AMapLast  uint64
	AMapFree  uint64
	PMapFree  uint64
	NBT, BBT  BREF
	AMapValid uint8
	// NBTUsable and BBTUsable say whether the root references can be
	// followed (in range and aligned).
	NBTUsable, BBTUsable bool
	// Guessed says the header was destroyed and what it holds was found
	// again from what follows it (recover.go).
	Guessed bool
}

// Content returns "pst", "ost", "pab" or "" for the client signature.
func (h *Header) Content() string {
	switch h.Client {
	case "SM":
		return "pst"
	case "SO":
		return "ost"
	case "AB":
		return "pab"
	}
	return ""
}

// CryptName names bCryptMethod.
func (h *Header) CryptName() string {
	switch h.Crypt {
	case 0:
		return "none"
	case 1:
		return "compressible"
	case 2:
		return "high"
	}
	return fmt.Sprintf("unknown (0x%02X)", h.Crypt)
}

// Header sizes: the Unicode header runs to dwCRCFull and beyond (564
// bytes); the ANSI one is 512 bytes.
const (
	unicodeHeaderLen = 564
	ansiHeaderLen    = 512
	magic            = "!BDN"
)

// ReadHeader reads and verifies the header of a file of size bytes.
// It returns nil when the file is not a PST or the header is unusable
// (the findings say why); otherwise the header, possibly with findings.
func ReadHeader(r readerAt, size int64, sink finding.Sink) *Header {
	return readHeader(r, size, size, sink, true)
}

// kindOf is the format a header's wVer names.
func kindOf(version uint16) (Kind, bool) {
	switch version {
	case 14, 15:
		return ANSI, true
	case 23:
		return Unicode, true
	case 36:
		return Unicode4K, true
	}
	return 0, false
}

// HeaderStart reads what the first 12 bytes of a header say, for a file
// cut off inside its header, which ReadHeader does not take: the format
// (wVer) and whether it is a PST or an OST (wMagicClient, Header.Content).
// ok is false when they are not there or not a header's.
func HeaderStart(r readerAt, size int64) (kind Kind, content string, ok bool) {
	var buf [12]byte
	if size < int64(len(buf)) || readFull(r, buf[:], 0) != nil || string(buf[:4]) != magic {
		return 0, "", false
	}
	h := Header{Version: binary.LittleEndian.Uint16(buf[10:]), Client: string(buf[8:10])}
	kind, ok = kindOf(h.Version)
	return kind, h.Content(), ok
}

// readHeader is ReadHeader for a file of fileSize bytes read through its
// gaps (FindGaps) as size bytes, what the size findings say; judgeEOF
// says whether an end of file the rest belies is replaced (eofBelied):
// FindGaps takes the end as written, which a copy with bytes missing
// inside still has.
func readHeader(r readerAt, size, fileSize int64, sink finding.Sink, judgeEOF bool) *Header {
	buf := make([]byte, unicodeHeaderLen)
	n := len(buf)
	if size < int64(n) {
		n = int(size)
	}
	if err := readFull(r, buf[:n], 0); err != nil {
		sink.Report(finding.Finding{Code: finding.FileRead, Offset: 0, Detail: "reading the header: " + finding.ErrorText(err)})
		return nil
	}
	if n < 4 || string(buf[:4]) != magic {
		if n < 4 {
			sink.Report(finding.Finding{Code: finding.HeaderTruncated, Offset: int64(n),
				Detail: fmt.Sprintf("the file is %d bytes long; a PST header needs %d", size, ansiHeaderLen)})
		} else {
			sink.Report(finding.Finding{Code: finding.HeaderMagic, Offset: 0,
				Detail: fmt.Sprintf("the first bytes are % X, not \"!BDN\"", buf[:4])})
		}
		return nil
	}
	if n < 12 {
		sink.Report(finding.Finding{Code: finding.HeaderTruncated, Offset: int64(n),
			Detail: fmt.Sprintf("the file is %d bytes long; a PST header needs %d", size, ansiHeaderLen)})
		return nil
	}
	h := &Header{Version: binary.LittleEndian.Uint16(buf[10:]), Client: string(buf[8:10])}
	kind, ok := kindOf(h.Version)
	if !ok {
		sink.Report(finding.Finding{Code: finding.HeaderVersion, Offset: 10,
			Detail: fmt.Sprintf("wVer is %d", h.Version)})
		return nil
	}
	h.Layout = LayoutOf(kind)
	need := unicodeHeaderLen
	if kind == ANSI {
		need = ansiHeaderLen
	}
	if n < need {
		sink.Report(finding.Finding{Code: finding.HeaderTruncated, Offset: int64(n),
			Detail: fmt.Sprintf("the file is %d bytes long; a %s header needs %d", size, kind, need)})
		return nil
	}
	if h.Content() == "" {
		sink.Report(finding.Finding{Code: finding.HeaderClient, Offset: 8,
			Detail: fmt.Sprintf("wMagicClient is % X", buf[8:10])})
	}
	if got, want := CRC(buf[8:479]), binary.LittleEndian.Uint32(buf[4:]); got != want {
		sink.Report(finding.Finding{Code: finding.HeaderCRCPartial, Offset: 4,
			Detail: fmt.Sprintf("stored 0x%08X, computed 0x%08X over bytes 8-478", want, got)})
	}
	var sentinelOff, cryptOff int
	if kind == ANSI {
		sentinelOff, cryptOff = 460, 461
		h.FileEOF = uint64(binary.LittleEndian.Uint32(buf[168:]))
		h.AMapLast = uint64(binary.LittleEndian.Uint32(buf[172:]))
		h.AMapFree = uint64(binary.LittleEndian.Uint32(buf[176:]))
		h.PMapFree = uint64(binary.LittleEndian.Uint32(buf[180:]))
		h.NBT = BREF{uint64(binary.LittleEndian.Uint32(buf[184:])), uint64(binary.LittleEndian.Uint32(buf[188:]))}
		h.BBT = BREF{uint64(binary.LittleEndian.Uint32(buf[192:])), uint64(binary.LittleEndian.Uint32(buf[196:]))}
		h.AMapValid = buf[200]
	} else {
		sentinelOff, cryptOff = 512, 513
		if got, want := CRC(buf[8:524]), binary.LittleEndian.Uint32(buf[524:]); got != want {
			sink.Report(finding.Finding{Code: finding.HeaderCRCFull, Offset: 524,
				Detail: fmt.Sprintf("stored 0x%08X, computed 0x%08X over bytes 8-523", want, got)})
		}
		h.FileEOF = binary.LittleEndian.Uint64(buf[184:])
		h.AMapLast = binary.LittleEndian.Uint64(buf[192:])
		h.AMapFree = binary.LittleEndian.Uint64(buf[200:])
		h.PMapFree = binary.LittleEndian.Uint64(buf[208:])
		h.NBT = BREF{binary.LittleEndian.Uint64(buf[216:]), binary.LittleEndian.Uint64(buf[224:])}
		h.BBT = BREF{binary.LittleEndian.Uint64(buf[232:]), binary.LittleEndian.Uint64(buf[240:])}
		h.AMapValid = buf[248]
	}
	if buf[sentinelOff] != 0x80 {
		sink.Report(finding.Finding{Code: finding.HeaderSentinel, Offset: int64(sentinelOff),
			Detail: fmt.Sprintf("bSentinel is 0x%02X", buf[sentinelOff])})
	}
	h.Crypt = buf[cryptOff]
	if h.Crypt > 2 {
		sink.Report(finding.Finding{Code: finding.HeaderCrypt, Offset: int64(cryptOff),
			Detail: fmt.Sprintf("bCryptMethod is 0x%02X", h.Crypt)})
	}
	rootOff := int64(180)
	if kind == ANSI {
		rootOff = 164
	}
	// An end of file that differs from where a file ending on its last
	// AMap page's interval ends is the header's damage (one changed bit
	// of it said "cut off: 32 MiB missing" of a whole file, or cut the
	// store's last megabytes off the scan), not the file's (eofBelied).
	if judgeEOF && h.eofBelied(size) {
		sink.Report(finding.Finding{Code: finding.RootFileEOFWrong, Offset: rootOff + 4,
			Detail: fmt.Sprintf("the header says the store ends at %d bytes, but the file's %d bytes end where the interval of its last allocation map page (at 0x%X) does, as a whole store's do: read to the file's end", h.FileEOF, size, h.AMapLast)})
		h.FileEOF = uint64(size)
	}
	read := ""
	if fileSize != size {
		read = fmt.Sprintf(" read around the bytes missing or added inside it (%d on disk)", fileSize)
	}
	switch {
	case uint64(size) < h.FileEOF:
		sink.Report(finding.Finding{Code: finding.RootFileTruncated, Offset: size,
			Detail: fmt.Sprintf("the file is %d bytes%s; the header says %d (%d bytes missing)", size, read, h.FileEOF, h.FileEOF-uint64(size))})
	case uint64(size) > h.FileEOF:
		sink.Report(finding.Finding{Code: finding.RootTrailingData, Offset: int64(h.FileEOF),
			Detail: fmt.Sprintf("the file is %d bytes%s; the header says %d (%d extra bytes)", size, read, h.FileEOF, uint64(size)-h.FileEOF)})
	}
	limit := h.Limit(size)
	h.NBTUsable = h.checkRootBREF("NBT", h.NBT, limit, rootOff, sink)
	h.BBTUsable = h.checkRootBREF("BBT", h.BBT, limit, rootOff, sink)
	if h.AMapValid == 0 {
		sink.Report(finding.Finding{Code: finding.RootAMapInvalid, Offset: rootOff,
			Detail: "fAMapValid is 0"})
	}
	return h
}

// eofBelied says whether the header's end of file is its own damage, not
// the file's: a store grows by whole AMap intervals (MS-PST 2.6.1.1.2),
// so it ends where its last AMap page's interval does, and a file that
// ends exactly there is whole, whatever other end the header says. (A
// copy cut off or with bytes missing inside ends short of there, one with
// bytes added past it: both keep the header's end. A header whose last
// AMap page is changed besides could make a cut copy seem whole only
// where the cut fell exactly on an interval's end.)
func (h *Header) eofBelied(size int64) bool {
	return h.FileEOF != uint64(size) && h.endsAfterLastAMap(uint64(size)) && uint64(size) == h.AMapLast+uint64(h.AMapCoverage)
}

// endsAfterLastAMap says whether a store ending at eof fits the header's
// last AMap page: that page lies where AMap pages do, and eof after it,
// within the span it maps (Outlook grows the file by the span it maps, the
// page first).
func (h *Header) endsAfterLastAMap(eof uint64) bool {
	last, first, span := h.AMapLast, uint64(h.FirstAMap), uint64(h.AMapCoverage)
	return last >= first && (last-first)%span == 0 && eof > last && eof-last <= span
}

// Limit is the end of the region pages and blocks may occupy: the smaller
// of the real size and the header's end of file.
func (h *Header) Limit(size int64) int64 {
	if h.FileEOF < uint64(size) {
		return int64(h.FileEOF)
	}
	return size
}

func (h *Header) checkRootBREF(name string, b BREF, limit, rootOff int64, sink finding.Sink) bool {
	if b.IB%uint64(h.PageSize) != 0 || b.IB < uint64(h.FirstAMap) || b.IB > uint64(limit) || uint64(limit)-b.IB < uint64(h.PageSize) {
		sink.Report(finding.Finding{Code: finding.RootBREF, Offset: rootOff, BID: b.BID,
			Detail: fmt.Sprintf("the %s root page reference points at 0x%X, outside the file's pages (end 0x%X)", name, b.IB, limit)})
		return false
	}
	return true
}
