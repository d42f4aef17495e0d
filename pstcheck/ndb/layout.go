// Package ndb verifies the node database layer of a PST/OST file: the
// header and ROOT, the two B-trees (NBT and BBT), every block the BBT lists,
// the data and subnode trees of every node, and the allocation maps.
//
// It works over an io.ReaderAt plus size, checks every offset, count and
// size read from the file before using it, and reports problems as coded
// findings through a finding.Sink instead of failing.
package ndb

import "encoding/binary"

// Kind is the on-disk flavour of the node database.
type Kind int

const (
	ANSI      Kind = iota + 1 // wVer 14/15: 32-bit BIDs and offsets, 512-byte pages
	Unicode                   // wVer 23: 64-bit BIDs and offsets, 512-byte pages
	Unicode4K                 // wVer 36: 64-bit, 4 KiB pages, compressible blocks
)

func (k Kind) String() string {
	switch k {
	case ANSI:
		return "ansi"
	case Unicode:
		return "unicode"
	case Unicode4K:
		return "unicode4k"
	}
	return ""
}

// Layout holds every size and offset that differs between the three kinds.
// The numbers are MS-PST's, checked on the sample files; the
// 4K values (wVer 36, not in MS-PST) were measured on the Outlook.com OST.
type Layout struct {
	Kind Kind

	PageSize       int64
	PageTrailerOff int // also the length the page CRC covers
	BTFooterOff    int // cEnt; the entries area is [0, BTFooterOff)
	WideBTCounts   bool

	BIDSize          int
	BranchEntrySize  int
	BBTLeafEntrySize int
	NBTLeafEntrySize int

	BlockAlign       int64
	BlockTrailerSize int
	MaxBlockData     int // largest cb of a block

	FirstAMap    int64 // offset of the first AMap page, start of the data section
	AMapCoverage int64 // bytes of file each AMap page maps
	AMapUnit     int64 // bytes per AMap bit
	AMapBytes    int   // bytes of bitmap in an AMap page
	AMapBitsOff  int   // where the bitmap starts (ANSI pages begin with 4 bytes of padding)
	DListOffset  int64
	// PMaps says whether the file has PMap pages, and with them FMaps and
	// (Unicode) FPMaps; where they lie is IntervalPages' rule.
	PMaps bool
}

// LayoutOf returns the layout of a kind.
func LayoutOf(k Kind) Layout {
	switch k {
	case ANSI:
		return Layout{Kind: k, PageSize: 512, PageTrailerOff: 500, BTFooterOff: 496,
			BIDSize: 4, BranchEntrySize: 12, BBTLeafEntrySize: 12, NBTLeafEntrySize: 16,
			BlockAlign: 64, BlockTrailerSize: 12, MaxBlockData: 8192 - 12,
			FirstAMap: 0x4400, AMapCoverage: 496 * 8 * 64, AMapUnit: 64, AMapBytes: 496, AMapBitsOff: 4,
			DListOffset: 0x4200, PMaps: true}
	case Unicode:
		return Layout{Kind: k, PageSize: 512, PageTrailerOff: 496, BTFooterOff: 488,
			BIDSize: 8, BranchEntrySize: 24, BBTLeafEntrySize: 24, NBTLeafEntrySize: 32,
			BlockAlign: 64, BlockTrailerSize: 16, MaxBlockData: 8192 - 16,
			FirstAMap: 0x4400, AMapCoverage: 496 * 8 * 64, AMapUnit: 64, AMapBytes: 496,
			DListOffset: 0x4200, PMaps: true}
	case Unicode4K:
		// Each 4K AMap bit maps one 512-byte unit and its bitmap fills the
		// page up to the trailer: on the sample OST the single AMap at
		// 0x22000 maps exactly the rest of the 16 MB file.
		return Layout{Kind: k, PageSize: 4096, PageTrailerOff: 4072, BTFooterOff: 4056, WideBTCounts: true,
			BIDSize: 8, BranchEntrySize: 24, BBTLeafEntrySize: 24, NBTLeafEntrySize: 32,
			BlockAlign: 512, BlockTrailerSize: 24, MaxBlockData: 65535,
			FirstAMap: 0x22000, AMapCoverage: 4072 * 8 * 512, AMapUnit: 512, AMapBytes: 4072,
			DListOffset: 0x21000}
	}
	return Layout{}
}

// BlockExtent is the bytes a block of cb data bytes occupies on disk,
// trailer and alignment padding included.
func (l *Layout) BlockExtent(cb int) int64 {
	n := int64(cb) + int64(l.BlockTrailerSize)
	return (n + l.BlockAlign - 1) / l.BlockAlign * l.BlockAlign
}

