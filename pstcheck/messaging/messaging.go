// Package messaging walks the messaging layer: from the message store and
// root folder down the folder hierarchy, every folder's contents and FAI
// tables, and every message with its recipients, attachments and embedded
// messages. It accounts for every item the store held (readable, damaged,
// lost, recovered), finds orphans and cycles, and summarises it per folder.
// It reads only blocks the NDB passes verified and structures the ltp
// package validates.
//
// The walk is in folders.go, the message checks in messages.go, what
// becomes of each item in accounting.go; read.go reads items for export.
package messaging

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
	"unique"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Well-known NIDs (MS-PST 2.4.1).
const (
	NIDMessageStore = 0x21
	NIDRootFolder   = 0x122
)

// Property IDs used here.
const (
	propMessageClass     = 0x001A
	propSubject          = 0x0037
	propClientSubmitTime = 0x0039
	propDeliveryTime     = 0x0E06
	propLastModified     = 0x3008
	propCreationTime     = 0x3007
	propDisplayName      = 0x3001
	propContentCount     = 0x3602
	propMessageSize      = 0x0E08
	propPstPassword      = 0x67FF
)

// Folder is one folder's summary.
type Folder struct {
	NID    uint32
	Parent uint32
	Name   string
	Path   string
	// Items is every normal (non-FAI) item the folder holds or held:
	// Readable + Damaged + Lost + Recovered.
	Items     int
	Readable  int // listed and readable whole
	Damaged   int // its node exists, but it cannot be read whole
	Lost      int // known to exist (a listing row or the folder's count), its node gone
	Recovered int // readable, found without its listing (by its parent NID) or its node (wholeSalvage)
	// NamesLost are the damaged items that are whole but for their named
	// properties (ItemRef.NamesLost).
	NamesLost int
	// Unreadable are the damaged items of which nothing can be read: their
	// property heap fails even read leniently (ItemRef.Unreadable).
	Unreadable int
	// Size totals the message sizes (PidTagMessageSize, the figure
	// Outlook's Folder Size dialog adds up) of the normal items read
	// whole, each from the message's own properties: the contents
	// table's copy is left stale by some writers (in 7 folders of the
	// shared corpus it falls a few hundred bytes short of the messages').
	Size int64
	// Expected is how many items the folder's contents table lists, or,
	// when the table is lost, what its PidTagContentCount says; -1 when
	// neither survives.
	Expected int
	FAI      int
	// Listed says the contents table's listing was read whole: the table
	// itself, or, when a block of its rows or cell values is damaged, its
	// row index (ltp.OpenTCListing).
	Listed bool
	// NodeLost says the folder's own node is gone: it is known from a
	// hierarchy row naming it, or only from its items' parent NID.
	NodeLost bool
	// Unreachable says the hierarchy does not reach the folder from the root.
	Unreachable bool
}

// ItemState is what became of an item.
type ItemState uint8

const (
	Readable  ItemState = iota + 1 // listed and readable whole
	Damaged                        // its node exists, but it cannot be read whole
	Lost                           // listed, but its node is gone
	Recovered                      // readable, found without its listing or its node
)

