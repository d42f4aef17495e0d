package pstcheck_test

// Corruption tests in the style of SQLite's and Go's fuzz targets: each
// case starts from a real, sound sample file, damages it by one named, structure-aware mutation (internal/pstmut) and requires
// the engine to report exactly that damage: the code, its severity, the
// file offset of the damaged structure, the node and folder it hurts, the
// verdict, and nothing else beyond the findings that damage must cause.
//
// Every code in the catalog has at least one case; TestMutationCoversCatalog
// fails when a code is added without one.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Sample names. sample4K is in the shared corpus only.
const (
	sampleEnron   = "enron.pst"   // Unicode, 29 MB, a 4-level BBT, XBLOCKs, a DList
	sampleSupport = "support.pst" // Unicode, 1 MB, messages with subnode trees, a DList
	sampleANSI    = "32-bit.pst"  // ANSI, 64 KB, a leaf BBT root, no DList
	sample4K      = "npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"
	// sampleEmbedded (corpus only) holds a message with an embedded one.
	sampleEmbedded = "ruby-msg__msgInMsg.pst"
)

// mwant is one finding a mutation must cause: every field must match, and
// exactly N findings must match it (N 0 means 1).
type mwant struct {
	Code   finding.Code
	Offset int64
	BID    uint64
	NID    uint32
	Folder uint32
	N      int
}

func (w mwant) String() string {
	return fmt.Sprintf("%s offset=%#x bid=%#x nid=%#x folder=%#x", w.Code, w.Offset, w.BID, w.NID, w.Folder)
}

func (w mwant) matches(f finding.Finding) bool {
	return f.Code == w.Code && f.Offset == w.Offset && f.BID == w.BID && f.NID == w.NID && f.FolderNID == w.Folder
}

// mexpect is what a mutated file must scan to.
type mexpect struct {
	verdict pstcheck.Verdict
	// wants are the findings the damage must cause, one at least of the
	// case's code.
	wants []mwant
	// allow admits further findings of a code when the predicate holds:
	// the consequences a damage has by nature (a lost B-tree leaf loses
	// every block it lists), checked by what they name.
	allow map[finding.Code]func(finding.Finding) bool
	// check runs extra assertions.
	check func(t *testing.T, rep *pstcheck.Report)
	// r and size replace the mutated bytes as the scanned file.
	r    io.ReaderAt
	size int64
	ctx  context.Context
	// guidance replaces Outlook's folder thresholds for the scan.
	guidance pstcheck.Guidance
}

// mutation is one named damage to one sample file.
type mutation struct {
	code   finding.Code
	sev    finding.Severity // the catalog's severity, pinned here
	name   string
	sample string
	mutate func(t *testing.T, f *pstmut.File) mexpect
}

// engineBugs are the cases that expose a known engine bug, by test name
// (CODE/name), with the bug. They are skipped unless PSTCHECK_ENGINE_BUGS
// is set in the environment; delete the entry when the bug is fixed.
var engineBugs = map[string]string{}

// ---- samples ----

var (
	mutSampleMu    sync.Mutex
	mutSampleFiles = map[string]*pstmut.File{}
	mutSampleBase  = map[string]*pstcheck.Report{}
)

// samplePath finds a sample in go-pst's data or in the corpus.
func mutSamplePath(name string) string {
	if p := samples.GoPst(name); p != "" {
		return p
	}
	if dir := samples.Corpus(); dir != "" {
		p := filepath.Join(dir, name)
		for _, c := range samples.CorpusFiles(false) {
			if c == p {
				return p
			}
		}
	}
	return ""
}

// sample returns a fresh mutable copy of a sample and the report of the
// clean file, skipping the test when the sample is absent.
func mutSample(t *testing.T, name string) (*pstmut.File, *pstcheck.Report) {
	t.Helper()
	mutSampleMu.Lock()
	defer mutSampleMu.Unlock()
	f, ok := mutSampleFiles[name]
	if !ok {
		p := mutSamplePath(name)
		if p == "" {
			t.Skipf("sample %s is absent (go-pst module not downloaded, or no corpus)", name)
		}
		var err error
		if f, err = pstmut.Load(p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mutSampleFiles[name] = f
		mutSampleBase[name] = pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{})
	}
	return f.Clone(), mutSampleBase[name]
}

// ---- the cases ----