func (l *Layout) uint(b []byte) uint64 {
	if l.BIDSize == 4 {
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

// Page types (PAGETRAILER.ptype).
const (
	PageBBT   = 0x80
	PageNBT   = 0x81
	PageFMap  = 0x82
	PagePMap  = 0x83
	PageAMap  = 0x84
	PageFPMap = 0x85
	PageDList = 0x86
)

// PageTrailer is a page's last bytes.
type PageTrailer struct {
	Type, TypeRepeat uint8
	Sig              uint16
	CRC              uint32
	BID              uint64
}

// BTFooter reads a B-tree page's counts: its entries, the most it can
// hold, the size of each, and its level (0 for a leaf).
func (l *Layout) BTFooter(page []byte) (cEnt, cEntMax, cbEnt, cLevel int) {
	foot := page[l.BTFooterOff:]
	if l.WideBTCounts {
		return int(binary.LittleEndian.Uint16(foot)), int(binary.LittleEndian.Uint16(foot[2:])), int(foot[4]), int(foot[5])
	}
	return int(foot[0]), int(foot[1]), int(foot[2]), int(foot[3])
}

// entrySize is the size of an entry of a B-tree page of type typ at level.
func (l *Layout) entrySize(typ uint8, level int) int {
	switch {
	case level > 0:
		return l.BranchEntrySize
	case typ == PageNBT:
		return l.NBTLeafEntrySize
	}
	return l.BBTLeafEntrySize
}

// amapBits returns a copy of the bitmap of the AMap page at off, or nil
// when the page is not a sound one (soundAMapPage).
func (l *Layout) amapBits(page []byte, off int64) []byte {
	if !l.soundAMapPage(page, off) {
		return nil
	}
	return append([]byte(nil), page[l.AMapBitsOff:l.AMapBitsOff+l.AMapBytes]...)
}

// soundMapPage returns the trailer of page when it is a sound map page
// (AMap, PMap, FMap or FPMap: both type bytes, its CRC), wherever it lies:
// its BID is the offset it belongs at.
func (l *Layout) soundMapPage(page []byte) (PageTrailer, bool) {
	t := l.ParsePageTrailer(page)
	return t, t.Type == t.TypeRepeat && t.Type >= PageFMap && t.Type <= PageFPMap && CRC(page[:l.PageTrailerOff]) == t.CRC
}

// soundAMapPage says whether page is a sound AMap page that belongs at
// off (its BID).
func (l *Layout) soundAMapPage(page []byte, off int64) bool {
	t, ok := l.soundMapPage(page)
	return ok && t.Type == PageAMap && t.BID == uint64(off)
}

// amapCursor reads the bitmaps of the AMap pages of a file one page at a
// time, keeping the last read: for checks that go through places in about
// offset order.
type amapCursor struct {
	r    readerAt
	l    *Layout
	page []byte
	off  int64  // the AMap page last read (0: none)
	bits []byte // its bitmap; nil when it is not a sound AMap page
}

// bitsFor returns the bitmap of the AMap page mapping off, nil when that
// page is not a sound one.
func (c *amapCursor) bitsFor(off int64) []byte { return c.bitsIn(off, nil, 0) }

// bitsIn is bitsFor, the AMap page taken from b (the file's bytes from
// bufStart) when b holds it whole.
func (c *amapCursor) bitsIn(off int64, b []byte, bufStart int64) []byte {
	l := c.l
	at := l.amapOf(off)
	if at == c.off {
		return c.bits
	}
	c.off, c.bits = at, nil
	if at >= bufStart && at+l.PageSize <= bufStart+int64(len(b)) {
		c.bits = l.amapBits(b[at-bufStart:at-bufStart+l.PageSize], at)
		return c.bits
	}
	if c.page == nil {
		c.page = make([]byte, l.PageSize)
	}
	if readFull(c.r, c.page, at) == nil {
		c.bits = l.amapBits(c.page, at)
	}
	return c.bits
}

// freeIn says whether a sound AMap page marks free any AMap unit of the
// extent bytes at start, and whether a sound one was read for them (up to
// the first unit found free).
func (c *amapCursor) freeIn(start, extent int64) (free, sound bool) {
	for u := start; u < start+extent; u += c.l.AMapUnit {
		bits := c.bitsFor(u)
		sound = sound || bits != nil
		if bits != nil && !c.l.amapInUse(bits, u) {
			return true, sound
		}
	}
	return false, sound
}

// amapInUse says whether bits, the bitmap of the AMap page of off's
// interval, mark off in use.
func (l *Layout) amapInUse(bits []byte, off int64) bool {
	u := (off - l.FirstAMap) % l.AMapCoverage / l.AMapUnit
	return bits[u>>3]&(0x80>>(u&7)) != 0
}

// soundBTreePage returns the trailer of the page at off when it is a sound
// NBT or BBT page: both type bytes, the signature for its offset and BID,
// its CRC.
func (l *Layout) soundBTreePage(page []byte, off int64) (PageTrailer, bool) {
	t := l.ParsePageTrailer(page)
	ok := (t.Type == PageNBT || t.Type == PageBBT) && t.TypeRepeat == t.Type &&
		t.Sig == Signature(uint64(off), t.BID) && CRC(page[:l.PageTrailerOff]) == t.CRC
	return t, ok
}

// subnodeBlock reads the header of a subnode block b: its level (0 for an
// SLBLOCK, whose entries are a NID, its data BID and its subnode BID; 1
// for an SIBLOCK, whose entries are a key and an SLBLOCK's BID), how many
// entries it has, their size, and where they start. problem says why b
// is not one, or is too short for its entries ("" when it is sound).
func (l *Layout) subnodeBlock(b []byte) (level, n, size, start int, problem string) {
	start = 8
	if l.Kind == ANSI {
		start = 4
	}
	if len(b) < start || b[0] != 2 || b[1] > 1 {
		return 0, 0, 0, 0, "malformed subnode tree block"
	}
	level, n, size = int(b[1]), int(binary.LittleEndian.Uint16(b[2:])), 3*l.BIDSize
	if level == 1 {
		size = 2 * l.BIDSize
	}
	if start+n*size > len(b) {
		return 0, 0, 0, 0, "subnode block too short for its entries"
	}
	return level, n, size, start, ""
}

// ParsePageTrailer reads the trailer of a whole page.
func (l *Layout) ParsePageTrailer(page []byte) PageTrailer {
	t := page[l.PageTrailerOff:]
	p := PageTrailer{Type: t[0], TypeRepeat: t[1], Sig: binary.LittleEndian.Uint16(t[2:])}
	if l.Kind == ANSI {
		p.BID = uint64(binary.LittleEndian.Uint32(t[4:]))
		p.CRC = binary.LittleEndian.Uint32(t[8:])
	} else {
		p.CRC = binary.LittleEndian.Uint32(t[4:])
		p.BID = binary.LittleEndian.Uint64(t[8:])
	}
	return p
}

// BlockTrailer is a block's last bytes.
type BlockTrailer struct {
	CB  uint16
	Sig uint16
	CRC uint32
	BID uint64
	// Inflated is the uncompressed size (4K files only; else CB).
	Inflated uint16
}

// ParseBlockTrailer reads the trailer at the end of a block's extent.
func (l *Layout) ParseBlockTrailer(extent []byte) BlockTrailer {
	t := extent[len(extent)-l.BlockTrailerSize:]
	b := BlockTrailer{CB: binary.LittleEndian.Uint16(t), Sig: binary.LittleEndian.Uint16(t[2:])}
	switch l.Kind {
	case ANSI:
		b.BID = uint64(binary.LittleEndian.Uint32(t[4:]))
		b.CRC = binary.LittleEndian.Uint32(t[8:])
		b.Inflated = b.CB
	case Unicode:
		b.CRC = binary.LittleEndian.Uint32(t[4:])
		b.BID = binary.LittleEndian.Uint64(t[8:])
		b.Inflated = b.CB
	case Unicode4K:
		b.CRC = binary.LittleEndian.Uint32(t[4:])
		b.BID = binary.LittleEndian.Uint64(t[8:])
		b.Inflated = binary.LittleEndian.Uint16(t[18:])
	}
	return b
}

// BID flag bits. Bit 0 is reserved (readers ignore it); bit 1 marks an
// internal block (XBLOCK, XXBLOCK, SLBLOCK, SIBLOCK).
const (
	bidReserved = 0x1
	bidInternal = 0x2
)

// IsInternal reports whether bid names an internal block.
func IsInternal(bid uint64) bool { return bid&bidInternal != 0 }

// NID types (low five bits of a NID) used to describe and attribute nodes.
const (
	NIDTypeFolder         = 0x02
	NIDTypeSearchFolder   = 0x03
	NIDTypeMessage        = 0x04
	NIDTypeAttachment     = 0x05
	NIDTypeAssocMessage   = 0x08
	NIDTypeHierarchyTable = 0x0D
	NIDTypeContentsTable  = 0x0E
	NIDTypeAssocContents  = 0x0F
	NIDTypeLTP            = 0x1F // a value a heap keeps in a subnode
)

// NIDKind names a NID's type for people.
func NIDKind(nid uint32) string {
	switch nid & 0x1F {
	case 0x00:
		return "heap node"
	case 0x01:
		return "internal node"
	case NIDTypeFolder:
		return "folder"
	case NIDTypeSearchFolder:
		return "search folder"
	case NIDTypeMessage:
		return "message"
	case NIDTypeAttachment:
		return "attachment"
	case 0x06:
		return "search update queue"
	case 0x07:
		return "search criteria"
	case NIDTypeAssocMessage:
		return "associated (FAI) message"
	case 0x0A:
		return "contents table index"
	case 0x0B:
		return "receive folder table"
	case 0x0C:
		return "outgoing queue"
	case NIDTypeHierarchyTable:
		return "hierarchy table"
	case NIDTypeContentsTable:
		return "contents table"
	case NIDTypeAssocContents:
		return "FAI contents table"
	case 0x10:
		return "search contents table"
	case 0x11:
		return "attachment table"
	case 0x12:
		return "recipient table"
	case 0x13:
		return "search table index"
	case 0x1F:
		return "LTP node"
	}
	return "node"
}
