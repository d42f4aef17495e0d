// Package pstmut makes named, structure-aware mutations to an in-memory
// copy of a real PST/OST file, for corruption tests and fuzz targets
// (start from a valid file, damage it on purpose, require a
// clean coded finding).
//
// A File is opened from the bytes of a sound sample. Its B-trees are walked
// once, when opened, so tests can name what they damage: "the BBT leaf that
// lists block 0x4C8", "the NBT entry of node 0x200024", "the AMap bit of
// offset 0x1A2B40". Edits go straight to File.B. Helpers that edit a field
// guarded by a checksum come in two kinds: the low-level ones (PutUint,
// FlipByte, Zero) leave every checksum as it is, so the damage is visible
// to a CRC check; the field setters (SetRoot, SetFooter, SetBranchEntry,
// EditBBT, EditNBT, SetLcbTotal, SetSLEntry, SetAMapBit, ...) recompute the
// checksum of the header, page or block they touch, so that only the
// structural damage remains. Trailer setters (SetPageType, SetPageSig,
// SetPageBID, SetBlockSig, SetBlockTrailerBID, ...) need no fix: no CRC
// covers a trailer. FixHeaderCRCs, FixPageCRC and FixBlockCRC recompute a
// checksum on demand.
//
// Inside node data (data.go, ltp.go) the edits keep every checksum valid,
// so that only the LTP and messaging layers can see them. Decoded and
// EditDecoded read and rewrite a data block in its decoded form (encoded
// again with the file's bCryptMethod, see Encode; CRC fixed); DataBlocks
// and Subnodes follow data and subnode trees. Heap locates a node's
// heap-on-node: its HNHDR, page maps and items by HID; BTH headers and
// records; a property context's properties (Props, SetProp); a table
// context (NodeTable, SubnodeTable): its TCINFO, row index and row
// matrix, with SetRowID and SetCell (damage) and SetRowNID and RemoveRow
// (sound edits that rename or drop a row consistently, as a writer
// would). RemoveNBT drops a node from the NBT.
//
// The parsed view (H, BBT, NBT, Pages) is the file as opened; EditBBT and
// EditNBT keep it current, other edits do not. Open trusts the file it is
// given (samples are sound), but every read and write is bounds-checked:
// a test that names a wrong offset stops with a panic that says so rather
// than damaging the wrong bytes.
package pstmut

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sort"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// File is a mutable in-memory copy of a PST/OST file.
type File struct {
	// B is the file's bytes. Mutations edit it in place; tests may too.
	B []byte
	// L is the layout of the file's kind (page and block sizes, offsets).
	L ndb.Layout
	// H is the header as it was when the file was opened.
	H *ndb.Header
	// HF gives the offsets of the header fields in this kind of file.
	HF HeaderFields
	// BBT and NBT are the leaf entries of the block and node B-trees as
	// they were when the file was opened, each with the page that holds it.
	BBT []BBTRef
	NBT []NBTRef
	// Pages are the B-tree pages, BBT then NBT, each tree in pre-order
	// (a branch page comes before its children).
	Pages []Page
}

// Open copies b and parses its header and B-trees. It fails when the
// header is unusable or a B-tree cannot be walked: the bytes are not a
// sound sample to mutate.
func Open(b []byte) (*File, error) {
	f := &File{B: append([]byte(nil), b...)}
	var findings []finding.Finding
	sink := finding.SinkFunc(func(x finding.Finding) { findings = append(findings, x) })
	f.H = ndb.ReadHeader(bytes.NewReader(f.B), int64(len(f.B)), sink)
	if f.H == nil {
		return nil, fmt.Errorf("pstmut: unusable header: %v", findings)
	}
	f.L = f.H.Layout
	f.HF = headerFields(f.L.Kind)
	if err := f.walk(f.H.BBT, ndb.PageBBT); err != nil {
		return nil, err
	}
	if err := f.walk(f.H.NBT, ndb.PageNBT); err != nil {
		return nil, err
	}
	sort.Slice(f.BBT, func(i, j int) bool { return f.BBT[i].BID < f.BBT[j].BID })
	sort.Slice(f.NBT, func(i, j int) bool { return f.NBT[i].NID < f.NBT[j].NID })
	return f, nil
}

