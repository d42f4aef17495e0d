// Package messaging walks the messaging layer: from the message store and
// root folder down the folder hierarchy, every folder's contents and FAI
// tables, and every message with its recipients, attachments and embedded
// messages. It classifies each item readable or damaged, finds orphans and
// cycles, and summarises damage per folder. It reads only blocks the NDB
// passes verified and structures the ltp package validates.
package messaging

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Well-known NIDs (MS-PST 2.4.1).
const (
	NIDMessageStore    = 0x21
	NIDRootFolder      = 0x122
	nidRecipientTable  = 0x692
	nidAttachmentTable = 0x671
)

// Property IDs used here.
const (
	propDisplayName  = 0x3001
	propContentCount = 0x3602
	propAttachMethod = 0x3705
	propAttachData   = 0x3701
	propPstPassword  = 0x67FF
	attachEmbedded   = 5
	maxEmbeddedDepth = 8
)

// Folder is one folder's summary.
type Folder struct {
	NID      uint32
	Parent   uint32
	Name     string
	Path     string
	Items    int // rows of the contents table (normal messages)
	Readable int
	Damaged  int
	FAI      int
}

// Result is what the messaging pass found.
type Result struct {
	Folders  []Folder
	Password bool // the store has a PST password (not a security boundary)
	// Codepage is the Windows code page of the store's 8-bit strings.
	Codepage uint32
	// Items lists, for each folder NID, the messages its contents table
	// lists (or, when the table is lost, that name it as parent), and
	// whether each is readable.
	Items map[uint32][]ItemRef
}

// ItemRef is a message a folder holds.
type ItemRef struct {
	NID      uint32
	Readable bool
	FAI      bool
}

type walker struct {
	ctx         context.Context
	res         *ndb.Result
	sink        finding.Sink
	unicode     bool
	seenMsg     map[uint32]bool
	seenFolder  map[uint32]bool
	folderIndex map[uint32]int
	// subfoldersListed and itemsListed say which folders' hierarchy and
	// contents tables were read whole: only then is a node they do not
	// list an orphan rather than a consequence of damage already reported.
	subfoldersListed, itemsListed map[uint32]bool
	// byParent indexes message nodes by their parent folder, to recover a
	// folder's items when its contents table is lost.
	byParent map[uint32][]uint32
	// queue holds the messages the folder walk found, checked afterwards
	// in the file order of their data so that reads go forward.
	queue []queued
	// chk reads the folders' own nodes and tables.
	chk     checker
	workers int
	// codepage decodes the store's 8-bit strings (ANSI files).
	codepage uint32
	out      Result
}

type queued struct {
	nid, folder uint32
	normal      bool // listed in the contents table, not the FAI table
}

// Check walks the store with up to workers goroutines checking messages.
// res must come from a completed ndb.Scan.
func Check(ctx context.Context, res *ndb.Result, sink finding.Sink, workers int) *Result {
	w := &walker{ctx: ctx, res: res, chk: checker{res: res}, sink: sink, unicode: res.Header.Kind != ndb.ANSI,
		seenMsg: map[uint32]bool{}, seenFolder: map[uint32]bool{}, folderIndex: map[uint32]int{},
		subfoldersListed: map[uint32]bool{}, itemsListed: map[uint32]bool{}, byParent: map[uint32][]uint32{},
		workers: max(workers, 1)}
	if res.Header.Crypt > 2 {
		return &w.out // item data cannot be decoded (HDR-CRYPT says so)
	}
	for _, n := range res.NBT {
		if n.NID&0x1F == ndb.NIDTypeMessage {
			w.byParent[n.Parent] = append(w.byParent[n.Parent], n.NID)
		}
	}
	w.codepage = 1252
	if !w.unicode {
		w.codepage = w.storeCodepage()
	}
	w.out.Codepage = w.codepage
	w.store()
	w.folders()
	w.messages()
	w.orphans()
	return &w.out
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
		// NID; nothing new to say.
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
	subs, err := w.res.Subnodes(n.Sub)
	if err != nil {
		return nil, nil, err
	}
	data, err := w.res.ReadBlocks(n.Data, &w.chk.arena)
	return data, subs, err
}

