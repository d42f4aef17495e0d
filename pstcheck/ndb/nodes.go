package ndb

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Bounds on what one node's trees may hold. Data trees have at most two
// internal levels by construction (XXBLOCK -> XBLOCK -> data); subnode trees
// nest when a subnode has subnodes of its own (an attachment holding an
// embedded message), which Outlook keeps shallow.
const (
	maxSubnodeDepth = 16
	maxDamageKept   = 32 // damaged blocks remembered per internal block
)

// maxUnlinked bounds the unused blocks of each kind (data, internal) kept
// for the messaging layer to look at after the node index lost entries
// (a variable for the tests).
var maxUnlinked = 1 << 20

// damageRef is one damaged or missing block under a node.
type damageRef struct {
	bid  uint64
	ib   int64
	code finding.Code // the block's own problem, or a tree-structure code
	via  uint32       // the subnode NID that holds it, 0 for the node itself
}

// treeInfo is what was learned about an internal block. It is kept, so
// that a block shared by many nodes is parsed and its children counted
// once: for a sound block its type and level in a byte per block (and the
// size of a data tree), for a damaged one whole.
type treeInfo struct {
	btype  uint8
	level  uint8
	size   uint64 // lcbTotal of an XBLOCK/XXBLOCK
	damage []damageRef
	more   int // damaged blocks beyond maxDamageKept
}

// Per-block tree states, kept in nodeWalk.tree: 0 for a block not walked
// yet; treeWalking while its tree is being walked; else treeDone with the
// type and level of a sound block, or treeDamaged.
const (
	treeWalking = 0x80
	treeDone    = 0x40
	treeDamaged = 0x20
	// a sound block's type (1 or 2) in bits 2-3 and level (0 to 2) in bits
	// 0-1
)

type nodeWalk struct {
	s    *Scanner
	refs []uint16
	// tree holds each internal block's state; damaged the whole treeInfo
	// of damaged ones, sizes the lcbTotal of sound data trees.
	tree    []uint8
	damaged map[int32]*treeInfo
	sizes   map[int32]uint64
	nid     uint32 // node being checked, for structure findings
	// rebuilt is set when the node uses a block the index rebuild added.
	rebuilt bool
	inf     blockInflater
	buf     []byte
	win     window
	// held holds the internal blocks read for the node being checked: the
	// walk goes through a block's entries while it reads the blocks they
	// list. It is emptied for each node, so reading allocates only while
	// it grows.
	held []byte
}

// checkNodes is the node pass (CheckNodes): for every NBT entry, its data
// and subnode BIDs exist, its data and subnode trees are well formed, and
// every damaged block it uses is attributed to it and to its folder. It
// also counts references to every block to check the BBT's cRef.
func (s *Scanner) checkNodes(ctx context.Context) {
	w := &nodeWalk{s: s, refs: make([]uint16, s.res.BBT.Len()), tree: make([]uint8, s.res.BBT.Len()),
		damaged: map[int32]*treeInfo{}, sizes: map[int32]uint64{}}
	s.res.NodeDamaged = map[uint32]bool{}
	for i := range s.res.NBT.Len() {
		if i%4096 == 0 && ctx.Err() != nil {
			s.settleHeldBack(nil)
			return
		}
		n := s.res.NBT.Entry(i)
		w.nid, w.rebuilt, w.held = n.NID, false, w.held[:0]
		var dmg []damageRef
		more := 0
		if n.Data != 0 {
			_, d, m := w.data(n.Data, 0)
			dmg, more = append(dmg, d...), more+m
		}
		if n.Sub != 0 {
			d, m := w.sub(n.Sub, 0, 0)
			dmg, more = append(dmg, d...), more+m
		}
		if n.Parent != 0 && s.node(n.Parent) < 0 {
			s.report(finding.Finding{Code: finding.NodeParent, Offset: finding.NoOffset, NID: n.NID, FolderNID: n.Parent,
				Detail: fmt.Sprintf("%s 0x%X names parent 0x%X, which is not in the NBT", NIDKind(n.NID), n.NID, n.Parent)})
		}
		if len(dmg) > 0 {
			s.res.NodeDamaged[n.NID] = true
			s.attribute(n, dmg, more)
		}
		if w.rebuilt {
			s.res.NBT.setRebuilt(i)
		}
	}
	s.settleHeldBack(w.refs)
	s.checkRefCounts(w.refs)
}