// Result is what the messaging pass found.
type Result struct {
	Folders  []Folder
	Password bool // the store has a PST password (not a security boundary)
	// Codepage is the Windows code page of the store's 8-bit strings.
	Codepage uint32
	// Items lists, for each folder NID, the messages it lists (or holds
	// without listing them), each with what became of it: every one when
	// the check was asked to keep them (Options.KeepItems, for reading
	// them), else only those that are not readable, orphaned or missing
	// their names, at most maxKept of them (ItemsLeftOut counts the rest);
	// the folders' counts count them all.
	Items        map[uint32][]ItemRef
	ItemsLeftOut int
	// RebuiltItems counts the readable and recovered items read through
	// the rebuilt index (their node, or a block they use, came from it).
	RebuiltItems int
	// FromBlocks counts the items recovered from the blocks that hold them
	// although their node is lost (wholeSalvage), listed or not.
	FromBlocks int
	// ListedIn gives, for a message listed by a folder other than the one
	// its parent NID names, the listing folder: its damage is that
	// folder's.
	ListedIn map[uint32]uint32
	// Rows describes lost and damaged items from their surviving
	// contents-table rows (at most maxDescribed of them).
	Rows map[uint32]RowInfo
	// Unlinked are the messages known only by a property heap no node
	// links to (MSG-UNLINKED): lost, named by what the heap shows. Every
	// heap found among the blocks the scan keeps (ndb bounds them) is
	// listed, so that each may be recovered. Those read whole
	// (wholeSalvage) are recovered, in no folder, not lost.
	Unlinked []UnlinkedMessage
	// Unmatched counts the items a heap may be but cannot be matched to:
	// lost ones (the items folders' counts name beyond those their
	// listings do, and those whose row lost its subject and time) and
	// damaged ones (whose row lost them, or that no row lists and whose
	// heap cannot be read): a damaged one's heap may lie unused, a newer
	// or older version of what its node names. Heaps no item matches add
	// to the store's items only beyond them (pstcheck's unlinkedCounts).
	Unmatched struct{ Lost, Damaged int }
	// AttachParents counts the damaged normal items whose heap reads and
	// says they have attachments, and whose check failed after it: each
	// may have lost a message attached to it, found as a heap no node
	// links to (UnlinkedMessage.MaybeAttached).
	AttachParents int
	// UnusedFolders are, by NID, the folders Unlinked messages are placed
	// in by their listings found among the unused blocks, as their
	// parents' hierarchy tables describe them (nil: none).
	UnusedFolders map[uint32]FolderRow
	// Salvage gives, for a lost item whose contents-table row survives,
	// the blocks that still hold it: a heap no node links to, of the same
	// subject and time as the row (an older version of the item looks the
	// same), and its subnodes when they can be told apart. Reader.Salvage
	// reads what is left of it. Those found to be the item whole are
	// marked Whole, and the item is recovered (wholeSalvage).
	Salvage map[uint32]Remains
	// NameMapLost says the store's name-to-ID map cannot be read: items
	// with named properties cannot be read whole (ItemRef.NamesLost).
	NameMapLost bool
	// NameMapAsItIs says the map, lost so, reads as a map through blocks
	// whose one fault is their checksum (ndb's Tolerant view: a flipped
	// bit, a sector lost inside a block): the Reader names named
	// properties through it, each name possibly wrong, so items that
	// have them stay damaged (NamesLost) but keep them when written.
	NameMapAsItIs bool
	// StoreNodes are where the store's own nodes (NIDMessageStore, the
	// name-to-ID map) survive when their node is lost (STORE-UNLINKED,
	// storenodes.go).
	StoreNodes map[uint32]Remains
	// Complete says every item the store held is accounted for: the
	// hierarchy was read whole from the root and every folder's listing or
	// count survives. When false, items may be gone without a trace.
	Complete bool
	// IPMSubtree is the folder the message store names as the top of the
	// folders Outlook shows (0: none named; an OST names none).
	IPMSubtree uint32
	// Outbox is the folder the message store names as the one Outlook
	// sends mail from (0: none named: a store that sends no mail, or an
	// OST, whose entry IDs are Exchange's).
	Outbox uint32
}

// NoNodeLost says the check found no item or folder without its node: the
// hierarchy read whole, no folder's or listed item's node gone, none
// recovered without one, no store node or property heap found that no
// node links to. A block no node uses is then no item's.
func (r *Result) NoNodeLost() bool {
	if r == nil || !r.Complete || len(r.Unlinked) > 0 || len(r.StoreNodes) > 0 || r.FromBlocks > 0 {
		return false
	}
	for _, f := range r.Folders {
		if f.Lost > 0 || f.Recovered > 0 || f.NodeLost || f.Unreachable {
			return false
		}
	}
	return true
}

// ItemRef is a message a folder holds.
type ItemRef struct {
	NID   uint32
	State ItemState
	FAI   bool
	// Orphan says no folder lists the item although its folder's listing
	// was read whole (MSG-ORPHAN): Outlook does not show it.
	Orphan bool
	// NamesLost says the item is damaged only in that its named
	// properties cannot be read: the store's name-to-ID map is lost.
	NamesLost bool
	// Unreadable says the item is damaged and nothing of it can be read:
	// its property heap fails even as a lenient read takes it (a block
	// whose one fault is its checksum read as it is), so --include-damaged
	// writes nothing of it.
	Unreadable bool
}

