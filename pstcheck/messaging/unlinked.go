package messaging

import (
	"encoding/binary"
	"hash/fnv"
	"strings"
	"time"

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
// it one only where a single unused tree fits it and no other heap.
//
// Older versions of messages that exist (the blocks a change freed) and
// messages already known from a contents-table row look the same, so a
// heap whose subject and date match a message found, or a row, is not
// counted again. A heap that matches the row of a lost item (listed, its
// node gone) is that item's properties, or an older version of them (or
// of a copy of the same subject and time found elsewhere): it is kept as
// what can be salvaged of the item (Result.Salvage).

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
	defer func() {
		if w.out.Complete {
			return
		}
		w.out.UnlinkedExtra = max(0, len(w.out.Unlinked)+w.out.UnlinkedLeftOut-w.unnamedLost)
	}()
	if len(w.res.Unlinked) == 0 {
		return
	}
	// lostRows are the lost items' rows by fingerprint; a fingerprint two
	// rows share names neither (0).
	lostRows := map[uint64]uint32{}
	for _, refs := range w.out.Items {
		for _, it := range refs {
			r, ok := w.out.Rows[it.NID]
			if !ok || it.State != Lost || it.FAI || r.Subject == "" && r.Time.IsZero() {
				continue
			}
			p := printOf(r.Subject, r.Time)
			if _, twice := lostRows[p]; twice {
				lostRows[p] = 0
			} else {
				lostRows[p] = it.NID
			}
		}
	}
	for _, r := range w.out.Rows {
		w.known[printOf(r.Subject, r.Time)] = true
	}
	// The unused subnode trees list the heaps of attachments and embedded
	// messages, which are no lost messages of their own; needs are the
	// subnodes each message heap names (values too large for the heap):
	// its subnode tree must hold them.
	w.chk.mem.reset()
	trees := w.res.UnusedSubnodeTrees(w.chk.mem.blocks())
	needs := map[uint64][]uint32{}
	defer func() { w.matchSubnodes(needs, trees.Roots) }()
	for _, e := range w.res.Unlinked {
		if w.ctx.Err() != nil {
			return
		}
		if trees.Lists(e.BID) {
			continue
		}
		w.chk.mem.reset()
		blocks, err := w.res.ReadBlocks(e.BID, w.chk.mem.blocks())
		if err != nil {
			continue
		}
		pc, err := ltp.PeekPC(w.chk.mem.objects(), blocks, w.res.Decoder())
		if err != nil {
			continue
		}
		class := w.peekString(pc, propMessageClass)
		if !strings.HasPrefix(strings.ToUpper(class), "IPM.") || hasPrefixFold(class, faiClasses) {
			continue
		}
		// Every message heap claims the subnode trees it fits, even one
		// not salvaged (an older copy): a tree two heaps fit goes to none.
		if n := subnodesNamed(pc); len(n) > 0 {
			needs[e.BID] = n
		}
		m := UnlinkedMessage{BID: e.BID, Offset: int64(e.IB), Class: class,
			RowInfo: RowInfo{Subject: StripSubjectPrefix(w.peekString(pc, propSubject)), Time: peekTime(pc)}}
		if m.Subject == "" && m.Time.IsZero() {
			continue
		}
		p := printOf(m.Subject, m.Time)
		if nid := lostRows[p]; nid != 0 {
			// The newest of the heaps that match (BIDs grow as blocks are
			// written) is the lost item's current properties, or the
			// closest to them there is.
			if w.out.Salvage == nil {
				w.out.Salvage = map[uint32]Remains{}
			}
			if e.BID > w.out.Salvage[nid].Data {
				w.out.Salvage[nid] = Remains{Data: e.BID}
			}
			continue
		}
		if w.known[p] {
			continue
		}
		w.known[p] = true
		if len(w.out.Unlinked) < maxKept {
			w.out.Unlinked = append(w.out.Unlinked, m)
		} else {
			w.out.UnlinkedLeftOut++
		}
		when := ""
		if !m.Time.IsZero() {
			when = ", " + m.Time.Format("2006-01-02 15:04")
		}
		w.report(finding.MessageUnlinked, 0, 0, m.Offset, m.BID,
			"block 0x%X holds the properties of a message (%s %q%s) that no node index entry links to", m.BID, m.Class, m.Subject, when)
	}
}

// subnodesNamed lists the subnodes a property heap's values are kept in.
func subnodesNamed(pc *ltp.PC) []uint32 {
	var out []uint32
	for _, p := range pc.Props {
		if !ltp.Inline(p.Type) && !ltp.IsHID(p.Value) {
			out = append(out, p.Value)
		}
	}
	return out
}

