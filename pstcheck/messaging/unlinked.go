package messaging

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"time"
	"unique"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Messages whose own node index entry was lost with an index page leave
// their blocks behind with nothing linking them to a NID. Where such a
// block plainly is a message's property heap (a property context of an
// IPM message class), the message is counted as lost and named by what
// the heap shows. Its subnodes (recipients, attachments, large values)
// hang from a subnode tree only its lost entry named; matchSubnodes gives
// it one only where a single unused tree fits it and no other heap (or
// none, where it needs none). One that then reads whole is recovered
// (wholeSalvage).
//
// Older versions of messages that exist (the blocks a change freed) and
// messages already known from a contents-table row look the same, so a
// heap whose subject and date match a message found, or a row, is not
// counted again, and of heaps of one subject and date the newest is kept
// (but where the BBT is whole: freed blocks leave it, and such heaps are
// copies of a message in several folders). A heap that matches the row of
// a lost item (listed, its node gone) is that item's properties, or an
// older version of them (or of a copy of the same subject and time found
// elsewhere): it is kept as what can be salvaged of the item
// (Result.Salvage). Where lost items' rows share a subject and a time to
// the second (the holidays an Outlook.com calendar adds, a second apart), a
// heap is matched to the one row of its exact time (rowKeys). Not by its
// last change time: items written in one go share it, and an older
// version of one, changed since, would be taken for another.

// faiClasses are the IPM classes of folder-associated (hidden) items:
// views, rules, settings. A heap of one of them is not a lost message.
var faiClasses = []string{"IPM.Microsoft", "IPM.Configuration", "IPM.Rule", "IPM.ExtendedRule", "IPM.Aggregation", "IPM.MessageManager"}

// unlinked finds the message heaps among the blocks no node uses, and
// how many of them add to the items the folders account for: a folder
// whose listing is lost counts as lost the items its count names beyond
// those found, unnamed, and a heap may well be one of them; when every
// folder's listing or count survives, every item is already counted, and
// a heap no known item matches is an older copy.
func (w *walker) unlinked() {
	if len(w.res.Unlinked) == 0 {
		return
	}
	// lostRows are the lost items' rows by each of their keys. A key two
	// rows share names neither (0), nor one a damaged item's row has: a
	// heap of it may be the other's, an older version of it.
	lostRows := map[rowKey]uint32{}
	for _, refs := range w.out.Items {
		for _, it := range refs {
			r, ok := w.out.Rows[it.NID]
			if !ok || it.FAI {
				continue
			}
			if r.Subject == "" && r.Time.IsZero() {
				// A lost or damaged item whose row lost its subject and
				// time can be any heap no row matches: counted as one a
				// heap may be, like those a folder's count names (tika's
				// testPST.pst without its first 64 KiB: 2 damaged items'
				// heaps counted as 2 more items).
				switch it.State {
				case Lost:
					w.out.Unmatched.Lost++
				case Damaged:
					w.out.Unmatched.Damaged++
				}
				continue
			}
			for _, k := range rowKeys(printOf(r.Subject, r.Time), r.Time) {
				if _, twice := lostRows[k]; twice || it.State != Lost {
					lostRows[k] = 0
				} else {
					lostRows[k] = it.NID
				}
			}
		}
	}
	for _, r := range w.out.Rows {
		w.knowRow(printOf(r.Subject, r.Time))
	}
	// The unused subnode trees list the heaps of attachments and embedded
	// messages, which are no lost messages of their own; heaps are what
	// each message heap says of the subnode tree it needs.
	w.chk.mem.reset()
	trees := w.res.UnusedSubnodeTrees(w.chk.mem.blocks())
	w.newestFailing, w.failingInternal = w.newestFailingOf(trees)
	w.unusedTrees = trees
	heaps := &heapTable{}
	defer func() { w.matchSubnodes(heaps, trees.Roots) }()
	// Where the BBT was read whole, every block no node uses is one the
	// store still holds (a block freed by a change leaves the BBT): two
	// heaps of one subject and time are then two messages (a message and
	// its copy in another folder), not two versions of one. Elsewhere
	// listed are the messages found, by fingerprint: where in Unlinked
	// (every one found is listed: the scan bounds the heaps it keeps).
	copies := w.res.BBTWhole
	var listed map[uint64]int
	if !copies {
		listed = map[uint64]int{}
	}
	defer func() {
		for _, m := range w.out.Unlinked {
			w.reportUnlinked(m)
		}
	}()
	w.propertyHeaps = make([]uint64, (len(w.res.Unlinked)+63)/64)
	for i, bid := range w.res.Unlinked {
		if w.ctx.Err() != nil {
			return
		}
		if trees.ListsUnlinked(i) {
			continue
		}
		pc, ok := w.peekHeap(bid)
		if !ok {
			continue
		}
		w.propertyHeaps[i/64] |= 1 << (i % 64)
		// One string per class, not per message: a store's lost messages
		// number in the millions, their classes in the dozens.
		classHandle := unique.Make(w.peekString(pc, propMessageClass))
		class := classHandle.Value()
		if class == "" {
			w.unusedFolders.folderHeap(pc, w.peekString(pc, propDisplayName))
			continue
		}
		// Every message heap claims the subnode trees it fits, even one
		// not salvaged (an older copy, an FAI item, a report): a tree two
		// heaps fit goes to none.
		heaps.add(w, bid, pc)
		if !strings.HasPrefix(strings.ToUpper(class), "IPM.") || hasPrefixFold(class, faiClasses) || associated(pc) {
			continue
		}
		m := UnlinkedMessage{Remains: Remains{Data: bid}, class: classHandle,
			Subject: StripSubjectPrefix(w.peekString(pc, propSubject)), MaybeAttached: w.stamps.lacks(pc)}
		when := peekTime(pc)
		if m.Subject == "" && when.IsZero() {
			continue
		}
		m.setTime(when)
		p := printOf(m.Subject, when)
		m.modified = exactTime(peekTimeProp(pc, propLastModified))
		w.heapVersions.add(version{key: exactKey(p, when), modified: m.modified})
		var nid uint32
		for _, k := range rowKeys(p, when) {
			if nid = lostRows[k]; nid != 0 {
				break
			}
		}
		if nid != 0 {
			if w.versionOfFound(p, pc) {
				continue // a message found of its subject and time may have been this
			}
			// The newest of the heaps that match (BIDs grow as blocks are
			// written) is the lost item's current properties, or the
			// closest to them there is.
			if w.out.Salvage == nil {
				w.out.Salvage = map[uint32]Remains{}
			}
			if bid > w.out.Salvage[nid].Data {
				w.out.Salvage[nid] = Remains{Data: bid}
			}
			continue
		}
		if i, seen := listed[p]; seen {
			// Heaps come in BID order, and BIDs grow as blocks are
			// written: this one is a newer version of the message.
			w.out.Unlinked[i] = m
			continue
		}
		if w.isKnown(p) {
			continue // a message found, or a row
		}
		if listed != nil {
			listed[p] = len(w.out.Unlinked)
		}
		w.out.Unlinked = append(w.out.Unlinked, m)
	}
}