func mutations() []mutation {
	return []mutation{
		// File
		{finding.FileRead, finding.SeverityError, "unreadable from the first byte", sampleSupport, mutFileReadHeader},
		{finding.FileRead, finding.SeverityError, "bad sector in a message block", sampleSupport, mutFileReadBlock},
		{finding.FileRead, finding.SeverityError, "scan cancelled", sampleSupport, mutFileReadCancelled},

		// Header and ROOT
		{finding.HeaderTruncated, finding.SeverityError, "first 100 bytes", sampleSupport, mutHeaderTruncated(100, "")},
		{finding.HeaderTruncated, finding.SeverityError, "first 3 bytes", sampleSupport, mutHeaderTruncated(3, "")},
		{finding.HeaderTruncated, finding.SeverityError, "ANSI first 500 bytes", sampleANSI, mutHeaderTruncated(500, "")},
		{finding.HeaderTruncated, finding.SeverityError, "OST first 512 bytes", sampleSupport, mutHeaderTruncated(512, "SO")},
		{finding.HeaderTruncated, finding.SeverityError, "OST first 12 bytes", sampleSupport, mutHeaderTruncated(12, "SO")},
		{finding.HeaderTruncated, finding.SeverityError, "corpus truncated-in-header.bin", "", mutHeaderTruncatedCorpus},
		{finding.HeaderMagic, finding.SeverityError, "byte 0", sampleSupport, mutHeaderMagic},
		{finding.HeaderMagic, finding.SeverityError, "byte 0 and the first AMap", sampleSupport, mutHeaderMagicNoAMap},
		{finding.HeaderMagic, finding.SeverityError, "byte 0, every AMap and B-tree page", sampleSupport, mutHeaderMagicNoPages},
		{finding.HeaderVersion, finding.SeverityError, "wVer 99", sampleSupport, mutHeaderVersion},
		{finding.HeaderGuessed, finding.SeverityInfo, "header zeroed", sampleSupport, mutHeaderZeroed},
		{finding.HeaderGuessed, finding.SeverityInfo, "ANSI header zeroed", sampleANSI, mutHeaderZeroed},
		{finding.HeaderClient, finding.SeverityError, "wMagicClient XX", sampleSupport, mutHeaderClient},
		{finding.HeaderCRCPartial, finding.SeverityError, "ANSI dwReserved1 flipped", sampleANSI, mutHeaderCRCPartialANSI},
		{finding.HeaderCRCPartial, finding.SeverityError, "Unicode dwReserved1 flipped", sampleSupport, mutHeaderCRCPartialUnicode},
		{finding.HeaderCRCFull, finding.SeverityError, "rgbFP byte flipped", sampleSupport, mutHeaderCRCFull},
		{finding.HeaderSentinel, finding.SeverityError, "Unicode bSentinel 0", sampleSupport, mutHeaderSentinel},
		{finding.HeaderSentinel, finding.SeverityError, "ANSI bSentinel 0", sampleANSI, mutHeaderSentinel},
		{finding.HeaderCrypt, finding.SeverityError, "bCryptMethod 7", sampleSupport, mutHeaderCrypt},
		{finding.HeaderCrypt, finding.SeverityError, "ANSI bCryptMethod 7", sampleANSI, mutHeaderCrypt},
		{finding.RootFileTruncated, finding.SeverityError, "cut in trailing free space", sampleSupport, mutCutFree},
		{finding.RootFileTruncated, finding.SeverityError, "cut through the last block", sampleSupport, mutCutBlock},
		{finding.RootFileGap, finding.SeverityError, "4 KiB dropped at the middle, the rest moved up", sampleSupport, mutDropped},
		{finding.RootFileAdded, finding.SeverityError, "4 KiB of zeros added at the middle, the rest moved down", sampleSupport, mutAdded},
		{finding.RootFileZeroed, finding.SeverityError, "zeros from the last block or map page to the end", sampleSupport, mutZeroedEnd},
		{finding.RootFileZeroed, finding.SeverityError, "enron zeros from the last block or map page to the end", sampleEnron, mutZeroedEnd},
		{finding.RootTrailingData, finding.SeverityWarning, "4 KiB appended", sampleSupport, mutAppend},
		{finding.RootFileEOFWrong, finding.SeverityError, "a bit of ibFileEof flipped up", sampleSupport, mutEOFWrong(0x20)},
		{finding.RootFileEOFWrong, finding.SeverityError, "a bit of ibFileEof flipped down", sampleEnron, mutEOFWrong(0x80)},
		{finding.RootBREF, finding.SeverityError, "NBT root beyond EOF", sampleSupport, mutRootBREF},
		{finding.RootAMapInvalid, finding.SeverityWarning, "fAMapValid 0", sampleSupport, mutAMapInvalid},
		{finding.RootAMapInvalid, finding.SeverityWarning, "ANSI fAMapValid 0", sampleANSI, mutAMapInvalid},

		// B-tree pages
		{finding.PageRange, finding.SeverityError, "BBT branch child beyond EOF", sampleSupport, mutPageRange},
		{finding.PageType, finding.SeverityError, "BBT leaf ptypeRepeat", sampleSupport, mutPageTypeRepeat},
		{finding.PageType, finding.SeverityError, "BBT leaf ptype", sampleSupport, mutPageType},
		{finding.PageType, finding.SeverityError, "NBT branch to a BBT leaf", sampleSupport, mutPageTypeCrossTree},
		{finding.PageType, finding.SeverityError, "BBT branch into a block", sampleSupport, mutPageTypeIntoBlock},
		{finding.PageSignature, finding.SeverityError, "BBT leaf wSig", sampleSupport, mutPageSig},
		{finding.PageSignature, finding.SeverityError, "ANSI NBT leaf wSig", sampleANSI, mutPageSigNBT},
		{finding.PageCRC, finding.SeverityError, "BBT leaf unused entry byte", sampleSupport, mutPageCRC},
		{finding.PageCRC, finding.SeverityError, "ANSI BBT root unused entry byte", sampleANSI, mutPageCRC},
		{finding.PageCRC, finding.SeverityError, "4K BBT leaf unused entry byte", sample4K, mutPageCRC},
		{finding.PageBID, finding.SeverityError, "BBT leaf trailer BID", sampleSupport, mutPageBID},
		{finding.BTreeEntries, finding.SeverityError, "cEnt above cEntMax", sampleSupport, mutBTEntriesMax},
		{finding.BTreeEntries, finding.SeverityError, "cbEnt wrong", sampleSupport, mutBTEntriesSize},
		{finding.BTreeLevel, finding.SeverityError, "BBT leaf cLevel 1", sampleSupport, mutBTLevel},
		{finding.BTreeKeyOrder, finding.SeverityError, "BBT leaf entries swapped", sampleSupport, mutBTKeyOrder},
		{finding.BTreeKeyOrder, finding.SeverityError, "ANSI NBT leaf entries swapped", sampleANSI, mutBTKeyOrderNBT},
		{finding.BTreeKeyOrder, finding.SeverityError, "4K BBT leaf entries swapped", sample4K, mutBTKeyOrder},
		{finding.BTreeEntries, finding.SeverityError, "4K cEnt above cEntMax", sample4K, mutBTEntriesMax},
		{finding.BTreeCycle, finding.SeverityError, "BBT branch entry to its own root", sampleSupport, mutBTCycle},

		// Blocks
		{finding.BlockRange, finding.SeverityError, "BBT ib beyond EOF", sampleSupport, mutBlockRange},
		{finding.BlockAlign, finding.SeverityError, "BBT ib+8", sampleSupport, mutBlockAlign},
		{finding.BlockOverlap, finding.SeverityError, "BBT ib onto another block", sampleSupport, mutBlockOverlap},
		{finding.BlockOverlap, finding.SeverityError, "BBT ib of a small block onto a BBT page", sampleSupport, mutBlockOverlapPage(true)},
		{finding.BlockOverlap, finding.SeverityError, "BBT ib of a large block onto a BBT page", sampleSupport, mutBlockOverlapPage(false)},
		{finding.BlockOverlap, finding.SeverityError, "BBT ib onto a block with a higher BID", sampleSupport, mutBlockOverlapHigher},
		{finding.BlockSize, finding.SeverityError, "BBT cb 0", sampleSupport, mutBlockSize(0)},
		{finding.BlockSize, finding.SeverityError, "BBT cb 8177", sampleSupport, mutBlockSize(8177)},
		{finding.BlockTrailerSize, finding.SeverityError, "block extent zeroed", sampleSupport, mutBlockZeroed},
		{finding.BlockSignature, finding.SeverityError, "block wSig", sampleSupport, mutBlockSig},
		{finding.BlockCRC, finding.SeverityError, "message block byte flipped", sampleSupport, mutBlockCRC},
		{finding.BlockCRC, finding.SeverityError, "ANSI message block byte flipped", sampleANSI, mutBlockCRC},
		{finding.BlockCRC, finding.SeverityError, "enron message block byte flipped", sampleEnron, mutBlockCRC},
		{finding.BlockCRC, finding.SeverityError, "4K message block byte flipped", sample4K, mutBlockCRC},
		{finding.BlockBID, finding.SeverityError, "4K block trailer BID", sample4K, mutBlockBID},
		{finding.BlockBID, finding.SeverityError, "block trailer BID", sampleSupport, mutBlockBID},
		{finding.BlockInflate, finding.SeverityError, "4K block inflates short", sample4K, mutBlockInflate},
		{finding.BlockRefLow, finding.SeverityError, "cRef 1", sampleSupport, mutBlockRefLow},
		{finding.BlockRefHigh, finding.SeverityInfo, "cRef+5", sampleSupport, mutBlockRefHigh},
		{finding.BlockUnused, finding.SeverityInfo, "bidData 0", sampleSupport, mutBlockUnused},

		// Nodes
		{finding.NodeBlockMissing, finding.SeverityError, "bidData not in the BBT", sampleSupport, mutNodeBlockMissing},
		{finding.NodeBlockDamaged, finding.SeverityError, "message block byte flipped", sampleSupport, mutBlockCRC},
		{finding.NodeDataTree, finding.SeverityError, "XBLOCK lcbTotal+1 (subnode)", sampleSupport, mutNodeDataTree},
		{finding.NodeDataTree, finding.SeverityError, "XBLOCK lcbTotal+1 (bidData)", sampleEnron, mutNodeDataTree},
		{finding.NodeDataTree, finding.SeverityError, "bidData to the SLBLOCK of a later message", sampleSupport, mutNodeDataTreeSL},
		{finding.NodeSubnodeTree, finding.SeverityError, "bidSub to a data block", sampleSupport, mutNodeSubnodeTree},
		{finding.NodeTreeCycle, finding.SeverityError, "SLBLOCK entry bidSub to itself", sampleSupport, mutNodeTreeCycle},
		{finding.NodeTreeCycle, finding.SeverityError, "XBLOCK made an XXBLOCK listing itself", sampleEnron, mutNodeTreeCycleXX},
		{finding.NodeParent, finding.SeverityError, "nidParent missing", sampleSupport, mutNodeParent},

		// Allocation maps
		{finding.AMapPage, finding.SeverityError, "AMap byte flipped", sampleSupport, mutAMapPage},
		{finding.AMapUnmarked, finding.SeverityError, "block bit cleared", sampleSupport, mutAMapUnmarkedBlock},
		{finding.AMapUnmarked, finding.SeverityError, "enron block bit cleared", sampleEnron, mutAMapUnmarkedBlock},
		{finding.AMapUnmarked, finding.SeverityError, "ANSI block bit cleared", sampleANSI, mutAMapUnmarkedBlock},
		{finding.AMapUnmarked, finding.SeverityError, "4K block bit cleared", sample4K, mutAMapUnmarkedBlock},
		{finding.AMapUnmarked, finding.SeverityError, "BBT page bit cleared", sampleSupport, mutAMapUnmarkedPage},
		{finding.AMapFree, finding.SeverityInfo, "cbAMapFree+64", sampleEnron, mutAMapFree},
		{finding.PMapPage, finding.SeverityWarning, "PMap byte flipped", sampleSupport, mutPMapPage},
		{finding.FMapPage, finding.SeverityWarning, "grown past 33 MB, FMap zeroed", sampleEnron, mutFMapGrown},
		{finding.FMapPage, finding.SeverityWarning, "zeros past 33 MB", sampleEnron, mutFMapZeros},
		{finding.DListPage, finding.SeverityInfo, "DList byte flipped", sampleSupport, mutDListFlip},
		{finding.DListPage, finding.SeverityInfo, "ANSI DList built with a wrong CRC", sampleANSI, mutDListBuilt},
		{finding.MapFreeSpace, finding.SeverityInfo, "clean enron", sampleEnron, mutNone},

		// Heap-on-node and BTH
		{finding.HeapHeader, finding.SeverityError, "message bSig", sampleSupport, messageCase(finding.HeapHeader, mutHeapSig)},
		{finding.HeapHeader, finding.SeverityError, "ANSI message bSig", sampleANSI, messageCase(finding.HeapHeader, mutHeapSig)},
		{finding.HeapHeader, finding.SeverityError, "enron message bSig", sampleEnron, messageCase(finding.HeapHeader, mutHeapSig)},
		{finding.HeapHeader, finding.SeverityError, "message bClientSig of a table", sampleSupport, messageCase(finding.HeapHeader, mutHeapClientSig)},
		{finding.HeapPageMap, finding.SeverityError, "ibHnpm past the page", sampleSupport, messageCase(finding.HeapPageMap, mutHeapPageMapOffset)},
		{finding.HeapPageMap, finding.SeverityError, "rgibAlloc out of order", sampleSupport, messageCase(finding.HeapPageMap, mutHeapPageMapOrder)},
		{finding.HeapPageMap, finding.SeverityError, "ANSI rgibAlloc out of order", sampleANSI, messageCase(finding.HeapPageMap, mutHeapPageMapOrder)},
		{finding.HeapRef, finding.SeverityError, "hidUserRoot past cAlloc", sampleSupport, messageCase(finding.HeapRef, mutHeapRefUserRoot)},
		{finding.HeapRef, finding.SeverityError, "BTH hidRoot past cAlloc", sampleSupport, messageCase(finding.HeapRef, mutHeapRefBTHRoot)},
		{finding.BTHHeader, finding.SeverityError, "bType 0xB6", sampleSupport, messageCase(finding.BTHHeader, mutBTHType)},
		{finding.BTHHeader, finding.SeverityError, "cbKey 3", sampleSupport, messageCase(finding.BTHHeader, mutBTHKeySize)},
		{finding.BTHRecords, finding.SeverityError, "PC records swapped", sampleSupport, messageCase(finding.BTHRecords, mutBTHSwap)},
		{finding.BTHRecords, finding.SeverityError, "ANSI PC records swapped", sampleANSI, messageCase(finding.BTHRecords, mutBTHSwap)},

		// Property and table contexts
		{finding.PCProperty, finding.SeverityError, "type 0x0099", sampleSupport, messageCase(finding.PCProperty, mutPropType)},
		{finding.PCProperty, finding.SeverityError, "a dangling subnode", sampleSupport, messageCase(finding.PCProperty, mutPropSubnode)},
		{finding.PCProperty, finding.SeverityError, "ANSI a dangling subnode", sampleANSI, messageCase(finding.PCProperty, mutPropSubnode)},
		{finding.PCProperty, finding.SeverityError, "value HID past cAlloc", sampleSupport, messageCase(finding.PCProperty, mutPropHID)},
		{finding.TCInfo, finding.SeverityError, "contents table TCI_bm+1", sampleSupport, mutTCInfoRowSize},
		{finding.TCInfo, finding.SeverityError, "contents table cCols+1", sampleSupport, mutTCInfoCols},
		{finding.TCInfo, finding.SeverityError, "ANSI contents table TCI_bm+1", sampleANSI, mutTCInfoRowSize},
		{finding.TCRows, finding.SeverityError, "hierarchy table row ID", sampleSupport, mutTCRowsHierarchy},
		{finding.TCRows, finding.SeverityError, "ANSI hierarchy table row ID", sampleANSI, mutTCRowsHierarchy},
		{finding.TCRows, finding.SeverityError, "enron contents row ID in a subnode row matrix", sampleEnron, mutTCRowsMatrixSubnode},
		{finding.TCRows, finding.SeverityError, "row index emptied, the matrix keeps its rows", sampleSupport, mutTCRowsIndexEmpty},
		{finding.TCRows, finding.SeverityError, "recipient table row ID", sampleSupport, messageTableCase(finding.TCRows, nidRecipients, mutTCRowsRecipients)},
		{finding.TCCell, finding.SeverityError, "recipient display name HID", sampleSupport, messageTableCase(finding.TCCell, nidRecipients, mutTCCellRecipients)},
		{finding.TCCell, finding.SeverityError, "ANSI recipient display name HID", sampleANSI, messageTableCase(finding.TCCell, nidRecipients, mutTCCellRecipients)},
		{finding.TCCell, finding.SeverityError, "contents table subject HID", sampleSupport, mutTCCellContents},
		{finding.TCCell, finding.SeverityError, "contents table subject HID, another row to a missing node", sampleSupport, mutTCCellContentsLost},
		{finding.BlockCRC, finding.SeverityError, "enron contents table: a block of its rows destroyed", sampleEnron, mutContentsRowsBlock},
		{finding.BlockCRC, finding.SeverityError, "enron contents table: a block of its cell values destroyed", sampleEnron, mutContentsHeapBlock},

		// Messaging
		{finding.StoreRoot, finding.SeverityError, "message store node removed", sampleSupport, mutStoreMissing},
		{finding.StoreRoot, finding.SeverityError, "ANSI message store node removed", sampleANSI, mutStoreMissing},
		{finding.StoreRoot, finding.SeverityError, "root folder node removed", sampleSupport, mutStoreRootFolder},
		{finding.StoreNameMap, finding.SeverityError, "name-to-ID map node removed", sampleSupport, mutStoreNameMap},
		{finding.MessageUnlinked, finding.SeverityError, "a message's row removed, its NBT leaf zeroed", sampleSupport, mutMessageUnlinked},
		{finding.StoreUnlinked, finding.SeverityError, "the NBT leaf of the store's own nodes zeroed", sampleSupport, mutStoreUnlinked},
		{finding.StoreNameMap, finding.SeverityError, "ANSI name-to-ID map node removed (a calendar item)", sampleANSI, mutStoreNameMap},
		{finding.FolderMissing, finding.SeverityError, "hierarchy row to a missing folder", sampleSupport, mutFolderMissing},
		{finding.FolderMissing, finding.SeverityError, "ANSI hierarchy row to a missing folder", sampleANSI, mutFolderMissing},
		{finding.FolderMissing, finding.SeverityError, "hierarchy row names a message", sampleSupport, mutFolderNotAFolder},
		{finding.FolderCycle, finding.SeverityError, "hierarchy row to the parent", sampleSupport, mutFolderCycle},
		{finding.FolderCycle, finding.SeverityError, "hierarchy row to the folder itself", sampleSupport, mutFolderSelf},
		{finding.FolderOrphan, finding.SeverityError, "hierarchy row removed", sampleSupport, mutFolderOrphan},
		{finding.FolderOrphan, finding.SeverityError, "ANSI hierarchy row removed", sampleANSI, mutFolderOrphan},
		{finding.FolderTable, finding.SeverityError, "contents table node removed", sampleSupport, mutFolderTable},
		{finding.FolderTable, finding.SeverityError, "ANSI contents table node removed", sampleANSI, mutFolderTable},
		{finding.FolderCount, finding.SeverityWarning, "PidTagContentCount+1", sampleSupport, mutFolderCount},
		{finding.FolderCount, finding.SeverityWarning, "ANSI PidTagContentCount+1", sampleANSI, mutFolderCount},
		{finding.MessageMissing, finding.SeverityError, "contents row to a missing node", sampleSupport, mutMessageMissing},
		{finding.MessageMissing, finding.SeverityError, "ANSI contents row to a missing node", sampleANSI, mutMessageMissing},
		{finding.MessageMissing, finding.SeverityError, "enron contents row to a missing node", sampleEnron, mutMessageMissing},
		{finding.MessageMissing, finding.SeverityError, "contents row names a folder", sampleSupport, mutMessageNotAMessage},
		{finding.MessageDamaged, finding.SeverityError, "attachment table row to a missing subnode", sampleSupport, messageTableCase(finding.MessageDamaged, nidAttachments, mutMessageAttachment)},
		{finding.MessageDamaged, finding.SeverityError, "corpus embedded message to a missing subnode", sampleEmbedded, mutMessageEmbedded},
		{finding.MessageOrphan, finding.SeverityWarning, "contents row removed", sampleSupport, mutMessageOrphan},
		{finding.MessageOrphan, finding.SeverityWarning, "ANSI contents row removed", sampleANSI, mutMessageOrphan},
		{finding.MessageOrphan, finding.SeverityWarning, "enron contents row removed", sampleEnron, mutMessageOrphan},

		// Store
		{finding.StoreNearLimit, finding.SeverityWarning, "Unicode 48 GiB", sampleSupport, mutVirtualSize(48 << 30)},
		{finding.StoreNearLimit, finding.SeverityWarning, "ANSI at the warn size", sampleANSI, mutVirtualSize(pstcheck.ANSIWarnSize)},
		{finding.StoreOverLimit, finding.SeverityWarning, "Unicode 51 GiB", sampleSupport, mutVirtualSize(51 << 30)},
		{finding.StoreOverLimit, finding.SeverityWarning, "ANSI 2.1e9 bytes", sampleANSI, mutVirtualSize(2.1e9)},
		{finding.StoreLegacyLimit, finding.SeverityInfo, "Unicode 21 GiB", sampleSupport, mutVirtualSize(21 << 30)},
		// Outlook's folder guidance, lowered to the real samples' counts
		// (scale_test.go; generated stores at the real thresholds there too).
		{finding.StoreFoldersOver, finding.SeverityWarning, "folders one past the threshold", sampleSupport, mutFoldersOver},
		{finding.StoreFoldersOver, finding.SeverityWarning, "ANSI folders one past the threshold", sampleANSI, mutFoldersOver},
		{finding.FolderItemsOver, finding.SeverityWarning, "fullest folder one past the threshold", sampleEnron, mutFolderItems(finding.FolderItemsOver)},
		{finding.FolderItemsLegacy, finding.SeverityInfo, "fullest folder one past the 2007 threshold", sampleEnron, mutFolderItems(finding.FolderItemsLegacy)},
	}
}

// TestMutations runs every case.
func TestMutations(t *testing.T) {
	for _, m := range mutations() {
		t.Run(string(m.code)+"/"+m.name, func(t *testing.T) {
			runMutation(t, m)
		})
	}
}

// TestMutationCoversCatalog fails when a catalog code has no mutation case,
// so that a code cannot be added without a test that makes it happen.
func TestMutationCoversCatalog(t *testing.T) {
	// Codes that pstcheck.Check never emits are covered where they are.
	elsewhere := map[finding.Code]string{
		finding.ScanAborted:      "the CLI's batch workers: cmd/pstcheck/batch_test.go",
		finding.BlockUnusedLimit: "more unused blocks than the scan keeps, its bound lowered: pstcheck/ndb/unlinkedlimit_test.go",
	}
	covered := map[finding.Code]bool{}
	for _, m := range mutations() {
		covered[m.code] = true
		if e := finding.Lookup(m.code); e.Description == "unknown code" {
			t.Errorf("mutation %q names %s, which is not in the catalog", m.name, m.code)
		}
	}
	for _, e := range finding.Catalog() {
		if !covered[e.Code] && elsewhere[e.Code] == "" {
			t.Errorf("catalog code %s has no mutation case in mutation_test.go", e.Code)
		}
	}
}

func runMutation(t *testing.T, m mutation) {
	if bug := engineBugs[string(m.code)+"/"+m.name]; bug != "" && os.Getenv("PSTCHECK_ENGINE_BUGS") == "" {
		t.Skip("ENGINE BUG: " + bug + " (set PSTCHECK_ENGINE_BUGS=1 to run)")
	}
	var f *pstmut.File
	var base *pstcheck.Report
	if m.sample != "" {
		f, base = mutSample(t, m.sample)
	}
	e := m.mutate(t, f)
	r, size := e.r, e.size
	if r == nil {
		r, size = f.Reader(), f.Size()
	}
	ctx := e.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	rep := pstcheck.Check(ctx, r, size, pstcheck.Options{Guidance: e.guidance})
	if t.Failed() {
		return
	}
	defer func() {
		if t.Failed() || testing.Verbose() {
			for _, x := range rep.Findings {
				t.Logf("  got %v", x)
			}
		}
	}()

	if rep.Verdict != e.verdict {
		t.Errorf("verdict %s, want %s", rep.Verdict, e.verdict)
	}
	hasCode := false
	for _, w := range e.wants {
		hasCode = hasCode || w.Code == m.code
	}
	if !hasCode {
		t.Fatalf("case error: no want of the case's code %s", m.code)
	}
	if got := finding.Lookup(m.code).Severity; got != m.sev {
		t.Errorf("catalog severity of %s is %s, want %s", m.code, got, m.sev)
	}
	// Findings of the clean file's info codes may stay (their values
	// change with the damage); anything else must be explained.
	baseInfo := map[finding.Code]bool{}
	if base != nil {
		for _, x := range base.Findings {
			if x.Severity() == finding.SeverityInfo {
				baseInfo[x.Code] = true
			}
		}
	}
	counts := make([]int, len(e.wants))
	primary := 0
	for _, x := range rep.Findings {
		if x.Code == m.code {
			primary++
			if x.Severity() != m.sev {
				t.Errorf("%v: severity %s, want %s", x, x.Severity(), m.sev)
			}
		}
		matched := false
		for i, w := range e.wants {
			if w.matches(x) {
				counts[i]++
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if ok := e.allow[x.Code]; ok != nil && ok(x) {
			continue
		}
		if baseInfo[x.Code] {
			continue
		}
		t.Errorf("unexpected finding %v", x)
	}
	for i, w := range e.wants {
		n := w.N
		if n == 0 {
			n = 1
		}
		if counts[i] != n {
			t.Errorf("want %d finding(s) %v, got %d", n, w, counts[i])
		}
	}
	if primary == 0 {
		t.Errorf("no %s finding", m.code)
	}
	for c, n := range rep.Capped {
		if e.allow[c] == nil {
			t.Errorf("%d findings of %s capped", n, c)
		}
	}
	if e.check != nil {
		e.check(t, rep)
	}
}

// ---- helpers to name targets ----

// folderOf is the folder a node belongs to (a folder is its own; its
// hierarchy, contents and FAI tables belong to it; anything else to its
// parent), as the node findings must name it.
func nodeFolder(n ndb.NBTEntry) uint32 {
	switch n.NID & 0x1F {
	case 0x02, 0x03:
		return n.NID
	case 0x0D, 0x0E, 0x0F:
		return n.NID&^0x1F | 0x02
	}
	return n.Parent
}

// messageBlock returns a message and its data block that no other node
// uses: damage to the block must be blamed on that message alone.
func ownMessageBlock(t *testing.T, f *pstmut.File) (pstmut.NBTRef, pstmut.BBTRef) {
	t.Helper()
	users := f.Users()
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 || n.Data == 0 || ndb.IsInternal(n.Data) {
			continue
		}
		b, ok := f.Block(n.Data)
		if ok && len(users[b.BID]) == 1 && b.Ref == 2 {
			return n, b
		}
	}
	t.Fatal("no message with a data block of its own")
	return pstmut.NBTRef{}, pstmut.BBTRef{}
}

// damagedFor returns the NODE-BLOCK-DAMAGED findings a damaged block must
// cause: one for every node that uses it, at the block's BBT offset.
func damagedUsers(f *pstmut.File, bid uint64, off int64) []mwant {
	var out []mwant
	for _, nid := range f.Users()[bid] {
		out = append(out, mwant{Code: finding.NodeBlockDamaged, Offset: off, BID: bid, NID: nid, Folder: nodeFolder(f.MustNode(nid).NBTEntry)})
	}
	return out
}

// lostLeafBlocks checks what becomes of the blocks a lost BBT leaf
// listed: the index rebuild finds every one of them again (by their
// trailers, or in the leaf itself when it survives out of the tree's
// reach), so no node misses a block and every item reads as in the clean
// file.
func lostLeafBlocks(f *pstmut.File, leaf int64) (map[finding.Code]func(finding.Finding) bool, func(*testing.T, *pstcheck.Report)) {
	lost := 0
	for _, b := range f.BBT {
		if b.Page == leaf {
			lost++
		}
	}
	clean := pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{})
	allow := map[finding.Code]func(finding.Finding) bool{
		// Blocks found by their trailers have no known reference count;
		// blocks only they named are used by nobody the engine can see.
		finding.BlockUnused:  func(x finding.Finding) bool { return true },
		finding.BlockRefHigh: func(x finding.Finding) bool { return true },
	}
	check := func(t *testing.T, rep *pstcheck.Report) {
		t.Helper()
		if rep.Rebuild == nil || rep.Rebuild.Blocks != lost {
			t.Errorf("index rebuild %+v, want the %d blocks of the lost leaf found again", rep.Rebuild, lost)
		}
		if rep.Items != clean.Items {
			t.Errorf("items %+v, the clean file %+v", rep.Items, clean.Items)
		}
	}
	return allow, check
}