// Load reads a file and opens it.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Open(b)
}

// Clone returns an independent copy of f (same parsed structure, own bytes).
func (f *File) Clone() *File {
	g := *f
	g.B = append([]byte(nil), f.B...)
	g.BBT = append([]BBTRef(nil), f.BBT...)
	g.NBT = append([]NBTRef(nil), f.NBT...)
	g.Pages = append([]Page(nil), f.Pages...)
	return &g
}

// Size is the current length of the file.
func (f *File) Size() int64 { return int64(len(f.B)) }

// Reader returns a reader over the current bytes. It sees later edits that
// do not change the length.
func (f *File) Reader() *bytes.Reader { return bytes.NewReader(f.B) }

// Scan runs the engine's NDB passes over the current bytes and returns
// their result and findings: a quick way to locate structures (the result
// is sorted and cross-referenced) or to check a mutation.
func (f *File) Scan() (*ndb.Result, []finding.Finding) {
	var out []finding.Finding
	sink := finding.SinkFunc(func(x finding.Finding) { out = append(out, x) })
	res := ndb.Scan(context.Background(), f.Reader(), f.Size(), sink, ndb.Options{})
	res.SettleStale(false, sink) // as the NDB passes alone can tell
	return res, out
}

func (f *File) check(off, n int64) {
	if off < 0 || n < 0 || off+n > int64(len(f.B)) {
		panic(fmt.Sprintf("pstmut: range 0x%X+%d is outside the %d-byte file", off, n, len(f.B)))
	}
}

// ---- raw bytes ----

// FlipByte inverts every bit of the byte at off. No checksum is fixed.
func (f *File) FlipByte(off int64) {
	f.check(off, 1)
	f.B[off] ^= 0xFF
}

// Zero clears n bytes at off. No checksum is fixed.
func (f *File) Zero(off, n int64) {
	f.check(off, n)
	clear(f.B[off : off+n])
}

// Truncate cuts the file to n bytes.
func (f *File) Truncate(n int64) {
	f.check(0, n)
	f.B = f.B[:n:n]
}

// Extend appends n zero bytes.
func (f *File) Extend(n int64) {
	f.B = append(f.B, make([]byte, n)...)
}