// FolderOf returns the folder a node belongs to: a folder is its own; a
// folder's hierarchy, contents and FAI tables belong to the folder with
// the same index; anything else to its parent NID.
func FolderOf(n NBTEntry) uint32 {
	switch n.NID & 0x1F {
	case NIDTypeFolder, NIDTypeSearchFolder:
		return n.NID
	case NIDTypeHierarchyTable, NIDTypeContentsTable, NIDTypeAssocContents:
		return n.NID&^0x1F | NIDTypeFolder
	}
	return n.Parent
}

func (s *Scanner) attribute(n NBTEntry, dmg []damageRef, more int) {
	folder := FolderOf(n)
	for _, d := range dmg {
		code := finding.NodeBlockDamaged
		if d.code == finding.NodeBlockMissing {
			code = finding.NodeBlockMissing
		}
		where := ""
		if d.via != 0 {
			where = fmt.Sprintf(" in its subnode 0x%X", d.via)
		}
		what := fmt.Sprintf("block 0x%X is damaged (%s)", d.bid, d.code)
		switch d.code {
		case finding.NodeBlockMissing:
			what = fmt.Sprintf("block 0x%X is not in the BBT", d.bid)
			switch {
			case d.ib < 0:
			case s.pageInFile(uint64(d.ib)):
				what += fmt.Sprintf(" (the BBT page at 0x%X that would list it is damaged)", d.ib)
			case d.ib+s.h.Layout.PageSize > s.size:
				what += fmt.Sprintf(" (the BBT page at 0x%X that would list it lies past the end of the file)", d.ib)
			default: // no page's place: named by a header that is destroyed
				what += " (the BBT page that would list it is lost)"
			}
		case finding.NodeDataTree, finding.NodeSubnodeTree, finding.NodeTreeCycle:
			what = fmt.Sprintf("its tree at block 0x%X is malformed (%s)", d.bid, d.code)
		}
		off := d.ib
		if d.code == finding.NodeBlockMissing {
			off = finding.NoOffset
		}
		s.report(finding.Finding{Code: code, Offset: off, BID: d.bid, NID: n.NID, FolderNID: folder,
			Detail: fmt.Sprintf("%s 0x%X: %s%s", NIDKind(n.NID), n.NID, what, where)})
	}
	if more > 0 {
		s.report(finding.Finding{Code: finding.NodeBlockDamaged, Offset: finding.NoOffset, NID: n.NID, FolderNID: folder,
			Detail: fmt.Sprintf("%s 0x%X: %d more damaged blocks", NIDKind(n.NID), n.NID, more)})
	}
}

// lookup finds bid in the BBT and counts the reference. A missing block is
// returned as damage.
func (w *nodeWalk) lookup(bid uint64, via uint32) (int, []damageRef) {
	i := w.s.block(bid)
	if i < 0 {
		return -1, []damageRef{{bid: bid &^ bidReserved, ib: w.s.lostPage(bid), code: finding.NodeBlockMissing, via: via}}
	}
	if w.refs[i] < 0xFFFF {
		w.refs[i]++
	}
	if w.s.res.BBT.Found(i) != FoundInTree {
		w.rebuilt = true
	}
	if c := w.s.res.BBT.State(i).Code(); c != "" {
		return i, []damageRef{{bid: bid &^ bidReserved, ib: int64(w.s.res.BBT.IB(i)), code: c, via: via}}
	}
	return i, nil
}

// data checks a data tree rooted at bid and returns the bytes it holds and
// the damage under it.
func (w *nodeWalk) data(bid uint64, via uint32) (uint64, []damageRef, int) {
	i, dmg := w.lookup(bid, via)
	if i < 0 || dmg != nil {
		return 0, dmg, 0
	}
	e := w.s.res.BBT.Entry(i)
	if !IsInternal(e.BID) {
		return uint64(e.Inflated), nil, 0
	}
	t := w.internal(i, via, 1)
	if t.btype != 1 && len(t.damage) == 0 {
		// This node's misuse of a block, not a fault of the block: the
		// cached tree stays as it is for the nodes that use it rightly.
		return 0, w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("block 0x%X is a subnode block (type %d) where a data tree belongs", e.BID, t.btype)), 0
	}
	return t.size, t.damage, t.more
}