// newestFailingOf returns the newest blocks no node uses that fail and
// may be a lost message's current subnode tree (Internal) or property heap
// (Data): each failing internal block; each failing data block no sound
// block lists (a heap of one block),
// or one in a data tree whose first block may be a property context's
// (a heap larger than a block). A failing block a subnode lists is part of
// that tree (trees.Failing leaves it out), and one in a data tree that
// holds no property context (a table, an attachment's bytes) is no
// message's heap. All count where trees did not keep every one. internal
// counts the failing internal blocks (2 where not all were kept).
func (w *walker) newestFailingOf(trees ndb.UnusedTrees) (n struct{ Internal, Data uint64 }, internal int) {
	if trees.FailingLeftOut {
		return w.res.NewestFailing, 2
	}
	// A data tree's first block is read once, however many of its blocks
	// fail (a zeroed region takes many).
	heapTree := map[uint64]bool{}
	for _, f := range trees.Failing {
		switch {
		case ndb.IsInternal(f.BID):
			n.Internal = max(n.Internal, f.Newest)
			internal++
		case f.Top == f.BID:
			n.Data = max(n.Data, f.Newest)
		default:
			heap, ok := heapTree[f.Top]
			if !ok {
				heap = w.mayBePropertyHeap(f.Top)
				heapTree[f.Top] = heap
			}
			if heap {
				n.Data = max(n.Data, f.Newest)
			}
		}
	}
	return n, internal
}

// mayBePropertyHeap says whether the data tree at bid may be a property
// context's heap: its first block cannot be read, or starts a heap of one.
func (w *walker) mayBePropertyHeap(bid uint64) bool {
	sig, heap, read := w.heapClientOf(bid)
	return !read || heap && sig == ltp.ClientPC
}

// heapClientOf reads the first block of the data tree at bid: read is
// false when it cannot be read; else heap says whether it starts a heap,
// of client signature sig.
func (w *walker) heapClientOf(bid uint64) (sig byte, heap, read bool) {
	w.chk.mem.reset()
	blocks, _, _ := w.res.DataBlocks(bid, w.chk.mem.blocks())
	if len(blocks) == 0 {
		return 0, false, false
	}
	first, err := w.res.ReadBlock(blocks[0].BID, nil, w.chk.mem.blocks())
	if err != nil {
		return 0, false, false
	}
	sig, heap = ltp.HeapClient(first, blocks[0].BID, w.res.Decoder())
	return sig, heap, true
}

// rowInfo is what the message's heap says of it, as a row would: with no
// last change time.
func (u *UnlinkedMessage) rowInfo() RowInfo { return RowInfo{Subject: u.Subject, Time: u.Time()} }

func (w *walker) reportUnlinked(m UnlinkedMessage) {
	when := ""
	if !m.Time().IsZero() {
		when = ", " + m.Time().Format("2006-01-02 15:04")
	}
	w.report(finding.MessageUnlinked, 0, 0, w.res.BlockOffset(m.Data), m.Data,
		"block 0x%X holds the properties of a message (%s %q%s) that no node index entry links to", m.Data, m.Class(), m.Subject, when)
}

// peekHeap opens the property heap in the data tree bid, a block no node
// uses, to look at it (ltp.PeekPC), in the checker's memory; false when
// it cannot be read as one.
func (w *walker) peekHeap(bid uint64) (*ltp.PC, bool) {
	// A data tree is read whole only when it starts a property context:
	// a large folder's contents table is a tree of a hundred MB.
	if ndb.IsInternal(bid) {
		if sig, heap, _ := w.heapClientOf(bid); !heap || sig != ltp.ClientPC {
			return nil, false
		}
	}
	w.chk.mem.reset()
	blocks, err := w.res.ReadBlocks(bid, w.chk.mem.blocks())
	if err != nil {
		return nil, false
	}
	pc, err := ltp.PeekPC(w.chk.mem.objects(), blocks, w.res.Decoder())
	return pc, err == nil
}