// Uint reads an n-byte little-endian unsigned integer (n is 1, 2, 4 or 8).
func (f *File) Uint(off int64, n int) uint64 {
	f.check(off, int64(n))
	b := f.B[off:]
	switch n {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	panic(fmt.Sprintf("pstmut: integer width %d", n))
}

// PutUint writes v as an n-byte little-endian integer (n is 1, 2, 4 or 8).
// No checksum is fixed.
func (f *File) PutUint(off int64, n int, v uint64) {
	f.check(off, int64(n))
	b := f.B[off:]
	switch n {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	case 8:
		binary.LittleEndian.PutUint64(b, v)
	default:
		panic(fmt.Sprintf("pstmut: integer width %d", n))
	}
}

// ---- header ----

// HeaderFields are the offsets of the HEADER and ROOT fields that differ
// between ANSI and Unicode files. Width is the size of the
// ROOT's offset and BID fields (4 ANSI, 8 Unicode). CRCFull is -1 in ANSI
// files, which have no dwCRCFull.
type HeaderFields struct {
	Width                        int
	CRCPartial, CRCFull          int64
	Client, Version              int64
	Root                         int64
	FileEOF, AMapLast            int64
	AMapFree, PMapFree           int64
	NBTBID, NBTIB, BBTBID, BBTIB int64
	AMapValid                    int64
	Sentinel, Crypt              int64
}

func headerFields(k ndb.Kind) HeaderFields {
	if k == ndb.ANSI {
		return HeaderFields{Width: 4, CRCPartial: 4, CRCFull: -1, Client: 8, Version: 10,
			Root: 164, FileEOF: 168, AMapLast: 172, AMapFree: 176, PMapFree: 180,
			NBTBID: 184, NBTIB: 188, BBTBID: 192, BBTIB: 196, AMapValid: 200,
			Sentinel: 460, Crypt: 461}
	}
	return HeaderFields{Width: 8, CRCPartial: 4, CRCFull: 524, Client: 8, Version: 10,
		Root: 180, FileEOF: 184, AMapLast: 192, AMapFree: 200, PMapFree: 208,
		NBTBID: 216, NBTIB: 224, BBTBID: 232, BBTIB: 240, AMapValid: 248,
		Sentinel: 512, Crypt: 513}
}

// SetRoot writes a ROOT field (one of HF.FileEOF, AMapLast, AMapFree,
// PMapFree, NBTBID, NBTIB, BBTBID, BBTIB) at the kind's width and fixes
// the header CRCs.
func (f *File) SetRoot(field int64, v uint64) {
	f.PutUint(field, f.HF.Width, v)
	f.FixHeaderCRCs()
}

// SetHeaderByte writes one header byte (AMapValid, Sentinel, Crypt, ...)
// and fixes the header CRCs.
func (f *File) SetHeaderByte(off int64, v byte) {
	f.PutUint(off, 1, uint64(v))
	f.FixHeaderCRCs()
}

// FixHeaderCRCs recomputes dwCRCPartial (bytes 8-478) and, in Unicode
// files, dwCRCFull (bytes 8-523).
func (f *File) FixHeaderCRCs() {
	f.PutUint(f.HF.CRCPartial, 4, uint64(ndb.CRC(f.B[8:479])))
	if f.HF.CRCFull >= 0 {
		f.PutUint(f.HF.CRCFull, 4, uint64(ndb.CRC(f.B[8:524])))
	}
}

// ---- pages ----

// Page is one B-tree page found by walking a tree from its root.
type Page struct {
	Off   int64  // file offset
	BID   uint64 // the BID its reference gives
	Type  uint8  // ndb.PageBBT or ndb.PageNBT
	Level int    // cLevel: 0 for a leaf
	// Parent is the offset of the branch page that references this one
	// (-1 for the root) and Index the entry that does.
	Parent int64
	Index  int
	// Entries is cEnt.
	Entries int
}

// Footer is a B-tree page's BTPAGE footer.
type Footer struct {
	CEnt, CEntMax, CBEnt, CLevel int
}

// footerOffsets returns where cEnt, cEntMax, cbEnt and cLevel are in a
// page and the width of the two counts.
func (f *File) footerOffsets(page int64) (cEnt, cEntMax, cbEnt, cLevel int64, w int) {
	o := page + int64(f.L.BTFooterOff)
	if f.L.WideBTCounts {
		return o, o + 2, o + 4, o + 5, 2
	}
	return o, o + 1, o + 2, o + 3, 1
}

// Footer reads the BTPAGE footer of the page at off.
func (f *File) Footer(off int64) Footer {
	a, b, c, d, w := f.footerOffsets(off)
	return Footer{int(f.Uint(a, w)), int(f.Uint(b, w)), int(f.Uint(c, 1)), int(f.Uint(d, 1))}
}

// SetFooter writes the BTPAGE footer of the page at off and fixes its CRC.
func (f *File) SetFooter(off int64, ft Footer) {
	a, b, c, d, w := f.footerOffsets(off)
	f.PutUint(a, w, uint64(ft.CEnt))
	f.PutUint(b, w, uint64(ft.CEntMax))
	f.PutUint(c, 1, uint64(ft.CBEnt))
	f.PutUint(d, 1, uint64(ft.CLevel))
	f.FixPageCRC(off)
}

// Trailer returns the offset of the trailer of the page at off.
func (f *File) Trailer(off int64) int64 { return off + int64(f.L.PageTrailerOff) }

// PageTrailer parses the trailer of the page at off.
func (f *File) PageTrailer(off int64) ndb.PageTrailer {
	f.check(off, f.L.PageSize)
	return f.L.ParsePageTrailer(f.B[off : off+f.L.PageSize])
}

// Offsets of the trailer fields, relative to the trailer.
func (f *File) pageCRCOff() int64 {
	if f.L.Kind == ndb.ANSI {
		return 8
	}
	return 4
}

func (f *File) pageBIDOff() int64 {
	if f.L.Kind == ndb.ANSI {
		return 4
	}
	return 8
}

// SetPageType writes the page's ptype and ptypeRepeat. The page CRC does
// not cover the trailer, so it still matches: only the type is wrong.
func (f *File) SetPageType(off int64, ptype, repeat uint8) {
	t := f.Trailer(off)
	f.PutUint(t, 1, uint64(ptype))
	f.PutUint(t+1, 1, uint64(repeat))
}

// SetPageSig writes the page's wSig.
func (f *File) SetPageSig(off int64, sig uint16) { f.PutUint(f.Trailer(off)+2, 2, uint64(sig)) }

// SetPageBID writes the BID in the page's trailer.
func (f *File) SetPageBID(off int64, bid uint64) {
	f.PutUint(f.Trailer(off)+f.pageBIDOff(), f.L.BIDSize, bid)
}

// PageCRC computes the CRC of the page at off over the bytes it covers.
func (f *File) PageCRC(off int64) uint32 {
	f.check(off, f.L.PageSize)
	return ndb.CRC(f.B[off : off+int64(f.L.PageTrailerOff)])
}

// FixPageCRC recomputes the CRC of the page at off and stores it in its
// trailer. It works for every page type (B-tree, map and DList pages).
func (f *File) FixPageCRC(off int64) {
	f.PutUint(f.Trailer(off)+f.pageCRCOff(), 4, uint64(f.PageCRC(off)))
}

// Entry returns the offset of entry i of the B-tree page at off.
func (f *File) Entry(off int64, i int) int64 {
	return off + int64(i*f.Footer(off).CBEnt)
}

// Branch is a decoded BTENTRY of a branch page.
type Branch struct {
	Key uint64
	ndb.BREF
}

// BranchEntry reads entry i of the branch page at off.
func (f *File) BranchEntry(off int64, i int) Branch {
	e, n := f.Entry(off, i), int64(f.L.BIDSize)
	return Branch{Key: f.Uint(e, f.L.BIDSize), BREF: ndb.BREF{BID: f.Uint(e+n, f.L.BIDSize), IB: f.Uint(e+2*n, f.L.BIDSize)}}
}

// SetBranchEntry writes entry i of the branch page at off and fixes its CRC.
func (f *File) SetBranchEntry(off int64, i int, b Branch) {
	e, n := f.Entry(off, i), int64(f.L.BIDSize)
	f.PutUint(e, f.L.BIDSize, b.Key)
	f.PutUint(e+n, f.L.BIDSize, b.BID)
	f.PutUint(e+2*n, f.L.BIDSize, b.IB)
	f.FixPageCRC(off)
}

// SwapEntries exchanges entries i and j of the page at off (of any level)
// and fixes its CRC.
func (f *File) SwapEntries(off int64, i, j int) {
	cb := int64(f.Footer(off).CBEnt)
	a, b := f.Entry(off, i), f.Entry(off, j)
	tmp := append([]byte(nil), f.B[a:a+cb]...)
	copy(f.B[a:a+cb], f.B[b:b+cb])
	copy(f.B[b:b+cb], tmp)
	f.FixPageCRC(off)
}

// Root returns the root page of a tree (ndb.PageBBT or ndb.PageNBT).
func (f *File) Root(tree uint8) Page {
	for _, p := range f.Pages {
		if p.Type == tree && p.Parent < 0 {
			return p
		}
	}
	panic("pstmut: no root page")
}

// TreePages returns the pages of one tree at one level (-1: every level),
// in pre-order.
func (f *File) TreePages(tree uint8, level int) []Page {
	var out []Page
	for _, p := range f.Pages {
		if p.Type == tree && (level < 0 || p.Level == level) {
			out = append(out, p)
		}
	}
	return out
}

// PageAt returns the B-tree page at off.
func (f *File) PageAt(off int64) (Page, bool) {
	for _, p := range f.Pages {
		if p.Off == off {
			return p, true
		}
	}
	return Page{}, false
}

// walk collects the pages and leaf entries of one tree, checking only what
// it needs to stay in bounds.
func (f *File) walk(root ndb.BREF, tree uint8) error {
	type item struct {
		ref    ndb.BREF
		parent int64
		index  int
	}
	stack := []item{{root, -1, 0}}
	seen := map[int64]bool{}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		off := int64(it.ref.IB)
		if off <= 0 || off+f.L.PageSize > f.Size() || seen[off] {
			return fmt.Errorf("pstmut: bad %s page reference 0x%X", treeName(tree), off)
		}
		seen[off] = true
		ft := f.Footer(off)
		if ft.CBEnt == 0 || ft.CEnt*ft.CBEnt > f.L.BTFooterOff {
			return fmt.Errorf("pstmut: bad %s page at 0x%X", treeName(tree), off)
		}
		f.Pages = append(f.Pages, Page{Off: off, BID: it.ref.BID, Type: tree, Level: ft.CLevel,
			Parent: it.parent, Index: it.index, Entries: ft.CEnt})
		if ft.CLevel > 0 {
			for i := ft.CEnt - 1; i >= 0; i-- { // reversed: pre-order pops the first child first
				stack = append(stack, item{f.BranchEntry(off, i).BREF, off, i})
			}
			continue
		}
		for i := 0; i < ft.CEnt; i++ {
			e := off + int64(i*ft.CBEnt)
			if tree == ndb.PageBBT {
				f.BBT = append(f.BBT, BBTRef{BBTEntry: f.decodeBBT(e), Page: off, Entry: e})
			} else {
				f.NBT = append(f.NBT, NBTRef{NBTEntry: f.decodeNBT(e), Page: off, Entry: e})
			}
		}
	}
	return nil
}

