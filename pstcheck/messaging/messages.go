package messaging

import (
	"cmp"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// messages checks the queued messages and records what became of each.
// Work goes in the file order of the messages' data, in batches shared
// among a few goroutines (each with its own memory); each batch's results
// are folded into the folders' counts, in queue order, while the next
// batch is checked, so that the report does not depend on timing and
// nothing is kept per message.
func (w *walker) messages() {
	for i := range w.queue {
		w.queue[i].at = w.dataOrder(w.queue[i].nid)
	}
	slices.SortStableFunc(w.queue, func(a, b queued) int { return cmp.Compare(a.at, b.at) })

	workers := min(w.workers, 4, len(w.queue)/64+1)
	checkers := make([]*checker, workers)
	tolerant := w.tolerant
	if tolerant == nil {
		tolerant = w.res.Tolerant(nil)
	}
	for i := range checkers {
		unverified := new([]uint64)
		checkers[i] = &checker{res: w.res, tolerant: tolerant.Tolerant(unverified), unverified: unverified,
			nameMapLost: w.chk.nameMapLost, names: w.chk.names, fingerprints: len(w.res.Unlinked) > 0, codepage: w.codepage}
	}
	const batch = 4096
	var bufs [2][]checked
	check := func(start int) *sync.WaitGroup {
		buf := bufs[start/batch%2]
		if buf == nil {
			buf = make([]checked, batch)
			bufs[start/batch%2] = buf
		}
		n := min(batch, len(w.queue)-start)
		// Each worker takes runs of neighbouring messages, so that its
		// reads go forward through the file.
		const run = 256
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, c := range checkers {
			wg.Go(func() {
				for k0 := int(next.Add(run)) - run; k0 < n && w.ctx.Err() == nil; k0 = int(next.Add(run)) - run {
					for k := k0; k < min(k0+run, n); k++ {
						q := w.queue[start+k]
						buf[k].err = c.message(q.nid)
						buf[k].unreadable = c.damagedHeap(q.nid, buf[k].err, q.listed)
						buf[k].print, buf[k].created, buf[k].size, buf[k].attaches = c.print, c.created, c.size, c.attaches
					}
				}
			})
		}
		return &wg
	}
	var pending *sync.WaitGroup
	if len(w.queue) > 0 {
		pending = check(0)
	}
	for start := 0; start < len(w.queue); start += batch {
		pending.Wait()
		if w.ctx.Err() != nil {
			return
		}
		if start+batch < len(w.queue) {
			pending = check(start + batch)
		}
		for k, q := range w.queue[start:min(start+batch, len(w.queue))] {
			w.fold(q, bufs[start/batch%2][k])
		}
	}
	if len(w.queue) > 0 {
		pending.Wait()
	}
	for _, c := range checkers {
		w.stamps.merge(c.stamps)
	}
}

// checked is what checking a message found.
type checked struct {
	err     error
	print   uint64
	created int64 // the message's creation time (exactTime)
	size    int64
	// unreadable: the message is damaged and its property heap cannot be
	// read even leniently (checker.damagedHeap).
	unreadable bool
	// attaches: its heap read and says it has attachments.
	attaches bool
}

// dataOrder is where a message's data lies, to order the checks by: the
// offset of its data block in 64-byte units, after 0 for a message whose
// data block is not in the BBT and 1 for one without a node.
func (w *walker) dataOrder(nid uint32) uint32 {
	n, ok := w.res.Node(nid)
	if !ok {
		return 1
	}
	off := w.res.BlockOffset(n.Data)
	if off < 0 {
		return 0
	}
	return uint32(min(off>>6+2, math.MaxUint32))
}

// fold reports what checking q found and counts the item in its folder.
func (w *walker) fold(q queued, c checked) {
	err := c.err
	if c.print != 0 {
		w.know(c.print, c.created)
	}
	switch err {
	case nil, errNodeDamaged, errNamesLost:
	case errMissing:
		w.report(finding.MessageMissing, q.nid, q.folder, finding.NoOffset, 0,
			"the contents table of folder 0x%X lists message 0x%X, which does not exist", q.folder, q.nid)
	case errNotMessage:
		w.report(finding.MessageMissing, q.nid, q.folder, finding.NoOffset, 0,
			"the contents table of folder 0x%X lists 0x%X, which is a %s, not a message", q.folder, q.nid, ndb.NIDKind(q.nid))
	default:
		w.fail(err, q.nid, q.folder, "message")
	}
	state := Readable
	switch {
	case err == errMissing || err == errNotMessage:
		state = Lost
	case err != nil:
		state = Damaged
	case !q.listed:
		state = Recovered
	}
	n, exists := w.res.Node(q.nid)
	if exists && q.listed && n.Parent != q.folder {
		if w.out.ListedIn == nil {
			w.out.ListedIn = map[uint32]uint32{}
		}
		w.out.ListedIn[q.nid] = q.folder
	}
	ref := ItemRef{NID: q.nid, State: state, FAI: !q.normal, Orphan: !q.listed && w.itemsListed[q.folder],
		NamesLost: err == errNamesLost, Unreadable: state == Damaged && c.unreadable}
	if q.normal {
		f := &w.out.Folders[w.folderIndex[q.folder]]
		switch state {
		case Readable:
			f.Readable++
		case Damaged:
			f.Damaged++
			if c.attaches && !errors.Is(err, errNamesLost) {
				w.out.AttachParents++
			}
			if c.print == 0 && !q.listed && len(w.res.Unlinked) > 0 {
				// Neither a row nor its heap says its subject or time,
				// and a heap no node uses may be its newer or older
				// version (the heap an old index page names is written
				// over once the message changes): counted as one a heap
				// may be (unlinkedCounts).
				w.out.Unmatched.Damaged++
			}
			if ref.NamesLost {
				f.NamesLost++
			}
			if ref.Unreadable {
				f.Unreadable++
			}
		case Lost:
			f.Lost++
		case Recovered:
			f.Recovered++
		}
		if (state == Readable || state == Recovered) && exists && n.Rebuilt {
			w.out.RebuiltItems++
		}
		if err == nil || err == errNamesLost {
			f.Size += c.size // the sizes of the items read whole
		}
	}
	switch {
	case w.keepItems:
	case state == Readable && !ref.Orphan && !ref.NamesLost:
		return
	case w.kept >= maxKept:
		w.out.ItemsLeftOut++
		return
	}
	w.kept++
	w.out.Items[q.folder] = append(w.out.Items[q.folder], ref)
}

// damagedHeap looks again at the property heap of message nid, whose
// check stopped at err before opening it (a block under it fails): where
// it reads, its fingerprint is taken from it all the same
// when no row lists the message, so that a heap no node uses that is a
// version of it is not taken for another item; and it says whether the
// heap cannot be read even as a lenient read (export's --include-damaged)
// takes it, its blocks whose one fault is their checksum read as they
// are, the properties whose values cannot be found left out: then nothing
// of the message can be written.
func (c *checker) damagedHeap(nid uint32, err error, listed bool) (unreadable bool) {
	if err == nil || err == errMissing || err == errNotMessage || err == errNamesLost || c.heapOpened {
		return false
	}
	n, ok := c.res.Node(nid)
	if !ok {
		return true
	}
	if c.fingerprints {
		c.mem.reset()
		if blocks, err := c.res.ReadBlocks(n.Data, c.mem.blocks()); err == nil {
			if pc, err := ltp.PeekPC(c.mem.objects(), blocks, c.res.Decoder()); err == nil {
				// Whether it had attachments, one of which may be found
				// as a heap no node links to (Result.AttachParents).
				c.attaches = hasAttachments(pc)
				if !listed {
					c.print, c.created = fingerprint(pc, c.codepage)
				}
				return false
			}
		}
	}
	c.mem.reset()
	*c.unverified = (*c.unverified)[:0]
	blocks, err := c.tolerant.ReadBlocks(n.Data, c.mem.blocks())
	if err != nil {
		return true
	}
	_, _, err = ltp.SalvagePC(c.mem.objects(), blocks, c.res.Decoder(), nil)
	return err != nil
}

// hasAttachments says whether a message's flags say it has attachments.
func hasAttachments(pc *ltp.PC) bool {
	p, ok := pc.Get(propMessageFlags)
	return ok && p.Type == ltp.TypeInt32 && p.Value&msgFlagHasAttach != 0
}

// errNodeDamaged: the node pass found damaged blocks under the message and
// reported them; the message is damaged, with nothing new to say.
var errNodeDamaged = errors.New("node damaged")

// errNamesLost: the message is whole, but it is of a kind whose key fields
// are named properties (a calendar item's times, a contact's addresses),
// which the lost name-to-ID map cannot resolve (STORE-NAMEMAP says so
// once). Other messages keep only minor fields there (flags, categories):
// they stay readable.
var errNamesLost = errors.New("named properties unreadable")

// namedClasses are the message classes whose key fields are named
// properties (MS-OXOCAL, MS-OXOCNTC, MS-OXOTASK, MS-OXONOTE).
var namedClasses = []string{"IPM.Appointment", "IPM.Schedule.Meeting", "IPM.Contact", "IPM.DistList", "IPM.Task", "IPM.StickyNote"}

// needsNames says whether a message PC is of a class in namedClasses and
// has named properties.
func needsNames(pc *ltp.PC) bool {
	// Properties come in ID order: a named one is last.
	if len(pc.Props) == 0 || pc.Props[len(pc.Props)-1].ID < 0x8000 {
		return false
	}
	p, ok := pc.Get(propMessageClass)
	if !ok {
		return false
	}
	for _, c := range namedClasses {
		if classIs(p.Type, pc.Bytes(p), c) {
			return true
		}
	}
	return false
}

// classIs says whether message class b, a string property of type t as
// stored, is class c or one of its subclasses (c, a dot, more), ignoring
// ASCII case, without decoding it: classes are ASCII names, and no other
// character folds to an ASCII letter in a single byte. A class that is not
// a string is none.
func classIs(t uint16, b []byte, c string) bool {
	w := 1
	switch t {
	case ltp.TypeString:
		w = 2
	case ltp.TypeString8:
	default:
		return false
	}
	at := func(i int) uint16 {
		if w == 2 {
			return binary.LittleEndian.Uint16(b[2*i:])
		}
		return uint16(b[i])
	}
	n := len(b) / w
	for n > 0 && at(n-1) == 0 {
		n-- // trailing NULs
	}
	if n < len(c) {
		return false
	}
	for i := range len(c) {
		if ch := at(i); ch >= 0x80 || lowerASCII(byte(ch)) != lowerASCII(c[i]) {
			return false
		}
	}
	return n == len(c) || at(len(c)) == '.'
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// checker validates message objects. Each goroutine has its own: the
// arena holds the blocks of the item being checked and is reset per item.
type checker struct {
	res *ndb.Result
	// tolerant is this checker's tolerant view of res (damagedHeap), the
	// blocks it read as they are in unverified.
	tolerant   *ndb.Result
	unverified *[]uint64
	// heapOpened says the message checked last had its property context
	// opened (whatever failed after it).
	heapOpened  bool
	mem         memory
	nameMapLost bool
	// names are the IDs the store's name-to-ID map names, when it reads
	// as a map (nameMap; or salvaged, storenodes.go): a message using
	// another has lost that field.
	names *namedIDs
	// fingerprints says to take the fingerprint of each message checked
	// (in print), to tell unlinked heaps apart from known messages, and
	// to learn the store's stamps from the normal ones (stamps.go).
	fingerprints bool
	normal       bool // the message being checked is a normal one, not FAI
	stamps       stamps
	print        uint64
	created      int64
	// attaches: the last message's heap says it has attachments.
	attaches bool
	// size is the last message's PidTagMessageSize (0 when it has none).
	size     int64
	codepage uint32
	// named says the message being checked needs the name map. It and
	// visit, made once, are fields: a visit made per message, or a variable
	// it captured, would be moved to the heap.
	named bool
	// unnamed: the message uses a named property the salvaged map does
	// not name.
	unnamed bool
	visit   objectVisit
}

// message checks one message: nil when it is readable whole.
func (c *checker) message(nid uint32) error {
	c.mem.reset()
	c.print, c.created, c.size, c.heapOpened, c.attaches = 0, 0, 0, false, false
	n, ok := c.res.Node(nid)
	if !ok {
		return errMissing
	}
	if t := nid & 0x1F; t != ndb.NIDTypeMessage && t != ndb.NIDTypeAssocMessage {
		return errNotMessage
	}
	c.normal = nid&0x1F == ndb.NIDTypeMessage
	if c.res.NodeDamaged[nid] {
		return errNodeDamaged
	}
	c.res.Prefetch(c.mem.blocks(), n.Data, n.Sub)
	return c.object(n.Data, n.Sub)
}

// object checks the message object whose property context is the data
// tree data and whose subnode tree is sub: nil when it is readable whole.
func (c *checker) object(data, sub uint64) error {
	subs, err := c.res.Subnodes(sub, c.mem.blocks())
	if err != nil {
		return err
	}
	c.named = false
	if c.visit.message == nil {
		c.visit = objectVisit{mem: &c.mem, message: c.sawMessage}
	}
	err = walkObject(c.res, data, subs, 0, &c.visit)
	if err == nil && c.named && (c.nameMapLost || c.unnamed) {
		return errNamesLost
	}
	return err
}

// sawMessage takes what the check keeps from a message's property context.
func (c *checker) sawMessage(depth int, pc *ltp.PC, _ map[uint32]ndb.Subnode) error {
	if depth == 0 {
		c.heapOpened = true
		c.named = needsNames(pc)
		c.unnamed = c.named && c.names != nil && !namesAll(pc, c.names)
		c.size = messageSize(pc)
		c.attaches = hasAttachments(pc)
		if c.fingerprints {
			c.print, c.created = fingerprint(pc, c.codepage)
			if c.normal {
				c.stamps.add(pc)
			}
		}
	}
	return nil
}

// orphans reports message nodes whose folder's contents table was read
// whole and does not list them.
func (w *walker) orphans() {
	for _, nid := range w.orphaned {
		n, _ := w.res.Node(nid)
		w.report(finding.MessageOrphan, nid, n.Parent, finding.NoOffset, 0,
			"message 0x%X (parent 0x%X) is listed in no folder", nid, n.Parent)
	}
}

// messageSize is a message's PidTagMessageSize: 32 bits, or 64 where a
// store keeps it as PidTagMessageSizeExtended (the same ID); 0 when
// absent or negative.
func messageSize(pc *ltp.PC) int64 {
	p, ok := pc.Get(propMessageSize)
	if !ok {
		return 0
	}
	switch p.Type {
	case ltp.TypeInt32:
		return int64(max(int32(p.Value), 0))
	case ltp.TypeInt64:
		if b := pc.Bytes(p); len(b) == 8 {
			return max(int64(binary.LittleEndian.Uint64(b)), 0)
		}
	}
	return 0
}