// displayPart is a display To, Cc or Bcc of a heap: its text's hash
// (textHash), or where it is kept (a subnode, of a string type).
type displayPart struct {
	hash uint64
	sub  uint32
	typ  uint16
}

// PidTagMessageFlags' bits for a message read, one with attachments, and
// a folder-associated (hidden) item (MS-OXCMSG 2.2.1.6).
const (
	propMessageFlags  = 0x0E07
	msgFlagRead       = 0x01
	msgFlagHasAttach  = 0x10
	msgFlagAssociated = 0x40
)

// associated says a heap's flags mark a folder-associated item (a view,
// a rule, a setting), whatever its class: no lost message.
func associated(pc *ltp.PC) bool {
	p, ok := pc.Get(propMessageFlags)
	return ok && p.Type == ltp.TypeInt32 && p.Value&msgFlagAssociated != 0
}

// displayIn is recipientsPrint of a heap's display names, those kept in a
// subnode read from subs (once per tree: read holds the hash of what was
// read of it, by subnode and type; 0: unreadable); false when one cannot
// be read.
func (w *walker) displayIn(parts *[3]displayPart, subs map[uint32]ndb.Subnode, read map[[2]uint32]uint64) (uint64, bool) {
	var hash [3]uint64
	for i, p := range parts {
		hash[i] = p.hash
		if p.sub == 0 {
			continue
		}
		k := [2]uint32{p.sub, uint32(p.typ)}
		h, ok := read[k]
		if !ok {
			h = w.subnodeTextHash(subs, p.sub, p.typ)
			read[k] = h
		}
		if h == 0 {
			return 0, false
		}
		hash[i] = h
	}
	return recipientsPrint(hash[0], hash[1], hash[2]), true
}

// maxDisplayText bounds a display To, Cc or Bcc read from a subnode: a
// longer one names no message's recipients here.
const maxDisplayText = 1 << 20

// subnodeTextHash reads the string of type typ that subnode nid of subs
// holds and returns its textHash; 0 when it cannot be read.
func (w *walker) subnodeTextHash(subs map[uint32]ndb.Subnode, nid uint32, typ uint16) uint64 {
	t, ok := w.subnodeText(subs, nid, typ, maxDisplayText)
	if !ok {
		return 0
	}
	return textHash(t)
}

// subnodeText reads the string of type typ, of at most limit bytes, that
// subnode nid of subs holds; false when it cannot be read or is longer.
func (w *walker) subnodeText(subs map[uint32]ndb.Subnode, nid uint32, typ uint16, limit int64) (string, bool) {
	s, ok := subs[nid]
	if !ok {
		return "", false
	}
	d, err := w.res.OpenData(s.Data)
	if err != nil {
		return "", false
	}
	defer d.Close()
	if d.Size() > limit {
		return "", false
	}
	b, err := io.ReadAll(d)
	if err != nil {
		return "", false
	}
	return decodeString(typ, b, w.codepage)
}

// headerSub is a subnode that keeps a message's transport headers, and
// their string type.
type headerSub struct {
	nid uint32
	typ uint16
}

// headerIDs reads, of the subnodes of subs that heaps keep their headers
// in (headerSubs), what each says of its message (headersIdent; one that
// gives no Message-ID: left out), and how many it looked at. Headers are
// read once per data tree (read), and no more bytes of them in all than
// budget allows (trees may share their blocks, each through a data tree of
// its own): past it none are read, and heaps that keep a Message-ID fit no
// tree left.
func (w *walker) headerIDs(subs map[uint32]ndb.Subnode, headerSubs map[uint32][]uint16, read map[headerData]headerIdent, budget *int64) (map[headerSub]headerIdent, int) {
	var ids map[headerSub]headerIdent
	looked := 0
	for nid, s := range subs {
		for _, typ := range headerSubs[nid] {
			looked++
			k := headerData{s.Data, typ}
			hi, ok := read[k]
			if !ok && *budget > 0 {
				if t, ok := w.subnodeText(subs, nid, typ, min(maxHeadersText, *budget)); ok {
					hi = headersIdent(t)
					*budget -= int64(len(t))
				}
				read[k] = hi
			}
			if hi.id != 0 {
				if ids == nil {
					ids = map[headerSub]headerIdent{}
				}
				ids[headerSub{nid, typ}] = hi
			}
		}
	}
	return ids, looked
}

// headerData is a data tree read as transport headers of a string type.
type headerData struct {
	bid uint64
	typ uint16
}

// maxGroup is the most heaps alike matchSubnodes weighs against a tree;
// maxFitChecks bounds the heap and tree pairs it weighs in all (at most
// maxGroup for each subnode of each tree).
const (
	maxGroup     = 32
	maxFitChecks = 1 << 27
)