func treeName(tree uint8) string {
	if tree == ndb.PageNBT {
		return "NBT"
	}
	return "BBT"
}

// ---- BBT and NBT leaf entries ----

// BBTRef is a BBT leaf entry with where it lives.
type BBTRef struct {
	ndb.BBTEntry
	Page  int64 // offset of the leaf page
	Entry int64 // offset of the entry
}

// NBTRef is an NBT leaf entry with where it lives.
type NBTRef struct {
	ndb.NBTEntry
	Page  int64
	Entry int64
}

// BBT leaf entry field offsets: BREF, then cb, (4K: cbInflated,) cRef.
func (f *File) bbtFields() (cb, inflated, ref int64) {
	o := int64(2 * f.L.BIDSize)
	if f.L.Kind == ndb.Unicode4K {
		return o, o + 2, o + 4
	}
	return o, -1, o + 2
}

func (f *File) decodeBBT(e int64) ndb.BBTEntry {
	n := int64(f.L.BIDSize)
	cb, inf, ref := f.bbtFields()
	b := ndb.BBTEntry{BID: f.Uint(e, f.L.BIDSize), IB: f.Uint(e+n, f.L.BIDSize),
		CB: uint16(f.Uint(e+cb, 2)), Ref: uint16(f.Uint(e+ref, 2))}
	b.Inflated = b.CB
	if inf >= 0 {
		b.Inflated = uint16(f.Uint(e+inf, 2))
	}
	return b
}

