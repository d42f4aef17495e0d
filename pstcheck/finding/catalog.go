package finding

import "sort"

// Entry is the catalog entry of one code.
type Entry struct {
	Code        Code
	Severity    Severity
	Layer       Layer
	Description string
}

// The catalog. Every code a pass can emit is listed here once; the
// table of codes in docs/codes.md is checked against this list by a test.
const (
	// File
	FileRead    Code = "FILE-READ"
	ScanAborted Code = "SCAN-ABORTED"

	// Header and ROOT
	HeaderTruncated   Code = "HDR-TRUNCATED"
	HeaderMagic       Code = "HDR-MAGIC"
	HeaderVersion     Code = "HDR-VERSION"
	HeaderClient      Code = "HDR-CLIENT"
	HeaderCRCPartial  Code = "HDR-CRC-PARTIAL"
	HeaderCRCFull     Code = "HDR-CRC-FULL"
	HeaderSentinel    Code = "HDR-SENTINEL"
	HeaderCrypt       Code = "HDR-CRYPT"
	HeaderGuessed     Code = "HDR-GUESSED"
	RootFileTruncated Code = "ROOT-EOF-SHORT"
	RootFileGap       Code = "ROOT-EOF-GAP"
	RootFileAdded     Code = "ROOT-EOF-ADDED"
	RootFileZeroed    Code = "ROOT-EOF-ZEROED"
	RootTrailingData  Code = "ROOT-EOF-TRAILING"
	RootFileEOFWrong  Code = "ROOT-EOF-WRONG"
	RootBREF          Code = "ROOT-BREF"
	RootAMapInvalid   Code = "ROOT-AMAP-INVALID"

	// B-tree pages
	PageRange     Code = "PAGE-RANGE"
	PageType      Code = "PAGE-TYPE"
	PageSignature Code = "PAGE-SIG"
	PageCRC       Code = "PAGE-CRC"
	PageBID       Code = "PAGE-BID"
	BTreeEntries  Code = "BT-ENTRIES"
	BTreeLevel    Code = "BT-LEVEL"
	BTreeKeyOrder Code = "BT-KEY-ORDER"
	BTreeCycle    Code = "BT-CYCLE"

	// Blocks
	BlockRange       Code = "BLOCK-RANGE"
	BlockAlign       Code = "BLOCK-ALIGN"
	BlockOverlap     Code = "BLOCK-OVERLAP"
	BlockSize        Code = "BLOCK-SIZE"
	BlockTrailerSize Code = "BLOCK-CB"
	BlockSignature   Code = "BLOCK-SIG"
	BlockCRC         Code = "BLOCK-CRC"
	BlockBID         Code = "BLOCK-BID"
	BlockInflate     Code = "BLOCK-INFLATE"
	BlockRefLow      Code = "BLOCK-REF-LOW"
	BlockRefHigh     Code = "BLOCK-REF-HIGH"
	BlockUnused      Code = "BLOCK-UNUSED"
	BlockUnusedLimit Code = "BLOCK-UNUSED-LIMIT"

	// Nodes: NBT entries, data trees and subnode trees
	NodeBlockMissing Code = "NODE-BLOCK-MISSING"
	NodeBlockDamaged Code = "NODE-BLOCK-DAMAGED"
	NodeDataTree     Code = "NODE-DATA-TREE"
	NodeSubnodeTree  Code = "NODE-SUBNODE-TREE"
	NodeTreeCycle    Code = "NODE-TREE-CYCLE"
	NodeParent       Code = "NODE-PARENT"

	// Allocation maps
	AMapPage     Code = "AMAP-PAGE"
	AMapUnmarked Code = "AMAP-UNMARKED"
	AMapFree     Code = "AMAP-FREE-COUNT"
	PMapPage     Code = "PMAP-PAGE"
	FMapPage     Code = "FMAP-PAGE"
	DListPage    Code = "DLIST-PAGE"
	MapFreeSpace Code = "MAP-FREE-SPACE"

	// Heap-on-node and BTH (LTP)
	HeapHeader  Code = "HEAP-HEADER"
	HeapPageMap Code = "HEAP-PAGEMAP"
	HeapRef     Code = "HEAP-REF"
	BTHHeader   Code = "BTH-HEADER"
	BTHRecords  Code = "BTH-RECORDS"

	// Property and table contexts (LTP)
	PCProperty Code = "PC-PROPERTY"
	TCInfo     Code = "TC-INFO"
	TCRows     Code = "TC-ROWS"
	TCCell     Code = "TC-CELL"

	// Messaging: store, folders, messages
	StoreRoot       Code = "STORE-ROOT"
	StoreNameMap    Code = "STORE-NAMEMAP"
	StoreUnlinked   Code = "STORE-UNLINKED"
	FolderTable     Code = "FOLDER-TABLE"
	FolderMissing   Code = "FOLDER-MISSING"
	FolderCycle     Code = "FOLDER-CYCLE"
	FolderOrphan    Code = "FOLDER-ORPHAN"
	FolderCount     Code = "FOLDER-COUNT"
	MessageMissing  Code = "MSG-MISSING"
	MessageDamaged  Code = "MSG-DAMAGED"
	MessageOrphan   Code = "MSG-ORPHAN"
	MessageUnlinked Code = "MSG-UNLINKED"

	// Store
	StoreNearLimit    Code = "STORE-NEAR-LIMIT"
	StoreOverLimit    Code = "STORE-OVER-LIMIT"
	StoreLegacyLimit  Code = "STORE-LEGACY-LIMIT"
	StoreFoldersOver  Code = "STORE-FOLDERS-OVER"
	FolderItemsOver   Code = "FOLDER-ITEMS-OVER"
	FolderItemsLegacy Code = "FOLDER-ITEMS-LEGACY"
)