// matchSubnodes gives the lost messages found by their heaps their
// subnodes (recipients, attachments, large values), when these can be
// told apart: a subnode tree no node uses fits a heap when its recipient
// table lists the people the heap names, in the same order, and it holds
// every subnode the heap names, and attachments when the heap's flags say
// it has them. Only a heap that fits exactly one tree, and is the only
// heap that tree fits, gets it: a tree that two heaps could own, or a heap
// two trees could complete, is left alone, so no message is given
// another's recipients or attachments. roots are the unused trees, not
// those they hold (an embedded message's own). Unless no block can be
// missing, a heap must also name a subnode no other heap names (sound).
//
// A heap that names no subnode and says it has no attachments needs a
// tree only for its recipients. One that keeps no display To, Cc or Bcc
// at all has none: every writer seen keeps them for a message with
// recipients (none of 1,826 such messages in 22 files has a recipient
// table; some writers keep a message without one). It is whole without a
// tree (Remains.Treeless). Another such heap that fits no tree is so only
// when no tree can have been lost without a trace (the BBT was read whole,
// no unused internal block that may be a tree's fails, and every unused
// tree's subnodes could be read), and no tree with recipients is left that
// no heap fits, nor one whose recipients cannot be read that such a heap
// may own: a writer may keep display names that do not list every
// recipient (the project's generator keeps no display Cc), and such a
// tree may be the heap's own.
func (w *walker) matchSubnodes(heaps *heapTable, roots []uint64) {
	if heaps.len() == 0 || w.ctx.Err() != nil {
		return
	}
	// Heaps are grouped by their key (heapTable.key); firstNamedBy counts
	// the heaps that name each subnode first, idNamedBy those of each
	// Message-ID their trees' headers repeat; headerSubs are the subnodes
	// (and string types) those keep their headers in. Heaps and trees are
	// named by their place in heaps and roots.
	groups := groupHeaps(heaps)
	firstNamedBy := map[uint32]int{}
	idNamedBy := map[uint64]int{}
	headerSubs := map[uint32][]uint16{}
	for i := range uint32(heaps.len()) {
		h := &heaps.facts[i]
		if h.needsLen > 0 {
			firstNamedBy[heaps.first(i)]++
		}
		if hd := h.headers; hd.id != 0 {
			idNamedBy[hd.id]++
			if !slices.Contains(headerSubs[hd.sub], hd.typ) {
				headerSubs[hd.sub] = append(headerSubs[hd.sub], hd.typ)
			}
		}
	}
	// Past maxGroup heaps alike (sent to the same people, naming the same
	// first subnode) none is told apart, and checking each with each tree
	// would cost their number squared: such a group is crowded, its heaps
	// get no tree, nor do the trees it might fit.
	fits := newFitLists(heaps.len()) // heap: the trees it fits
	fitBy := newFitLists(len(roots)) // tree: the heaps it fits
	// confirmed is, of a heap that keeps its Message-ID, a tree it fits
	// whose headers also give its subject and date (headersIdent), +1.
	confirmed := map[uint32]uint32{}
	headersRead := map[headerData]headerIdent{}
	headersBudget := 2*w.res.FileSize() + maxHeadersText
	crowdedKey, crowdedTree := map[uint64]bool{}, make([]bool, len(roots)) // by key's hash, by tree
	unread, loose, checks := 0, 0, 0
	for ri, root := range roots {
		tree := uint32(ri)
		if w.ctx.Err() != nil {
			return
		}
		w.chk.mem.reset()
		subs, err := w.res.Subnodes(root, w.chk.mem.blocks())
		if err != nil {
			unread++
			continue
		}
		// A tree without a recipient table is a message's that went to
		// no one, or some other node's: it fits only a heap that names
		// subnodes it holds (else it adds nothing the heap needs).
		// One whose recipient table cannot be read (blind) may be the
		// tree of any heap whose subnodes it holds: it is weighed with
		// every heap by those alone, so that a heap it may be the tree of
		// fits two, and gets neither.
		print, blind := noRecipients, false
		rt, recipients := subs[nidRecipientTable]
		if recipients {
			p, ok := w.tableRecipients(rt)
			print, blind = p, !ok
		}
		_, attachments := subs[nidAttachmentTable]
		values := largeValues(subs)
		ids, looked := w.headerIDs(subs, headerSubs, headersRead, &headersBudget)
		checks += looked
		fit := func(heap uint32) bool {
			checks++
			h := &heaps.facts[heap]
			// The tree holds every subnode the heap names, and no other
			// large value: it holds its own heap's, which names them.
			if !(recipients || h.needsLen > 0) || !holdsAll(subs, heaps.needs(heap)) || int(h.values) != values || h.attach && !attachments {
				return false
			}
			if hd := h.headers; hd.id != 0 {
				hi := ids[headerSub{hd.sub, hd.typ}]
				if hi.id != hd.id {
					return false
				}
				if hd.ident != 0 && hi.ident == hd.ident {
					confirmed[heap] = tree + 1
				}
			}
			fits.add(heap, tree)
			fitBy.add(tree, heap)
			return true
		}
		// group weighs the heaps of key k; those that keep a display name
		// in a subnode are weighed with it read from this tree.
		read := map[[2]uint32]uint64{}
		group := func(k heapKey) {
			hash := groups.hash(k)
			hs := groups.of(hash)
			if len(hs) > maxGroup {
				crowdedKey[hash], crowdedTree[tree] = true, true
				return
			}
			for _, heap := range hs {
				if heaps.key(heap) != k {
					continue // another key of the same hash
				}
				if k.display {
					checks++
					if p, ok := w.displayIn(heaps.facts[heap].display, subs, read); !ok || p != print {
						continue
					}
				}
				fit(heap)
			}
		}
		ownsTreeless := false // a heap without display names fits it
		switch {
		case blind:
			for heap := range uint32(heaps.len()) {
				if fit(heap) && heaps.facts[heap].noDisplay {
					ownsTreeless = true
				}
			}
		default:
			if recipients {
				group(heapKey{recipients: print})
			}
			// Each Message-ID once: a heap weighed twice would fit twice.
			distinct := map[uint64]bool{}
			for _, hi := range ids {
				distinct[hi.id] = true
			}
			if checks += 2 * len(distinct) * len(subs); checks > maxFitChecks {
				return
			}
			for nid := range subs {
				group(heapKey{first: nid, recipients: print})
				group(heapKey{first: nid, display: true})
				for id := range distinct {
					group(heapKey{first: nid, recipients: print, id: id})
					group(heapKey{first: nid, display: true, id: id})
				}
			}
		}
		// A backstop: however the groups fall, no more than maxFitChecks
		// pairs are weighed; past them no heap gets a tree.
		if checks > maxFitChecks {
			return
		}
		// A tree no heap fits, that holds recipients and no value a heap
		// must name, may be the tree of a heap whose display names do not
		// list them (and one a crowded group may fit is counted so too),
		// as may a blind tree such a heap fits.
		if len(fitBy.of(tree)) == 0 && (crowdedTree[tree] || recipients && print != noRecipients && values == 0) || ownsTreeless {
			loose++
		}
	}
	// Where no block can be missing (the BBT read whole, no unused block
	// failing that may be a heap or tree, every tree's subnodes read),
	// every heap's own tree is among the trees,
	// and fits it: a heap that fits one tree alone has its own. Elsewhere
	// its own may be lost, and the one it fits another's of the same
	// recipients: it must then also name a subnode no other heap names
	// (writers that number each message's subnodes alike give it none).
	treeless := w.unusedKnown() && w.newestFailing.Internal == 0 && unread == 0
	sound := treeless && w.newestFailing.Data == 0
	// One internal block failing, and nothing else that may be a heap or
	// tree, loses one tree (or one heap larger than a block): the heap it
	// was the tree of fits another tree alone only when that tree's heap
	// is lost too, which takes a second failure (oneTreeFails). But the
	// failing block may be an attachment's tree, whose embedded message's
	// heap and tree it no longer lists: a heap is told so only when a row
	// lists its message.
	unique := sound || unread == 0 && w.oneTreeFails()
	// A tree whose headers give a heap's Message-ID, subject and date is
	// its own, where the Message-ID is no other heap's and no heap can be
	// missing, or no tree can: the heap's own tree then is among the trees
	// and fits it too (messageid.go).
	headersProve := w.unusedKnown() && (w.newestFailing.Data == 0 || w.failingInternal == 0 && unread == 0)
	var copies map[uint32]uint64
	if unique && loose == 0 {
		copies = w.pairCopies(heaps, roots, &fits, &fitBy, crowdedTree)
	}
	// listed says a contents-table row names the heap's message (by its
	// subject and time): it is a message of the store, not one embedded in
	// an attachment whose tree is lost (whose heap no readable tree lists
	// then either). For a message no row of a folder read lists, the rows
	// of the contents tables no node uses may (asked only when needed:
	// they are read then).
	remains := func(bid uint64, listed func() bool) Remains {
		heap, ok := heaps.index(bid)
		if !ok {
			return Remains{Data: bid}
		}
		t := fits.of(heap)
		switch h := &heaps.facts[heap]; {
		case h.noDisplay && h.needsLen == 0 && !h.attach && !h.attachUnknown && (treeless && loose == 0 || listed()):
			return Remains{Data: bid, Treeless: true}
		case crowdedKey[groups.hash(heaps.key(heap))]:
		case len(t) == 1 && len(fitBy.of(t[0])) == 1 && !crowdedTree[t[0]] && (sound || h.needsLen > 0 && firstNamedBy[heaps.first(heap)] == 1 ||
			h.headers.id != 0 && idNamedBy[h.headers.id] == 1 && confirmed[heap] == t[0]+1 && headersProve || unique && listed()):
			return Remains{Data: bid, Sub: roots[t[0]]}
		case copies[heap] != 0 && (sound || listed()):
			return Remains{Data: bid, Sub: copies[heap]}
		}
		return Remains{Data: bid}
	}
	for nid, r := range w.out.Salvage {
		w.out.Salvage[nid] = remains(r.Data, func() bool { return true })
	}
	for i := range w.out.Unlinked {
		u := &w.out.Unlinked[i]
		u.Remains = remains(u.Data, func() bool { return w.rowsList(u.rowInfo()) })
	}
}