var (
	errMissing    = errors.New("node missing")
	errNotMessage = errors.New("not a message")
)

func subnodeSet(subs map[uint32]ndb.Subnode) ltp.SubnodeSet {
	return func(nid uint32) bool { _, ok := subs[nid]; return ok }
}

func (c *checker) rowReader(subs map[uint32]ndb.Subnode) ltp.RowReader {
	return func(nid uint32) ([][]byte, error) {
		blocks, err := c.res.ReadBlocks(subs[nid].Data, &c.arena)
		if err != nil {
			return nil, err
		}
		out := make([][]byte, len(blocks))
		for i, b := range blocks {
			c.res.Decode(b.BID, 0, b.Data)
			out[i] = b.Data
		}
		return out, nil
	}
}

func (w *walker) store() {
	data, subs, err := w.node(NIDMessageStore)
	if err == errMissing {
		w.report(finding.StoreRoot, NIDMessageStore, 0, finding.NoOffset, 0, "the message store node 0x21 is missing")
		return
	}
	if err != nil {
		w.fail(err, NIDMessageStore, 0, "message store")
		return
	}
	pc, err := ltp.OpenPC(data, w.res.Decode, subnodeSet(subs))
	if err != nil {
		w.fail(err, NIDMessageStore, 0, "message store")
		return
	}
	if p, ok := pc.Get(propPstPassword); ok && p.Value != 0 {
		w.out.Password = true
	}
}

// folders walks the hierarchy from the root folder, depth first, with an
// explicit stack (a hostile file may nest deeply) and a visited set. Then
// it walks the folders the hierarchy did not reach, through their parent
// NIDs, so the items of a folder whose parent's table is damaged are still
// counted.
func (w *walker) folders() {
	if _, ok := w.res.Node(NIDRootFolder); ok {
		w.walk(NIDRootFolder, 0, "")
	} else {
		w.report(finding.StoreRoot, NIDRootFolder, 0, finding.NoOffset, 0, "the root folder node 0x122 is missing")
	}
	for w.ctx.Err() == nil {
		for progress := true; progress && w.ctx.Err() == nil; {
			progress = false
			for _, n := range w.res.NBT {
				if n.NID&0x1F != ndb.NIDTypeFolder || w.seenFolder[n.NID] {
					continue
				}
				i, parentSeen := w.folderIndex[n.Parent]
				if !parentSeen {
					continue // wait for the parent, if it can be reached
				}
				if w.subfoldersListed[n.Parent] {
					w.report(finding.FolderOrphan, n.NID, n.Parent, finding.NoOffset, 0,
						"folder 0x%X names parent 0x%X, whose hierarchy table does not list it", n.NID, n.Parent)
				}
				w.walk(n.NID, n.Parent, w.out.Folders[i].Path)
				progress = true
			}
		}
		// What is left hangs off a missing parent (NODE-PARENT) or a
		// cycle of parents: walk the first of it too, so its items are
		// counted, then look again for folders it makes reachable.
		i := slices.IndexFunc(w.res.NBT, func(n ndb.NBTEntry) bool {
			return n.NID&0x1F == ndb.NIDTypeFolder && !w.seenFolder[n.NID]
		})
		if i < 0 {
			return
		}
		n := w.res.NBT[i]
		w.walk(n.NID, n.Parent, "(unreachable)")
	}
}

func isFolderNID(nid uint32) bool {
	t := nid & 0x1F
	return t == ndb.NIDTypeFolder || t == ndb.NIDTypeSearchFolder
}

func displayPath(p string) string {
	if p == "" {
		return "(root)"
	}
	return p
}

