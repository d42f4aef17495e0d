package messaging

import (
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// messages checks the queued messages and records what became of each.
// Work goes in the file order of the messages' data, split among a few
// goroutines (each with its own arena); findings are reported afterwards in
// queue order, so the report does not depend on timing.
func (w *walker) messages() {
	offset := make(map[uint32]int64, len(w.queue))
	for _, q := range w.queue {
		if n, ok := w.res.Node(q.nid); ok {
			offset[q.nid] = w.res.BlockOffset(n.Data)
		}
	}
	slices.SortStableFunc(w.queue, func(a, b queued) int { return cmp.Compare(offset[a.nid], offset[b.nid]) })

	first := make(map[uint32]int, len(w.queue))
	var jobs []int
	for i, q := range w.queue {
		if _, dup := first[q.nid]; !dup {
			first[q.nid] = i
			jobs = append(jobs, i)
		}
	}
	results := make([]error, len(w.queue))
	prints := make([]uint64, len(w.queue))
	workers := min(w.workers, 4, len(jobs)/64+1)
	// Each worker totals the sizes of the items it read whole per folder,
	// so no size is kept per item.
	sizes := make([]map[uint32]int64, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &checker{res: w.res, nameMapLost: w.chk.nameMapLost, fingerprints: len(w.res.Unlinked) > 0, codepage: w.codepage}
			sizes[wk] = map[uint32]int64{}
			for {
				k := int(next.Add(1)) - 1
				if k >= len(jobs) || w.ctx.Err() != nil {
					return
				}
				i := jobs[k]
				results[i] = c.message(w.queue[i].nid)
				prints[i] = c.print
				if q := w.queue[i]; q.normal && (results[i] == nil || results[i] == errNamesLost) {
					sizes[wk][q.folder] += c.size
				}
			}
		}()
	}
	wg.Wait()
	if w.ctx.Err() != nil {
		return
	}
	for _, m := range sizes {
		for folder, n := range m {
			if i, ok := w.folderIndex[folder]; ok {
				w.out.Folders[i].Size += n
			}
		}
	}
	w.out.Items = map[uint32][]ItemRef{}
	for i, q := range w.queue {
		j := first[q.nid]
		if i != j {
			continue // listed twice: counted once, where first found
		}
		err := results[j]
		if prints[j] != 0 {
			w.known[prints[j]] = true
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
		if n, ok := w.res.Node(q.nid); ok && q.listed && n.Parent != q.folder {
			if w.out.ListedIn == nil {
				w.out.ListedIn = map[uint32]uint32{}
			}
			w.out.ListedIn[q.nid] = q.folder
		}
		orphan := !q.listed && w.itemsListed[q.folder]
		w.out.Items[q.folder] = append(w.out.Items[q.folder], ItemRef{NID: q.nid, State: state, FAI: !q.normal,
			Orphan: orphan, NamesLost: err == errNamesLost})
	}
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
	class, _ := decodeString(p.Type, pc.Bytes(p), 1252) // class names are ASCII
	for _, c := range namedClasses {
		if len(class) >= len(c) && strings.EqualFold(class[:len(c)], c) && (len(class) == len(c) || class[len(c)] == '.') {
			return true
		}
	}
	return false
}

// checker validates message objects. Each goroutine has its own: the
// arena holds the blocks of the item being checked and is reset per item.
type checker struct {
	res         *ndb.Result
	arena       ndb.Arena
	nameMapLost bool
	// fingerprints says to take the fingerprint of each message checked
	// (in print), to tell unlinked heaps apart from known messages.
	fingerprints bool
	print        uint64
	// size is the last message's PidTagMessageSize (0 when it has none).
	size     int64
	codepage uint32
}

// message checks one message: nil when it is readable whole.
func (c *checker) message(nid uint32) error {
	c.arena.Reset()
	c.print, c.size = 0, 0
	n, ok := c.res.Node(nid)
	if !ok {
		return errMissing
	}
	if t := nid & 0x1F; t != ndb.NIDTypeMessage && t != ndb.NIDTypeAssocMessage {
		return errNotMessage
	}
	if c.res.NodeDamaged[nid] {
		return errNodeDamaged
	}
	subs, err := c.res.Subnodes(n.Sub)
	if err != nil {
		return err
	}
	named := false
	err = walkObject(c.res, n.Data, subs, 0, &objectVisit{arena: &c.arena,
		message: func(depth int, pc *ltp.PC, _ map[uint32]ndb.Subnode) error {
			if depth == 0 {
				named = needsNames(pc)
				c.size = messageSize(pc)
				if c.fingerprints {
					c.print = fingerprint(pc, c.codepage)
				}
			}
			return nil
		}})
	if err == nil && named && c.nameMapLost {
		return errNamesLost
	}
	return err
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