// wholeSalvage recovers the lost messages whose remains are the message
// itself, so that they are counted and copied out as recovered instead of
// lost: the heap matched to a lost item's own row (the newest of those that
// match), or the newest heap of a message no row lists, with the one
// subnode tree that fits it and no other heap and holds the recipients the
// heap names (or none, where no tree can be its: matchSubnodes); read
// whole, as the check reads a message; and of the message's last version
// (readsWhole). A listed item is recovered into the folder that lists
// it; one no row lists, only while the walk is not complete (else every
// item is counted, and the heap is an older copy of one), into no folder
// (the export's Recovered items).
func (w *walker) wholeSalvage() {
	// Items left out of Items (past maxKept) cannot be looked at here, but
	// would be by a walk that keeps every item: none is recovered then, so
	// that the counts do not depend on the walk. Nor in an ANSI store whose
	// code page no message says: its 8-bit strings might be read in the
	// wrong one.
	if w.out.ItemsLeftOut > 0 || !w.unicode && !w.codepageKnown {
		return
	}
	for folder, refs := range w.out.Items {
		if len(w.out.Salvage) == 0 {
			break // no lost item's blocks were found: none to look at
		}
		for i := range refs {
			r := &refs[i]
			if r.State != Lost || r.FAI {
				continue
			}
			rem, ok := w.out.Salvage[r.NID]
			row, listed := w.out.Rows[r.NID]
			if !ok || !listed || w.ctx.Err() != nil {
				continue
			}
			if rem.Fault, rem.Newer = w.readsWhole(r.NID, rem, row); rem.Fault != NoFault {
				w.out.Salvage[r.NID] = rem
				continue
			}
			rem.Whole = true
			w.out.Salvage[r.NID] = rem
			r.State = Recovered
			w.out.FromBlocks++
			f := &w.out.Folders[w.folderIndex[folder]]
			f.Lost--
			f.Recovered++
			f.Size += w.chk.size
		}
	}
	if w.out.Complete {
		return
	}
	for i := range w.out.Unlinked {
		u := &w.out.Unlinked[i]
		if w.ctx.Err() != nil {
			continue
		}
		if u.Fault, u.Newer = w.readsWhole(0, u.Remains, u.rowInfo()); u.Fault != NoFault {
			continue
		}
		u.Whole = true
		w.out.FromBlocks++
	}
}

