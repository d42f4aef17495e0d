// Package pstwrite writes new PST files: Unicode (wVer 23), compressible
// encoding as Outlook writes by default, with the nodes and properties
// MS-PST 2.7 requires of a minimal store, a folder tree, and messages with
// recipients, attachments, embedded messages and named properties.
//
// The writer streams: every block is written once, in file order, as the
// items it belongs to are added (stream.go); what stays in memory is one
// AMap interval, a first key per B-tree leaf page, a few pages per open
// table, and per folder its name, counts and children. Tables grow
// without being held (tc.go), so memory does not grow with the file.
// Output depends only on what is written, in what order: nothing is read
// from the clock or chosen at random.
package pstwrite

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Options describe the store.
type Options struct {
	// DisplayName is the store's name (default "Personal Folders").
	DisplayName string
	// RecordKey is the store's provider UID, which every EntryID in it
	// carries; zero means one derived from DisplayName, so the same
	// input gives the same file.
	RecordKey [16]byte
	// Time is given to properties a message lacks that must hold a time
	// (creation and modification); zero means 2000-01-01.
	Time time.Time
	// Verbatim writes each message's properties exactly as given: the
	// writer adds none of those MS-PST requires of a message (class,
	// flags, size, status, times, search key) when it lacks them, nor the
	// has-attachments flag. For copies of another store's items, which
	// must read back as they were.
	Verbatim bool
	// Trim ends the file after its last page or block instead of at the
	// end of its AMap interval (Outlook grows files by whole intervals of
	// 248 KiB): for the smallest files, such as fuzz seeds. Readers accept
	// it; Outlook would grow the file again on its first write.
	Trim bool
}

// FolderID names a folder of the store being written (its NID).
type FolderID uint32

// Writer writes one store. Its methods are not safe for concurrent use.
type Writer struct {
	opts Options
	// lastMessage is the NID of the message added last (LastMessage).
	lastMessage uint32
	s           *stream
	b           *blocks
	nbt         *nodeTree
	names       nameMap

	folders    map[uint32]*folder
	order      []uint32
	nextFolder uint32
	nextMsg    uint32
	rowVer     uint32
	messages   int64
	err        error
	closed     bool
	// copyBuf carries streamed values from their reader to their blocks.
	copyBuf []byte
	// seen marks the property IDs of the object checkProps checks, with
	// object, its number.
	seen   *[1 << 16]uint32
	object uint32
}

// Stats says what a writer has written.
type Stats struct {
	Folders, Messages int64
	Blocks, BlockData int64
	Size              int64 // the file's size, once closed
}