func (f *File) encodeBBT(e int64, b ndb.BBTEntry) {
	n := int64(f.L.BIDSize)
	cb, inf, ref := f.bbtFields()
	f.PutUint(e, f.L.BIDSize, b.BID)
	f.PutUint(e+n, f.L.BIDSize, b.IB)
	f.PutUint(e+cb, 2, uint64(b.CB))
	if inf >= 0 {
		f.PutUint(e+inf, 2, uint64(b.Inflated))
	}
	f.PutUint(e+ref, 2, uint64(b.Ref))
}

func (f *File) decodeNBT(e int64) ndb.NBTEntry {
	n := int64(f.L.BIDSize)
	return ndb.NBTEntry{NID: uint32(f.Uint(e, f.L.BIDSize)), Data: f.Uint(e+n, f.L.BIDSize),
		Sub: f.Uint(e+2*n, f.L.BIDSize), Parent: uint32(f.Uint(e+3*n, 4))}
}

func (f *File) encodeNBT(e int64, x ndb.NBTEntry) {
	n := int64(f.L.BIDSize)
	// The NID field is BIDSize wide; its upper half (Unicode) is padding
	// and is kept as found.
	f.PutUint(e, 4, uint64(x.NID))
	f.PutUint(e+n, f.L.BIDSize, x.Data)
	f.PutUint(e+2*n, f.L.BIDSize, x.Sub)
	f.PutUint(e+3*n, 4, uint64(x.Parent))
}