func wantAt(c finding.Code, off int64, bid uint64) mwant {
	return mwant{Code: c, Offset: off, BID: bid}
}

// ---- file ----

func mutFileReadHeader(t *testing.T, f *pstmut.File) mexpect {
	return mexpect{verdict: pstcheck.Failed, r: pstmut.FailAfter(f.Reader(), 0), size: f.Size(),
		wants: []mwant{wantAt(finding.FileRead, 0, 0)}}
}

func mutFileReadBlock(t *testing.T, f *pstmut.File) mexpect {
	n, b := ownMessageBlock(t, f)
	off, ext := f.Extent(b.BID)
	r := pstmut.FailingReader{R: f.Reader(), Off: off, Len: ext}
	// A read error anywhere makes the verdict "error": the disk, not the
	// file, may be at fault.
	return mexpect{verdict: pstcheck.Failed, r: r, size: f.Size(),
		wants: []mwant{
			wantAt(finding.FileRead, off, b.BID),
			{Code: finding.NodeBlockDamaged, Offset: off, BID: b.BID, NID: n.NID, Folder: n.Parent},
		}}
}

// A cancelled scan stops after the B-trees and says so: it must not pass
// for a verdict on the file.
func mutFileReadCancelled(t *testing.T, f *pstmut.File) mexpect {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return mexpect{verdict: pstcheck.Failed, ctx: ctx, wants: []mwant{wantAt(finding.FileRead, finding.NoOffset, 0)}}
}

// ---- header ----

// mutHeaderTruncated cuts the file off inside its header: from 12 bytes
// on, what is left still names the format and says whether it was a PST
// or an OST (client "SO": ost), which the action follows (an OST is made
// anew from the server; an audit found OSTs cut at 12 to 563 bytes told
// to be restored from a backup, with scanpst named).
func mutHeaderTruncated(n int64, client string) func(*testing.T, *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		f.Truncate(n)
		if client != "" {
			copy(f.B[8:10], client)
		}
		return mexpect{verdict: pstcheck.Unreadable, wants: []mwant{wantAt(finding.HeaderTruncated, n, 0)},
			check: func(t *testing.T, rep *pstcheck.Report) {
				content, action := pstcheck.ContentPST, pstcheck.ActionRestore
				if client == "SO" {
					content, action = pstcheck.ContentOST, pstcheck.ActionRecreateOST
				}
				switch {
				case n < 12 && (rep.Format != pstcheck.FormatUnknown || rep.Content != pstcheck.ContentUnknown):
					t.Errorf("format %q, content %q, want unknown", rep.Format, rep.Content)
				case n >= 12 && (rep.Format == pstcheck.FormatUnknown || rep.Content != content):
					t.Errorf("format %q, content %q, want the header's, %q", rep.Format, rep.Content, content)
				case n >= 12 && rep.Action != action:
					t.Errorf("action %q, want %q", rep.Action, action)
				}
			}}
	}
}

func mutHeaderTruncatedCorpus(t *testing.T, _ *pstmut.File) mexpect {
	dir := samples.Corpus()
	if dir == "" {
		t.Skip("no corpus")
	}
	var b []byte
	for _, p := range samples.CorpusFiles(true) {
		if filepath.Base(p) == "pstreader__truncated-in-header.bin" {
			var err error
			if b, err = os.ReadFile(p); err != nil {
				t.Fatal(err)
			}
		}
	}
	if b == nil {
		t.Skip("pstreader__truncated-in-header.bin is not in the corpus")
	}
	return mexpect{verdict: pstcheck.Unreadable, r: bytes.NewReader(b), size: int64(len(b)),
		wants: []mwant{wantAt(finding.HeaderTruncated, int64(len(b)), 0)}}
}

// A destroyed header does not lose the store: the format is found again
// from the first AMap page, the index is rebuilt, and every item reads as
// in the clean file.
func mutHeaderMagic(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	f.B[0] = 'X'
	return headerGuessed(clean, wantAt(finding.HeaderMagic, 0, 0))
}

// With the first AMap page destroyed too (as when the start of the file
// is), a later one tells the format: every item reads as in the clean
// file, the lost map page named.
func mutHeaderMagicNoAMap(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	f.B[0] = 'X'
	f.Zero(f.L.FirstAMap, f.L.PageSize)
	m := headerGuessed(clean, wantAt(finding.HeaderMagic, 0, 0))
	m.wants = append(m.wants, wantAt(finding.AMapPage, f.L.FirstAMap, uint64(f.L.FirstAMap)))
	return m
}

// With every AMap page and every B-tree page destroyed too, nothing
// tells the format: the file is unreadable.
func mutHeaderMagicNoPages(t *testing.T, f *pstmut.File) mexpect {
	f.B[0] = 'X'
	for off := f.L.FirstAMap; off+f.L.PageSize <= f.Size(); off += f.L.PageSize {
		p := f.L.ParsePageTrailer(f.B[off : off+f.L.PageSize])
		if p.Type == p.TypeRepeat && (p.Type == ndb.PageAMap || p.Type == ndb.PageNBT || p.Type == ndb.PageBBT) {
			f.Zero(off, f.L.PageSize)
		}
	}
	return mexpect{verdict: pstcheck.Unreadable, wants: []mwant{wantAt(finding.HeaderMagic, 0, 0)}}
}

func mutHeaderVersion(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	f.PutUint(f.HF.Version, 2, 99)
	f.FixHeaderCRCs()
	return headerGuessed(clean, wantAt(finding.HeaderVersion, 10, 0))
}

// The whole header (its first 512 bytes) zeroed.
func mutHeaderZeroed(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	f.Zero(0, 512)
	return headerGuessed(clean, wantAt(finding.HeaderMagic, 0, 0))
}

// headerGuessed is what a destroyed header must give: the header's own
// finding, HDR-GUESSED, and every item as in the clean report, read
// through the roots found again or the rebuilt index (whose blocks the
// rebuild may list once more from stale pages: BLOCK-* findings of those
// are admitted), and the advice to save the items, since Outlook and
// scanpst cannot open the file.
func headerGuessed(clean *pstcheck.Report, header mwant) mexpect {
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{header, wantAt(finding.HeaderGuessed, 0, 0)},
		allow: map[finding.Code]func(finding.Finding) bool{
			finding.BlockUnused:  func(finding.Finding) bool { return true },
			finding.BlockRefHigh: func(finding.Finding) bool { return true },
		},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Items != clean.Items || rep.Format != clean.Format || rep.Stats.Crypt != clean.Stats.Crypt {
				t.Errorf("items %+v, format %s, crypt %s (rebuild %+v); the clean file: %+v, %s, %s",
					rep.Items, rep.Format, rep.Stats.Crypt, rep.Rebuild, clean.Items, clean.Format, clean.Stats.Crypt)
			}
			if rep.Action != pstcheck.ActionExport {
				t.Errorf("action %s, want export", rep.Action)
			}
		}}
}

func mutHeaderClient(t *testing.T, f *pstmut.File) mexpect {
	copy(f.B[f.HF.Client:], "XX")
	f.FixHeaderCRCs()
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.HeaderClient, 8, 0)},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Content != pstcheck.ContentUnknown {
				t.Errorf("content %q, want unknown", rep.Content)
			}
		}}
}

// Byte 16 is dwReserved1: no reader uses it, so only the CRCs notice.
func mutHeaderCRCPartialANSI(t *testing.T, f *pstmut.File) mexpect {
	f.FlipByte(16)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.HeaderCRCPartial, 4, 0)}}
}

// In a Unicode header dwCRCFull covers the partial range too.
func mutHeaderCRCPartialUnicode(t *testing.T, f *pstmut.File) mexpect {
	f.FlipByte(16)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		wantAt(finding.HeaderCRCPartial, 4, 0),
		wantAt(finding.HeaderCRCFull, 524, 0),
	}}
}

// Byte 500 is in rgbFP, covered by dwCRCFull but not by dwCRCPartial.
func mutHeaderCRCFull(t *testing.T, f *pstmut.File) mexpect {
	f.FlipByte(500)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.HeaderCRCFull, 524, 0)}}
}

func mutHeaderSentinel(t *testing.T, f *pstmut.File) mexpect {
	f.SetHeaderByte(f.HF.Sentinel, 0)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.HeaderSentinel, f.HF.Sentinel, 0)}}
}

func mutHeaderCrypt(t *testing.T, f *pstmut.File) mexpect {
	f.SetHeaderByte(f.HF.Crypt, 7)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.HeaderCrypt, f.HF.Crypt, 0)},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Stats.Crypt != "unknown (0x07)" {
				t.Errorf("crypt %q", rep.Stats.Crypt)
			}
		}}
}

// lastUsed is the end of the last page or block in use.
func lastInUse(f *pstmut.File) int64 {
	var end int64
	for _, b := range f.BBT {
		end = max(end, int64(b.IB)+f.L.BlockExtent(int(b.CB)))
	}
	for _, p := range f.Pages {
		end = max(end, p.Off+f.L.PageSize)
	}
	for _, p := range f.FixedPages(0, f.Size()) {
		end = max(end, p.Off+f.L.PageSize)
	}
	return end
}

func mutCutFree(t *testing.T, f *pstmut.File) mexpect {
	end := lastInUse(f)
	cut := (end + 511) / 512 * 512
	if cut >= f.Size() {
		t.Fatalf("no free space at the end of the sample (last use ends at 0x%X)", end)
	}
	f.Truncate(cut)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.RootFileTruncated, cut, 0)}}
}

// Cutting through the last block loses it: BLOCK-RANGE for it and
// NODE-BLOCK-DAMAGED for its users, nothing else.
func mutCutBlock(t *testing.T, f *pstmut.File) mexpect {
	var last pstmut.BBTRef
	for _, b := range f.BBT {
		if b.IB > last.IB {
			last = b
		}
	}
	cut := int64(last.IB) + 64
	f.Truncate(cut)
	wants := []mwant{wantAt(finding.RootFileTruncated, cut, 0), wantAt(finding.BlockRange, int64(last.IB), last.BID)}
	wants = append(wants, damagedUsers(f, last.BID, int64(last.IB))...)
	return mexpect{verdict: pstcheck.Damaged, wants: wants}
}

// ROOT-EOF-ZEROED: the file zeroed to its end from its last block or its
// last map page, whichever comes first, as a copy that set the file's
// size and stopped before the end leaves it. The zeros are told from
// where they begin (before that, where the bytes before were zeros
// already), what lay in them is damaged and nothing else, and the action
// is to copy the file again.
func mutZeroedEnd(t *testing.T, f *pstmut.File) mexpect {
	var last pstmut.BBTRef
	for _, b := range f.BBT {
		if b.IB > last.IB {
			last = b
		}
	}
	size := f.Size()
	from := min(int64(last.IB), f.L.FirstAMap+(size-f.L.FirstAMap-f.L.PageSize)/f.L.AMapCoverage*f.L.AMapCoverage)
	f.Zero(from, size-from)
	start := int64(len(bytes.TrimRight(f.B, "\x00")))
	inZeros := func(x finding.Finding) bool { return x.Offset >= start && x.Offset < size }
	allow := map[finding.Code]func(finding.Finding) bool{}
	for _, c := range []finding.Code{finding.BlockTrailerSize, finding.BlockBID, finding.BlockCRC, finding.PageType,
		finding.AMapPage, finding.PMapPage, finding.NodeBlockDamaged, finding.AMapUnmarked} {
		allow[c] = inZeros
	}
	// A BBT page in the zeros takes its entries with it: the blocks it
	// listed are missing to their nodes, and those it does not are left
	// unused.
	anywhere := func(finding.Finding) bool { return true }
	allow[finding.NodeBlockMissing], allow[finding.BlockUnused] = anywhere, anywhere
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.RootFileZeroed, start, 0)}, allow: allow,
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Action != pstcheck.ActionRestore || rep.Damage.ZeroedBytes != size-start || rep.Damage.MissingBytes != 0 {
				t.Errorf("action %s, damage %+v; want restore and %d bytes zeroed", rep.Action, rep.Damage, size-start)
			}
		}}
}