// New starts a store on out, which must be empty: the writer writes from
// offset 0 and, when closed, back over the header and a few map pages.
func New(out Output, opts Options) (*Writer, error) {
	if opts.DisplayName == "" {
		opts.DisplayName = "Personal Folders"
	}
	if opts.RecordKey == ([16]byte{}) {
		sum := sha256.Sum256([]byte("pstwrite store " + opts.DisplayName))
		copy(opts.RecordKey[:], sum[:])
	}
	if opts.Time.IsZero() {
		opts.Time = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	s := newStream(out, ndb.LayoutOf(ndb.Unicode))
	b := newBlocks(s, cryptPermute)
	w := &Writer{opts: opts, s: s, b: b, nbt: &nodeTree{b: b}, folders: map[uint32]*folder{},
		nextFolder: firstUserFolderIndex, nextMsg: firstStreamedIndex}
	// The minimal folder hierarchy of MS-PST 2.7.2.
	w.newFolder(nidRootFolder, nidRootFolder, Folder{})
	w.newFolder(nidIPMSubtree, nidRootFolder, Folder{Name: IPMSubtreeName})
	w.newFolder(nidSearchRoot, nidRootFolder, Folder{Name: "Search Root"})
	w.newFolder(nidSpamSearchFolder, nidRootFolder, Folder{Name: "SPAM Search Folder 2"})
	w.newFolder(nidDeletedItems, nidIPMSubtree, Folder{Name: "Deleted Items", Class: "IPF.Note"})
	return w, s.err
}

const cryptPermute = 1 // bCryptMethod "compressible"

// IPMSubtreeName is the name the writer gives the top of the folders a
// user sees, as Outlook names it in a new PST.
const IPMSubtreeName = "Top of Personal Folders"

// Root is the root folder; IPMSubtree ("Top of Personal Folders") is the
// top of the folders a user sees; DeletedItems is its Deleted Items.
func (w *Writer) Root() FolderID         { return nidRootFolder }
func (w *Writer) IPMSubtree() FolderID   { return nidIPMSubtree }
func (w *Writer) DeletedItems() FolderID { return nidDeletedItems }

// fail records the first error; every later call returns it.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

func (w *Writer) usable() error {
	switch {
	case w.closed:
		return errClosed
	case w.err != nil:
		return w.err
	case w.s.err != nil:
		return w.fail(w.s.err)
	}
	return nil
}

// Stats reports what has been written so far.
func (w *Writer) Stats() Stats {
	return Stats{Folders: int64(len(w.folders)), Messages: w.messages, Blocks: w.b.count,
		BlockData: w.b.bytes, Size: w.s.pos}
}

// entryID is the EntryID of a node of this store (MS-PST 2.4.3.2).
func (w *Writer) entryID(nid uint32) []byte {
	b := make([]byte, 4, 24)
	b = append(b, w.opts.RecordKey[:]...)
	return binary.LittleEndian.AppendUint32(b, nid)
}

// Close finishes the store: folders' tables and properties, the fixed
// nodes, the B-trees, the maps and the header. The output is complete
// only when Close returns nil.
func (w *Writer) Close() error {
	if err := w.usable(); err != nil {
		w.Abort()
		return err
	}
	w.closed = true
	defer w.s.drain()
	if err := w.finishFolders(); err != nil {
		return w.fail(err)
	}
	if err := w.writeFixedNodes(); err != nil {
		return w.fail(err)
	}
	nbt, err := w.nbt.finish()
	if err != nil {
		return w.fail(err)
	}
	w.b.flushLeaf()
	w.s.flushPages()
	bbt := w.b.tree(ndb.PageBBT, w.b.leaves)
	eof, lastAMap := w.s.finish(w.opts.Trim)
	if w.s.err != nil {
		return w.fail(w.s.err)
	}
	h := headerState{crypt: cryptPermute, bidNextB: w.b.nextB, bidNextP: w.b.nextP + 1, unique: 1,
		eof: eof, amapLast: lastAMap, amapFree: w.s.freeBytes, nbt: nbt, bbt: bbt}
	for i := range h.rgnid {
		h.rgnid[i] = 0x400
	}
	h.rgnid[nidTypeFolder] = w.nextFolder - 1
	h.rgnid[nidTypeHierarchy] = w.nextFolder - 1
	h.rgnid[nidTypeContents] = w.nextFolder - 1
	h.rgnid[nidTypeAssocContents] = w.nextFolder - 1
	h.rgnid[nidTypeSearchFolder] = 0x4000
	h.rgnid[nidTypeMessage] = w.nextMsg - 1
	h.rgnid[nidTypeAssocMessage] = w.nextMsg - 1
	dl := w.s.dlist(w.b.nextP)
	if _, err := w.s.out.WriteAt(dl, w.s.l.DListOffset); err != nil {
		return w.fail(err)
	}
	if _, err := w.s.out.WriteAt(h.bytes(), 0); err != nil {
		return w.fail(err)
	}
	w.s.pos = eof
	return nil
}

// Abort stops a store that will not be finished, leaving its output
// incomplete (the caller removes it). Close after Abort returns an error.
func (w *Writer) Abort() {
	w.closed = true
	w.s.drain()
}

// writeFixedNodes writes the store's own nodes (MS-PST 2.7.1): the message
// store, the name-to-ID map, the template tables and the search nodes.
func (w *Writer) writeFixedNodes() error {
	store := []Property{
		Binary(0x0FF9, w.opts.RecordKey[:]),        // PidTagRecordKey
		String(0x3001, w.opts.DisplayName),         // PidTagDisplayName
		Binary(0x35E0, w.entryID(nidIPMSubtree)),   // PidTagIpmSubTreeEntryId
		Binary(0x35E3, w.entryID(nidDeletedItems)), // PidTagIpmWastebasketEntryId
		Binary(0x35E7, w.entryID(nidSearchRoot)),   // PidTagFinderEntryId
		Int32(0x35DF, 0x89),                        // PidTagValidFolderMask: those three are valid
	}
	if err := w.writePCNode(nidMessageStore, 0, store); err != nil {
		return err
	}
	if err := w.names.ensureStreams(w); err != nil {
		return err
	}
	if err := w.writePCNode(nidNameToIDMap, 0, w.names.props()); err != nil {
		return err
	}
	templates := []struct {
		nid  uint32
		cols []uint32
	}{
		{nidHierarchyTemplate, hierarchyColumns},
		{nidContentsTemplate, contentsColumns},
		{nidAssocContentsTemplate, assocContentsColumns},
		{nidSearchContentsTmpl, searchContentsColumns},
		{nidAttachmentTable, attachmentColumns},
		{nidRecipientTable, recipientColumns},
	}
	for _, t := range templates {
		if err := w.writeEmptyTable(t.nid, t.cols); err != nil {
			return err
		}
	}
	// The search management queue and activity list start empty; so do
	// the spam search folder's update queue. Its criteria object and
	// contents table are what Outlook creates with it.
	for _, nid := range []uint32{nidSearchManagementQueue, nidSearchActivityList,
		makeNID(nidSpamSearchFolder>>5, nidTypeSearchUpdate)} {
		if err := w.nbt.add(nbtEntry{nid: nid}); err != nil {
			return err
		}
	}
	criteria := []Property{Int32(0x660B, 0)} // the one property Outlook gives a new one
	if err := w.writePCNode(makeNID(nidSpamSearchFolder>>5, nidTypeSearchCriteria), 0, criteria); err != nil {
		return err
	}
	return w.writeEmptyTable(makeNID(nidSpamSearchFolder>>5, nidTypeSearchContents), searchContentsColumns)
}

// writePCNode writes a node holding a property context.
func (w *Writer) writePCNode(nid, parent uint32, props []Property) error {
	parts := &nodeParts{b: w.b}
	data, err := parts.writePC(props)
	if err != nil {
		return fmt.Errorf("node 0x%X: %w", nid, err)
	}
	sub, err := w.b.subnodeTree(parts.subs)
	if err != nil {
		return err
	}
	return w.nbt.add(nbtEntry{nid: nid, data: data, sub: sub, parent: parent})
}

// writeEmptyTable writes a table node with columns and no rows.
func (w *Writer) writeEmptyTable(nid uint32, cols []uint32) error {
	t, err := newTable(&nodeParts{b: w.b}, cols, &w.rowVer)
	if err != nil {
		return err
	}
	data, sub, err := t.finish()
	if err != nil {
		return err
	}
	return w.nbt.add(nbtEntry{nid: nid, data: data, sub: sub})
}

var errNoFolder = errors.New("pstwrite: no such folder")