// walk checks the folder tree under nid.
func (w *walker) walk(nid, parent uint32, parentPath string) {
	type item struct {
		nid, parent uint32
		path        string
	}
	stack := []item{{nid: nid, parent: parent, path: parentPath}}
	for len(stack) > 0 {
		if w.ctx.Err() != nil {
			return
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if w.seenFolder[it.nid] {
			w.report(finding.FolderCycle, it.nid, it.parent, finding.NoOffset, 0,
				"folder 0x%X is listed again under %q: the folder tree loops", it.nid, it.path)
			continue
		}
		w.seenFolder[it.nid] = true
		children := w.folder(it.nid, it.parent, it.path)
		f := &w.out.Folders[w.folderIndex[it.nid]]
		for i := len(children) - 1; i >= 0; i-- {
			c := children[i]
			if _, ok := w.res.Node(c); !ok || !isFolderNID(c) {
				what := "which does not exist"
				if ok {
					what = "which is a " + ndb.NIDKind(c) + ", not a folder"
				}
				w.report(finding.FolderMissing, c, it.nid, finding.NoOffset, 0,
					"the hierarchy table of %q lists subfolder 0x%X, %s", displayPath(f.Path), c, what)
				continue
			}
			stack = append(stack, item{nid: c, parent: it.nid, path: f.Path})
		}
	}
}

// folder checks one folder and returns its subfolders' NIDs.
func (w *walker) folder(nid, parent uint32, parentPath string) []uint32 {
	f := Folder{NID: nid, Parent: parent}
	defer func() {
		w.folderIndex[nid] = len(w.out.Folders)
		w.out.Folders = append(w.out.Folders, f)
	}()
	w.chk.arena.Reset()
	name := fmt.Sprintf("(folder 0x%X)", nid)
	contentCount := -1
	data, subs, err := w.node(nid)
	if err == nil {
		var pc *ltp.PC
		pc, err = ltp.OpenPC(data, w.res.Decode, subnodeSet(subs))
		if err == nil {
			if s, ok := w.str(pc, propDisplayName); ok {
				name = s
			}
			if p, ok := pc.Get(propContentCount); ok && p.Type == ltp.TypeInt32 {
				contentCount = int(p.Value)
			}
		}
	}
	if err != nil {
		w.fail(err, nid, nid, "folder")
	}
	// A "/" in a name would read as a level of the path: it is shown as
	// U+2215 (division slash), which looks the same and is not a separator.
	f.Name = strings.ReplaceAll(name, "/", "\u2215")
	name = f.Name
	switch {
	case nid == NIDRootFolder:
		f.Path = ""
	case parentPath == "":
		f.Path = name
	default:
		f.Path = parentPath + "/" + name
	}

	if nid&0x1F == ndb.NIDTypeSearchFolder {
		// A search folder holds no items of its own (its search contents
		// table lists messages that live in other folders), and the table
		// NIDs at its index belong to a normal folder, if one has it.
		return nil
	}
	base := nid &^ 0x1F
	children, ok := w.table(base|ndb.NIDTypeHierarchyTable, nid, "hierarchy table")
	w.subfoldersListed[nid] = ok
	rows, ok := w.table(base|ndb.NIDTypeContentsTable, nid, "contents table")
	w.itemsListed[nid] = ok
	if ok && contentCount >= 0 && contentCount != len(rows) {
		w.report(finding.FolderCount, nid, nid, finding.NoOffset, 0,
			"folder %q says it holds %d items; its contents table lists %d", f.Path, contentCount, len(rows))
	}
	if !ok && nid&0x1F == ndb.NIDTypeFolder {
		// The listing is lost: the messages that name this folder as
		// their parent are its items.
		rows = w.byParent[nid]
	}
	f.Items = len(rows)
	for _, m := range rows {
		w.queue = append(w.queue, queued{m, nid, true})
	}
	fai, _ := w.table(base|ndb.NIDTypeAssocContents, nid, "FAI contents table")
	f.FAI = len(fai)
	for _, m := range fai {
		w.queue = append(w.queue, queued{m, nid, false})
	}
	return children
}

// table opens a folder's table node and returns its row IDs. A table a
// folder lacks is not damage (not every folder has all three); a table that
// cannot be read is.
func (w *walker) table(nid, folder uint32, what string) ([]uint32, bool) {
	if _, ok := w.res.Node(nid); !ok {
		// Every normal folder has its three tables (only search folders,
		// which are not read here, lack some).
		w.report(finding.FolderTable, nid, folder, finding.NoOffset, 0,
			"folder 0x%X has no %s (node 0x%X)", folder, what, nid)
		return nil, false
	}
	data, subs, err := w.node(nid)
	if err == nil {
		var tc *ltp.TC
		tc, err = ltp.OpenTC(data, w.res.Decode, subnodeSet(subs), w.chk.rowReader(subs))
		if err == nil {
			return tc.RowIDs, true
		}
	}
	w.fail(err, nid, folder, what)
	return nil, false
}

// messages checks the queued messages and adds each readable one to its
// folder. Work goes in the file order of the messages' data, split among
// a few goroutines (each with its own arena); findings are reported
// afterwards in queue order, so the report does not depend on timing.
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
		w.seenMsg[q.nid] = true
	}
	results := make([]error, len(w.queue))
	workers := min(w.workers, 4, len(jobs)/64+1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &checker{res: w.res}
			for {
				k := int(next.Add(1)) - 1
				if k >= len(jobs) || w.ctx.Err() != nil {
					return
				}
				i := jobs[k]
				results[i] = c.message(w.queue[i].nid)
			}
		}()
	}
	wg.Wait()
	if w.ctx.Err() != nil {
		return
	}
	for i, q := range w.queue {
		j := first[q.nid]
		err := results[j]
		if i == j {
			switch err {
			case nil, errNodeDamaged:
			case errMissing:
				w.report(finding.MessageMissing, q.nid, q.folder, finding.NoOffset, 0,
					"the contents table of folder 0x%X lists message 0x%X, which does not exist", q.folder, q.nid)
			case errNotMessage:
				w.report(finding.MessageMissing, q.nid, q.folder, finding.NoOffset, 0,
					"the contents table of folder 0x%X lists 0x%X, which is a %s, not a message", q.folder, q.nid, ndb.NIDKind(q.nid))
			default:
				w.fail(err, q.nid, q.folder, "message")
			}
		}
		if err == nil && q.normal {
			w.out.Folders[w.folderIndex[q.folder]].Readable++
		}
		if w.out.Items == nil {
			w.out.Items = map[uint32][]ItemRef{}
		}
		w.out.Items[q.folder] = append(w.out.Items[q.folder], ItemRef{NID: q.nid, Readable: err == nil, FAI: !q.normal})
	}
	for i := range w.out.Folders {
		f := &w.out.Folders[i]
		f.Damaged = f.Items - f.Readable
	}
}