// ROOT-EOF-GAP: 4 KiB dropped from the middle of the file, what follows
// moved up, as a copy that passes over unreadable sectors leaves it. The
// gap is found where the bytes went missing (before it, by no more than
// the free space or cut block there), and read as zeros: only the blocks
// it held are damaged, and no item but theirs. Without it, every page and
// block past the middle failed.
func mutDropped(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	at, n := f.Size()/2/512*512, int64(4096)
	b := slices.Concat(f.B[:at], f.B[at+n:])
	gaps, ok := ndb.FindGaps(bytes.NewReader(b), int64(len(b)))
	if !ok || len(gaps) != 1 || gaps[0].Size != n || gaps[0].Offset > at || gaps[0].Offset < at-64<<10 {
		t.Fatalf("gaps %+v (%v); 4096 bytes were dropped at 0x%X", gaps, ok, at)
	}
	g := gaps[0]
	hole := func(x finding.Finding) bool { return x.Offset >= g.Offset && x.Offset < at+n }
	return mexpect{verdict: pstcheck.Damaged, r: bytes.NewReader(b), size: int64(len(b)),
		wants: []mwant{wantAt(finding.RootFileGap, g.Offset, 0)},
		allow: map[finding.Code]func(finding.Finding) bool{
			finding.BlockCRC:         hole,
			finding.BlockTrailerSize: hole,
			finding.BlockBID:         hole,
			finding.NodeBlockDamaged: hole,
			finding.MapFreeSpace:     func(finding.Finding) bool { return true },
		},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if it := rep.Items; it.Total != clean.Items.Total || it.Readable+it.Damaged != it.Total {
				t.Errorf("items %+v; the clean file's %+v, each readable or damaged by the hole", it, clean.Items)
			}
			if rep.Action != pstcheck.ActionRestore || rep.Damage.GapBytes != n || rep.Damage.MissingBytes != 0 {
				t.Errorf("action %s, damage %+v", rep.Action, rep.Damage)
			}
		}}
}

// ROOT-EOF-ADDED: 4 KiB of zeros added at the middle of the file, what
// follows moved down, as a copy that wrote a piece it should not leaves
// it. The bytes are found where they begin, even inside a block (which
// then verifies with them left out), and passed over: nothing of the store
// is lost, every item reads as in the clean file. Without it, every page
// and block past the middle failed and no item could be read.
func mutAdded(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	at, n := f.Size()/2/512*512, int64(4096)
	b := slices.Concat(f.B[:at], make([]byte, n), f.B[at:])
	gaps, ok := ndb.FindGaps(bytes.NewReader(b), int64(len(b)))
	if !ok || len(gaps) != 1 || !gaps[0].Added || gaps[0].Size != n || gaps[0].Offset > at || gaps[0].Offset < at-64<<10 {
		t.Fatalf("gaps %+v (%v); 4096 bytes were added at 0x%X", gaps, ok, at)
	}
	return mexpect{verdict: pstcheck.Damaged, r: bytes.NewReader(b), size: int64(len(b)),
		wants: []mwant{wantAt(finding.RootFileAdded, gaps[0].Offset, 0)},
		allow: map[finding.Code]func(finding.Finding) bool{
			finding.MapFreeSpace: func(finding.Finding) bool { return true },
		},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if it := rep.Items; it.Total != clean.Items.Total || it.Readable != it.Total {
				t.Errorf("items %+v; the clean file's %+v, all readable", it, clean.Items)
			}
			if d := rep.Damage; rep.Action != pstcheck.ActionRestore || d.AddedBytes != n || d.Added != 1 || d.MissingBytes != 0 || d.GapBytes != 0 {
				t.Errorf("action %s, damage %+v", rep.Action, rep.Damage)
			}
		}}
}

// One bit of the header's end of file flipped (bit of its third byte),
// the header's checksums not fixed: the file is whole, neither cut off
// (the end said further on) nor to be read only part way (said before).
func mutEOFWrong(bit byte) func(t *testing.T, f *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		clean := pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{})
		off := f.HF.FileEOF
		f.B[off+2] ^= bit
		return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.RootFileEOFWrong, off, 0)},
			allow: map[finding.Code]func(finding.Finding) bool{
				finding.HeaderCRCPartial: func(finding.Finding) bool { return true },
				finding.HeaderCRCFull:    func(finding.Finding) bool { return true },
			},
			check: func(t *testing.T, rep *pstcheck.Report) {
				if rep.Items != clean.Items || rep.Damage.MissingBytes != 0 || rep.Action == pstcheck.ActionRestore {
					t.Errorf("items %+v (clean %+v), %d bytes missing, action %s", rep.Items, clean.Items, rep.Damage.MissingBytes, rep.Action)
				}
			}}
	}
}

// A copy cut off, or with bytes missing inside, whose header is damaged
// besides keeps its end of file: told cut off, its gap found and read
// around, as without the header's damage. Reviews found them read as
// whole while ROOT-EOF-WRONG took a failing checksum for the end's damage
// (enron.pst cut at 99.9%, or 128 KiB short of its end, an end one bit
// from the header's; the gap not looked for, 13 of 2,178 items saved with
// 16 sectors dropped), or believed a last AMap page changed to an earlier
// one, which the cut size fitted.
func TestHeaderDamagedBesidesCutOrGap(t *testing.T) {
	named := func(name string) func(*pstmut.File) []byte {
		return func(f *pstmut.File) []byte {
			c, ok := damagekit.Named(f, name)
			if !ok {
				t.Fatalf("no damage case %q", name)
			}
			return c.Damage(f)
		}
	}
	for _, c := range []struct {
		name   string
		damage func(*pstmut.File) []byte
		header func(f *pstmut.File, b []byte) // the header's damage
		want   finding.Code
	}{
		{"cut at 99.9%", named("cut at 99.9%"), flipCounters, finding.RootFileTruncated},
		{"cut 128 KiB short of its end", func(f *pstmut.File) []byte { return slices.Clone(f.B[:f.Size()-128<<10]) }, flipCounters, finding.RootFileTruncated},
		{"16 sectors dropped", named("16 bad sectors dropped (4 KiB each, the rest moved up)"), flipCounters, finding.RootFileGap},
		{"cut inside an earlier interval, the last AMap page's offset set to its", func(f *pstmut.File) []byte {
			return slices.Clone(f.B[:f.L.FirstAMap+100*f.L.AMapCoverage+4096])
		}, func(f *pstmut.File, b []byte) {
			binary.LittleEndian.PutUint64(b[f.HF.AMapLast:], uint64(f.L.FirstAMap+100*f.L.AMapCoverage))
		}, finding.RootFileTruncated},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := pstmut.Load(testkit.GoPst(t, "enron.pst"))
			if err != nil {
				t.Fatal(err)
			}
			b := c.damage(f)
			alone := pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
			c.header(f, b)
			rep := pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{})
			if !rep.Has(c.want) || rep.Has(finding.RootFileEOFWrong) || rep.Items != alone.Items || rep.Action != alone.Action {
				t.Errorf("%s %v, %s %v, items %+v, action %s; without the header's damage items %+v, action %s",
					c.want, rep.Has(c.want), finding.RootFileEOFWrong, rep.Has(finding.RootFileEOFWrong), rep.Items, rep.Action, alone.Items, alone.Action)
			}
		})
	}
}

// flipCounters changes a bit of the header's unused ID counter field,
// under both checksums.
func flipCounters(_ *pstmut.File, b []byte) { b[0x30] ^= 0x01 }

func mutAppend(t *testing.T, f *pstmut.File) mexpect {
	eof := f.Size()
	f.Extend(4096)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.RootTrailingData, eof, 0)}}
}

// The NBT root reference points past the end: every NBT leaf page is
// still in the file, so the index rebuild finds every node again and every
// item reads as in the clean file.
func mutRootBREF(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	f.SetRoot(f.HF.NBTIB, uint64(f.Size()+0x10000))
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		wantAt(finding.RootBREF, f.HF.Root, f.H.NBT.BID),
	}, check: func(t *testing.T, rep *pstcheck.Report) {
		if rep.Stats.Nodes != len(f.NBT) || rep.Rebuild == nil || rep.Rebuild.Nodes != len(f.NBT) {
			t.Errorf("%d nodes, rebuild %+v; want all %d nodes found again", rep.Stats.Nodes, rep.Rebuild, len(f.NBT))
		}
		if rep.Items != clean.Items || rep.Rebuild == nil || rep.Rebuild.Items != clean.Items.Readable {
			t.Errorf("items %+v (rebuild %+v), the clean file %+v", rep.Items, rep.Rebuild, clean.Items)
		}
	}}
}

func mutAMapInvalid(t *testing.T, f *pstmut.File) mexpect {
	f.SetHeaderByte(f.HF.AMapValid, 0)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.RootAMapInvalid, f.HF.Root, 0)}}
}

// ---- B-tree pages ----

// bbtLeaf returns the first BBT leaf page below a branch root with room
// for more entries.
func bbtLeafPage(t *testing.T, f *pstmut.File) pstmut.Page {
	t.Helper()
	for _, p := range f.TreePages(ndb.PageBBT, 0) {
		if p.Parent >= 0 && p.Entries < f.Footer(p.Off).CEntMax {
			return p
		}
	}
	t.Fatal("no BBT leaf with free entries")
	return pstmut.Page{}
}

// mutPageRange points the BBT root's reference to a leaf beyond the end of
// the file: the leaf's blocks are lost.
func mutPageRange(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	e := f.BranchEntry(leaf.Parent, leaf.Index)
	bad := uint64(f.Size() + 0x20000)
	e.IB = bad
	f.SetBranchEntry(leaf.Parent, leaf.Index, e)
	allow, check := lostLeafBlocks(f, leaf.Off)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageRange, int64(bad), leaf.BID)},
		allow: allow, check: check}
}

func mutPageTypeRepeat(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	f.SetPageType(leaf.Off, ndb.PageBBT, ndb.PageNBT)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageType, leaf.Off, leaf.BID)}}
}

func mutPageType(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	f.SetPageType(leaf.Off, ndb.PageAMap, ndb.PageAMap)
	allow, check := lostLeafBlocks(f, leaf.Off)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageType, leaf.Off, leaf.BID)},
		allow: allow, check: check}
}

// An NBT branch entry points at a BBT leaf: PAGE-TYPE for the NBT's
// reference, and the NBT leaf it named is lost (its nodes' children lose
// their parent, its nodes' blocks are used by nobody). The BBT leaf itself
// is sound and must still be read by the BBT walk.
func mutPageTypeCrossTree(t *testing.T, f *pstmut.File) mexpect {
	nbt := f.TreePages(ndb.PageNBT, 0)[0]
	bbt := bbtLeafPage(t, f)
	e := f.BranchEntry(nbt.Parent, nbt.Index)
	e.IB = uint64(bbt.Off)
	f.SetBranchEntry(nbt.Parent, nbt.Index, e)
	lost := map[uint32]bool{}
	for _, n := range f.NBT {
		if n.Page == nbt.Off {
			lost[n.NID] = true
		}
	}
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageType, bbt.Off, nbt.BID)},
		allow: map[finding.Code]func(finding.Finding) bool{
			finding.NodeParent:  func(x finding.Finding) bool { return lost[x.FolderNID] && !lost[x.NID] },
			finding.BlockUnused: func(finding.Finding) bool { return true },
			// Shared blocks lose the references of the lost nodes.
			finding.BlockRefHigh: func(finding.Finding) bool { return true },
			// The lost leaf may hold the message store or root folder.
			finding.StoreRoot: func(x finding.Finding) bool { return lost[x.NID] },
		}}
}

// A BBT branch entry points into the middle of the file's blocks (at a
// block's offset): PAGE-TYPE, and the leaf it named is lost. The block
// there is sound: no page lives there, so nothing overlaps it.
func mutPageTypeIntoBlock(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	users := f.Users()
	var b pstmut.BBTRef
	for _, x := range f.BBT {
		if int64(x.IB)%f.L.PageSize == 0 && len(users[x.BID]) > 0 && x.Page != leaf.Off {
			b = x
			break
		}
	}
	if b.BID == 0 {
		t.Fatal("no page-aligned block")
	}
	e := f.BranchEntry(leaf.Parent, leaf.Index)
	e.IB = b.IB
	f.SetBranchEntry(leaf.Parent, leaf.Index, e)
	allow, check := lostLeafBlocks(f, leaf.Off)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageType, int64(b.IB), leaf.BID)},
		allow: allow, check: check}
}

func mutPageSig(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	f.SetPageSig(leaf.Off, f.PageTrailer(leaf.Off).Sig^0x0101)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageSignature, leaf.Off, leaf.BID)}}
}

func mutPageSigNBT(t *testing.T, f *pstmut.File) mexpect {
	leaf := f.TreePages(ndb.PageNBT, 0)[0]
	f.SetPageSig(leaf.Off, f.PageTrailer(leaf.Off).Sig^0x8000)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageSignature, leaf.Off, leaf.BID)}}
}

// A byte past the last entry is covered by the CRC but read by nobody.
func mutPageCRC(t *testing.T, f *pstmut.File) mexpect {
	var leaf pstmut.Page
	for _, p := range f.TreePages(ndb.PageBBT, 0) {
		if p.Entries < f.Footer(p.Off).CEntMax {
			leaf = p
			break
		}
	}
	ft := f.Footer(leaf.Off)
	f.FlipByte(leaf.Off + int64(ft.CEnt*ft.CBEnt) + 1)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageCRC, leaf.Off, leaf.BID)}}
}

// The signature is computed from the reference, not the trailer BID, so
// only PAGE-BID fires.
func mutPageBID(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	f.SetPageBID(leaf.Off, leaf.BID+4)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.PageBID, leaf.Off, leaf.BID)}}
}

// cEntMax below cEnt: the entries are still read, nothing is lost.
func mutBTEntriesMax(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	ft := f.Footer(leaf.Off)
	ft.CEntMax = ft.CEnt - 1
	f.SetFooter(leaf.Off, ft)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BTreeEntries, leaf.Off, leaf.BID)}}
}

// A wrong entry size makes the page unreadable: its blocks are lost.
func mutBTEntriesSize(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	ft := f.Footer(leaf.Off)
	ft.CBEnt = 16
	f.SetFooter(leaf.Off, ft)
	allow, check := lostLeafBlocks(f, leaf.Off)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BTreeEntries, leaf.Off, leaf.BID)},
		allow: allow, check: check}
}

func mutBTLevel(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	ft := f.Footer(leaf.Off)
	ft.CLevel = 1
	f.SetFooter(leaf.Off, ft)
	allow, check := lostLeafBlocks(f, leaf.Off)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BTreeLevel, leaf.Off, leaf.BID)},
		allow: allow, check: check}
}

// Swapping entries 3 and 4 puts entry 4's key below entry 3's; the
// engine sorts the entries, so every block is still found.
func mutBTKeyOrder(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	f.SwapEntries(leaf.Off, 3, 4)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BTreeKeyOrder, f.Entry(leaf.Off, 4), leaf.BID)}}
}

func mutBTKeyOrderNBT(t *testing.T, f *pstmut.File) mexpect {
	leaf := f.TreePages(ndb.PageNBT, 0)[0]
	f.SwapEntries(leaf.Off, 0, 1)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BTreeKeyOrder, f.Entry(leaf.Off, 1), leaf.BID)}}
}

// The BBT root's last entry points back at the root: the root is reached
// twice and the leaf the entry named is lost.
func mutBTCycle(t *testing.T, f *pstmut.File) mexpect {
	root := f.Root(ndb.PageBBT)
	if root.Level == 0 {
		t.Fatal("the BBT root is a leaf")
	}
	i := root.Entries - 1
	e := f.BranchEntry(root.Off, i)
	lostLeaf := int64(e.IB)
	e.BREF = ndb.BREF{BID: root.BID, IB: uint64(root.Off)}
	f.SetBranchEntry(root.Off, i, e)
	allow, check := lostLeafBlocks(f, lostLeaf)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BTreeCycle, root.Off, root.BID)},
		allow: allow, check: check}
}