// UnlinkedMessage is a message whose property heap survives in block
// Data, though no node index entry links to it; Sub is the subnode tree
// that alone fits it (0: none does), Whole says it was read whole
// (wholeSalvage): recovered. A store's lost messages number in the
// hundreds of thousands where its node index is destroyed, so each is
// kept in 80 bytes: its class as a handle (classes number in the dozens)
// and its time in nanoseconds (Class, Time).
type UnlinkedMessage struct {
	Remains
	class   unique.Handle[string]
	Subject string
	// unixTime is its time (as RowInfo.Time) in nanoseconds since 1970,
	// where timed; modified its heap's last modification time (exactTime;
	// 0: none).
	unixTime, modified int64
	// Folder is the folder whose contents table, found among the blocks
	// no node uses, alone lists the message (0: none can be told;
	// placeUnlinked); Result.UnusedFolders describes it.
	Folder uint32
	// MaybeAttached says its heap lacks a property every message of the
	// store carries (stamps.go): a message attached to another item,
	// whose attachment's subnode tree is lost, rather than an item of its
	// own.
	MaybeAttached bool
	timed         bool
}

// Class is the message's class.
func (u *UnlinkedMessage) Class() string { return u.class.Value() }

// Time is the message's time, as RowInfo.Time (zero: its heap keeps none).
func (u *UnlinkedMessage) Time() time.Time {
	if !u.timed {
		return time.Time{}
	}
	return time.Unix(0, u.unixTime).UTC()
}

// setTime keeps t as the message's time (made by FileTime, so that Time
// gives it back equal).
func (u *UnlinkedMessage) setTime(t time.Time) {
	u.timed = !t.IsZero()
	if u.timed {
		u.unixTime = t.UnixNano()
	}
}

// Remains are the blocks that still hold a message whose node is lost:
// its property heap (Data) and, when exactly one subnode tree no node uses
// fits it and fits no other such message, its subnodes (Sub; 0: none).
// Treeless says no subnode tree fits it and it needs none
// (matchSubnodes). Whole says they are the message itself, read whole
// (wholeSalvage): the item is recovered, not lost. Else Fault says why
// they are not taken for it (0: they were not weighed), and Newer names
// the failing block that may hold its current version.
type Remains struct {
	Data, Sub       uint64
	Treeless, Whole bool
	Fault           WholeFault
	Newer           uint64
}

// WholeFault is why a lost message's remains are not taken for the
// message whole (wholeSalvage).
type WholeFault uint8

const (
	// NoFault: they were taken whole, or not weighed.
	NoFault WholeFault = iota
	// NoOwnTree: it names subnodes or recipients, and no unused subnode
	// tree can be told to be its own.
	NoOwnTree
	// NewerTreeFails: an unused subnode tree newer than its own fails
	// (Remains.Newer), and may be its current one.
	NewerTreeFails
	// NewerBlockFails: an unused block newer than its heap fails
	// (Remains.Newer), and may hold its current version.
	NewerBlockFails
	// ReadFails: its blocks do not read whole.
	ReadFails
	// NamesUnreadable: its named properties cannot be read.
	NamesUnreadable
	// ChangedSince: its row says it changed after its heap was written.
	ChangedSince
)

// RowInfo is what a contents-table row says of an item.
type RowInfo struct {
	Subject string
	Time    time.Time // delivery time, else submit time, else last change
	// Modified is the row's last modification time (zero: none): the
	// version of the item the row describes.
	Modified time.Time
}

