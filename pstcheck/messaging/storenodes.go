package messaging

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// The store's own nodes, the message store (0x21: the store's name and
// identity, its special folders) and the name-to-ID map (0x61: the names
// of the named properties, calendar times, locations and contact fields
// among them), sit in the first NBT leaf with the root folder. When that
// page is lost, their blocks usually survive, linked to nothing, and
// without the map every named field of every item is unreadable. Each is
// told apart by its properties alone; the subnode tree its large values
// are in by holding every subnode its heap names; and a pairing must read
// as that node does (salvageStoreNode). Of several copies the newest
// (block IDs grow as blocks are written) that reads wins. The map only
// grows, each name keeping its ID, so an older copy names fewer
// properties, never one wrongly: an item using an ID it does not name
// counts as damaged, as with no map at all.

// Properties of the store's own nodes.
const (
	propRecordKey          = 0x0FF9 // PidTagRecordKey: the store's provider UID
	propIPMSubtreeEntryID  = 0x35E0
	propOutboxEntryID      = 0x35E2 // PidTagIpmOutboxEntryId
	propNameidBucketCount  = 0x0001 // the name-to-ID map's (MS-PST 2.4.7.1)
	propNameidStreamGUID   = 0x0002
	propNameidStreamEntry  = 0x0003
	propNameidStreamString = 0x0004
)

// maxStoreCopies bounds the copies of a store node tried, newest first.
const maxStoreCopies = 8

// storeNodeNames name the store's own nodes in findings.
var storeNodeNames = map[uint32]string{NIDMessageStore: "message store", nidNameToIDMap: "name-to-ID map"}

// storeHeap is a heap no node uses that is a store node's, with the
// subnodes it names.
type storeHeap struct {
	bid   uint64
	needs []uint32
}

// storeHeaps finds, once, the heaps among the blocks no node uses that
// are the message store's and the name-to-ID map's, newest first, and the
// unused subnode trees, newest first.
func (w *walker) storeHeaps() (byNode map[uint32][]storeHeap, roots []uint64) {
	if w.salvageable != nil {
		return w.salvageable, w.unusedRoots
	}
	w.salvageable = map[uint32][]storeHeap{}
	w.chk.mem.reset()
	trees := w.res.UnusedSubnodeTrees(w.chk.mem.blocks())
	w.unusedRoots = slices.Clone(trees.Roots)
	slices.SortFunc(w.unusedRoots, func(a, b uint64) int { return cmp.Compare(b, a) })
	// A heap is a data block, or a data tree when it is larger (a map
	// with many names).
	bids := slices.Concat(trees.DataTrees, w.res.Unlinked)
	for _, bid := range bids {
		if w.ctx.Err() != nil {
			break
		}
		pc, ok := w.peekHeap(bid)
		if !ok {
			continue
		}
		var nid uint32
		switch {
		case isStoreHeap(pc):
			nid = NIDMessageStore
		case isNameMapHeap(pc):
			nid = nidNameToIDMap
		default:
			continue
		}
		w.salvageable[nid] = append(w.salvageable[nid], storeHeap{bid, appendSubnodesNamed(nil, pc)})
	}
	for _, heaps := range w.salvageable {
		slices.SortFunc(heaps, func(a, b storeHeap) int { return cmp.Compare(b.bid, a.bid) })
	}
	return w.salvageable, w.unusedRoots
}

// salvageStoreNode finds the surviving blocks of store node nid: the
// newest heap of its kind, with the subnode tree its large values are in
// when it names one, whose properties read as valid says. It records
// them (Result.StoreNodes) and reports them (STORE-UNLINKED; lost is why
// the node cannot be read), and returns the properties read.
func (w *walker) salvageStoreNode(nid uint32, lost error, valid func(*ltp.PC, map[uint32]ndb.Subnode) bool) (*ltp.PC, bool) {
	byNode, roots := w.storeHeaps()
	heaps := byNode[nid]
	// Each is paired with every unused tree: a file full of forged copies
	// must not make that a square of the file's blocks.
	heaps = heaps[:min(len(heaps), maxStoreCopies)]
	for _, h := range heaps {
		fits := []uint64{0}
		if len(h.needs) > 0 {
			fits = roots
		}
		for _, root := range fits {
			subs, err := w.res.Subnodes(root, nil)
			if err != nil || !holdsAll(subs, h.needs) {
				continue
			}
			// Read for each try: opening a heap decodes its blocks in place.
			blocks, err := w.res.ReadBlocks(h.bid, nil)
			if err != nil {
				continue
			}
			pc, err := ltp.OpenPC(nil, blocks, w.res.Decoder(), subnodeSet(subs))
			if err != nil || !valid(pc, subs) {
				continue
			}
			if w.out.StoreNodes == nil {
				w.out.StoreNodes = map[uint32]Remains{}
			}
			w.out.StoreNodes[nid] = Remains{Data: h.bid, Sub: root}
			detail := fmt.Sprintf("the %s node 0x%X is missing", storeNodeNames[nid], nid)
			if lost != errMissing {
				detail = fmt.Sprintf("the %s node 0x%X cannot be read (%v)", storeNodeNames[nid], nid, lost)
			}
			detail += fmt.Sprintf("; its properties survive in block 0x%X", h.bid)
			if root != 0 {
				detail += fmt.Sprintf(", its large values in the subnode tree 0x%X", root)
			}
			w.report(finding.StoreUnlinked, nid, 0, w.res.BlockOffset(h.bid), h.bid, "%s", detail)
			return pc, true
		}
	}
	return nil, false
}