// ---- blocks ----

// blockCase damages a message's own data block and expects code at off
// plus NODE-BLOCK-DAMAGED for the message, at off, in its folder.
func messageBlockCase(t *testing.T, f *pstmut.File, code finding.Code, damage func(n pstmut.NBTRef, b pstmut.BBTRef) int64) mexpect {
	n, b := ownMessageBlock(t, f)
	off := damage(n, b)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		wantAt(code, off, b.BID),
		{Code: finding.NodeBlockDamaged, Offset: off, BID: b.BID, NID: n.NID, Folder: n.Parent},
	}}
}

func mutBlockRange(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockRange, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		ib := uint64(f.Size() + 0x1000)
		f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = ib })
		return int64(ib)
	})
}

func mutBlockAlign(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockAlign, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB += 8 })
		return int64(b.IB) + 8
	})
}

// The message's block is moved onto a block with a lower BID: that one is
// checked first (equal offsets keep BID order) and stays sound.
func mutBlockOverlap(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockOverlap, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		var other pstmut.BBTRef
		for _, o := range f.BBT {
			if o.BID < b.BID && !ndb.IsInternal(o.BID) {
				other = o
			}
		}
		f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = other.IB })
		return int64(other.IB)
	})
}

// A block is moved onto a BBT leaf page. A small one (its extent within
// the page) overlaps nothing else; a large one runs over the blocks after
// the page, which are sound and must not be blamed.
func mutBlockOverlapPage(small bool) func(*testing.T, *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		n, b := ownMessageBlock(t, f)
		if small {
			n, b = ownSmallBlock(t, f)
		}
		leaf := bbtLeafPage(t, f)
		f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = uint64(leaf.Off) })
		wants := []mwant{wantAt(finding.BlockOverlap, leaf.Off, b.BID)}
		wants = append(wants, damagedUsers(f, b.BID, leaf.Off)...)
		t.Logf("block 0x%X (node 0x%X, %d bytes) onto the page at 0x%X", b.BID, n.NID, b.CB, leaf.Off)
		return mexpect{verdict: pstcheck.Damaged, wants: wants}
	}
}

// A message's block is moved onto a block with a higher BID, which is
// checked second. The moved entry is the wrong one: its trailer names
// the other block. The other block is sound.
func mutBlockOverlapHigher(t *testing.T, f *pstmut.File) mexpect {
	n, b := ownMessageBlock(t, f)
	var other pstmut.BBTRef
	for _, o := range f.BBT {
		if o.BID > b.BID && !ndb.IsInternal(o.BID) && o.IB > b.IB {
			other = o
			break
		}
	}
	f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.IB = other.IB })
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		wantAt(finding.BlockOverlap, int64(other.IB), b.BID),
		{Code: finding.NodeBlockDamaged, Offset: int64(other.IB), BID: b.BID, NID: n.NID, Folder: n.Parent},
	}}
}

// smallBlock returns a node and a data block of its own that fits in a
// page.
func ownSmallBlock(t *testing.T, f *pstmut.File) (pstmut.NBTRef, pstmut.BBTRef) {
	t.Helper()
	users := f.Users()
	for _, b := range f.BBT {
		if u := users[b.BID]; !ndb.IsInternal(b.BID) && len(u) == 1 && b.Ref == 2 && f.L.BlockExtent(int(b.CB)) <= f.L.PageSize {
			if n := f.MustNode(u[0]); n.Data&^1 == b.BID {
				return n, b
			}
		}
	}
	t.Fatal("no small block of one node")
	return pstmut.NBTRef{}, pstmut.BBTRef{}
}

func mutBlockSize(cb uint16) func(*testing.T, *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		return messageBlockCase(t, f, finding.BlockSize, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
			f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.CB = cb })
			return int64(b.IB)
		})
	}
}

// A zeroed block passes its CRC (the CRC of zeros is 0): its trailer's cb
// gives it away.
func mutBlockZeroed(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockTrailerSize, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		off, n := f.Extent(b.BID)
		f.Zero(off, n)
		return off
	})
}

func mutBlockSig(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockSignature, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		f.SetBlockSig(b.BID, f.ParseBlockTrailer(b.BID).Sig^0x0400)
		return int64(b.IB)
	})
}

// One flipped byte in one message's data block: exactly one BLOCK-CRC and
// one NODE-BLOCK-DAMAGED, for that message, in its folder (nidParent).
func mutBlockCRC(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockCRC, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		f.FlipByte(int64(b.IB) + int64(b.CB)/2)
		return int64(b.IB)
	})
}

func mutBlockBID(t *testing.T, f *pstmut.File) mexpect {
	return messageBlockCase(t, f, finding.BlockBID, func(_ pstmut.NBTRef, b pstmut.BBTRef) int64 {
		f.SetBlockTrailerBID(b.BID, b.BID+8)
		return int64(b.IB)
	})
}

// A compressed block of the 4K OST is replaced by a valid zlib stream one
// byte short of its stated size, and its CRC fixed: only inflating it
// finds the damage.
func mutBlockInflate(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	var b pstmut.BBTRef
	for _, x := range f.BBT {
		if x.CB != x.Inflated && !ndb.IsInternal(x.BID) && len(users[x.BID]) > 0 {
			b = x
			break
		}
	}
	if b.BID == 0 {
		t.Fatal("no compressed data block in use")
	}
	z := pstmut.Deflate(make([]byte, int(b.Inflated)-1))
	if len(z) > int(b.CB) {
		t.Fatalf("the short stream (%d bytes) does not fit in cb %d", len(z), b.CB)
	}
	data := f.BlockData(b.BID)
	clear(data)
	copy(data, z)
	f.FixBlockCRC(b.BID)
	wants := []mwant{wantAt(finding.BlockInflate, int64(b.IB), b.BID)}
	wants = append(wants, damagedUsers(f, b.BID, int64(b.IB))...)
	return mexpect{verdict: pstcheck.Damaged, wants: wants}
}

func mutBlockRefLow(t *testing.T, f *pstmut.File) mexpect {
	_, b := ownMessageBlock(t, f)
	f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.Ref = 1 })
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.BlockRefLow, int64(b.IB), b.BID)}}
}

func mutBlockRefHigh(t *testing.T, f *pstmut.File) mexpect {
	_, b := ownMessageBlock(t, f)
	f.EditBBT(b.BID, func(e *ndb.BBTEntry) { e.Ref += 5 })
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.BlockRefHigh, int64(b.IB), b.BID)}}
}

func mutBlockUnused(t *testing.T, f *pstmut.File) mexpect {
	n, b := ownMessageBlock(t, f)
	f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Data = 0 })
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.BlockUnused, int64(b.IB), b.BID)}}
}

// ---- nodes ----

// The message's data BID is one the BBT does not list: its block is lost
// (no offset) and the block it used is now used by nobody.
func mutNodeBlockMissing(t *testing.T, f *pstmut.File) mexpect {
	n, b := ownMessageBlock(t, f)
	missing := f.FreeBID(false)
	f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Data = missing })
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		{Code: finding.NodeBlockMissing, Offset: finding.NoOffset, BID: missing, NID: n.NID, Folder: n.Parent},
		wantAt(finding.BlockUnused, int64(b.IB), b.BID),
	}}
}

// An XBLOCK's lcbTotal no longer adds up: NODE-DATA-TREE once (found while
// checking the first node that uses it), and NODE-BLOCK-DAMAGED for every
// node that uses it. On support.pst the first XBLOCK is in a subnode; on
// enron.pst it is a node's bidData.
func mutNodeDataTree(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	var x pstmut.BBTRef
	for _, b := range f.BBT {
		if btype, level, _, _ := f.InternalHeader(b.BID); ndb.IsInternal(b.BID) && btype == 1 && level == 1 && len(users[b.BID]) > 0 {
			if f.L.Kind == ndb.Unicode && f.Size() > 2e6 {
				// enron: an XBLOCK that is some node's bidData
				top := false
				for _, n := range f.NBT {
					top = top || n.Data&^1 == b.BID
				}
				if !top {
					continue
				}
			}
			x = b
			break
		}
	}
	if x.BID == 0 {
		t.Fatal("no XBLOCK in use")
	}
	_, _, _, total := f.InternalHeader(x.BID)
	f.SetLcbTotal(x.BID, total+1)
	first := f.MustNode(users[x.BID][0])
	wants := []mwant{{Code: finding.NodeDataTree, Offset: int64(x.IB), BID: x.BID, NID: first.NID, Folder: nodeFolder(first.NBTEntry)}}
	wants = append(wants, damagedUsers(f, x.BID, int64(x.IB))...)
	t.Logf("XBLOCK 0x%X at 0x%X, users %#x", x.BID, x.IB, users[x.BID])
	return mexpect{verdict: pstcheck.Damaged, wants: wants}
}

// A message's bidData is pointed at the SLBLOCK of a later message: the
// first message's data tree is malformed; the later message's subnode tree
// is sound and must not be blamed. The SLBLOCK gains a reference (REF-LOW)
// and the first message's own data block loses its user.
func mutNodeDataTreeSL(t *testing.T, f *pstmut.File) mexpect {
	var a, b pstmut.NBTRef
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 || n.Sub == 0 || ndb.IsInternal(n.Data) {
			continue
		}
		if a.NID == 0 {
			a = n
		} else {
			b = n
			break
		}
	}
	if b.NID == 0 {
		t.Fatal("no two messages with subnodes")
	}
	old := f.MustBlock(a.Data)
	sl := f.MustBlock(b.Sub)
	f.EditNBT(a.NID, func(e *ndb.NBTEntry) { e.Data = b.Sub })
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		{Code: finding.NodeDataTree, Offset: int64(sl.IB), BID: sl.BID, NID: a.NID, Folder: a.Parent},
		{Code: finding.NodeBlockDamaged, Offset: int64(sl.IB), BID: sl.BID, NID: a.NID, Folder: a.Parent},
		wantAt(finding.BlockRefLow, int64(sl.IB), sl.BID),
		wantAt(finding.BlockUnused, int64(old.IB), old.BID),
	}}
}

// A folder without subnodes gets its own data block as its subnode tree.
// The block is now referenced twice with a cRef for one reference, so
// BLOCK-REF-LOW for it is part of the damage.
func mutNodeSubnodeTree(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	var n pstmut.NBTRef
	for _, x := range f.NBT {
		if x.NID&0x1F == 0x02 && x.Sub == 0 && x.Data != 0 && !ndb.IsInternal(x.Data) && len(users[x.Data]) == 1 {
			n = x
			break
		}
	}
	if n.NID == 0 {
		t.Fatal("no folder without subnodes")
	}
	b := f.MustBlock(n.Data)
	f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Sub = n.Data })
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		{Code: finding.NodeSubnodeTree, Offset: int64(b.IB), BID: b.BID, NID: n.NID, Folder: n.NID},
		{Code: finding.NodeBlockDamaged, Offset: int64(b.IB), BID: b.BID, NID: n.NID, Folder: n.NID},
		wantAt(finding.BlockRefLow, int64(b.IB), b.BID),
	}}
}

// An SLBLOCK entry without subnodes of its own gets the SLBLOCK itself as
// its subnode tree (block CRC fixed). The SLBLOCK is then referenced once
// more than its cRef allows: BLOCK-REF-LOW for it is part of the damage.
func mutNodeTreeCycle(t *testing.T, f *pstmut.File) mexpect {
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 || n.Sub == 0 {
			continue
		}
		s := f.MustBlock(n.Sub)
		if btype, level, _, _ := f.InternalHeader(s.BID); btype != 2 || level != 0 {
			continue
		}
		for k, e := range f.SLEntries(s.BID) {
			if e.Sub != 0 {
				continue
			}
			f.SetSLEntry(s.BID, k, e.Data, s.BID)
			wants := []mwant{{Code: finding.NodeTreeCycle, Offset: int64(s.IB), BID: s.BID, NID: n.NID, Folder: n.Parent}}
			wants = append(wants, damagedUsers(f, s.BID, int64(s.IB))...)
			wants = append(wants, wantAt(finding.BlockRefLow, int64(s.IB), s.BID))
			return mexpect{verdict: pstcheck.Damaged, wants: wants}
		}
	}
	t.Fatal("no message with an SLBLOCK")
	return mexpect{}
}

// An XBLOCK (some node's bidData) becomes an XXBLOCK whose one entry is
// itself (block CRC fixed): NODE-TREE-CYCLE once, NODE-BLOCK-DAMAGED for
// every node using it, BLOCK-REF-LOW for the extra self-reference, and the
// data blocks it listed are used by nobody.
func mutNodeTreeCycleXX(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	for _, n := range f.NBT {
		if !ndb.IsInternal(n.Data) {
			continue
		}
		x := f.MustBlock(n.Data)
		if btype, level, _, _ := f.InternalHeader(x.BID); btype != 1 || level != 1 || x.Ref != 2 {
			continue
		}
		first := f.MustNode(users[x.BID][0])
		f.SetInternalHeader(x.BID, 1, 2, 1)
		f.SetXEntry(x.BID, 0, x.BID)
		wants := []mwant{{Code: finding.NodeTreeCycle, Offset: int64(x.IB), BID: x.BID, NID: first.NID, Folder: nodeFolder(first.NBTEntry)}}
		wants = append(wants, damagedUsers(f, x.BID, int64(x.IB))...)
		wants = append(wants, wantAt(finding.BlockRefLow, int64(x.IB), x.BID))
		return mexpect{verdict: pstcheck.Damaged, wants: wants,
			allow: map[finding.Code]func(finding.Finding) bool{finding.BlockUnused: func(finding.Finding) bool { return true }}}
	}
	t.Fatal("no node with an XBLOCK of its own")
	return mexpect{}
}

func mutNodeParent(t *testing.T, f *pstmut.File) mexpect {
	n, _ := ownMessageBlock(t, f)
	const missing = 0x1FFFE2
	if _, ok := f.Node(missing); ok {
		t.Fatal("the missing parent exists")
	}
	f.EditNBT(n.NID, func(e *ndb.NBTEntry) { e.Parent = missing })
	// The message is blamed on the folder that lists it: a folder a user
	// can find, not the parent that does not exist.
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{{Code: finding.NodeParent, Offset: finding.NoOffset, NID: n.NID, Folder: n.Parent}}}
}

// ---- allocation maps ----

// A bad AMap stops the free-space count: no MAP-FREE-SPACE or
// AMAP-FREE-COUNT (baseline info findings) can be given.
func mutAMapPage(t *testing.T, f *pstmut.File) mexpect {
	f.FlipByte(f.L.FirstAMap + 100)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.AMapPage, f.L.FirstAMap, uint64(f.L.FirstAMap))},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Has(finding.MapFreeSpace) || rep.Stats.FreeBytes != -1 {
				t.Errorf("free space counted (%d) despite a bad AMap", rep.Stats.FreeBytes)
			}
		}}
}

// Clearing a block's first AMap bit: AMAP-UNMARKED for the block, and the
// free count grows by one unit, so the header no longer agrees.
func mutAMapUnmarkedBlock(t *testing.T, f *pstmut.File) mexpect {
	_, b := ownMessageBlock(t, f)
	if !f.Allocated(int64(b.IB)) {
		t.Fatal("the block is not marked allocated in the clean file")
	}
	free, err := f.AMapFree()
	if err != nil {
		t.Fatal(err)
	}
	f.SetAMapBit(int64(b.IB), false)
	wants := []mwant{wantAt(finding.AMapUnmarked, int64(b.IB), b.BID)}
	if uint64(free) == f.H.AMapFree { // else the clean file already has it
		wants = append(wants, wantAt(finding.AMapFree, finding.NoOffset, 0))
	}
	return mexpect{verdict: pstcheck.Damaged, wants: wants,
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Stats.FreeBytes != free+f.L.AMapUnit {
				t.Errorf("free bytes %d, want %d", rep.Stats.FreeBytes, free+f.L.AMapUnit)
			}
		}}
}