type walker struct {
	ctx context.Context
	res *ndb.Result
	// tolerant is Options.Tolerant.
	tolerant *ndb.Result
	sink     finding.Sink
	// newestFailing are the newest unused blocks that fail and may be a
	// lost message's current heap or subnode tree (newestFailingOf, once
	// unlinked has read the unused trees).
	newestFailing struct{ Internal, Data uint64 }
	// failingInternal counts the unused internal blocks that fail
	// (newestFailingOf).
	failingInternal int
	// stamps are the properties every normal message checked carries,
	// learned where heaps no node uses are weighed (stamps.go).
	stamps stamps
	// unusedTrees are the subnode trees no node uses (unlinked), and
	// unusedRows the rows of the unused contents tables (read once, when
	// first needed: unusedContentsRows).
	unusedTrees ndb.UnusedTrees
	unusedRows  *versions
	// propertyHeaps marks, by index in res.Unlinked, the blocks unlinked
	// found to be property heaps: no table's (unusedContentsRows).
	propertyHeaps []uint64
	// unusedFolders are the folders the unused tables name, and the
	// folder each contents table among them lists (placeUnlinked).
	unusedFolders unusedFolders
	// heapVersions are the versions of the message heaps no node uses.
	heapVersions versions
	unicode      bool
	keepItems    bool
	// queuedNode has a bit per NBT entry: the message is queued (a listing
	// or its parent NID reached it); queuedMissing holds the NIDs listed
	// that no node has.
	queuedNode    []uint64
	queuedMissing map[uint32]bool
	seenFolder    map[uint32]bool
	// ipmSubtree is the folder the store names as the top of its mail
	// (0: none named): a walk that misses it is not complete.
	ipmSubtree  uint32
	folderIndex map[uint32]int
	// subfoldersListed and itemsListed say which folders' hierarchy and
	// contents tables were read whole: only then is a node they do not
	// list an orphan rather than a consequence of damage already reported.
	subfoldersListed, itemsListed map[uint32]bool
	// rowNames are the names hierarchy rows give their subfolders, for a
	// folder whose own node or properties are lost.
	rowNames map[uint32]string
	// byParent indexes message nodes by their parent folder, to recover a
	// folder's items when its contents table is lost; made when first
	// needed.
	byParent map[uint32][]uint32
	// salvageable are the heaps no node uses that are the store's own
	// nodes', unusedRoots the unused subnode trees (storeHeaps).
	salvageable map[uint32][]storeHeap
	unusedRoots []uint64
	// queue holds the messages the folder walk found, checked afterwards
	// in the file order of their data so that reads go forward.
	queue []queued
	// orphaned are the messages a folder's complete listing leaves out.
	orphaned []uint32
	// known holds the fingerprints of the messages found, listed or not,
	// when unlinked heaps are to be told apart from them, with their
	// creation times; after the walk, those of the rows of lost and
	// damaged items too.
	known knownPrints
	// countMayBeOld says a folder whose listing is lost is counted by a
	// count read through the rebuilt index, maybe an older version's.
	countMayBeOld bool
	// kept counts the items listed in out.Items.
	kept int
	// chk reads the folders' own nodes and tables; it also carries what the
	// message checkers need to know of the store.
	chk     checker
	workers int
	// codepage decodes the store's 8-bit strings (ANSI files);
	// codepageKnown says a message said which it is (storeCodepage).
	codepage      uint32
	codepageKnown bool
	out           Result
}

type queued struct {
	nid, folder uint32
	// at orders the queue: where the item's data lies in the file.
	at     uint32
	normal bool // a normal item, not an FAI one
	listed bool // a contents or FAI table lists it
}

// Options tune Check.
type Options struct {
	// Workers is how many goroutines check messages (at least 1).
	Workers int
	// KeepItems keeps every item in Result.Items, for reading them; else
	// only the exceptions are kept, so that memory does not grow with the
	// number of items.
	KeepItems bool
	// Tolerant is a tolerant view of the store (ndb.Result.Tolerant) made
	// before anything beside the check writes to it: the checkers' lenient
	// looks at damaged heaps copy it, not the store's result, which the
	// allocation pass running beside them still writes (nil: made here).
	Tolerant *ndb.Result
}

// maxKept bounds the items listed in Result.Items (unless all are to be
// kept), so that a destroyed store cannot fill memory: the rest are
// counted. (The unlinked messages are bounded by the blocks the scan keeps.)
const maxKept = 100_000

