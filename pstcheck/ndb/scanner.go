package ndb

import (
	"cmp"
	"context"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Progress receives the passes' progress.
type Progress interface {
	Phase(name string)
	Add(bytes int64)
}

type noProgress struct{}

func (noProgress) Phase(string) {}
func (noProgress) Add(int64)    {}

// BBTEntry is a leaf entry of the block B-tree.
type BBTEntry struct {
	BID, IB  uint64
	CB       uint16
	Inflated uint16 // uncompressed size (4K files); CB elsewhere
	Ref      uint16
	// Rebuilt says where the index rebuild found an entry the tree walk
	// did not (it fits in the struct's padding).
	Rebuilt Found
}

// Found says how the index rebuild found an entry.
type Found uint8

const (
	FoundInTree    Found = iota // read from the live B-tree
	FoundInLeaf                 // from a leaf page outside the live tree
	FoundByTrailer              // a block found by its own trailer: no cRef known
)

// NBTEntry is a leaf entry of the node B-tree.
type NBTEntry struct {
	NID    uint32
	Parent uint32
	Data   uint64
	Sub    uint64
	// Rebuilt says the node was read through the rebuilt index: its entry,
	// or a block it uses, came from the index rebuild.
	Rebuilt bool
}

// BlockState is a block's problem, as an index into blockCodes.
type BlockState uint8

var blockCodes = []finding.Code{"", finding.BlockSize, finding.BlockAlign, finding.BlockRange,
	finding.BlockOverlap, finding.BlockTrailerSize, finding.BlockSignature, finding.BlockCRC,
	finding.BlockBID, finding.BlockInflate, finding.FileRead, finding.BlockOverlap,
	finding.BlockTrailerSize, finding.BlockBID, finding.BlockSignature}

func blockState(c finding.Code) BlockState {
	for i, x := range blockCodes {
		if x == c {
			return BlockState(i)
		}
	}
	panic("ndb: no block state for " + string(c))
}

// The block states, in blockCodes' order.
const (
	stateSize BlockState = iota + 1
	stateAlign
	stateRange
	stateOverlap
	stateTrailerSize
	stateSignature
	stateCRC
	stateBID
	stateInflate
	stateFileRead
	// statePageOverlap is the block pass's own: a block in a page's
	// place, reported as an overlap.
	statePageOverlap
	// stateTrailerCB, stateTrailerBID and stateTrailerSig are a block
	// whose one fault is that field of its trailer: its data checks out
	// against the CRC its trailer stores (Layout.trailerFault).
	stateTrailerCB
	stateTrailerBID
	stateTrailerSig
)

// Code is the finding code of the block's problem, "" when sound.
func (b BlockState) Code() finding.Code { return blockCodes[b] }

// trailerOnly says the block's one fault is a field of its trailer, its
// data whole.
func (b BlockState) trailerOnly() bool {
	return b == stateTrailerCB || b == stateTrailerBID || b == stateTrailerSig
}

// changedInPlace says the block is the right one, at its place and of its
// size, with bytes of it changed: its checksum fails, or one field of its
// trailer changed.
func (b BlockState) changedInPlace() bool { return b == stateCRC || b.trailerOnly() }

// pageRef is a page the scan has read, for overlap and allocation checks.
type pageRef struct {
	IB   int64
	BID  uint64 // the B-tree page's BID; a map page's is its offset
	Type uint8
	// rebuilt marks a leaf page the index rebuild found outside the trees.
	rebuilt bool
}

// Result is what the NDB passes learned, for the layers above and the report.
type Result struct {
	Header *Header
	// BBT is sorted by BID, with each block's problem as the block pass
	// found it (BBT.State); NBT by NID.
	BBT BlockTable
	NBT NodeTable
	// NodeDamaged holds the NIDs of top-level nodes that use a damaged or
	// missing block or have a malformed tree.
	NodeDamaged map[uint32]bool
	// Rebuild says what rebuilding the index found; nil when the B-trees
	// were read whole.
	Rebuild *Rebuild
	// Unlinked are the sound data blocks no node uses, when node index
	// entries were lost (empty otherwise): among them are the property
	// heaps of messages whose own entry is gone. By BID, in BID order
	// (BlockOffset says where each lies): a million of them may be kept.
	Unlinked []uint64
	// unlinkedInternal are the sound internal blocks no node uses, kept
	// alike: among them are those messages' subnode trees
	// (UnusedSubnodeTrees).
	unlinkedInternal []uint64
	// UnlinkedLeftOut counts the sound blocks no node uses that neither
	// Unlinked nor unlinkedInternal keeps (past maxUnlinked of a kind,
	// the oldest): each may be a lost message's heap or subnode tree, or
	// an older copy of one, that the messaging layer cannot weigh.
	UnlinkedLeftOut int
	// NewestFailing are the highest BIDs of the blocks no node uses that
	// fail verification (stale entries aside), internal and data blocks
	// apart (0: none): among them may be the current subnode tree or heap
	// of an item whose node is lost, whose older copy may verify. BIDs
	// grow as blocks are written, so a block older than a copy that
	// verifies is no newer version of it.
	NewestFailing struct{ Internal, Data uint64 }
	// failingUnused are those blocks, when node index entries were lost
	// (at most maxUnlinked; failingLeftOut says more were): the unused
	// trees tell which of them are part of a subnode tree that reads
	// (UnusedTrees.Failing).
	failingUnused  []uint64
	failingLeftOut bool
	// BBTWhole says every BBT page was read and verified: every block of
	// the store is listed, so a block that is gone or fails is known
	// (NewestFailing), none is missing without a trace.
	BBTWhole bool
	// stale are the BBT indexes of entries of old leaf pages that name
	// blocks no longer there and no node uses (stale.go): not blocks of
	// the store, so neither damage nor allocated space.
	stale map[int32]bool
	// unsettled are the held-back findings of blocks no node uses whose
	// place shows them written over, found where node entries were lost:
	// stale unless an item lost its node, which only the layers above can
	// tell (SettleStale).
	unsettled []heldBlock

	Pages         int
	BytesVerified int64
	s             *Scanner // for reads by the layers above
	FreeBytes     int64    // -1 when the maps could not be counted
	BlockPass     time.Duration
	// verified says the block pass ran to its end: until it has, no
	// block is known sound, so nothing is read or checked through res.
	verified bool
	// decode is Decode as a function value, made once (see Decoder).
	decode func(bid uint64, off int, b []byte)
	// tolerant marks a view for lenient reads (Tolerant); unverified is
	// where it notes the blocks it took although they fail their checksum.
	tolerant   bool
	unverified *[]uint64
	// changedPages are the offsets of the B-tree pages of the live trees
	// whose checksum fails (PAGE-CRC), for ChangedInPlace.
	changedPages []int64
}

// keepPage adds a B-tree page the walk read, or the rebuild found, to the
// pages the passes after check.
func (s *Scanner) keepPage(p pageRef) {
	// The list doubles when full: append grows a large slice by a quarter,
	// and the 98,000 pages of 400,000 small messages then allocated (and
	// faulted in, copying as they went) about four times the list.
	if len(s.pages) == cap(s.pages) {
		s.pages = slices.Grow(s.pages, max(len(s.pages), 256))
	}
	s.pages = append(s.pages, p)
	s.lastTreePage = max(s.lastTreePage, p.IB)
}

// Scanner runs the NDB passes over one file.
type Scanner struct {
	r        io.ReaderAt
	size     int64
	limit    int64
	h        *Header
	sink     finding.Sink
	progress Progress
	workers  int

	// pages are the B-tree pages the walk found (and the rebuild), until
	// the block pass sorts them with the map pages into sortedPages.
	pages     []pageRef
	pageCount int
	// lastTreePage is the offset of the last B-tree page the walk found
	// or a sound page pointed to (and the rebuild found), 0 when none:
	// ZeroedTail looks for it after the page lists are let go.
	lastTreePage int64
	// pastEnd is the furthest end of a page or block the live index puts
	// past the file's end, where the header is destroyed (cutoff.go).
	pastEnd int64
	// order is the BBT's indexes in offset order and sortedPages the pages
	// in offset order, from the block pass, for the allocation pass;
	// mapPages are the map pages alone.
	order       blockOrder
	sortedPages []pageRef
	mapPages    []pageRef
	visited     pageSet
	// lost are key ranges of the BBT whose pages could not be read, so a
	// missing block can be blamed on its lost page; lostNBT the same for
	// the NBT. The index rebuild looks for entries in these ranges.
	lost, lostNBT []keyRange
	// lostBlocks and lostNodes are the keys of lost and lostNBT, for the
	// rebuild's lookups.
	lostBlocks, lostNodes keySet
	// changedBlocks are the entries of BBT leaf pages whose checksum
	// fails, for the index rebuild to weigh, changedPages those pages;
	// droppedNodes counts the NBT leaf entries left out for a key that
	// cannot be what was written (walkPage).
	changedBlocks []bbtCandidate
	changedPages  int
	droppedNodes  int
	// mapPage is the buffer map pages are read into, one at a time.
	mapPage []byte
	// win serves the B-tree walk's reads; mapsWin the allocation pass's.
	win, mapsWin window
	// pageBufs are the walk's page buffers, one per level, for pages not
	// read ahead; children the pages it reads ahead (childpages.go).
	pageBufs [maxBTreeLevel + 2][]byte
	children childPages
	// inflater serves reads of compressed blocks after the passes.
	inflater  blockInflater
	inflateMu sync.Mutex
	// internal holds the sound internal blocks the block pass read, for
	// the node pass (internalcache.go); nil after the node pass.
	internal *internalCache
	// heldBack are the findings of blocks that fail where only a leaf
	// page found outside the live tree puts them, until the node pass
	// knows whether a node uses them (stale.go).
	heldBack []heldBlock
	// takenByNewer marks, by BBT index, the failing blocks whose place a
	// newer block that verifies there holds (noteTakenByNewer).
	takenByNewer map[int32]bool

	res Result
}

type keyRange struct {
	lo, hi uint64
	ib     int64
	// changed: the range of a BBT leaf page whose checksum fails, whose
	// entries the rebuild weighs (walkPage), not a page lost.
	changed bool
}

// ChunkSize is the size of the block pass's sequential reads. Each worker
// reads a chunk into its own buffer and checks it while it is still in
// the processor's cache; larger chunks read no faster (the block pass
// benchmark runs at the same speed from 256 KiB to 4 MiB) but cost their
// size in fresh memory on every run, which a small store pays for: with
// 4 MiB chunks a scan of a 29 MB store took 118 ms, with 512 KiB 65 ms.
var ChunkSize = 512 << 10

// Options tune the NDB passes; the zero value is one worker, no progress.
type Options struct {
	Progress Progress
	// Workers is how many goroutines the block pass may keep busy.
	Workers int
	// FileSize is the file's own size when it is read through gaps
	// (FindGaps), for the findings that state it; 0: size.
	FileSize int64
}

// Scan runs the NDB passes in order: header, NBT and BBT, blocks, nodes;
// the allocation maps are checked by Result.CheckMaps. It returns nil only
// when the header is unusable.
func Scan(ctx context.Context, r io.ReaderAt, size int64, sink finding.Sink, opts Options) *Result {
	p := opts.Progress
	if p == nil {
		p = noProgress{}
	}
	p.Phase("header")
	h := readHeader(r, size, cmp.Or(opts.FileSize, size), sink, true)
	if h == nil {
		if h = recoverHeader(r, size, sink); h == nil {
			return nil
		}
	}
	s := &Scanner{r: r, size: size, limit: h.Limit(size), h: h, sink: sink, progress: p, workers: max(opts.Workers, 1),
		visited: newPageSet(size, h.Layout.PageSize)}
	s.res.Header = h
	s.res.FreeBytes = -1
	s.res.s = s
	s.res.decode = s.res.Decode

	p.Phase("b-trees")
	if h.NBTUsable {
		s.walkTree(h.NBT, PageNBT)
	} else {
		s.loseRange(PageNBT, 0, math.MaxUint64, int64(h.NBT.IB))
	}
	if h.BBTUsable {
		s.walkTree(h.BBT, PageBBT)
	} else {
		s.loseRange(PageBBT, 0, math.MaxUint64, int64(h.BBT.IB))
	}
	s.pageBufs, s.children = [maxBTreeLevel + 2][]byte{}, childPages{}
	if s.indexDamaged() && ctx.Err() == nil {
		p.Phase("rebuilding the index")
		s.rebuildIndex(ctx)
	}
	s.sortTrees()
	if h.Guessed {
		s.guessCrypt()
	}
	s.visited = pageSet{} // only the walk and the rebuild need it
	if ctx.Err() != nil {
		return &s.res
	}
	p.Phase("blocks")
	start := time.Now()
	s.checkBlocks(ctx)
	s.res.BlockPass = time.Since(start)
	s.cutOffPastIndex()
	if ctx.Err() != nil {
		s.settleHeldBack(nil)
		return &s.res
	}
	s.res.verified = true
	p.Phase("nodes")
	s.checkNodes(ctx)
	s.internal = nil
	s.res.Pages = s.pageCount
	return &s.res
}

// CheckMaps runs the allocation pass (the last NDB pass) and reports to
// sink. It only reads what the other passes left, so the layers above
// may read the file through res while it runs.
func (res *Result) CheckMaps(sink finding.Sink) {
	if !res.verified {
		return // the scan was cancelled: FreeBytes stays -1, not counted
	}
	s := res.s
	s.sink = sink
	s.checkMaps()
}

func (s *Scanner) report(f finding.Finding) { s.sink.Report(f) }