// The finding names the page by its offset and BID.
func mutAMapUnmarkedPage(t *testing.T, f *pstmut.File) mexpect {
	leaf := bbtLeafPage(t, f)
	f.SetAMapBit(leaf.Off+f.L.PageSize-1, false)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{wantAt(finding.AMapUnmarked, leaf.Off, leaf.BID)}}
}

func mutAMapFree(t *testing.T, f *pstmut.File) mexpect {
	free, err := f.AMapFree()
	if err != nil {
		t.Fatal(err)
	}
	if uint64(free) != f.H.AMapFree {
		t.Fatalf("clean sample: header free %d, maps %d", f.H.AMapFree, free)
	}
	f.SetRoot(f.HF.AMapFree, uint64(free+64))
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.AMapFree, finding.NoOffset, 0)}}
}

func mutPMapPage(t *testing.T, f *pstmut.File) mexpect {
	pmap := f.L.FirstMapPage(ndb.PagePMap)
	f.FlipByte(pmap + 100)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.PMapPage, pmap, uint64(pmap))}}
}

// firstFMap is where the first FMap page lies (0x1F04800), and
// fmapGrownSize a size that takes enron.pst past it.
var (
	unicodeLayout = ndb.LayoutOf(ndb.Unicode)
	firstFMap     = unicodeLayout.FirstMapPage(ndb.PageFMap)
	fmapGrownSize = firstFMap + 0x10000
)

// enron.pst grown the way Outlook grows a file, with valid AMaps and PMaps
// in the new space, then its first FMap zeroed: FMAP-PAGE only.
func mutFMapGrown(t *testing.T, f *pstmut.File) mexpect {
	if err := f.Grow(fmapGrownSize); err != nil {
		t.Fatal(err)
	}
	f.Zero(firstFMap, f.L.PageSize)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.FMapPage, firstFMap, uint64(firstFMap))}}
}

// enron.pst extended with plain zeros and ibFileEof set: every map page in
// the new space is missing. FMAP-PAGE is among AMAP-PAGE and PMAP-PAGE
// findings, all in the new space. No block or B-tree page lies in the
// zeros, so they are not a zeroed end: scanpst rebuilds the maps.
func mutFMapZeros(t *testing.T, f *pstmut.File) mexpect {
	old := f.Size()
	f.Extend(fmapGrownSize - old)
	f.SetRoot(f.HF.FileEOF, uint64(fmapGrownSize))
	inNew := func(x finding.Finding) bool { return x.Offset >= old && x.BID == uint64(x.Offset) }
	var wants []mwant
	wants = append(wants, wantAt(finding.FMapPage, firstFMap, uint64(firstFMap)))
	for _, p := range f.FixedPages(old, fmapGrownSize) {
		switch p.Type {
		case ndb.PageAMap:
			wants = append(wants, wantAt(finding.AMapPage, p.Off, uint64(p.Off)))
		case ndb.PagePMap:
			wants = append(wants, wantAt(finding.PMapPage, p.Off, uint64(p.Off)))
		}
	}
	return mexpect{verdict: pstcheck.Damaged, wants: wants,
		allow: map[finding.Code]func(finding.Finding) bool{finding.AMapUnmarked: inNew}}
}

func mutDListFlip(t *testing.T, f *pstmut.File) mexpect {
	tr := f.PageTrailer(f.L.DListOffset)
	if tr.Type != ndb.PageDList {
		t.Fatal("no DList page")
	}
	f.FlipByte(f.L.DListOffset + 10)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.DListPage, f.L.DListOffset, tr.BID)}}
}

func mutDListBuilt(t *testing.T, f *pstmut.File) mexpect {
	if f.PageTrailer(f.L.DListOffset).Type == ndb.PageDList {
		t.Fatal("the sample has a DList")
	}
	f.WriteMapPage(f.L.DListOffset, ndb.PageDList)
	crc := f.Trailer(f.L.DListOffset) + 8 // ANSI: dwCRC after the 4-byte BID
	if f.L.Kind != ndb.ANSI {
		crc = f.Trailer(f.L.DListOffset) + 4
	}
	f.PutUint(crc, 4, f.Uint(crc, 4)^1)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.DListPage, f.L.DListOffset, 0)}}
}

// The clean enron.pst: the maps' free space equals the header's.
func mutNone(t *testing.T, f *pstmut.File) mexpect {
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{wantAt(finding.MapFreeSpace, finding.NoOffset, 0)},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if rep.Stats.FreeBytes != int64(f.H.AMapFree) {
				t.Errorf("free bytes %d, header cbAMapFree %d", rep.Stats.FreeBytes, f.H.AMapFree)
			}
			for _, x := range rep.Findings {
				if x.Code == finding.MapFreeSpace && !strings.Contains(x.Detail, fmt.Sprint(f.H.AMapFree)) {
					t.Errorf("%v does not give %d bytes", x, f.H.AMapFree)
				}
			}
		}}
}

// ---- store ----

// mutVirtualSize makes the sample look size bytes long (its bytes, then
// zeros): the store-size findings, with ROOT-EOF-TRAILING for the bytes
// past the header's end of file.
func mutVirtualSize(size int64) func(*testing.T, *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		r := pstmut.ZeroExtended{R: f.Reader(), RSize: f.Size(), Size: size}
		format := pstcheck.Format(f.L.Kind.String())
		limit, warn := pstcheck.SizeLimit(format)
		var wants []mwant
		switch {
		case size >= limit:
			wants = append(wants, wantAt(finding.StoreOverLimit, finding.NoOffset, 0))
		case size >= warn:
			wants = append(wants, wantAt(finding.StoreNearLimit, finding.NoOffset, 0))
		}
		if format != pstcheck.FormatANSI && size >= pstcheck.UnicodeLegacyLimit {
			wants = append(wants, wantAt(finding.StoreLegacyLimit, finding.NoOffset, 0))
		}
		wants = append(wants, wantAt(finding.RootTrailingData, f.Size(), 0))
		return mexpect{verdict: pstcheck.Healthy, r: r, size: size, wants: wants}
	}
}

// The limits' edges: one byte below the warn size and the limit.
func TestStoreSizeEdges(t *testing.T) {
	for _, c := range []struct {
		sample string
		size   int64
		want   []finding.Code
	}{
		{sampleANSI, pstcheck.ANSIWarnSize - 1, nil},
		{sampleANSI, pstcheck.ANSIWarnSize, []finding.Code{finding.StoreNearLimit}},
		{sampleANSI, pstcheck.ANSIMaxSize - 1, []finding.Code{finding.StoreNearLimit}},
		{sampleANSI, pstcheck.ANSIMaxSize, []finding.Code{finding.StoreOverLimit}},
		{sampleSupport, pstcheck.UnicodeLegacyLimit - 1, nil},
		{sampleSupport, pstcheck.UnicodeLegacyLimit, []finding.Code{finding.StoreLegacyLimit}},
		{sampleSupport, pstcheck.UnicodeWarnSize - 1, []finding.Code{finding.StoreLegacyLimit}},
		{sampleSupport, pstcheck.UnicodeWarnSize, []finding.Code{finding.StoreNearLimit, finding.StoreLegacyLimit}},
		{sampleSupport, pstcheck.UnicodeMaxSize, []finding.Code{finding.StoreOverLimit, finding.StoreLegacyLimit}},
	} {
		t.Run(fmt.Sprintf("%s/%d", c.sample, c.size), func(t *testing.T) {
			f, _ := mutSample(t, c.sample)
			r := pstmut.ZeroExtended{R: f.Reader(), RSize: f.Size(), Size: c.size}
			rep := pstcheck.Check(context.Background(), r, c.size, pstcheck.Options{})
			var got []finding.Code
			for _, x := range rep.Findings {
				if x.Layer() == finding.LayerStore {
					got = append(got, x.Code)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("store findings %v, want %v", got, c.want)
			}
		})
	}
}

// ---- LTP and messaging ----
//
// These cases damage what is inside a node's data: each edit decodes a
// block, changes it, encodes it again and fixes its CRC (internal/pstmut),
// so the NDB passes see a sound file and only the LTP and messaging layers
// can find the damage. Their findings name no offset or BID: they name
// the node (a message, a folder, a folder's table) and its folder.

// Property IDs and column tags the cases edit.
const (
	propContentCount = 0x3602     // PidTagContentCount, Int32
	tagDisplayName   = 0x3001001F // PidTagDisplayName, Unicode string
	tagDisplayName8  = 0x3001001E // the same in an ANSI file
	tagSubject       = 0x0037001F // PidTagSubject
	tagSubject8      = 0x0037001E
	nidRecipients    = 0x692 // a message's recipient table subnode
	nidAttachments   = 0x671 // a message's attachment table subnode
)

// ltpWant is a finding of the LTP or messaging layers.
func ltpWant(code finding.Code, nid, folder uint32) mwant {
	return mwant{Code: code, Offset: finding.NoOffset, NID: nid, Folder: folder}
}

// ownedBy reports whether every block of node nid's data tree is used by
// nid alone: re-encoding one of them damages nid and nothing else.
func ownedBy(f *pstmut.File, users map[uint64][]uint32, nid uint32, data uint64) bool {
	if data == 0 {
		return false
	}
	for _, b := range f.DataBlocks(data) {
		if u := users[b]; len(u) != 1 || u[0] != nid {
			return false
		}
	}
	return true
}

// acct is what a folder's items must have become: damaged, lost and
// recovered items (every other item readable).
type acct struct{ damaged, lost, recovered int }

// folderSummary checks Report.Folders: damaged names the folders that must
// have damaged items, and how many; every other item is readable.
func folderSummary(damaged map[uint32]int) func(*testing.T, *pstcheck.Report) {
	want := map[uint32]acct{}
	for nid, n := range damaged {
		want[nid] = acct{damaged: n}
	}
	return folderAccounts(want)
}

// folderAccounts checks Report.Folders against what want says of each
// folder (folders it does not name hold readable items only), and that
// findings that name a folder NID carry its path.
func folderAccounts(want map[uint32]acct) func(*testing.T, *pstcheck.Report) {
	return func(t *testing.T, rep *pstcheck.Report) {
		t.Helper()
		paths := map[uint32]string{}
		for _, fo := range rep.Folders {
			paths[fo.NID] = fo.Path
			w := want[fo.NID]
			got := acct{fo.Damaged, fo.Lost, fo.Recovered}
			if got != w || fo.Readable != fo.Items-fo.Damaged-fo.Lost-fo.Recovered {
				t.Errorf("folder 0x%X %q: %d items, %d readable, %+v; want %+v", fo.NID, fo.Path, fo.Items, fo.Readable, got, w)
			}
		}
		for nid := range want {
			if _, ok := paths[nid]; !ok {
				t.Errorf("folder 0x%X is not in the report", nid)
			}
		}
		for _, x := range rep.Findings {
			if p, ok := paths[x.FolderNID]; ok && x.Folder != p {
				t.Errorf("%v: folder path %q, want %q", x, x.Folder, p)
			}
		}
	}
}

// folderItems checks one folder's item count.
func folderItems(nid uint32, items int) func(*testing.T, *pstcheck.Report) {
	return func(t *testing.T, rep *pstcheck.Report) {
		t.Helper()
		for _, fo := range rep.Folders {
			if fo.NID == nid {
				if fo.Items != items {
					t.Errorf("folder 0x%X: %d items, want %d", nid, fo.Items, items)
				}
				return
			}
		}
		t.Errorf("folder 0x%X is not in the report", nid)
	}
}

func checks(cs ...func(*testing.T, *pstcheck.Report)) func(*testing.T, *pstcheck.Report) {
	return func(t *testing.T, rep *pstcheck.Report) {
		t.Helper()
		for _, c := range cs {
			c(t, rep)
		}
	}
}

// messageCase damages the heap of a message whose data block is its own
// and expects one finding of code for that message, in its folder, and
// that folder alone with one damaged item.
func messageCase(code finding.Code, damage func(t *testing.T, h *pstmut.Heap)) func(*testing.T, *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		n, _ := ownMessageBlock(t, f)
		damage(t, f.NodeHeap(n.NID))
		return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(code, n.NID, n.Parent)},
			check: folderSummary(map[uint32]int{n.Parent: 1})}
	}
}

// messageTableCase damages the recipient or attachment table (subnode
// sub) of the first message that has one with rows, all of its own blocks.
func messageTableCase(code finding.Code, sub uint32, damage func(t *testing.T, tb *pstmut.Table)) func(*testing.T, *pstmut.File) mexpect {
	return func(t *testing.T, f *pstmut.File) mexpect {
		users := f.Users()
		for _, n := range f.NBT {
			if n.NID&0x1F != ndb.NIDTypeMessage || n.Sub == 0 {
				continue
			}
			s, ok := f.Subnodes(n.Sub)[sub]
			if !ok || !ownedBy(f, users, n.NID, s.Data) {
				continue
			}
			tb := f.SubnodeTable(n.NID, sub)
			if tb.Len() == 0 {
				continue
			}
			damage(t, tb)
			return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(code, n.NID, n.Parent)},
				check: folderSummary(map[uint32]int{n.Parent: 1})}
		}
		t.Fatalf("no message with a table 0x%X of its own with rows", sub)
		return mexpect{}
	}
}

// contentsTable returns the folder of ownMessageBlock's message and its
// contents table, whose blocks must be the table's own.
func contentsTable(t *testing.T, f *pstmut.File) (pstmut.NBTRef, uint32, *pstmut.Table) {
	t.Helper()
	n, _ := ownMessageBlock(t, f)
	ct := n.Parent&^0x1F | ndb.NIDTypeContentsTable
	if !ownedBy(f, f.Users(), ct, f.MustNode(ct).Data) {
		t.Fatalf("the contents table 0x%X shares blocks", ct)
	}
	tb := f.NodeTable(ct)
	if tb.Find(n.NID) < 0 {
		t.Fatalf("the contents table of folder 0x%X does not list message 0x%X", n.Parent, n.NID)
	}
	return n, ct, tb
}

// hierarchyTable returns a folder other than the root whose hierarchy
// table lists at least min subfolders and has blocks of its own, and the
// table. With deep set, the folder's parent must not be the root.
func hierarchyTable(t *testing.T, f *pstmut.File, min int, deep bool) (pstmut.NBTRef, *pstmut.Table) {
	t.Helper()
	users := f.Users()
	for _, n := range f.NBT {
		if n.NID&0x1F != ndb.NIDTypeFolder || n.NID == messaging.NIDRootFolder || (deep && n.Parent == messaging.NIDRootFolder) {
			continue
		}
		ht := n.NID&^0x1F | ndb.NIDTypeHierarchyTable
		h, ok := f.Node(ht)
		if !ok || !ownedBy(f, users, ht, h.Data) {
			continue
		}
		if tb := f.NodeTable(ht); tb.Len() >= min {
			return n, tb
		}
	}
	t.Fatalf("no folder with %d subfolders in a hierarchy table of its own", min)
	return pstmut.NBTRef{}, nil
}