// sub checks a subnode tree rooted at bid.
func (w *nodeWalk) sub(bid uint64, via uint32, depth int) ([]damageRef, int) {
	i, dmg := w.lookup(bid, via)
	if i < 0 || dmg != nil {
		return dmg, 0
	}
	e := w.s.res.BBT.Entry(i)
	if !IsInternal(e.BID) {
		return w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("subnode tree points at data block 0x%X", e.BID)), 0
	}
	if depth > maxSubnodeDepth {
		return w.structure(finding.NodeTreeCycle, e, via, fmt.Sprintf("subnode trees nest deeper than %d levels", maxSubnodeDepth)), 0
	}
	t := w.internal(i, via, depth)
	if t.btype != 2 && len(t.damage) == 0 {
		return w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("block 0x%X is a data tree block where a subnode tree belongs", e.BID)), 0
	}
	return t.damage, t.more
}

// structure reports a malformed tree once (with the node that found it)
// and returns it as damage for every node that uses the block.
func (w *nodeWalk) structure(code finding.Code, e BBTEntry, via uint32, detail string) []damageRef {
	f := finding.Finding{Code: code, Offset: int64(e.IB), BID: e.BID, NID: w.nid, Detail: detail}
	if n := w.s.node(w.nid); n >= 0 {
		f.FolderNID = FolderOf(w.s.res.NBT.Entry(n))
	}
	if via != 0 {
		f.Detail += fmt.Sprintf(" (subnode 0x%X)", via)
	}
	w.s.report(f)
	return []damageRef{{bid: e.BID, ib: int64(e.IB), code: code, via: via}}
}

// internal parses an internal block once and validates its children.
func (w *nodeWalk) internal(i int, via uint32, depth int) treeInfo {
	e := w.s.res.BBT.Entry(i)
	switch st := w.tree[i]; {
	case st&treeWalking != 0:
		t := treeInfo{btype: st >> 2 & 3, level: st & 3}
		t.damage = w.structure(finding.NodeTreeCycle, e, via, fmt.Sprintf("block 0x%X is reached again from inside its own tree", e.BID))
		return t
	case st&treeDamaged != 0:
		return *w.damaged[int32(i)]
	case st&treeDone != 0:
		return treeInfo{btype: st >> 2 & 3, level: st & 3, size: w.sizes[int32(i)]}
	}
	w.tree[i] = treeWalking
	t := w.parseInternal(i, e, via, depth)
	switch {
	case len(t.damage) > 0 || t.more > 0 || t.btype < 1 || t.btype > 2 || t.level > 2:
		w.tree[i] = treeDamaged
		d := t // only a damaged tree's info goes to the heap
		w.damaged[int32(i)] = &d
	default:
		w.tree[i] = treeDone | t.btype<<2 | t.level
		if t.size != 0 {
			w.sizes[int32(i)] = t.size
		}
	}
	return t
}

// parseInternal reads the internal block at BBT index i and validates
// its children.
func (w *nodeWalk) parseInternal(i int, e BBTEntry, via uint32, depth int) treeInfo {
	var t treeInfo
	b, err := w.read(i, e)
	if err != nil {
		t.damage = []damageRef{{bid: e.BID, ib: int64(e.IB), code: finding.FileRead, via: via}}
		return t
	}
	if len(b) < 4 {
		t.damage = w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("internal block 0x%X is %d bytes, too short for a header", e.BID, len(b)))
		return t
	}
	t.btype, t.level = b[0], b[1]
	cEnt := int(binary.LittleEndian.Uint16(b[2:]))
	switch t.btype {
	case 1:
		w.xblock(&t, e, b, cEnt, via)
	case 2:
		w.slblock(&t, e, b, cEnt, via, depth)
	default:
		t.damage = w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("internal block 0x%X has type %d (want 1 data tree or 2 subnode tree)", e.BID, t.btype))
	}
	return t
}

func (t *treeInfo) add(d []damageRef, more int) {
	for _, x := range d {
		if len(t.damage) < maxDamageKept {
			t.damage = append(t.damage, x)
		} else {
			t.more++
		}
	}
	t.more += more
}