// Block returns the BBT entry of bid (bit 0, reserved, ignored).
func (f *File) Block(bid uint64) (BBTRef, bool) {
	bid &^= 1
	i := sort.Search(len(f.BBT), func(i int) bool { return f.BBT[i].BID >= bid })
	if i < len(f.BBT) && f.BBT[i].BID == bid {
		return f.BBT[i], true
	}
	return BBTRef{}, false
}

// MustBlock is Block that panics when bid is not in the BBT.
func (f *File) MustBlock(bid uint64) BBTRef {
	b, ok := f.Block(bid)
	if !ok {
		panic(fmt.Sprintf("pstmut: block 0x%X is not in the BBT", bid))
	}
	return b
}

// Node returns the NBT entry of nid.
func (f *File) Node(nid uint32) (NBTRef, bool) {
	i := sort.Search(len(f.NBT), func(i int) bool { return f.NBT[i].NID >= nid })
	if i < len(f.NBT) && f.NBT[i].NID == nid {
		return f.NBT[i], true
	}
	return NBTRef{}, false
}

// MustNode is Node that panics when nid is not in the NBT.
func (f *File) MustNode(nid uint32) NBTRef {
	n, ok := f.Node(nid)
	if !ok {
		panic(fmt.Sprintf("pstmut: node 0x%X is not in the NBT", nid))
	}
	return n
}

// EditBBT rewrites the BBT leaf entry of bid through edit and fixes the
// leaf page's CRC. It returns the entry as written. The block itself is not
// touched, so a changed ib or cb points the BBT at other bytes. The cached
// f.BBT is updated only for fields other than BID (the cache stays sorted).
func (f *File) EditBBT(bid uint64, edit func(*ndb.BBTEntry)) BBTRef {
	r := f.MustBlock(bid)
	e := f.decodeBBT(r.Entry)
	edit(&e)
	f.encodeBBT(r.Entry, e)
	f.FixPageCRC(r.Page)
	if e.BID == r.BID {
		i := sort.Search(len(f.BBT), func(i int) bool { return f.BBT[i].BID >= r.BID })
		f.BBT[i].BBTEntry = e
	}
	r.BBTEntry = e
	return r
}

// EditNBT rewrites the NBT leaf entry of nid through edit and fixes the
// leaf page's CRC. The cached f.NBT is updated unless the NID changed.
func (f *File) EditNBT(nid uint32, edit func(*ndb.NBTEntry)) NBTRef {
	r := f.MustNode(nid)
	e := f.decodeNBT(r.Entry)
	edit(&e)
	f.encodeNBT(r.Entry, e)
	f.FixPageCRC(r.Page)
	if e.NID == r.NID {
		i := sort.Search(len(f.NBT), func(i int) bool { return f.NBT[i].NID >= nid })
		f.NBT[i].NBTEntry = e
	}
	r.NBTEntry = e
	return r
}

// ---- blocks ----

// Extent returns the offset and length of the on-disk extent of block bid
// (data, padding and trailer), as the BBT gives it.
func (f *File) Extent(bid uint64) (off, n int64) {
	b := f.MustBlock(bid)
	return int64(b.IB), f.L.BlockExtent(int(b.CB))
}

// BlockTrailer returns the offset of block bid's trailer:
// ib + BlockExtent(cb) - trailer size.
func (f *File) BlockTrailer(bid uint64) int64 {
	off, n := f.Extent(bid)
	return off + n - int64(f.L.BlockTrailerSize)
}

// ParseBlockTrailer decodes block bid's trailer.
func (f *File) ParseBlockTrailer(bid uint64) ndb.BlockTrailer {
	off, n := f.Extent(bid)
	f.check(off, n)
	return f.L.ParseBlockTrailer(f.B[off : off+n])
}

// BlockData returns the cb stored bytes of block bid, as a slice of f.B
// (edits through it change the file). In 4K files they may be compressed.
func (f *File) BlockData(bid uint64) []byte {
	b := f.MustBlock(bid)
	f.check(int64(b.IB), int64(b.CB))
	return f.B[b.IB : b.IB+uint64(b.CB)]
}

func (f *File) blockCRCOff() int64 {
	if f.L.Kind == ndb.ANSI {
		return 8
	}
	return 4
}

func (f *File) blockBIDOff() int64 {
	if f.L.Kind == ndb.ANSI {
		return 4
	}
	return 8
}