// missingNID returns a NID of the given type that no node has.
func missingNID(t *testing.T, f *pstmut.File, typ uint32) uint32 {
	t.Helper()
	nid := uint32(0x3FFFE0) | typ
	if _, ok := f.Node(nid); ok {
		t.Fatalf("node 0x%X exists", nid)
	}
	return nid
}

// HEAP-HEADER: a message's bSig 0xEC becomes 0xED.
func mutHeapSig(t *testing.T, h *pstmut.Heap) {
	x := h.Header()
	x.Sig = 0xED
	h.SetHeader(x)
}

// HEAP-HEADER: a message's bClientSig 0xBC (property context) becomes
// 0x7C (table context), a defined signature of the wrong kind.
func mutHeapClientSig(t *testing.T, h *pstmut.Heap) {
	x := h.Header()
	x.ClientSig = 0x7C
	h.SetHeader(x)
}

// HEAP-PAGEMAP: ibHnpm points past the page.
func mutHeapPageMapOffset(t *testing.T, h *pstmut.Heap) {
	h.EditPage(0, func(p []byte) { binary.LittleEndian.PutUint16(p, uint16(len(p))) })
}

// HEAP-PAGEMAP: the second allocation starts before the first.
func mutHeapPageMapOrder(t *testing.T, h *pstmut.Heap) {
	m := h.PageMap(0)
	if m.CAlloc < 3 {
		t.Fatalf("%d allocations", m.CAlloc)
	}
	m.Allocs[1], m.Allocs[2] = m.Allocs[2], m.Allocs[1]
	h.SetPageMap(0, m)
}

// HEAP-REF: hidUserRoot names an allocation past cAlloc.
func mutHeapRefUserRoot(t *testing.T, h *pstmut.Heap) {
	x := h.Header()
	x.UserRoot = pstmut.HID(0, h.Allocs(0)+1)
	h.SetHeader(x)
}

// HEAP-REF: the property context BTH's hidRoot names a missing allocation.
func mutHeapRefBTHRoot(t *testing.T, h *pstmut.Heap) {
	root := h.Header().UserRoot
	x := h.BTH(root)
	x.Root = pstmut.HID(0, h.Allocs(0)+5)
	h.SetBTH(root, x)
}

// BTH-HEADER: the BTH's bType 0xB5 becomes 0xB6.
func mutBTHType(t *testing.T, h *pstmut.Heap) {
	root := h.Header().UserRoot
	x := h.BTH(root)
	x.Type = 0xB6
	h.SetBTH(root, x)
}

// BTH-HEADER: cbKey 2 becomes 3.
func mutBTHKeySize(t *testing.T, h *pstmut.Heap) {
	root := h.Header().UserRoot
	x := h.BTH(root)
	x.KeySize = 3
	h.SetBTH(root, x)
}

// BTH-RECORDS: the first two property records change places.
func mutBTHSwap(t *testing.T, h *pstmut.Heap) {
	p := h.Props()
	h.SwapRecords(p[0].Record, p[1].Record)
}

// PC-PROPERTY: a property's type becomes 0x0099, which is no type.
func mutPropType(t *testing.T, h *pstmut.Heap) {
	p := h.Props()[0]
	h.SetProp(p.ID, 0x0099, p.Value)
}

// heapProp returns a variable-size property whose value is a heap item.
func heapProp(t *testing.T, h *pstmut.Heap) pstmut.Prop {
	t.Helper()
	for _, p := range h.Props() {
		if (p.Type == 0x001F || p.Type == 0x001E || p.Type == 0x0102) && pstmut.IsHID(p.Value) && p.Value != 0 {
			return p
		}
	}
	t.Fatal("no string or binary property in the heap")
	return pstmut.Prop{}
}

// PC-PROPERTY: a string or binary value is pointed at a subnode the
// message does not have: a dangling subnode.
func mutPropSubnode(t *testing.T, h *pstmut.Heap) {
	p := heapProp(t, h)
	h.SetProp(p.ID, p.Type, 0x7FE1)
}

// PC-PROPERTY: a string or binary value is pointed at a heap allocation
// that does not exist (the HEAP-REF below surfaces as the property's).
func mutPropHID(t *testing.T, h *pstmut.Heap) {
	p := heapProp(t, h)
	h.SetProp(p.ID, p.Type, pstmut.HID(0, h.Allocs(0)+3))
}

// TC-INFO: TCI_bm, the row size, grows by one: the cell existence bitmap
// no longer fits cCols. The contents table is lost, so the folder's items
// are found through their parent NIDs: they are all still counted.
func mutTCInfoRowSize(t *testing.T, f *pstmut.File) mexpect {
	n, ct, tb := contentsTable(t, f)
	items := tb.Len()
	x := tb.Info
	x.Ib[3]++
	tb.Heap.SetTCInfo(x)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.TCInfo, ct, n.Parent)},
		check: checks(folderAccounts(map[uint32]acct{n.Parent: {recovered: items}}), folderItems(n.Parent, items))}
}

// TC-INFO: cCols grows by one without a column description for it.
func mutTCInfoCols(t *testing.T, f *pstmut.File) mexpect {
	n, ct, tb := contentsTable(t, f)
	x := tb.Info
	x.Cols++
	tb.Heap.SetTCInfo(x)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.TCInfo, ct, n.Parent)},
		check: checks(folderAccounts(map[uint32]acct{n.Parent: {recovered: tb.Len()}}), folderItems(n.Parent, tb.Len()))}
}

// TC-ROWS: the first row of a hierarchy table gets another dwRowID in the
// row matrix; the row index still names the old one. The subfolders are
// still found through their parent NIDs (no FOLDER-ORPHAN: the table that
// would list them is the damage).
func mutTCRowsHierarchy(t *testing.T, f *pstmut.File) mexpect {
	n, tb := hierarchyTable(t, f, 2, false)
	before := len(mustReport(f).Folders)
	tb.SetRowID(0, tb.RowID(0)+0x20)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.TCRows, n.NID&^0x1F|ndb.NIDTypeHierarchyTable, n.NID)},
		check: func(t *testing.T, rep *pstcheck.Report) {
			if len(rep.Folders) != before {
				t.Errorf("%d folders, the clean file %d", len(rep.Folders), before)
			}
		}}
}

// TC-ROWS: a recipient table's row ID changed in the row matrix.
func mutTCRowsRecipients(t *testing.T, tb *pstmut.Table) {
	tb.SetRowID(0, tb.RowID(0)^0x100)
}

// TC-CELL: a recipient's display name cell is pointed at a missing heap
// allocation.
func mutTCCellRecipients(t *testing.T, tb *pstmut.Table) {
	tag := uint32(tagDisplayName)
	if _, ok := tb.Column(tag); !ok {
		tag = tagDisplayName8
	}
	if _, ok := tb.Cell(0, tag); !ok {
		t.Fatal("the first recipient has no display name")
	}
	tb.SetCell(0, tag, pstmut.HID(0, tb.Heap.Allocs(0)+1))
}

// TC-CELL: a contents table row's subject cell is pointed at a missing
// heap allocation. The table cannot be read whole, but its row index,
// which the broken cell does not touch, still lists every item: they stay
// readable, none is taken for recovered.
func mutTCCellContents(t *testing.T, f *pstmut.File) mexpect {
	n, ct, tb := contentsTable(t, f)
	tag := uint32(tagSubject)
	if _, ok := tb.Column(tag); !ok {
		tag = tagSubject8
	}
	row := tb.Find(n.NID)
	if _, ok := tb.Cell(row, tag); !ok {
		t.Fatal("the message's row has no subject")
	}
	tb.SetCell(row, tag, pstmut.HID(0, tb.Heap.Allocs(0)+1))
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.TCCell, ct, n.Parent)},
		check: checks(folderAccounts(map[uint32]acct{n.Parent: {}}), folderItems(n.Parent, tb.Len()))}
}

// A block in the middle of a large contents table's row matrix (a
// subnode of several blocks) is destroyed. The table cannot be read whole,
// but its row index, in the table's heap, still lists every item: all stay
// readable and listed (before, every item of the folder was taken for
// recovered, found only by its parent NID), and no message is an orphan.
func mutContentsRowsBlock(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	for _, n := range f.NBT {
		if n.NID&0x1F != ndb.NIDTypeContentsTable {
			continue
		}
		tb := f.NodeTable(n.NID)
		if tb.Info.Rows == 0 || tb.Info.Rows&0x1F == 0 {
			continue // no rows, or rows in the heap
		}
		rows := f.DataBlocks(f.Subnode(n.NID, tb.Info.Rows).Data)
		if len(rows) < 3 {
			continue
		}
		if b := f.MustBlock(rows[len(rows)/2]); len(users[b.BID]) == 1 {
			return tableBlockDestroyed(f, n.NID, b, tb.Len())
		}
	}
	t.Fatal("no contents table with a row matrix of three blocks or more")
	return mexpect{}
}

// tableBlockDestroyed breaks the CRC of block b, which only the contents
// table ct uses, and expects the block's damage reported and every one of
// the folder's items readable and listed.
func tableBlockDestroyed(f *pstmut.File, ct uint32, b pstmut.BBTRef, items int) mexpect {
	folder := ct&^0x1F | ndb.NIDTypeFolder
	f.FlipByte(int64(b.IB) + int64(b.CB)/2)
	return mexpect{verdict: pstcheck.Damaged,
		wants: append([]mwant{wantAt(finding.BlockCRC, int64(b.IB), b.BID)}, damagedUsers(f, b.BID, int64(b.IB))...),
		check: checks(folderAccounts(map[uint32]acct{folder: {}}), folderItems(folder, items))}
}

// A block of a contents table's heap that holds cell values (subjects,
// names) but nothing of the table's TCINFO or row index is destroyed: the
// row index still lists every item, and they stay readable and listed.
func mutContentsHeapBlock(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	blockOf := func(hid uint32) int { return int(hid >> 16) }
	for _, n := range f.NBT {
		if n.NID&0x1F != ndb.NIDTypeContentsTable {
			continue
		}
		tb := f.NodeTable(n.NID)
		if len(tb.Heap.Blocks) < 2 {
			continue
		}
		index := map[int]bool{0: true, blockOf(tb.Heap.Header().UserRoot): true, blockOf(tb.Info.RowIndex): true}
		bth := tb.Heap.BTH(tb.Info.RowIndex)
		var walk func(hid uint32, level int)
		walk = func(hid uint32, level int) {
			index[blockOf(hid)] = true
			if level == 0 {
				return
			}
			b := tb.Heap.Item(hid)
			for i := 0; i+int(bth.KeySize)+4 <= len(b); i += int(bth.KeySize) + 4 {
				walk(binary.LittleEndian.Uint32(b[i+int(bth.KeySize):]), level-1)
			}
		}
		walk(bth.Root, int(bth.Levels))
		for i, bid := range tb.Heap.Blocks {
			if b := f.MustBlock(bid); !index[i] && len(users[b.BID]) == 1 {
				return tableBlockDestroyed(f, n.NID, b, tb.Len())
			}
		}
	}
	t.Fatal("no contents table with a heap block apart from its row index")
	return mexpect{}
}

// TC-CELL with a lost item: besides the broken subject cell, another row
// of the same table names a message that does not exist. The row index
// lists both, so the one is readable and the other lost (MSG-MISSING); the
// table's damage is reported once, though the lost item's row is looked
// up again to name it.
func mutTCCellContentsLost(t *testing.T, f *pstmut.File) mexpect {
	n, ct, tb := contentsTable(t, f)
	items := tb.Len()
	var other uint32
	for _, id := range tb.RowIDs() {
		if id != n.NID {
			other = id
			break
		}
	}
	if other == 0 {
		t.Fatal("the contents table lists one message")
	}
	bad := missingNID(t, f, ndb.NIDTypeMessage)
	tb.SetRowNID(other, bad)
	tag := uint32(tagSubject)
	if _, ok := tb.Column(tag); !ok {
		tag = tagSubject8
	}
	tb.SetCell(tb.Find(n.NID), tag, pstmut.HID(0, tb.Heap.Allocs(0)+1))
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.TCCell, ct, n.Parent),
		ltpWant(finding.MessageMissing, bad, n.Parent),
		ltpWant(finding.MessageOrphan, other, n.Parent),
	}, check: checks(folderAccounts(map[uint32]acct{n.Parent: {lost: 1, recovered: 1}}), folderItems(n.Parent, items+1))}
}

// STORE-ROOT: the message store node 0x21 is removed from its NBT leaf.
// Its data block is then used by no node.
func mutStoreMissing(t *testing.T, f *pstmut.File) mexpect {
	n := f.MustNode(messaging.NIDMessageStore)
	if n.Sub != 0 {
		t.Fatal("the message store has subnodes")
	}
	b := f.MustBlock(n.Data)
	f.RemoveNBT(messaging.NIDMessageStore)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.StoreRoot, messaging.NIDMessageStore, 0),
		wantAt(finding.BlockUnused, int64(b.IB), b.BID),
	}, check: folderSummary(nil)}
}

// STORE-NAMEMAP: the name-to-ID map 0x61 is removed from its NBT leaf: one
// finding for the store; the calendar items, contacts and other items whose
// key fields are named properties are damaged (whole but for those, so
// export still writes them, marked), and mail stays readable.
func mutStoreNameMap(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	n := f.MustNode(0x61)
	f.RemoveNBT(0x61)
	unused := map[uint64]bool{n.Data &^ 1: true, n.Sub &^ 1: true}
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.StoreNameMap, 0x61, 0)},
		allow: map[finding.Code]func(finding.Finding) bool{
			finding.BlockUnused: func(x finding.Finding) bool { return unused[x.BID] },
		},
		check: func(t *testing.T, rep *pstcheck.Report) {
			it := rep.Items
			if it.Total != clean.Items.Total || it.Damaged != it.NamesLost || it.Readable+it.Damaged != it.Total || it.Lost != 0 {
				t.Errorf("items %+v; want every damaged item whole but for its names (the clean file: %+v)", it, clean.Items)
			}
			if rep.Action != pstcheck.ActionExport && it.Damaged > 0 || rep.Damage.Salvage != it.Total {
				t.Errorf("action %s, salvage %d of %d", rep.Action, rep.Damage.Salvage, it.Total)
			}
			calendar := 0
			for _, fo := range rep.Folders {
				if strings.HasSuffix(fo.Path, "/Calendar") {
					calendar += fo.Items
				}
			}
			if it.NamesLost != calendar {
				t.Errorf("%d items need the name map; the calendar holds %d", it.NamesLost, calendar)
			}
		}}
}

// MSG-UNLINKED: a message's row is removed from its folder's contents table
// (the count follows, as a writer would), then the NBT leaf holding its
// entry is zeroed. Nothing but its blocks is left of it: the scan names
// it from its property heap, once, and counts it, lost or, where its
// subnode tree is told to be its own, recovered: the store's items all
// counted. The other messages of the leaf are still listed, named by their
// rows.
func mutMessageUnlinked(t *testing.T, f *pstmut.File) mexpect {
	held := mustReport(f).Items.Total
	n, _, tb := contentsTable(t, f)
	tb.RemoveRow(n.NID)
	h := f.NodeHeap(n.Parent)
	if p, ok := h.Prop(propContentCount); ok {
		h.SetProp(propContentCount, p.Type, p.Value-1)
	}
	leaf, _ := f.PageAt(n.Page)
	listed := map[uint32]bool{}
	for _, x := range f.NBT {
		if x.Page == n.Page && x.NID != n.NID {
			listed[x.NID] = true
		}
	}
	f.Zero(n.Page, f.L.PageSize)
	b := f.MustBlock(n.Data)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		wantAt(finding.PageType, leaf.Off, leaf.BID),
		{Code: finding.MessageUnlinked, Offset: int64(b.IB), BID: b.BID},
	}, allow: leafLost(listed, finding.MessageUnlinked), check: func(t *testing.T, rep *pstcheck.Report) {
		if rep.Items.Total != held || rep.Items.Lost+rep.Items.Recovered < 1 {
			t.Errorf("items %+v: the unlinked message is not counted (the store holds %d)", rep.Items, held)
		}
	}}
}