// readsWhole says why rem, the remains of lost message nid (0: one no row
// lists), are not the message whole and of its last version (NoFault:
// they are), with the failing block that may hold its current version:
// row is what its row says of it (for one no row lists, what its heap
// says, with no last change time).
func (w *walker) readsWhole(nid uint32, rem Remains, row RowInfo) (WholeFault, uint64) {
	// Not an item whose subnode tree is older than a tree no node uses
	// that fails verification: that one may be its current tree, this an
	// older copy still whole (but where that is the one failure: an older
	// copy then is no tree the BBT keeps; and a row lists the message, so
	// that it is no message embedded in an attachment whose tree fails).
	switch {
	case rem.Treeless:
	case rem.Sub == 0:
		return NoOwnTree, 0
	case rem.Sub < w.newestFailing.Internal && !(w.oneTreeFails() && (nid != 0 || w.rowsList(row))):
		return NewerTreeFails, w.newestFailing.Internal
	}
	c := &w.chk
	c.mem.reset()
	c.size = 0
	if err := c.object(rem.Data, rem.Sub); err != nil {
		return ReadFails, 0
	}
	if c.named && (c.nameMapLost || c.unnamed) {
		return NamesUnreadable, 0
	}
	// The check does not read values kept in subnodes (a long body, an
	// attachment's bytes): for a message the node pass has verified their
	// blocks, but no node leads to these. Each is read through once.
	r := Reader{res: w.res, codepage: w.codepage}
	m, _, err := r.ReadRemains(nid, rem, ReadOptions{Verify: true, StreamAbove: leaveInStore})
	if err != nil {
		return ReadFails, 0
	}
	// The heap is the newest whole one of the message's subject and time;
	// the current one may be among the data blocks that fail. The row's
	// last change time tells the version apart where the heap keeps it
	// too; else the heap must be newer than every unused data block that
	// fails.
	mod := Time(m.Props, propLastModified)
	switch {
	case !mod.IsZero() && !row.Modified.IsZero():
		if !mod.Equal(row.Modified) {
			return ChangedSince, 0
		}
	case rem.Data < w.newestFailing.Data && !w.rowsShowCurrent(row, mod):
		return NewerBlockFails, w.newestFailing.Data
	}
	return NoFault, 0
}

// oneTreeFails says whether the one unused block that fails, and may
// be a heap or tree, is an internal block, where the BBT was read whole.
// A block a change frees leaves the BBT, so an older copy of a tree is in
// it only where a change leaked it: a tree that fits a heap alone is its
// message's current one, not an older copy of the tree that fails. And
// one failure loses one tree, or one heap larger than a block: not both a
// heap's own tree and the heap of the tree it fits instead.
func (w *walker) oneTreeFails() bool {
	return w.unusedKnown() && w.failingInternal == 1 && w.newestFailing.Data == 0
}

// unusedKnown says every block of the store is listed (the BBT read whole)
// and every one no node uses was weighed: none was left out past the
// scan's bound (ndb.Result.UnlinkedLeftOut), where it might be a heap's
// own tree, or a heap that fits the same tree. Left-out blocks, of either
// kind, are older than every one kept, so no newer version of a message:
// the rules that ask only that stay as they are (rowsShowCurrent, copies).
func (w *walker) unusedKnown() bool {
	return w.res.BBTWhole && w.res.UnlinkedLeftOut == 0
}

// leaveInStore leaves every value kept in a subnode in the store (a
// ReadOptions.StreamAbove).
func leaveInStore(uint16, uint16) int64 { return 0 }

// Recipient properties: a message's heap keeps its recipients' names
// joined by "; " for each kind (To, Cc, Bcc), which its recipient table
// lists one per row.
const (
	propDisplayBcc    = 0x0E02
	propDisplayCc     = 0x0E03
	propDisplayTo     = 0x0E04
	propRecipientType = 0x0C15
)