// errNodeDamaged: the node pass found damaged blocks under the message and
// reported them; the message is damaged, with nothing new to say.
var errNodeDamaged = errors.New("node damaged")

// checker validates message objects. Each goroutine has its own: the
// arena holds the blocks of the item being checked and is reset per item.
type checker struct {
	res   *ndb.Result
	arena ndb.Arena
}

// message checks one message: nil when it is readable whole.
func (c *checker) message(nid uint32) error {
	c.arena.Reset()
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
	return c.messageObject(n.Data, subs, 0)
}

// messageObject validates a message's PC, recipient and attachment tables
// and attachments (recursing into embedded messages).
func (c *checker) messageObject(data uint64, subs map[uint32]ndb.Subnode, depth int) error {
	pages, err := c.res.ReadBlocks(data, &c.arena)
	if err != nil {
		return err
	}
	if _, err := ltp.OpenPC(pages, c.res.Decode, subnodeSet(subs)); err != nil {
		return err
	}
	if s, ok := subs[nidRecipientTable]; ok {
		if _, err := c.subTable(s); err != nil {
			return err
		}
	}
	s, ok := subs[nidAttachmentTable]
	if !ok {
		return nil
	}
	rows, err := c.subTable(s)
	if err != nil {
		return err
	}
	for _, a := range rows {
		as, ok := subs[a]
		if !ok {
			return &ltp.Error{Code: finding.MessageDamaged, Detail: fmt.Sprintf("attachment table lists attachment 0x%X, which does not exist", a)}
		}
		asubs, err := c.res.Subnodes(as.Sub)
		if err != nil {
			return err
		}
		apages, err := c.res.ReadBlocks(as.Data, &c.arena)
		if err != nil {
			return err
		}
		pc, err := ltp.OpenPC(apages, c.res.Decode, subnodeSet(asubs))
		if err != nil {
			return err
		}
		m, ok := pc.Get(propAttachMethod)
		if !ok || m.Value != attachEmbedded {
			continue
		}
		obj, ok := pc.Get(propAttachData)
		if !ok || obj.Type != ltp.TypeObject {
			continue
		}
		ref := pc.Bytes(obj)
		if len(ref) < 4 {
			return &ltp.Error{Code: finding.MessageDamaged, Detail: fmt.Sprintf("attachment 0x%X: embedded message reference is %d bytes", a, len(ref))}
		}
		emb, ok := asubs[binary.LittleEndian.Uint32(ref)]
		if !ok {
			return &ltp.Error{Code: finding.MessageDamaged, Detail: fmt.Sprintf("attachment 0x%X: embedded message 0x%X does not exist", a, binary.LittleEndian.Uint32(ref))}
		}
		if depth >= maxEmbeddedDepth {
			return &ltp.Error{Code: finding.MessageDamaged, Detail: "embedded messages nest too deep"}
		}
		esubs, err := c.res.Subnodes(emb.Sub)
		if err != nil {
			return err
		}
		if err := c.messageObject(emb.Data, esubs, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) subTable(s ndb.Subnode) ([]uint32, error) {
	subs, err := c.res.Subnodes(s.Sub)
	if err != nil {
		return nil, err
	}
	pages, err := c.res.ReadBlocks(s.Data, &c.arena)
	if err != nil {
		return nil, err
	}
	tc, err := ltp.OpenTC(pages, c.res.Decode, subnodeSet(subs), c.rowReader(subs))
	if err != nil {
		return nil, err
	}
	return tc.RowIDs, nil
}

// orphans reports message nodes whose folder's contents table was read
// whole and does not list them.
func (w *walker) orphans() {
	for _, n := range w.res.NBT {
		switch n.NID & 0x1F {
		case ndb.NIDTypeMessage, ndb.NIDTypeAssocMessage:
			if !w.seenMsg[n.NID] && w.itemsListed[n.Parent] {
				w.report(finding.MessageOrphan, n.NID, n.Parent, finding.NoOffset, 0,
					"message 0x%X (parent 0x%X) is listed in no folder", n.NID, n.Parent)
			}
		}
	}
}

// storeCodepage finds the Windows code page of an ANSI store from what
// its first messages say (see codepage.go); 1252 when none says.
func (w *walker) storeCodepage() uint32 {
	votes := map[uint32]int{}
	seen := 0
	for _, n := range w.res.NBT {
		if n.NID&0x1F != ndb.NIDTypeMessage || w.res.NodeDamaged[n.NID] {
			continue
		}
		if seen++; seen > 32 {
			break
		}
		w.chk.arena.Reset()
		data, subs, err := w.node(n.NID)
		if err != nil {
			continue
		}
		pc, err := ltp.OpenPC(data, w.res.Decode, subnodeSet(subs))
		if err != nil {
			continue
		}
		cp := uint32(0)
		if p, ok := pc.Get(propMessageCodepage); ok && p.Type == ltp.TypeInt32 {
			cp = windowsCodepage(p.Value)
		}
		if p, ok := pc.Get(propMessageLocaleID); ok && cp == 0 && p.Type == ltp.TypeInt32 {
			cp = localeCodepage(p.Value)
		}
		if p, ok := pc.Get(propInternetCPID); ok && cp == 0 && p.Type == ltp.TypeInt32 {
			cp = windowsCodepage(p.Value)
		}
		if cp != 0 {
			votes[cp]++
		}
	}
	best := uint32(1252)
	for cp, n := range votes {
		if n > votes[best] || (n == votes[best] && cp < best) {
			best = cp
		}
	}
	return best
}

// str decodes a string property.
func (w *walker) str(pc *ltp.PC, id uint16) (string, bool) {
	p, ok := pc.Get(id)
	if !ok {
		return "", false
	}
	return decodeString(p.Type, pc.Bytes(p), w.codepage)
}