// STORE-UNLINKED: the NBT leaf listing the message store (0x21) and the
// name-to-ID map (0x61) is zeroed, with the root folder and others. Both
// store nodes' blocks survive, linked to nothing: each is found (one
// finding each, at its heap's block), and no item is damaged for want of
// its named properties. The leaf's other nodes are lost: their rows,
// parents and blocks say so.
func mutStoreUnlinked(t *testing.T, f *pstmut.File) mexpect {
	clean := mustReport(f)
	n := f.MustNode(0x61)
	store := f.MustNode(messaging.NIDMessageStore)
	if store.Page != n.Page {
		t.Fatal("the store and its name map are in different NBT leaves")
	}
	leaf, _ := f.PageAt(n.Page)
	listed := map[uint32]bool{}
	for _, x := range f.NBT {
		if x.Page == n.Page {
			listed[x.NID] = true
		}
	}
	f.Zero(n.Page, f.L.PageSize)
	nb, sb := f.MustBlock(n.Data), f.MustBlock(store.Data)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		wantAt(finding.PageType, leaf.Off, leaf.BID),
		{Code: finding.StoreUnlinked, NID: 0x61, Offset: int64(nb.IB), BID: nb.BID},
		{Code: finding.StoreUnlinked, NID: messaging.NIDMessageStore, Offset: int64(sb.IB), BID: sb.BID},
	}, allow: leafLost(listed, finding.StoreUnlinked), check: func(t *testing.T, rep *pstcheck.Report) {
		if it := rep.Items; it.NamesLost != 0 || it.Damaged != 0 || it.Total != clean.Items.Total {
			t.Errorf("items %+v; want every item of the clean file (%+v) readable with its names", it, clean.Items)
		}
	}}
}

// leafLost admits what a zeroed NBT leaf costs by nature: the nodes it
// listed (listed) are lost, and their rows, parents and blocks say so.
// Findings of code beyond the case's wants are not admitted.
func leafLost(listed map[uint32]bool, code finding.Code) map[finding.Code]func(finding.Finding) bool {
	ofLeaf := func(x finding.Finding) bool { return listed[x.NID] }
	any := func(finding.Finding) bool { return true }
	return map[finding.Code]func(finding.Finding) bool{
		finding.StoreRoot:      ofLeaf,
		finding.MessageMissing: ofLeaf,
		finding.FolderMissing:  ofLeaf,
		finding.FolderTable:    ofLeaf,
		finding.NodeParent:     any,
		finding.BlockUnused:    any,
		finding.BlockRefHigh:   any,
		code:                   func(finding.Finding) bool { return false },
	}
}

// STORE-ROOT: the root folder 0x122 is removed from its NBT leaf. The
// folders below it lose their parent (NODE-PARENT) and are walked as
// unreachable, so their items are still counted; its data block is used
// by nobody.
func mutStoreRootFolder(t *testing.T, f *pstmut.File) mexpect {
	var wants []mwant
	for _, n := range f.NBT {
		if n.Parent == messaging.NIDRootFolder && n.NID != messaging.NIDRootFolder {
			wants = append(wants, mwant{Code: finding.NodeParent, Offset: finding.NoOffset, NID: n.NID, Folder: messaging.NIDRootFolder})
		}
	}
	items := 0
	for _, fo := range mustReport(f).Folders {
		items += fo.Items
	}
	b := f.MustBlock(f.MustNode(messaging.NIDRootFolder).Data)
	f.RemoveNBT(messaging.NIDRootFolder)
	wants = append(wants, ltpWant(finding.StoreRoot, messaging.NIDRootFolder, 0), wantAt(finding.BlockUnused, int64(b.IB), b.BID))
	return mexpect{verdict: pstcheck.Damaged, wants: wants,
		check: func(t *testing.T, rep *pstcheck.Report) {
			got := 0
			for _, fo := range rep.Folders {
				got += fo.Items
				if fo.Damaged != 0 {
					t.Errorf("folder 0x%X: %d damaged", fo.NID, fo.Damaged)
				}
			}
			if got != items {
				t.Errorf("%d items in all, the clean file %d", got, items)
			}
		}}
}

// FOLDER-MISSING: a hierarchy table row is renamed (matrix and row index
// alike) to a folder NID that does not exist; the folder it listed is then
// listed nowhere: FOLDER-ORPHAN.
func mutFolderMissing(t *testing.T, f *pstmut.File) mexpect {
	n, tb := hierarchyTable(t, f, 1, false)
	child := tb.RowID(0)
	bad := missingNID(t, f, ndb.NIDTypeFolder)
	tb.SetRowNID(child, bad)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.FolderMissing, bad, n.NID),
		ltpWant(finding.FolderOrphan, child, n.NID),
	}, check: folderSummary(nil)}
}

// FOLDER-MISSING: a hierarchy table row is renamed to a node that exists
// but is a message, not a folder. No folder is missing from the report
// and none is added for the message.
func mutFolderNotAFolder(t *testing.T, f *pstmut.File) mexpect {
	n, tb := hierarchyTable(t, f, 1, false)
	child := tb.RowID(0)
	msg, _ := ownMessageBlock(t, f)
	tb.SetRowNID(child, msg.NID)
	before := len(mustReport(f).Folders)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.FolderMissing, msg.NID, n.NID),
		ltpWant(finding.FolderOrphan, child, n.NID),
	}, check: func(t *testing.T, rep *pstcheck.Report) {
		folderSummary(nil)(t, rep)
		if len(rep.Folders) != before {
			t.Errorf("%d folders, the clean file %d", len(rep.Folders), before)
		}
		for _, fo := range rep.Folders {
			if fo.NID == msg.NID {
				t.Errorf("message 0x%X is in the report as folder %q", msg.NID, fo.Path)
			}
		}
	}}
}

// FOLDER-CYCLE: a subfolder's row in a hierarchy table names the folder's
// own parent: the walk meets a folder it has seen. The subfolder it listed
// is an orphan.
func mutFolderCycle(t *testing.T, f *pstmut.File) mexpect {
	n, tb := hierarchyTable(t, f, 1, true)
	child := tb.RowID(0)
	tb.SetRowNID(child, n.Parent)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.FolderCycle, n.Parent, n.NID),
		ltpWant(finding.FolderOrphan, child, n.NID),
	}, check: folderSummary(nil)}
}

// FOLDER-CYCLE: a folder's hierarchy table lists the folder itself.
func mutFolderSelf(t *testing.T, f *pstmut.File) mexpect {
	n, tb := hierarchyTable(t, f, 1, false)
	child := tb.RowID(0)
	tb.SetRowNID(child, n.NID)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.FolderCycle, n.NID, n.NID),
		ltpWant(finding.FolderOrphan, child, n.NID),
	}, check: folderSummary(nil)}
}

// FOLDER-ORPHAN: a subfolder's row is removed from its parent's hierarchy
// table (the table stays sound): the folder is still walked, under its
// parent, and its items counted.
func mutFolderOrphan(t *testing.T, f *pstmut.File) mexpect {
	n, tb := hierarchyTable(t, f, 2, false)
	child := tb.RowID(1)
	before := len(mustReport(f).Folders)
	tb.RemoveRow(child)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.FolderOrphan, child, n.NID)},
		check: func(t *testing.T, rep *pstcheck.Report) {
			folderSummary(nil)(t, rep)
			if len(rep.Folders) != before {
				t.Errorf("%d folders, the clean file %d", len(rep.Folders), before)
			}
		}}
}

// FOLDER-COUNT: PidTagContentCount (an inline Int32 of the folder's
// property context) says one item more than the contents table lists.
func mutFolderCount(t *testing.T, f *pstmut.File) mexpect {
	n, _, tb := contentsTable(t, f)
	h := f.NodeHeap(n.Parent)
	p, ok := h.Prop(propContentCount)
	if !ok || int(p.Value) != tb.Len() {
		t.Fatalf("folder 0x%X: content count %d (present %v), %d rows", n.Parent, p.Value, ok, tb.Len())
	}
	h.SetProp(propContentCount, p.Type, p.Value+1)
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{ltpWant(finding.FolderCount, n.Parent, n.Parent)},
		check: folderSummary(nil)}
}

// FOLDER-TABLE: a folder's contents table node is gone from the NBT. The
// folder's items are still found, through their parent NIDs, and still
// all readable; the table's blocks are left unused.
func mutFolderTable(t *testing.T, f *pstmut.File) mexpect {
	n, _, tb := contentsTable(t, f) // n: a message the table lists
	items := tb.Len()
	table := n.Parent&^0x1F | ndb.NIDTypeContentsTable
	f.RemoveNBT(table)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.FolderTable, table, n.Parent)},
		allow: map[finding.Code]func(finding.Finding) bool{
			finding.BlockUnused: func(finding.Finding) bool { return true },
		},
		check: checks(folderAccounts(map[uint32]acct{n.Parent: {recovered: items}}), folderItems(n.Parent, items))}
}

// MSG-MISSING: a contents table row is renamed (consistently) to a message
// NID that does not exist: that row is a lost item of the folder, and the
// message it listed is listed nowhere (MSG-ORPHAN), recovered in the folder
// its parent NID names. Both are counted: nothing says they are one item.
func mutMessageMissing(t *testing.T, f *pstmut.File) mexpect {
	n, _, tb := contentsTable(t, f)
	items := tb.Len()
	bad := missingNID(t, f, ndb.NIDTypeMessage)
	tb.SetRowNID(n.NID, bad)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.MessageMissing, bad, n.Parent),
		ltpWant(finding.MessageOrphan, n.NID, n.Parent),
	}, check: checks(folderAccounts(map[uint32]acct{n.Parent: {lost: 1, recovered: 1}}), folderItems(n.Parent, items+1))}
}

// MSG-MISSING: a contents table row is renamed to a node that exists but
// is not a message: the folder itself. The row is a lost item.
func mutMessageNotAMessage(t *testing.T, f *pstmut.File) mexpect {
	n, _, tb := contentsTable(t, f)
	items := tb.Len()
	tb.SetRowNID(n.NID, n.Parent)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{
		ltpWant(finding.MessageMissing, n.Parent, n.Parent),
		ltpWant(finding.MessageOrphan, n.NID, n.Parent),
	}, check: checks(folderAccounts(map[uint32]acct{n.Parent: {lost: 1, recovered: 1}}), folderItems(n.Parent, items+1))}
}

// MSG-DAMAGED: an attachment table row names an attachment subnode the
// message does not have.
func mutMessageAttachment(t *testing.T, tb *pstmut.Table) {
	id := tb.RowID(0)
	tb.SetRowNID(id, id+0x2000) // same NID type, index 0x100 higher
}

// MSG-ORPHAN: a message's row is removed from its folder's contents table
// (the table stays sound and the folder's PidTagContentCount follows):
// Outlook does not show the message; nothing else is wrong. The message
// counts as recovered in its folder.
func mutMessageOrphan(t *testing.T, f *pstmut.File) mexpect {
	n, _, tb := contentsTable(t, f)
	items := tb.Len()
	tb.RemoveRow(n.NID)
	h := f.NodeHeap(n.Parent)
	if p, ok := h.Prop(propContentCount); ok {
		h.SetProp(propContentCount, p.Type, p.Value-1)
	}
	return mexpect{verdict: pstcheck.Healthy, wants: []mwant{ltpWant(finding.MessageOrphan, n.NID, n.Parent)},
		check: checks(folderAccounts(map[uint32]acct{n.Parent: {recovered: 1}}), folderItems(n.Parent, items))}
}

// mustReport scans the file as it is now.
func mustReport(f *pstmut.File) *pstcheck.Report {
	return pstcheck.Check(context.Background(), f.Reader(), f.Size(), pstcheck.Options{})
}

// TC-ROWS: in enron.pst's biggest contents table, whose row matrix is in a
// subnode, a row in the matrix's second block gets another row ID.
func mutTCRowsMatrixSubnode(t *testing.T, f *pstmut.File) mexpect {
	var ct uint32
	most := 0
	for _, n := range f.NBT {
		if n.NID&0x1F == ndb.NIDTypeContentsTable {
			if k := f.NodeTable(n.NID).Len(); k > most {
				ct, most = n.NID, k
			}
		}
	}
	tb := f.NodeTable(ct)
	if len(tb.MatrixBlocks) < 2 {
		t.Fatalf("table 0x%X: the row matrix is not in a subnode of several blocks", ct)
	}
	row := len(f.Decoded(tb.MatrixBlocks[0]))/tb.Info.Ib[3] + 1
	tb.SetRowID(row, tb.RowID(row)+0x20)
	folder := ct&^0x1F | ndb.NIDTypeFolder
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.TCRows, ct, folder)},
		check: checks(folderAccounts(map[uint32]acct{folder: {recovered: most}}), folderItems(folder, most))}
}

// MSG-DAMAGED: an embedded message attachment (PidTagAttachMethod 5) names,
// in its PidTagAttachDataObject, a subnode the attachment does not have.
func mutMessageEmbedded(t *testing.T, f *pstmut.File) mexpect {
	users := f.Users()
	for _, n := range f.NBT {
		if n.NID&0x1F != ndb.NIDTypeMessage {
			continue
		}
		for sub, s := range f.Subnodes(n.Sub) {
			if sub&0x1F != ndb.NIDTypeAttachment || !ownedBy(f, users, n.NID, s.Data) {
				continue
			}
			h := f.Heap(s.Data)
			method, ok1 := h.Prop(0x3705)
			obj, ok2 := h.Prop(0x3701)
			if !ok1 || !ok2 || method.Value != 5 || obj.Type != 0x000D || !pstmut.IsHID(obj.Value) {
				continue
			}
			h.EditItem(obj.Value, func(b []byte) { binary.LittleEndian.PutUint32(b, binary.LittleEndian.Uint32(b)+0x20) })
			return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.MessageDamaged, n.NID, n.Parent)},
				check: folderSummary(map[uint32]int{n.Parent: 1})}
		}
	}
	t.Fatal("no embedded message attachment")
	return mexpect{}
}

// TC-ROWS: the contents table's row index loses every record (its BTH's
// hidRoot becomes 0, one byte of the heap) while the row matrix keeps its
// rows. On every sample the matrix holds exactly the rows the index lists.
// The folder's items are still found through their parent NIDs.
func mutTCRowsIndexEmpty(t *testing.T, f *pstmut.File) mexpect {
	n, ct, tb := contentsTable(t, f)
	items := tb.Len()
	x := tb.Heap.BTH(tb.Info.RowIndex)
	x.Root = 0
	tb.Heap.SetBTH(tb.Info.RowIndex, x)
	return mexpect{verdict: pstcheck.Damaged, wants: []mwant{ltpWant(finding.TCRows, ct, n.Parent)},
		check: checks(folderAccounts(map[uint32]acct{n.Parent: {recovered: items}}), folderItems(n.Parent, items))}
}