// pairCopies gives trees to the heaps of copies of one message (a message
// and its copy in another folder): k heaps that each fit the same k trees
// and no other, where each heap reads the same with every one of them
// (sameWithEach). Which heap gets which tree then changes nothing written,
// and, where no block can be missing and no tree is left that no heap fits
// (the caller sees to both), each heap's own tree is among them. They are
// paired in BID order. Heaps and trees are named by their place in heaps
// and roots.
func (w *walker) pairCopies(heaps *heapTable, roots []uint64, fits, fitBy *fitLists, crowded []bool) map[uint32]uint64 {
	out := map[uint32]uint64{}
	done := map[uint32]bool{}
	for heap, trees := range fits.more {
		hs := fitBy.of(trees[0])
		if len(trees) > maxCopies || done[heap] || len(hs) != len(trees) || slices.ContainsFunc(trees, func(t uint32) bool { return crowded[t] }) {
			continue
		}
		for _, h := range hs {
			done[h] = true
		}
		same := true
		for _, h := range hs {
			same = same && slices.Equal(fits.of(h), trees)
		}
		for _, t := range trees {
			same = same && slices.Equal(fitBy.of(t), hs)
		}
		heapBIDs, treeBIDs := make([]uint64, len(hs)), make([]uint64, len(trees))
		for i, h := range hs {
			heapBIDs[i] = heaps.bids[h]
		}
		for i, t := range trees {
			treeBIDs[i] = roots[t]
		}
		if !same || !w.sameWithEach(heapBIDs, treeBIDs) {
			continue
		}
		hs, treeBIDs = slices.Sorted(slices.Values(hs)), slices.Sorted(slices.Values(treeBIDs))
		for i, h := range hs {
			out[h] = treeBIDs[i]
		}
	}
	return out
}

// maxCopies bounds the copies of one message pairCopies pairs: each heap
// is read with each tree.
const maxCopies = 8

// sameWithEach says whether each heap reads, whole, the same with every one
// of trees: its properties, recipients (but for their row IDs and
// versions, counters of the store) and attachments.
func (w *walker) sameWithEach(heaps, trees []uint64) bool {
	r := Reader{res: w.res, codepage: w.codepage}
	for _, h := range heaps {
		var first [sha256.Size]byte
		for i, t := range trees {
			m, _, err := r.ReadRemains(0, Remains{Data: h, Sub: t}, ReadOptions{})
			if err != nil {
				return false
			}
			if d := messageDigest(m); i == 0 {
				first = d
			} else if d != first {
				return false
			}
		}
	}
	return true
}

// propLtpRowVer is PidTagLtpRowVer, a table row's version.
const propLtpRowVer = 0x67F3

// messageDigest hashes a message as read: its properties, recipients
// (without their row IDs and versions) and attachments, embedded messages
// within.
func messageDigest(m *Message) [sha256.Size]byte {
	h := sha256.New()
	props := func(p Props) {
		for _, v := range p {
			id := v.ID
			if id == propLtpRowID || id == propLtpRowVer {
				continue
			}
			binary.Write(h, binary.LittleEndian, [3]uint32{uint32(id), uint32(v.Type), v.Inline})
			binary.Write(h, binary.LittleEndian, uint32(len(v.Data)))
			h.Write(v.Data)
		}
		h.Write([]byte{0xFF})
	}
	props(m.Props)
	for _, rc := range m.Recipients {
		props(rc)
	}
	h.Write([]byte("attachments"))
	for _, a := range m.Attachments {
		props(a.Props)
		binary.Write(h, binary.LittleEndian, uint32(len(a.Data)))
		h.Write(a.Data)
		if a.Embedded != nil {
			d := messageDigest(a.Embedded)
			h.Write(d[:])
		}
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// tableRecipients is recipientsPrint of the recipient table rt lists:
// its display names joined per kind, as a message's heap keeps them. Two
// messages whose subnodes bear the same NIDs cannot pass for each other
// unless they went to the same people.
func (w *walker) tableRecipients(rt ndb.Subnode) (uint64, bool) {
	tc, _, err := openTable(w.res, rt, &w.chk.mem)
	if err != nil {
		return 0, false
	}
	var names [4][]string // by recipient type: 1 To, 2 Cc, 3 Bcc
	for r := range tc.RowIDs {
		kind, ok := tc.Cell(r, propRecipientType<<16|ltp.TypeInt32)
		name, _ := w.cellString(tc, r, propDisplayName)
		if !ok || kind < 1 || kind > 3 {
			continue
		}
		names[kind] = append(names[kind], name)
	}
	return recipientsPrint(textHash(strings.Join(names[1], "; ")), textHash(strings.Join(names[2], "; ")), textHash(strings.Join(names[3], "; "))), true
}

// noRecipients is recipientsPrint of a message that went to no one.
var noRecipients = recipientsPrint(textHash(""), textHash(""), textHash(""))

// textHash hashes a display To, Cc or Bcc; never 0. Each is hashed once,
// so that weighing a heap against a tree costs the same however long
// they are.
func textHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64() | 1
}

// recipientsPrint combines the hashes of a message's display To, Cc and
// Bcc (textHash).
func recipientsPrint(to, cc, bcc uint64) uint64 {
	// The bytes binary.Write gives the three as a [3]uint64, without its
	// reflection (a package variable is made of this when the program
	// starts).
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], to)
	binary.LittleEndian.PutUint64(b[8:], cc)
	binary.LittleEndian.PutUint64(b[16:], bcc)
	h := fnv.New64a()
	h.Write(b[:])
	return h.Sum64()
}

// largeValues counts the subnodes of subs that hold a large value (a
// heap's value too large for it).
func largeValues(subs map[uint32]ndb.Subnode) int {
	n := 0
	for nid := range subs {
		if nid&0x1F == ndb.NIDTypeLTP {
			n++
		}
	}
	return n
}