// matchSubnodes gives the lost messages found by their heaps their
// subnodes (recipients, attachments, large values), when these can be
// told apart: a subnode tree no node uses fits a heap when it holds a
// recipient table and every subnode the heap names (needs, of the heaps
// that name one). Only a heap that fits exactly one tree, and is the only
// heap that tree fits, gets it: a tree that two heaps could own, or a heap
// two trees could complete, is left alone, so no message is given
// another's recipients or attachments. roots are the unused trees, not
// those they hold (an embedded message's own).
func (w *walker) matchSubnodes(needs map[uint64][]uint32, roots []uint64) {
	if len(needs) == 0 || len(roots) == 0 || w.ctx.Err() != nil {
		return
	}
	// Each heap is indexed by the first subnode it names.
	byFirst := map[uint32][]uint64{}
	for bid, n := range needs {
		byFirst[n[0]] = append(byFirst[n[0]], bid)
	}
	fits := map[uint64][]uint64{} // heap: the trees it fits
	owners := map[uint64]int{}    // tree: how many heaps it fits
	for _, root := range roots {
		if w.ctx.Err() != nil {
			return
		}
		w.chk.mem.reset()
		subs, err := w.res.Subnodes(root, w.chk.mem.blocks())
		if _, ok := subs[nidRecipientTable]; err != nil || !ok {
			continue
		}
		for nid := range subs {
			for _, heap := range byFirst[nid] {
				if holdsAll(subs, needs[heap]) {
					fits[heap] = append(fits[heap], root)
					owners[root]++
				}
			}
		}
	}
	sub := func(heap uint64) uint64 {
		if t := fits[heap]; len(t) == 1 && owners[t[0]] == 1 && w.sameRecipients(heap, t[0]) {
			return t[0]
		}
		return 0
	}
	for nid, r := range w.out.Salvage {
		r.Sub = sub(r.Data)
		w.out.Salvage[nid] = r
	}
	for i := range w.out.Unlinked {
		w.out.Unlinked[i].Sub = sub(w.out.Unlinked[i].BID)
	}
}

// wholeSalvage recovers the lost items whose remains are the item itself,
// so that they are counted and copied out as recovered, into the folder
// that lists them, instead of lost: the heap matched to the item's own
// row (the newest of those that match), with the one subnode tree that
// fits it and no other heap and holds the recipients the heap names
// (matchSubnodes); read whole, as the check reads a message; and, where
// both the row and the heap say when the item last changed, of that
// version (an older one left in the file differs there; some writers keep
// the time in the row alone).
func (w *walker) wholeSalvage() {
	// Items left out of Items (past maxKept) cannot be looked at here, but
	// would be by a walk that keeps every item: none is recovered then, so
	// that the counts do not depend on the walk.
	if len(w.out.Salvage) == 0 || w.out.ItemsLeftOut > 0 {
		return
	}
	for folder, refs := range w.out.Items {
		for i := range refs {
			r := &refs[i]
			rem, ok := w.out.Salvage[r.NID]
			// Nor is an item whose subnode tree is older than a tree no
			// node uses that fails verification: that one may be its
			// current tree, this an older copy still whole.
			if !ok || r.State != Lost || r.FAI || rem.Sub == 0 || rem.Sub < w.res.NewestFailing.Internal ||
				w.ctx.Err() != nil || !w.salvageWhole(r.NID, rem) {
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
}

// salvageWhole says whether rem, the remains matched to lost item nid's
// row, read whole and are of the version the row describes.
func (w *walker) salvageWhole(nid uint32, rem Remains) bool {
	row, ok := w.out.Rows[nid]
	if !ok {
		return false
	}
	c := &w.chk
	c.mem.reset()
	c.size = 0
	if err := c.object(rem.Data, rem.Sub); err != nil || c.named && (c.nameMapLost || c.unnamed) {
		return false
	}
	// The check does not read values kept in subnodes (a long body, an
	// attachment's bytes): for a message the node pass has verified their
	// blocks, but no node leads to these. Each is read through once.
	r := Reader{res: w.res, codepage: w.codepage}
	m, _, err := r.ReadRemains(nid, rem, ReadOptions{Verify: true, StreamAbove: leaveInStore})
	if err != nil {
		return false
	}
	// The heap is the newest whole one of the row's subject and time; the
	// current one may be among the data blocks that fail. The row's last
	// change time tells the version apart where the heap keeps it too;
	// else the heap must be newer than every unused data block that fails.
	mod := Time(m.Props, propLastModified)
	if mod.IsZero() || row.Modified.IsZero() {
		return rem.Data > w.res.NewestFailing.Data
	}
	return mod.Equal(row.Modified)
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

// sameRecipients says whether the subnode tree root holds the recipients
// heap's own names: the tree's recipient table, its display names joined
// per kind as the heap's display To, Cc and Bcc are. Two messages whose
// subnodes bear the same NIDs cannot pass for each other unless they went
// to the same people.
func (w *walker) sameRecipients(heap, root uint64) bool {
	w.chk.mem.reset()
	blocks, err := w.res.ReadBlocks(heap, w.chk.mem.blocks())
	if err != nil {
		return false
	}
	pc, err := ltp.PeekPC(w.chk.mem.objects(), blocks, w.res.Decoder())
	if err != nil {
		return false
	}
	subs, err := w.res.Subnodes(root, w.chk.mem.blocks())
	if err != nil {
		return false
	}
	tc, _, err := openTable(w.res, subs[nidRecipientTable], &w.chk.mem)
	if err != nil {
		return false
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
	for kind, id := range map[int]uint16{1: propDisplayTo, 2: propDisplayCc, 3: propDisplayBcc} {
		if w.peekString(pc, id) != strings.Join(names[kind], "; ") {
			return false
		}
	}
	return true
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
		if p, ok := pc.Get(id); ok && p.Type == ltp.TypeTime {
			if b := pc.Bytes(p); len(b) == 8 {
				return FileTime(binary.LittleEndian.Uint64(b))
			}
		}
	}
	return time.Time{}
}

// fingerprint is a message's subject and time as printOf hashes them;
// codepage decodes 8-bit strings.
func fingerprint(pc *ltp.PC, codepage uint32) uint64 {
	var subject string
	if p, ok := pc.Get(propSubject); ok {
		subject, _ = decodeString(p.Type, pc.Bytes(p), codepage)
	}
	return printOf(StripSubjectPrefix(subject), peekTime(pc))
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