// lostNode says whether err is that of a node lost with an index page:
// missing, or named by an older page that survived with a block since
// freed. Its blocks may survive, linked to nothing.
func lostNode(err error) bool {
	var re *ndb.ReadError
	return err == errMissing || errors.As(err, &re) && re.Code == finding.NodeBlockMissing
}

// isStoreHeap says whether a property heap is a message store's: a
// provider UID and a password slot, which no folder or message has.
func isStoreHeap(pc *ltp.PC) bool {
	p, ok := pc.Get(propRecordKey)
	_, pw := pc.Get(propPstPassword)
	return ok && p.Type == ltp.TypeBinary && pw
}

// validStore says whether a store heap reads as one: a 16-byte provider
// UID, which the IPM subtree's entry ID names when it has one (a PST's
// store does; an OST's keeps it elsewhere).
func validStore(pc *ltp.PC, _ map[uint32]ndb.Subnode) bool {
	p, _ := pc.Get(propRecordKey)
	uid := pc.Bytes(p)
	if len(uid) != 16 {
		return false
	}
	if e, ok := pc.Get(propIPMSubtreeEntryID); ok {
		id := pc.Bytes(e)
		return len(id) == 24 && bytes.Equal(id[4:20], uid)
	}
	return true
}

// isNameMapHeap says whether a property heap is a name-to-ID map's: the
// bucket count and the three streams.
func isNameMapHeap(pc *ltp.PC) bool {
	if p, ok := pc.Get(propNameidBucketCount); !ok || p.Type != ltp.TypeInt32 {
		return false
	}
	for _, id := range []uint16{propNameidStreamGUID, propNameidStreamEntry, propNameidStreamString} {
		if p, ok := pc.Get(id); !ok || p.Type != ltp.TypeBinary {
			return false
		}
	}
	return true
}

// namedIDs says which named property IDs (less 0x8000) a map names.
type namedIDs [0x8000 / 64]uint64

func (s *namedIDs) has(id uint16) bool {
	return id >= 0x8000 && s[(id-0x8000)/64]&(1<<((id-0x8000)%64)) != 0
}

// namesAll says whether ids names every named property of pc.
func namesAll(pc *ltp.PC, ids *namedIDs) bool {
	for _, p := range pc.Props {
		if p.ID >= 0x8000 && !ids.has(p.ID) {
			return false
		}
	}
	return true
}

// readNameMap reads a name-to-ID map's streams through res and says
// whether they read as a map: whole, of whole records, every record
// naming a property set and a name inside them, each ID once. It returns
// the IDs the map names. asItIs, for a map read through blocks whose
// checksum fails, passes over the records that do not (a changed byte
// spoils one, a lost sector a few dozen) as long as more of them read
// than not: the IDs returned are those of the records that read.
func (w *walker) readNameMap(res *ndb.Result, pc *ltp.PC, subs map[uint32]ndb.Subnode, asItIs bool) (*namedIDs, bool) {
	var streams [3][]byte
	for i, id := range []uint16{propNameidStreamGUID, propNameidStreamEntry, propNameidStreamString} {
		p, _ := pc.Get(id)
		v, err := valueReader{res: res}.hnid(pc.Heap, subs, p.Value, id, p.Type)
		if err != nil {
			return nil, false
		}
		streams[i] = v.Data
	}
	guids, entries, strs := streams[0], streams[1], streams[2]
	if len(guids)%16 != 0 || len(entries)%8 != 0 || len(entries) == 0 {
		return nil, false
	}
	ids := new(namedIDs)
	bad := 0
	for i := 0; i < len(entries); i += 8 {
		n := nameRecordAt(entries[i:])
		ok := n.guid < 3+len(guids)/16 && n.index < 0x8000 && !ids.has(0x8000+n.index)
		if ok && n.str { // a string: its byte length, then UTF-16LE
			ok = uint64(n.id)+4 <= uint64(len(strs)) && uint64(n.id)+4+uint64(binary.LittleEndian.Uint32(strs[n.id:])) <= uint64(len(strs))
		}
		switch {
		case ok:
			ids[n.index/64] |= 1 << (n.index % 64)
		case !asItIs:
			return nil, false
		default:
			bad++
		}
	}
	return ids, bad < len(entries)/8-bad
}