// largeValuesOf counts the subnodes a heap names (nids) that hold a large
// value, each once.
func largeValuesOf(nids []uint32) int {
	ltp := slices.DeleteFunc(slices.Clone(nids), func(nid uint32) bool { return nid&0x1F != ndb.NIDTypeLTP })
	slices.Sort(ltp)
	return len(slices.Compact(ltp))
}

func holdsAll(subs map[uint32]ndb.Subnode, nids []uint32) bool {
	for _, n := range nids {
		if _, ok := subs[n]; !ok {
			return false
		}
	}
	return true
}

// peekString decodes a string property stored in the heap; "" when it is
// absent or out of reach.
func (w *walker) peekString(pc *ltp.PC, id uint16) string {
	p, ok := pc.Get(id)
	if !ok {
		return ""
	}
	b := pc.Bytes(p)
	if b == nil {
		return ""
	}
	s, _ := decodeString(p.Type, b, w.codepage)
	return s
}

// peekTime is a message's delivery time, else its submit time.
func peekTime(pc *ltp.PC) time.Time {
	for _, id := range []uint16{propDeliveryTime, propClientSubmitTime} {
		if t := peekTimeProp(pc, id); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// fingerprint is a message's subject and time as printOf hashes them,
// and its creation time (exactTime); codepage decodes 8-bit strings.
func fingerprint(pc *ltp.PC, codepage uint32) (uint64, int64) {
	var subject string
	if p, ok := pc.Get(propSubject); ok {
		subject, _ = decodeString(p.Type, pc.Bytes(p), codepage)
	}
	return printOf(StripSubjectPrefix(subject), peekTime(pc)), exactTime(peekTimeProp(pc, propCreationTime))
}

// knownPrints holds the fingerprints of the messages found, each with its
// creation time (0: unknown), appended as found and sorted for lookups
// when first asked, and those of rows no message found has. There is one
// per message of the store: kept in a map they took 56 bytes each (67 MB
// for 1.2 million), here 16.
type knownPrints struct {
	found   []printTime
	sorted  bool
	rowOnly map[uint64]bool
}

type printTime struct {
	print   uint64
	created int64
}

// know records a message found of fingerprint p and creation time
// created (exactTime).
func (w *walker) know(p uint64, created int64) {
	w.known.found = append(w.known.found, printTime{p, created})
	w.known.sorted = false
}

// knowRow records fingerprint p of a row, when no message found has it.
func (w *walker) knowRow(p uint64) {
	if !w.isKnown(p) {
		if w.known.rowOnly == nil {
			w.known.rowOnly = map[uint64]bool{}
		}
		w.known.rowOnly[p] = true
	}
}

// foundOf returns the messages found of fingerprint p.
func (k *knownPrints) foundOf(p uint64) []printTime {
	if !k.sorted {
		slices.SortFunc(k.found, func(a, b printTime) int { return cmp.Compare(a.print, b.print) })
		k.sorted = true
	}
	i, _ := slices.BinarySearchFunc(k.found, p, func(e printTime, p uint64) int { return cmp.Compare(e.print, p) })
	j := i
	for j < len(k.found) && k.found[j].print == p {
		j++
	}
	return k.found[i:j]
}

// isKnown says a message found, or a row, has fingerprint p.
func (w *walker) isKnown(p uint64) bool {
	return w.known.rowOnly[p] || len(w.known.foundOf(p)) > 0
}

// versionOfFound says the heap pc, of fingerprint p, may be a version of a
// message found: one of p has its creation time (which a change leaves as
// it is), or one cannot tell. A heap matched to a lost item's row by
// subject and time may otherwise be an older copy of another item of that
// subject and time, changed since (a helper's review built the case).
func (w *walker) versionOfFound(p uint64, pc *ltp.PC) bool {
	found := w.known.foundOf(p)
	if len(found) == 0 {
		return false
	}
	c := exactTime(peekTimeProp(pc, propCreationTime))
	return c == 0 || slices.ContainsFunc(found, func(f printTime) bool { return f.created == 0 || f.created == c })
}

// peekTimeProp returns the time property id a heap keeps (zero: none).
func peekTimeProp(pc *ltp.PC, id uint16) time.Time {
	if p, ok := pc.Get(id); ok && p.Type == ltp.TypeTime {
		if b := pc.Bytes(p); len(b) == 8 {
			return FileTime(binary.LittleEndian.Uint64(b))
		}
	}
	return time.Time{}
}

// exactTime is t in nanoseconds since 1970, 0 when t is zero.
func exactTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// rowKey names a lost item's row for the heaps that may hold its
// properties: by its fingerprint (printOf), then, where rows share that,
// by its exact time too (in nanoseconds since 1970; 0: not part of the
// key). An item's time does not change with it: an older version of
// another item carries that item's time, not this one's.
type rowKey struct {
	print uint64
	time  int64
}

// rowKeys are the keys of a row, or of a heap, of fingerprint p and time t
// (zero: unknown), in the order a heap is matched by them.
func rowKeys(p uint64, t time.Time) []rowKey {
	if t.IsZero() {
		return []rowKey{{print: p}}
	}
	return []rowKey{{print: p}, {print: p, time: exactTime(t)}}
}

// printOf hashes a subject and a time (to the second) into a fingerprint;
// never 0.
func printOf(subject string, t time.Time) uint64 {
	h := fnv.New64a()
	h.Write([]byte(subject))
	var b [8]byte
	if !t.IsZero() {
		binary.LittleEndian.PutUint64(b[:], uint64(t.Unix()))
	}
	h.Write(b[:])
	return h.Sum64() | 1
}

func hasPrefixFold(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return true
		}
	}
	return false
}