// xblock validates an XBLOCK (level 1: data block BIDs) or XXBLOCK
// (level 2: XBLOCK BIDs) and that the sizes add up to lcbTotal.
func (w *nodeWalk) xblock(t *treeInfo, e BBTEntry, b []byte, cEnt int, via uint32) {
	l := &w.s.h.Layout
	if t.level != 1 && t.level != 2 {
		t.damage = w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("data tree block 0x%X has level %d (want 1 or 2)", e.BID, t.level))
		return
	}
	if len(b) < 8 || cEnt == 0 || 8+cEnt*l.BIDSize > len(b) {
		t.damage = w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("data tree block 0x%X lists %d BIDs in %d bytes", e.BID, cEnt, len(b)))
		return
	}
	t.size = uint64(binary.LittleEndian.Uint32(b[4:]))
	var total uint64
	sound := true
	for k := 0; k < cEnt; k++ {
		child := l.uint(b[8+k*l.BIDSize:])
		if t.level == 2 {
			ci, d := w.lookup(child, via)
			if ci < 0 || d != nil {
				t.add(d, 0)
				sound = false
				continue
			}
			ce := w.s.res.BBT.Entry(ci)
			if !IsInternal(ce.BID) {
				t.add(w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("XXBLOCK 0x%X lists data block 0x%X where an XBLOCK belongs", e.BID, ce.BID)), 0)
				sound = false
				continue
			}
			ct := w.internal(ci, via, 1)
			if len(ct.damage) > 0 || ct.more > 0 {
				t.add(ct.damage, ct.more)
				sound = false
				continue
			}
			if ct.btype != 1 || ct.level != 1 {
				t.add(w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("XXBLOCK 0x%X lists block 0x%X of type %d level %d (want an XBLOCK)", e.BID, ce.BID, ct.btype, ct.level)), 0)
				sound = false
				continue
			}
			total += ct.size
			continue
		}
		if IsInternal(child) {
			ci, d := w.lookup(child, via)
			if d != nil {
				t.add(d, 0)
			} else if ci >= 0 {
				t.add(w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("XBLOCK 0x%X lists internal block 0x%X where a data block belongs", e.BID, child)), 0)
			}
			sound = false
			continue
		}
		size, d, m := w.data(child, via)
		if d != nil {
			t.add(d, m)
			sound = false
			continue
		}
		total += size
	}
	if sound && total != t.size {
		t.add(w.structure(finding.NodeDataTree, e, via, fmt.Sprintf("data tree block 0x%X says %d bytes, its blocks hold %d", e.BID, t.size, total)), 0)
	}
}

// slblock validates an SLBLOCK (level 0: subnode entries with their data
// and nested subnode trees) or SIBLOCK (level 1: SLBLOCK BIDs).
func (w *nodeWalk) slblock(t *treeInfo, e BBTEntry, b []byte, cEnt int, via uint32, depth int) {
	l := &w.s.h.Layout
	hdr := 8
	if l.Kind == ANSI {
		hdr = 4
	}
	entSize := 3 * l.BIDSize
	if t.level == 1 {
		entSize = 2 * l.BIDSize
	}
	if t.level > 1 {
		t.damage = w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("subnode block 0x%X has level %d (want 0 or 1)", e.BID, t.level))
		return
	}
	if cEnt == 0 || hdr+cEnt*entSize > len(b) {
		t.damage = w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("subnode block 0x%X lists %d entries in %d bytes", e.BID, cEnt, len(b)))
		return
	}
	var prev uint64
	for k := 0; k < cEnt; k++ {
		ent := b[hdr+k*entSize:]
		nid := uint64(uint32(l.uint(ent)))
		if k > 0 && nid <= prev {
			t.add(w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("subnode block 0x%X entry %d NID 0x%X is not above 0x%X", e.BID, k, nid, prev)), 0)
			return
		}
		prev = nid
		if t.level == 1 {
			child := l.uint(ent[l.BIDSize:])
			ci, d := w.lookup(child, via)
			if ci < 0 || d != nil {
				t.add(d, 0)
				continue
			}
			ce := w.s.res.BBT.Entry(ci)
			if !IsInternal(ce.BID) {
				t.add(w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("SIBLOCK 0x%X lists data block 0x%X", e.BID, ce.BID)), 0)
				continue
			}
			ct := w.internal(ci, via, depth)
			if len(ct.damage) > 0 || ct.more > 0 {
				t.add(ct.damage, ct.more)
				continue
			}
			if ct.btype != 2 || ct.level != 0 {
				t.add(w.structure(finding.NodeSubnodeTree, e, via, fmt.Sprintf("SIBLOCK 0x%X lists block 0x%X of type %d level %d (want an SLBLOCK)", e.BID, ce.BID, ct.btype, ct.level)), 0)
			}
			continue
		}
		subNID := uint32(nid)
		bidData, bidSub := l.uint(ent[l.BIDSize:]), l.uint(ent[2*l.BIDSize:])
		if bidData != 0 {
			_, d, m := w.data(bidData, subNID)
			t.add(d, m)
		}
		if bidSub != 0 {
			d, m := w.sub(bidSub, subNID, depth+1)
			t.add(d, m)
		}
	}
}