// FixBlockCRC recomputes the CRC of block bid over its cb stored bytes and
// writes it to the block's trailer.
func (f *File) FixBlockCRC(bid uint64) {
	f.PutUint(f.BlockTrailer(bid)+f.blockCRCOff(), 4, uint64(ndb.CRC(f.BlockData(bid))))
}

// SetBlockTrailerCB writes the cb field of block bid's trailer.
func (f *File) SetBlockTrailerCB(bid uint64, cb uint16) {
	f.PutUint(f.BlockTrailer(bid), 2, uint64(cb))
}

// SetBlockSig writes the wSig field of block bid's trailer.
func (f *File) SetBlockSig(bid uint64, sig uint16) {
	f.PutUint(f.BlockTrailer(bid)+2, 2, uint64(sig))
}

// SetBlockTrailerBID writes the BID field of block bid's trailer. The CRC
// covers only the data, so it still matches.
func (f *File) SetBlockTrailerBID(bid, v uint64) {
	f.PutUint(f.BlockTrailer(bid)+f.blockBIDOff(), f.L.BIDSize, v)
}

// PutBlock writes data at ib as block bid, with a whole trailer (its size,
// the signature of ib and bid, its CRC), but lists it nowhere: a block the
// index rebuild can find by its trailer alone. It returns where the
// block's extent ends.
func (f *File) PutBlock(ib int64, bid uint64, data []byte) int64 {
	end := ib + f.L.BlockExtent(len(data))
	f.check(ib, end-ib)
	copy(f.B[ib:], data)
	t := end - int64(f.L.BlockTrailerSize)
	f.PutUint(t, 2, uint64(len(data)))
	f.PutUint(t+2, 2, uint64(ndb.Signature(uint64(ib), bid)))
	f.PutUint(t+f.blockCRCOff(), 4, uint64(ndb.CRC(data)))
	f.PutUint(t+f.blockBIDOff(), f.L.BIDSize, bid)
	return end
}

// FreeBID returns a BID of the given kind (internal or data) that is not
// in the BBT, above every BID in use.
func (f *File) FreeBID(internal bool) uint64 {
	bid := (f.BBT[len(f.BBT)-1].BID + 4) &^ 3
	if internal {
		bid |= 2
	}
	return bid
}

// ---- internal blocks ----

// Internal block types (the first byte of an internal block).
const (
	XBlockType  = 0x01 // XBLOCK (level 1) and XXBLOCK (level 2)
	SLBlockType = 0x02 // SLBLOCK (level 0) and SIBLOCK (level 1)
)

// InternalHeader decodes the header of internal block bid (inflated in 4K
// files): btype, cLevel, cEnt and, for XBLOCKs, lcbTotal.
func (f *File) InternalHeader(bid uint64) (btype, level uint8, cEnt int, lcbTotal uint32) {
	b := f.Internal(bid)
	if len(b) < 8 {
		return 0, 0, 0, 0
	}
	return b[0], b[1], int(binary.LittleEndian.Uint16(b[2:])), binary.LittleEndian.Uint32(b[4:])
}

// stored returns the stored bytes of an internal block that is not
// compressed: the helpers that address entries by file offset cannot work
// on a compressed 4K block.
func (f *File) stored(bid uint64) []byte {
	if b := f.MustBlock(bid); b.CB != b.Inflated {
		panic(fmt.Sprintf("pstmut: block 0x%X is compressed (%d bytes for %d); edit it through Internal and Deflate", bid, b.CB, b.Inflated))
	}
	return f.BlockData(bid)
}

// SetLcbTotal writes an XBLOCK's lcbTotal and fixes the block's CRC. The
// internal-block helpers below work on blocks stored uncompressed (every
// block of an ANSI or Unicode file).
func (f *File) SetLcbTotal(bid uint64, v uint32) {
	b := f.stored(bid)
	binary.LittleEndian.PutUint32(b[4:], v)
	f.FixBlockCRC(bid)
}

// SetInternalHeader writes the btype, cLevel and cEnt of internal block
// bid and fixes the block's CRC.
func (f *File) SetInternalHeader(bid uint64, btype, level uint8, cEnt int) {
	b := f.stored(bid)
	b[0], b[1] = btype, level
	binary.LittleEndian.PutUint16(b[2:], uint16(cEnt))
	f.FixBlockCRC(bid)
}