// Check walks the store, checking messages on opts.Workers goroutines.
// res must come from a completed ndb.Scan.
func Check(ctx context.Context, res *ndb.Result, sink finding.Sink, opts Options) *Result {
	w := &walker{ctx: ctx, res: res, tolerant: opts.Tolerant, chk: checker{res: res}, sink: sink, unicode: res.Header.Kind != ndb.ANSI,
		keepItems: opts.KeepItems, queuedNode: make([]uint64, (res.NBT.Len()+63)/64), queuedMissing: map[uint32]bool{},
		seenFolder: map[uint32]bool{}, folderIndex: map[uint32]int{},
		subfoldersListed: map[uint32]bool{}, itemsListed: map[uint32]bool{}, rowNames: map[uint32]string{},
		workers: max(opts.Workers, 1)}
	w.out.Items = map[uint32][]ItemRef{}
	if res.Header.Crypt > 2 {
		return &w.out // item data cannot be decoded (HDR-CRYPT says so)
	}
	w.codepage = 1252
	if !w.unicode {
		w.codepage, w.codepageKnown = w.storeCodepage()
	}
	w.out.Codepage = w.codepage
	w.store()
	w.nameMap()
	w.queue = make([]queued, 0, w.messageNodes())
	w.folders()
	w.unlisted()
	w.nestUnreachable()
	// What reading the folders' tables took (a contents table of 240,000
	// rows takes tens of MB) goes back before the messages are checked.
	w.chk.mem = memory{}
	w.messages()
	w.orphans()
	w.account()
	w.unlinked()
	w.wholeSalvage()
	w.placeUnlinked()
	// A copy: &w.out would keep the whole walker alive as long as the
	// result, its queue among it (16 bytes a message, 32 MB for 2 million
	// items), while an export or repair reads the items.
	out := w.out
	return &out
}

// messageNodes counts the message nodes: what the queue will hold, but
// for listed messages that have no node.
func (w *walker) messageNodes() int {
	n := 0
	for _, e := range w.res.NBT.All() {
		if t := e.NID & 0x1F; t == ndb.NIDTypeMessage || t == ndb.NIDTypeAssocMessage {
			n++
		}
	}
	return n
}

func (w *walker) report(code finding.Code, nid, folder uint32, off int64, bid uint64, format string, a ...any) {
	w.sink.Report(finding.Finding{Code: code, Offset: off, BID: bid, NID: nid, FolderNID: folder, Detail: fmt.Sprintf(format, a...)})
}

// fail reports why a node could not be read: NDB damage was reported by
// the NDB passes already (only LTP damage is new here).
func (w *walker) fail(err error, nid, folder uint32, what string) {
	switch e := err.(type) {
	case *ndb.ReadError:
		// The block or tree was reported by the node pass with this node's
		// NID; nothing new to say, unless no pass checks what stopped it.
		if e.Unreported {
			w.report(e.Code, nid, folder, finding.NoOffset, e.BID, "%s 0x%X: %s", what, nid, e.Detail)
		}
	case *ltp.Error:
		w.report(e.Code, nid, folder, finding.NoOffset, 0, "%s 0x%X: %s", what, nid, e.Detail)
	default:
		w.report(finding.MessageDamaged, nid, folder, finding.NoOffset, 0, "%s 0x%X: %v", what, nid, err)
	}
}

// node reads a top-level node's data (into the walker's arena) and
// subnodes.
func (w *walker) node(nid uint32) ([]ndb.Block, map[uint32]ndb.Subnode, error) {
	n, ok := w.res.Node(nid)
	if !ok {
		return nil, nil, errMissing
	}
	subs, err := w.res.Subnodes(n.Sub, w.chk.mem.blocks())
	if err != nil {
		return nil, nil, err
	}
	data, err := w.res.ReadBlocks(n.Data, w.chk.mem.blocks())
	return data, subs, err
}

var (
	errNameStreams = errors.New("its streams do not read as a map")
	errMissing     = errors.New("node missing")
	errNotMessage  = errors.New("not a message")
)

func subnodeSet(subs map[uint32]ndb.Subnode) ltp.SubnodeSet { return subnodeMap(subs) }

func (w *walker) store() {
	data, subs, err := w.node(NIDMessageStore)
	if lostNode(err) {
		if pc, ok := w.salvageStoreNode(NIDMessageStore, err, validStore); ok {
			w.storeFolders(pc)
			return
		}
	}
	if err == errMissing {
		w.report(finding.StoreRoot, NIDMessageStore, 0, finding.NoOffset, 0, "the message store node 0x21 is missing")
		return
	}
	if err != nil {
		w.fail(err, NIDMessageStore, 0, "message store")
		return
	}
	pc, err := ltp.OpenPC(w.chk.mem.objects(), data, w.res.Decoder(), subnodeSet(subs))
	if err != nil {
		w.fail(err, NIDMessageStore, 0, "message store")
		return
	}
	w.storeFolders(pc)
}

// storeFolders takes what the message store's properties say of the
// store: its password and the folders its entry IDs name.
func (w *walker) storeFolders(pc *ltp.PC) {
	w.out.Password = password(pc)
	w.ipmSubtree = entryNID(pc, propIPMSubtreeEntryID) // the top of the folders Outlook shows
	w.out.IPMSubtree = w.ipmSubtree
	w.out.Outbox = entryNID(pc, propOutboxEntryID)
}