// read returns the data of the internal block at BBT index i (inflated
// in 4K files): the copy the block pass kept, else read from the file.
func (w *nodeWalk) read(i int, e BBTEntry) ([]byte, error) {
	l := &w.s.h.Layout
	b := w.s.internal.block(i)
	if b == nil {
		ext := l.BlockExtent(int(e.CB))
		if int64(cap(w.buf)) < ext {
			w.buf = make([]byte, ext)
		}
		b = w.buf[:ext]
		if err := w.win.readAt(w.s.r, w.s.size, b, int64(e.IB)); err != nil {
			return nil, err
		}
		b = b[:e.CB]
	}
	if l.Kind == Unicode4K && e.Inflated != e.CB {
		out, err := w.inf.inflate(b, int(e.Inflated))
		if err != nil {
			return nil, err
		}
		b = out
	}
	if cap(w.held)-len(w.held) < len(b) {
		// Blocks handed out before stay in the old array.
		w.held = make([]byte, 0, max(2*cap(w.held), len(b), 16<<10))
	}
	start := len(w.held)
	w.held = append(w.held, b...)
	return w.held[start:len(w.held):len(w.held)], nil
}

// unlinkedFrom returns the lowest BID of the sound blocks no node uses
// that checkRefCounts keeps for the messaging layer, and how many it
// leaves out, the older ones: one line for both kinds, drawn so that
// neither keeps more than maxUnlinked. A subnode tree is written after
// every block it lists, so a block kept is listed by no tree left out.
func (s *Scanner) unlinkedFrom(refs []uint16) (from uint64, leftOut int) {
	var data, internal int
	for i := range s.res.BBT.Len() {
		if !s.unusedSound(refs, i) {
			continue
		}
		if IsInternal(s.res.BBT.Entry(i).BID) {
			internal++
		} else {
			data++
		}
	}
	skipData, skipInternal := data-maxUnlinked, internal-maxUnlinked
	if skipData <= 0 && skipInternal <= 0 {
		return 0, 0
	}
	// In BID order, from is the first block past which both kinds have
	// left out as many as they must.
	for i := range s.res.BBT.Len() {
		if !s.unusedSound(refs, i) {
			continue
		}
		bid := s.res.BBT.Entry(i).BID
		if IsInternal(bid) {
			skipInternal--
		} else {
			skipData--
		}
		if skipData < 0 && skipInternal < 0 {
			return bid, leftOut
		}
		leftOut++
	}
	return math.MaxUint64, leftOut
}

// unusedSound says whether the block at BBT index i is sound and no node
// uses it (refs counts its users): one kept for the messaging layer.
func (s *Scanner) unusedSound(refs []uint16, i int) bool {
	return refs[i] == 0 && s.res.BBT.State(i) == 0
}