var catalog = []Entry{
	{FileRead, SeverityError, LayerFile, "The file could not be read at this offset (I/O error or the file shrank during the scan)."},
	{ScanAborted, SeverityError, LayerFile, "pstcheck could not finish this file: its scanner stopped (crash, out of memory, no answer). Other files in the batch are not affected."},

	{HeaderTruncated, SeverityError, LayerHeader, "The file is shorter than a PST header: it is not a complete PST/OST file."},
	{HeaderMagic, SeverityError, LayerHeader, "The file does not start with the PST signature !BDN: it is not a PST/OST file, or its header is destroyed."},
	{HeaderVersion, SeverityError, LayerHeader, "The header's format version (wVer) is not one Outlook writes (14/15 ANSI, 23 Unicode, 36 Unicode 4K)."},
	{HeaderClient, SeverityError, LayerHeader, "The header's client signature is not SM (PST), SO (OST) or AB (PAB)."},
	{HeaderCRCPartial, SeverityError, LayerHeader, "The header checksum dwCRCPartial does not match: the header, including the B-tree roots, may be corrupt."},
	{HeaderCRCFull, SeverityError, LayerHeader, "The header checksum dwCRCFull does not match."},
	{HeaderSentinel, SeverityError, LayerHeader, "The header sentinel byte is not 0x80."},
	{HeaderCrypt, SeverityError, LayerHeader, "The header names an unknown encryption method: item data cannot be decoded."},
	{HeaderGuessed, SeverityInfo, LayerHeader, "The header is destroyed, but the pages after it survive: pstcheck took the format from the first allocation map page (or, when the start of the file is destroyed too, a later one or a B-tree page), the end of file from the file's size, the encryption from the data, and the B-tree roots as the newest pages at their top (or rebuilt the index when none survives or they disagree), and took the allocation maps as valid unless one marks a page or block of the index found free. Outlook and scanpst cannot open the file: save its items with export or repair."},
	{RootFileTruncated, SeverityError, LayerHeader, "The file is shorter than the end-of-file the header records: it was cut off (incomplete copy or full disk)."},
	{RootFileGap, SeverityError, LayerHeader, "Bytes are missing inside the file, not at its end (one finding per place): everything after them lies that many bytes before where the file's index says, as in a copy that passed over what it could not read (dd conv=noerror without sync, some recovery tools). pstcheck reads the rest where it belongs and the missing bytes as zeros: what they held is lost."},
	{RootFileAdded, SeverityError, LayerHeader, "Bytes the store never held were added inside the file (one finding per place): everything after them lies that many bytes after where the file's index says, as in a copy that wrote a piece twice (a transfer resumed at the wrong place) or a recovery tool that joined a wrong piece in. pstcheck reads the rest where it belongs and passes over the added bytes: only a block they cut through is lost."},
	{RootFileZeroed, SeverityError, LayerHeader, "The file ends in zeros where the store had written its data: from the offset named to the end, over blocks or B-tree pages and an allocation map page's place, which are never zeros. A copy, download or sync that set the file's size first and stopped before the end leaves a file like this, and so does a crash or power loss while the file was growing. What lay there is lost; the rest is read."},
	{RootTrailingData, SeverityWarning, LayerHeader, "The file is longer than the end-of-file the header records: bytes after the end are not part of the store."},
	{RootFileEOFWrong, SeverityError, LayerHeader, "The end-of-file the header records differs from the file's size, and the file ends exactly where the interval of the header's last allocation map page ends, as a whole store does (a store grows by whole intervals): the header's value is damaged (a changed bit, say), not the file cut off or grown. pstcheck reads the file to its real end."},
	{RootBREF, SeverityError, LayerHeader, "A B-tree root reference in the header points outside the file or is misaligned."},
	{RootAMapInvalid, SeverityWarning, LayerHeader, "The allocation map is flagged invalid: the file was not closed cleanly and Outlook will rebuild the map on next open."},

	{PageRange, SeverityError, LayerBTree, "A B-tree page reference points outside the file or is misaligned."},
	{PageType, SeverityError, LayerBTree, "A page's type bytes are wrong for where it is referenced (or disagree with each other)."},
	{PageSignature, SeverityError, LayerBTree, "A page's signature does not match its offset and BID."},
	{PageCRC, SeverityError, LayerBTree, "A page's checksum does not match its contents: a byte of it changed. A leaf page's entries are weighed against the blocks' own trailers (the index rebuild finds a block a changed entry misplaces), and an entry whose key breaks the page's order is left out."},
	{PageBID, SeverityError, LayerBTree, "A page's trailer names a different BID than the reference that led to it."},
	{BTreeEntries, SeverityError, LayerBTree, "A B-tree page's entry count or entry size is impossible."},
	{BTreeLevel, SeverityError, LayerBTree, "A B-tree page's level is not one below its parent's."},
	{BTreeKeyOrder, SeverityError, LayerBTree, "B-tree keys are out of order, duplicated, or outside the range their parent gives."},
	{BTreeCycle, SeverityError, LayerBTree, "A B-tree page is reached twice: the tree has a cycle or shared subtree."},

	{BlockRange, SeverityError, LayerBlock, "A block listed in the BBT lies (partly) outside the file."},
	{BlockAlign, SeverityError, LayerBlock, "A block's offset is not aligned to the format's block alignment."},
	{BlockOverlap, SeverityError, LayerBlock, "A block overlaps another block or a page."},
	{BlockSize, SeverityError, LayerBlock, "A block's size in the BBT is zero or larger than the format allows."},
	{BlockTrailerSize, SeverityError, LayerBlock, "A block's trailer gives a different size than its BBT entry (the block was overwritten or zeroed)."},
	{BlockSignature, SeverityError, LayerBlock, "A block's trailer signature does not match its offset and BID."},
	{BlockCRC, SeverityError, LayerBlock, "A block's checksum does not match its contents: its data is corrupt."},
	{BlockBID, SeverityError, LayerBlock, "A block's trailer names a different BID than its BBT entry."},
	{BlockInflate, SeverityError, LayerBlock, "A compressed block (4K-page file) does not inflate to its stated size."},
	{BlockRefLow, SeverityError, LayerBlock, "A block's reference count is lower than the number of references to it: Outlook may free it while it is in use."},
	{BlockRefHigh, SeverityInfo, LayerBlock, "Blocks whose reference count is higher than the references found: a little space is leaked (harmless; one summary finding)."},
	{BlockUnused, SeverityInfo, LayerBlock, "Blocks listed in the BBT that no node uses: leaked space on a sound store; beside lost items, possibly their data (one summary finding)."},

	{BlockUnusedLimit, SeverityWarning, LayerBlock, "More blocks than pstcheck searches (1,048,576 data and as many internal blocks, the newest) are used by no node, in a store whose index lost entries: the older ones were not searched for lost items, so the items they hold are neither counted nor saved, and the item count is a lower bound."},

	{NodeBlockMissing, SeverityError, LayerNode, "A node (or its data/subnode tree) refers to a block that is not in the BBT: the item's data is lost."},
	{NodeBlockDamaged, SeverityError, LayerNode, "A node uses a damaged block: the item (message, folder, attachment, ...) holding it is damaged."},
	{NodeDataTree, SeverityError, LayerNode, "A node's data tree (XBLOCK/XXBLOCK) is malformed: wrong type, level, count or total size."},
	{NodeSubnodeTree, SeverityError, LayerNode, "A node's subnode tree (SLBLOCK/SIBLOCK) is malformed: wrong type, level, count or order."},
	{NodeTreeCycle, SeverityError, LayerNode, "A node's data or subnode tree refers back to itself or nests too deep."},
	{NodeParent, SeverityError, LayerNode, "A node's parent folder NID does not exist: the folder or item is orphaned."},

	{AMapPage, SeverityError, LayerMap, "An allocation map (AMap) page is missing or corrupt."},
	{AMapUnmarked, SeverityError, LayerMap, "A page or block in use is marked free in the allocation map: Outlook may overwrite it."},
	{AMapFree, SeverityInfo, LayerMap, "The free space recorded in the header differs from the allocation maps."},
	{PMapPage, SeverityWarning, LayerMap, "A page map (PMap) page is missing or corrupt (PMaps are deprecated; Outlook keeps them for old clients)."},
	{FMapPage, SeverityWarning, LayerMap, "A free map (FMap or FPMap) page is missing or corrupt (deprecated maps Outlook still keeps)."},
	{DListPage, SeverityInfo, LayerMap, "The density list (DList) page is invalid; Outlook ignores and rebuilds it (some non-Outlook writers never fill it in)."},
	{MapFreeSpace, SeverityInfo, LayerMap, "Free space inside the file: what compacting the file would reclaim."},

	{HeapHeader, SeverityError, LayerHeap, "A heap-on-node's header is wrong (signature, client signature or page header), though its blocks' checksums are sound."},
	{HeapPageMap, SeverityError, LayerHeap, "A heap page's allocation map is inconsistent: offsets outside the page or out of order."},
	{HeapRef, SeverityError, LayerHeap, "A heap reference (HID) names an allocation that does not exist."},
	{BTHHeader, SeverityError, LayerHeap, "A B-tree-on-heap header has an impossible type, key size, entry size or depth."},
	{BTHRecords, SeverityError, LayerHeap, "B-tree-on-heap records do not fill their heap item, are out of order, or are reached twice."},

	{PCProperty, SeverityError, LayerTable, "A property has an undefined type, or its value cannot be found (missing heap item or subnode, wrong size)."},
	{TCInfo, SeverityError, LayerTable, "A table's column descriptions do not fit its row layout."},
	{TCRows, SeverityError, LayerTable, "A table's row index and row data disagree: row count, row IDs, or row data missing."},
	{TCCell, SeverityError, LayerTable, "A table cell's value cannot be found (missing heap item or subnode)."},

	{StoreRoot, SeverityError, LayerMessage, "The message store or root folder is missing or unreadable: the folder tree cannot be walked from the top."},
	{StoreNameMap, SeverityError, LayerMessage, "The store's name-to-ID map (node 0x61) is missing or unreadable: named properties of its items (calendar times, locations, contact fields, categories) cannot be read. Where the map still reads as it is (a block of it fails only its checksum), the detail says so, and its items, still damaged, are written with their named properties named through it (any name may be wrong)."},
	{StoreUnlinked, SeverityError, LayerMessage, "A node of the store itself, the message store (0x21) or the name-to-ID map (0x61), lost its index entry with an index page, but its blocks survive, linked to nothing: pstcheck reads it through them, so items keep their named fields (calendar times, locations, contact fields) in export and repair. An item using a named property the surviving map does not name counts as damaged."},
	{FolderTable, SeverityError, LayerMessage, "A folder's hierarchy, contents or FAI table node is missing: its subfolders or items cannot be listed from it (they are recovered from parent NIDs)."},
	{FolderMissing, SeverityError, LayerMessage, "A hierarchy table row names a subfolder that does not exist (or a node that is not a folder)."},
	{FolderCycle, SeverityError, LayerMessage, "The folder tree loops back on itself."},
	{FolderOrphan, SeverityError, LayerMessage, "A folder is missing from its parent's hierarchy table: Outlook does not show it (scanpst may move it to Lost and Found)."},
	{FolderCount, SeverityWarning, LayerMessage, "A folder's stored item count differs from the items its contents table lists."},
	{MessageMissing, SeverityError, LayerMessage, "A contents table row points at a message that no longer exists (or at a node that is not a message)."},
	{MessageDamaged, SeverityError, LayerMessage, "A message cannot be read whole: its properties, recipients or attachments are damaged."},
	{MessageUnlinked, SeverityError, LayerMessage, "A block holds the properties of a message that no node index entry links to: the message's entry was lost with an index page. It counts as lost, named by its subject and date, unless it reads whole with the one unused subnode tree that alone fits it (or, where no tree can be its, with none): then it is recovered, and export and repair write it to Recovered items. Export and repair with --include-damaged write what survives of the others, marked: the block's properties, and its subnodes when one unused subnode tree alone fits it."},
	{MessageOrphan, SeverityWarning, LayerMessage, "A message is listed in no folder's contents table: Outlook does not show it."},

	{StoreNearLimit, SeverityWarning, LayerStore, "The file is near its format's size limit: Outlook will soon refuse new items."},
	{StoreOverLimit, SeverityWarning, LayerStore, "The file is at or over its format's size limit: Outlook refuses to add items (ANSI files past 2 GiB become unusable)."},
	{StoreLegacyLimit, SeverityInfo, LayerStore, "The file is over the 20 GiB limit of Outlook 2003/2007: those versions cannot add items to it."},
	{StoreFoldersOver, SeverityWarning, LayerStore, "The store holds more than 500 folders, the most Outlook handles well (Microsoft KB2768656): folders show slowly or wrongly, and syncing suffers in cached mode."},
	{FolderItemsOver, SeverityWarning, LayerStore, "A folder holds more than 100,000 items, the most Outlook 2010 and later handle well (Microsoft KB2768656): opening, sorting and syncing it slow down badly."},
	{FolderItemsLegacy, SeverityInfo, LayerStore, "A folder holds more than 50,000 items, the most Outlook 2007 handles well (Microsoft KB2768656); later versions handle up to 100,000."},
}

var byCode = func() map[Code]Entry {
	m := make(map[Code]Entry, len(catalog))
	for _, i := range catalog {
		if _, dup := m[i.Code]; dup {
			panic("finding: duplicate code " + string(i.Code))
		}
		m[i.Code] = i
	}
	return m
}()

// Lookup returns the catalog entry of c. An unknown code is a programming
// error; it is reported as an error so it can never hide damage.
func Lookup(c Code) Entry {
	if i, ok := byCode[c]; ok {
		return i
	}
	return Entry{Code: c, Severity: SeverityError, Layer: LayerFile, Description: "unknown code"}
}

// Catalog returns every entry, sorted by layer order then code.
func Catalog() []Entry {
	out := append([]Entry(nil), catalog...)
	order := map[Layer]int{}
	for i, l := range []Layer{LayerFile, LayerHeader, LayerBTree, LayerBlock, LayerNode, LayerMap, LayerStore, LayerHeap, LayerTable, LayerMessage} {
		order[l] = i
	}
	sort.SliceStable(out, func(a, b int) bool {
		if order[out[a].Layer] != order[out[b].Layer] {
			return order[out[a].Layer] < order[out[b].Layer]
		}
		return false
	})
	return out
}