// entryNID is the NID of the folder the store's entry ID property prop
// names (MS-PST 2.4.3.2: flags, the store's UID, the NID), 0 when there is
// none, or it is not a PST's (an OST's are Exchange's).
func entryNID(pc *ltp.PC, prop uint16) uint32 {
	if e, ok := pc.Get(prop); ok {
		if id := pc.Bytes(e); len(id) == 24 {
			return binary.LittleEndian.Uint32(id[20:])
		}
	}
	return 0
}

// password says whether a store's properties set a PST password: the
// CRC-32 of one, neither 0 (none) nor 0xFFFFFFFF, which OSTs keep there
// (Outlook asks for no OST's password).
func password(pc *ltp.PC) bool {
	p, ok := pc.Get(propPstPassword)
	return ok && p.Type == ltp.TypeInt32 && p.Value != 0 && p.Value != 0xFFFFFFFF
}

// nidNameToIDMap is the store's name-to-ID map (MS-PST 2.4.7).
const nidNameToIDMap = 0x61

// nameMap checks that the name-to-ID map can be read: without it no named
// property (0x8000 and up) of any item can be interpreted.
func (w *walker) nameMap() {
	w.chk.mem.reset()
	data, subs, err := w.node(nidNameToIDMap)
	var pc *ltp.PC
	if err == nil {
		pc, err = ltp.OpenPC(w.chk.mem.objects(), data, w.res.Decoder(), subnodeSet(subs))
	}
	if err == nil {
		// Its streams must read as a map too: the export names each named
		// property from them, and without them none can be named. The IDs
		// it names then tell the items that use another (a map read
		// through a rebuilt index may be an older copy).
		ids, ok := w.readNameMap(w.res, pc, subs, false)
		if ok {
			w.chk.names = ids
			return
		}
		err = errNameStreams
	}
	if lostNode(err) {
		var ids *namedIDs
		if _, ok := w.salvageStoreNode(nidNameToIDMap, err, func(pc *ltp.PC, subs map[uint32]ndb.Subnode) (ok bool) {
			ids, ok = w.readNameMap(w.res, pc, subs, false)
			return ok
		}); ok {
			w.chk.names = ids
			return
		}
	}
	w.out.NameMapLost = true
	w.chk.nameMapLost = true
	detail := "the name-to-ID map node 0x61 is missing"
	if err != errMissing {
		detail = "the name-to-ID map node 0x61 cannot be read: " + err.Error()
	}
	if err != errMissing && w.nameMapAsItIs() {
		w.out.NameMapAsItIs = true
		detail += "; read as it is, the named properties are named through it, and any name may be wrong"
	}
	w.report(finding.StoreNameMap, nidNameToIDMap, 0, finding.NoOffset, 0, "%s", detail)
}

// nameMapAsItIs says whether the name-to-ID map, which does not read,
// reads as a map through the blocks whose one fault is their checksum
// (ndb's Tolerant view): what a flipped bit or a sector lost inside a
// block leaves of it names nearly every named property right.
func (w *walker) nameMapAsItIs() bool {
	if w.tolerant == nil {
		return false
	}
	var unverified []uint64
	res := w.tolerant.Tolerant(&unverified)
	n, ok := res.Node(nidNameToIDMap)
	if !ok {
		return false
	}
	w.chk.mem.reset()
	subs, err := res.Subnodes(n.Sub, w.chk.mem.blocks())
	if err != nil {
		return false
	}
	data, err := res.ReadBlocks(n.Data, w.chk.mem.blocks())
	if err != nil {
		return false
	}
	pc, err := ltp.OpenPC(w.chk.mem.objects(), data, res.Decoder(), subnodeSet(subs))
	if err != nil {
		return false
	}
	// Only a map that reads through a block failing its checksum: one
	// whose records do not read where every block verifies was written so.
	_, ok = w.readNameMap(res, pc, subs, true)
	return ok && len(unverified) > 0
}

// str decodes a string property.
func (w *walker) str(pc *ltp.PC, id uint16) (string, bool) {
	p, ok := pc.Get(id)
	if !ok {
		return "", false
	}
	return decodeString(p.Type, pc.Bytes(p), w.codepage)
}