// SLEntry is one entry of an SLBLOCK (subnode leaf).
type SLEntry struct {
	NID       uint32
	Data, Sub uint64
	Off       int64 // file offset of the entry
}

// slHeader is the size of an SLBLOCK/SIBLOCK header (ANSI has no padding).
func (f *File) slHeader() int {
	if f.L.Kind == ndb.ANSI {
		return 4
	}
	return 8
}

// SLEntries decodes the entries of the SLBLOCK bid (level 0).
func (f *File) SLEntries(bid uint64) []SLEntry {
	f.stored(bid)
	b := f.MustBlock(bid)
	_, _, cEnt, _ := f.InternalHeader(bid)
	n := f.L.BIDSize
	var out []SLEntry
	for k := 0; k < cEnt; k++ {
		off := int64(b.IB) + int64(f.slHeader()+k*3*n)
		out = append(out, SLEntry{NID: uint32(f.Uint(off, n)), Data: f.Uint(off+int64(n), n),
			Sub: f.Uint(off+int64(2*n), n), Off: off})
	}
	return out
}

// SetSLEntry writes the bidData and bidSub of entry k of SLBLOCK bid and
// fixes the block's CRC.
func (f *File) SetSLEntry(bid uint64, k int, data, sub uint64) {
	e := f.SLEntries(bid)[k]
	n := int64(f.L.BIDSize)
	f.PutUint(e.Off+n, f.L.BIDSize, data)
	f.PutUint(e.Off+2*n, f.L.BIDSize, sub)
	f.FixBlockCRC(bid)
}

// XEntries decodes the BIDs an XBLOCK or XXBLOCK lists.
func (f *File) XEntries(bid uint64) []uint64 {
	f.stored(bid)
	b := f.MustBlock(bid)
	_, _, cEnt, _ := f.InternalHeader(bid)
	var out []uint64
	for k := 0; k < cEnt; k++ {
		out = append(out, f.Uint(int64(b.IB)+8+int64(k*f.L.BIDSize), f.L.BIDSize))
	}
	return out
}

// SetXEntry writes BID k of XBLOCK/XXBLOCK bid and fixes its CRC.
func (f *File) SetXEntry(bid uint64, k int, v uint64) {
	f.stored(bid)
	b := f.MustBlock(bid)
	f.PutUint(int64(b.IB)+8+int64(k*f.L.BIDSize), f.L.BIDSize, v)
	f.FixBlockCRC(bid)
}

// ---- allocation maps ----

// AMaps returns the offsets of the AMap pages inside the file.
func (f *File) AMaps() []int64 {
	var out []int64
	for off := f.L.FirstAMap; off+f.L.PageSize <= f.Size(); off += f.L.AMapCoverage {
		out = append(out, off)
	}
	return out
}

// AMapBit returns where the AMap bit covering file offset off is: the
// AMap page, the byte holding the bit and the bit's mask. The bit of unit
// u (of AMapUnit bytes from the page's offset) is byte[u>>3] & (0x80>>(u&7))
// from the bitmap's start (AMapBitsOff into the page).
func (f *File) AMapBit(off int64) (page, byteOff int64, mask byte) {
	if off < f.L.FirstAMap {
		panic(fmt.Sprintf("pstmut: offset 0x%X is before the first AMap", off))
	}
	page = f.L.FirstAMap + (off-f.L.FirstAMap)/f.L.AMapCoverage*f.L.AMapCoverage
	u := (off - page) / f.L.AMapUnit
	return page, page + int64(f.L.AMapBitsOff) + u>>3, 0x80 >> (u & 7)
}

// Allocated reports whether the AMap marks the unit holding off allocated.
func (f *File) Allocated(off int64) bool {
	_, b, m := f.AMapBit(off)
	return f.B[b]&m != 0
}

// SetAMapBit marks the unit holding off allocated or free and fixes the
// AMap page's CRC.
func (f *File) SetAMapBit(off int64, allocated bool) {
	page, b, m := f.AMapBit(off)
	f.check(page, f.L.PageSize)
	if allocated {
		f.B[b] |= m
	} else {
		f.B[b] &^= m
	}
	f.FixPageCRC(page)
}