// checkRefCounts compares each block's cRef with the references found: a
// block is held once by its BBT entry and once per reference (MS-PST
// "Reference Counts"). Fewer is damage (Outlook could free a block in
// use), one finding per block. More, or none at all, is leaked space that
// real Outlook files carry; it is summarised in one finding each.
func (s *Scanner) checkRefCounts(refs []uint16) {
	type leak struct {
		n     int
		bytes int64
		first *BBTEntry
	}
	var unused, high leak
	note := func(k *leak, e *BBTEntry) {
		k.n++
		k.bytes += int64(e.CB)
		if k.first == nil {
			k.first = new(BBTEntry)
			*k.first = *e
		}
	}
	// Unused blocks are kept for the messaging layer where node entries
	// were lost, and where the header was destroyed: the NBT root found
	// then may be an older one whose newer pages are destroyed too
	// (findRoots cannot tell), which lacks the messages added since.
	keepUnlinked := len(s.lostNBT) > 0 || s.droppedNodes > 0 || s.h.Guessed
	s.res.BBTWhole = s.bbtWhole()
	// Past maxUnlinked of a kind, the newest are kept, from one BID on for
	// both kinds (unlinkedFrom): a block older than every one kept is no
	// newer version of a message kept, and the store's own nodes,
	// rewritten most often, are among the newest.
	var keepFrom uint64
	if keepUnlinked {
		keepFrom, s.res.UnlinkedLeftOut = s.unlinkedFrom(refs)
	}
	for i := range s.res.BBT.Len() {
		ent := s.res.BBT.Entry(i)
		e := &ent
		if refs[i] == 0 && s.res.BBT.State(i) != 0 && !s.res.isStale(i) {
			if IsInternal(e.BID) {
				s.res.NewestFailing.Internal = max(s.res.NewestFailing.Internal, e.BID)
			} else {
				s.res.NewestFailing.Data = max(s.res.NewestFailing.Data, e.BID)
			}
			switch {
			case !keepUnlinked:
			case len(s.res.failingUnused) < maxUnlinked:
				s.res.failingUnused = append(s.res.failingUnused, e.BID)
			default:
				s.res.failingLeftOut = true
			}
		}
		if keepUnlinked && s.unusedSound(refs, i) {
			switch {
			case e.BID < keepFrom:
			case !IsInternal(e.BID):
				// A BBT that lists a BID twice (damage) gives its block once:
				// the messaging layer takes each for a heap of its own.
				if n := len(s.res.Unlinked); n == 0 || s.res.Unlinked[n-1]&^bidReserved != e.BID&^bidReserved {
					s.res.Unlinked = append(s.res.Unlinked, e.BID)
				}
			default:
				s.res.unlinkedInternal = append(s.res.unlinkedInternal, e.BID)
			}
		}
		if e.Rebuilt == FoundByTrailer || s.res.isStale(i) {
			continue // no cRef to compare; not a block of the store
		}
		want := int(refs[i]) + 1
		got := int(e.Ref)
		switch {
		case refs[i] == 0:
			note(&unused, e)
		case e.Rebuilt == FoundInLeaf || s.h.Guessed:
			// Its leaf page, found outside the live tree, or the root
			// taken for the live one where the header is destroyed, may
			// be an old copy, its count as it was then: nothing to
			// compare (32-bit.pst with its roots zeroed: 3 BLOCK-REF-LOW).
		case got < want:
			s.report(finding.Finding{Code: finding.BlockRefLow, Offset: int64(e.IB), BID: e.BID,
				Detail: fmt.Sprintf("block 0x%X has cRef %d, too low for its %d references (cRef counts the BBT's own reference too: want %d)", e.BID, got, want-1, want)})
		case got > want:
			note(&high, e)
		}
	}
	if unused.n > 0 {
		s.report(finding.Finding{Code: finding.BlockUnused, Offset: int64(unused.first.IB), BID: unused.first.BID,
			Detail: unusedDetail(unused.n, unused.bytes, unused.first.BID)})
	}
	if n := s.res.UnlinkedLeftOut; n > 0 {
		s.report(finding.Finding{Code: finding.BlockUnusedLimit, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%d blocks used by no node were not searched for lost items: the newest %d were", n, s.res.UnlinkedKept())})
	}
	if high.n > 0 {
		s.report(finding.Finding{Code: finding.BlockRefHigh, Offset: int64(high.first.IB), BID: high.first.BID,
			Detail: fmt.Sprintf("%d blocks have a reference count above their references, the first 0x%X", high.n, high.first.BID)})
	}
}

// unusedDetail says how many blocks no node uses, their bytes and the
// first of them.
func unusedDetail(n int, bytes int64, first uint64) string {
	if n == 1 {
		return fmt.Sprintf("1 block (%d bytes) is used by no node: 0x%X", bytes, first)
	}
	return fmt.Sprintf("%d blocks (%d bytes) are used by no node, the first 0x%X", n, bytes, first)
}
