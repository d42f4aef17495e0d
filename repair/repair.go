// Package repair copies every readable item of a scanned store (a damaged
// PST, or an OST whose account is gone, any format variant) into a new,
// healthy PST written by pstwrite: the same folder tree with the folders'
// classes and properties, every message property by property with its
// recipients, attachments and embedded messages, named properties
// renamed through the new store's name-to-ID map. Items no folder lists
// any more go under "Recovered items"; damaged items are skipped and
// listed, or with IncludeDamaged written with what can be read of them and
// marked. The original is only read.
//
// It depends on the engine only through pstcheck.Store: the report's
// folder list, Store.ItemsAndAssociated and messaging.Reader.
package repair

import (
	"context"
	"crypto/sha256"
	"fmt"
	"iter"
	"runtime"
	"sync/atomic"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// Options tune a repair.
type Options struct {
	// IncludeDamaged writes damaged items with what can be read of them,
	// marked with the category "pstcheck: damaged", instead of skipping
	// them.
	IncludeDamaged bool
	// Progress, when set, is called after each item with the items done
	// and the total.
	Progress func(done, total int)
	// Skipped, when set, is told of each item not written whole (damaged,
	// lost, failed) as the repair goes. The list is not kept: a store
	// that lost its index may name millions.
	Skipped func(Skipped)
}

// Skipped is an item that is not in the new store, or is there only in
// part (Written).
type Skipped struct {
	NID     uint32
	Folder  string
	Subject string
	Reason  string
	// Written: the item was written with what could be read (IncludeDamaged).
	Written bool
	// Salvaged: it is a lost item, written from the blocks that still hold
	// it (Written too).
	Salvaged bool
}

// Summary says what the new store holds of the old one.
type Summary struct {
	// Items is the old store's accounting of its items (pstcheck's);
	// CountedOnly of its lost items those only their folders' item counts
	// still count, which no list can name (Store.CountedOnly).
	Items       pstcheck.ItemCounts
	CountedOnly int
	// Saved is the items written whole; Recovered of them were found
	// without a folder listing them. Partial is the damaged items written
	// with what could be read, Salvaged the lost items written from the
	// blocks that still hold them (both with IncludeDamaged).
	Saved, Recovered, Partial, Salvaged int
	// Failed counts items the scan found readable that could not be read.
	Failed int
	// Associated is the folders' hidden items written (views, rules, the
	// category list); AssociatedSkipped those damaged, lost or refused,
	// which are not written even in part: Outlook makes its own again. They
	// are not among Items, Listed or the counts above.
	Associated, AssociatedSkipped int
	// Listed counts the items not written whole (Options.Skipped).
	Listed int
	// Folders is the number of folders made (beside the new store's own).
	Folders int
	// DroppedProperties counts properties that could not be copied: named
	// properties the old store has no name for, values of unknown types.
	DroppedProperties int
	// Size is the new store's size in bytes.
	Size int64
	// Moved names a folder whose subfolders and items are under another
	// path in the new store: an OST's mailbox ("Root - Mailbox/IPM_SUBTREE")
	// becomes the new store's top of folders, which Outlook shows.
	Moved *Move
}

// Move is a folder path of the old store and its path in the new one.
type Move struct {
	From, To string
	// Mailbox says From is an OST's mailbox, found by its folders' names
	// (else the top of a PST's folders, its message store lost).
	Mailbox bool
}

// Run writes the new store to out: every item Store.ItemsAndAssociated
// lists, in its order. It returns the summary, and an error when the new
// store could not be written (out is then incomplete).
func Run(ctx context.Context, store *pstcheck.Store, out pstwrite.Output, opts Options) (*Summary, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the readers ahead when Run returns early
	r := store.Reader
	sp, wopts, recordKey := storeIdentity(r)
	w, err := pstwrite.New(out, wopts)
	if err != nil {
		return nil, err
	}
	c := newConverter(w, r)
	sp.findSpecial(store.Report.Folders, store.Report.Content == pstcheck.ContentOST)
	fm := newFolderMap(w, c, sp)
	if err := fm.build(store.Report.Folders); err != nil {
		w.Abort()
		return nil, err
	}
	sum := &Summary{Items: store.Accounting(nil), CountedOnly: store.CountedOnly(nil)}
	total := 0
	for range store.ItemsAndAssociated(nil) {
		total++
	}
	// Reading an item is most of the work and independent per item: a few
	// are read side by side ahead of the writer, which takes them in
	// order, so the new store does not depend on timing.
	lanes := readAhead(ctx, c, store.ItemsAndAssociated(nil), opts.IncludeDamaged)
	pl := &placer{w: w, c: c, fm: fm, sum: sum, skipped: opts.Skipped, includeDamaged: opts.IncludeDamaged,
		lists: newDistLists(r, c, recordKey, wopts.RecordKey[:])}
	for i := 0; ; i++ {
		res, ok := lanes[i%len(lanes)].take(ctx)
		if err := ctx.Err(); err != nil {
			w.Abort()
			return nil, err
		}
		if !ok {
			break
		}
		if err := pl.place(res); err != nil {
			w.Abort()
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(i+1, total)
		}
	}
	if err := ctx.Err(); err != nil {
		w.Abort() // the items stopped coming: the store is not whole
		return nil, err
	}
	if err := pl.writeLists(); err != nil {
		w.Abort()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	sum.Folders = fm.made
	if sp.ipmFound != "" && sp.ipmFound != pstwrite.IPMSubtreeName {
		sum.Moved = &Move{From: sp.ipmFound, To: pstwrite.IPMSubtreeName, Mailbox: sp.ipmByName}
	}
	sum.DroppedProperties = c.dropped
	sum.Size = w.Stats().Size
	return sum, nil
}

// placer writes the items read, in order, into the new store and counts
// what became of each in sum.
type placer struct {
	w    *pstwrite.Writer
	c    *converter
	fm   *folderMap
	sum  *Summary
	open pstwrite.FolderID // the folder items are being added to
	// skipped is Options.Skipped.
	skipped func(Skipped)
	// lists renames the members of the distribution lists written.
	lists *distLists
	// includeDamaged is Options.IncludeDamaged, for the lists read again.
	includeDamaged bool
}

// place writes one item read, or counts it skipped. An error means the
// new store cannot be written on.
func (p *placer) place(res readResult) error {
	it, sum := res.item, p.sum
	if it.Associated {
		// A hidden item is written whole or not at all.
		if res.msg == nil || res.problem != "" {
			sum.AssociatedSkipped++
			return nil
		}
		refused, err := p.add(it, res)
		if refused != nil {
			sum.AssociatedSkipped++
		} else if err == nil {
			sum.Associated++
		}
		return err
	}
	if res.msg == nil {
		if it.State != pstcheck.ItemDamaged && it.State != pstcheck.ItemLost {
			sum.Failed++
		}
		p.skip(it, res.problem, false)
		return nil
	}
	if messaging.IsClass(res.class, "IPM.DistList") && p.lists.waiting != nil {
		// Written once every other item is, so that the contacts it
		// names have their new NIDs whatever their folder (distLists);
		// its folder is left open until then.
		target, err := p.fm.target(it)
		if err != nil {
			return err
		}
		if err := p.enter(target); err != nil {
			return err
		}
		p.lists.putOff(it, target)
		return nil
	}
	return p.write(res)
}

// skip lists item it among those not written whole; written: in part.
func (p *placer) skip(it pstcheck.Item, reason string, written bool) {
	p.sum.Listed++
	if p.skipped != nil {
		p.skipped(Skipped{NID: it.NID, Folder: it.Folder, Subject: it.Subject, Reason: reason,
			Written: written, Salvaged: written && it.State == pstcheck.ItemLost})
	}
}

// write writes res's message, a normal item's, and counts what became of
// it.
func (p *placer) write(res readResult) error {
	it, sum := res.item, p.sum
	skip := func(reason string, written bool) { p.skip(it, reason, written) }
	if messaging.IsClass(res.class, "IPM.DistList") {
		p.lists.rename(res.msg)
	}
	if res.problem != "" {
		p.c.markDamaged(res.msg)
	}
	refused, err := p.add(it, res)
	switch {
	case err != nil:
		return err
	case refused != nil:
		if it.State != pstcheck.ItemLost { // a lost item stays lost
			sum.Failed++
		}
		skip("could not be written: "+refused.Error(), false)
	case it.State == pstcheck.ItemLost:
		sum.Salvaged++
		skip(res.problem, true)
	case res.problem != "":
		sum.Partial++
		skip(res.problem, true)
	case it.State == pstcheck.ItemRecovered:
		sum.Saved++
		sum.Recovered++
	default:
		sum.Saved++
	}
	return nil
}

// enter makes target the folder items are added to: the one before is
// done with (Store.ItemsAndAssociated lists a folder's items together) and
// closed, unless distribution lists put off are still to be written in it.
func (p *placer) enter(target pstwrite.FolderID) error {
	if target == p.open {
		return nil
	}
	if p.open != 0 && !p.lists.waiting[p.open] {
		if err := p.w.CloseFolder(p.open); err != nil {
			return err
		}
	}
	p.open = target
	return nil
}

// writeLists writes the distribution lists put off until every other item
// was written, each read again (what is held until then is an item's
// place in the store, not its values). The lists of a folder come one
// after the other, so each folder is closed once its lists are written.
func (p *placer) writeLists() error {
	lists := p.lists.deferred
	p.lists.deferred, p.lists.waiting = nil, nil // place writes lists now
	conv, reads := p.c.forReader(), messaging.NewReadWindow()
	for _, it := range lists {
		if err := p.place(conv.read(it, p.includeDamaged, reads)); err != nil {
			return err
		}
	}
	return nil
}

// add writes res's message into its item's folder. refused is why the
// writer refused this item alone, going on; err, why the new store cannot
// be written on.
func (p *placer) add(it pstcheck.Item, res readResult) (refused, err error) {
	target, err := p.fm.target(it)
	if err != nil {
		return nil, err
	}
	if err := p.enter(target); err != nil {
		return nil, err
	}
	p.c.dropped += res.dropped
	add := p.w.AddMessage
	if it.Associated {
		add = p.w.AddAssociated
	}
	if err := add(target, res.msg); err != nil {
		if p.w.Err() != nil {
			return nil, fmt.Errorf("writing item 0x%X of %q: %w", it.NID, it.Folder, err)
		}
		return err, nil
	}
	if !it.Associated && it.NID != 0 && isContact(res.class) {
		p.lists.wrote(it.NID, p.w.LastMessage())
	}
	return nil, nil
}

// storeIdentity reads the old store's name, provider UID (PidTagRecordKey,
// which its entry IDs name it by: recordKey) and special folders. The new
// store gets a provider UID of its own, derived from the old one so that a
// repair of the same file gives the same file: both may be opened in
// Outlook side by side.
func storeIdentity(r *messaging.Reader) (sp specialFolders, opts pstwrite.Options, recordKey []byte) {
	props, _ := r.Properties(nidMessageStore)
	sp = specialFolders{
		ipm:         entryNID(messaging.Bytes(props, propIPMSubtreeEntryID)),
		wastebasket: entryNID(messaging.Bytes(props, propWastebasketID)),
		finder:      entryNID(messaging.Bytes(props, propFinderEntryID)),
	}
	opts = pstwrite.Options{DisplayName: r.String(props, propDisplayName), Verbatim: true}
	recordKey = messaging.Bytes(props, propRecordKey)
	key := sha256.Sum256(append([]byte("pstcheck repair of "), recordKey...))
	copy(opts.RecordKey[:], key[:])
	return sp, opts, recordKey
}

// readResult is one item read and converted for the new store: the
// message (nil when skipped), the bytes it holds, the properties the
// conversion dropped and, for a damaged item, what is wrong with it.
type readResult struct {
	item    pstcheck.Item
	msg     *pstwrite.Message
	class   string // the message's class (PidTagMessageClass)
	held    int64
	dropped int
	problem string
}

// lane is one reading goroutine's results, in the order of its items.
type lane struct {
	results chan readResult
	// held is the bytes of the results sent and not yet taken; taken is
	// signalled when the writer takes one.
	held  atomic.Int64
	taken chan struct{}
}

// Items a lane reads ahead of the writer: at most laneItems, and no more
// once those it has read hold laneBytes (one item of any size is always
// read). Eight items smooth out one large item holding up the writer;
// the bytes keep items with large bodies (read whole, unlike
// attachments) from holding eight times that.
const laneItems = 8

var laneBytes int64 = 16 << 20 // a variable for the tests' smaller stores

// take hands the writer the lane's next result; false once the lane is
// done or ctx is.
func (l *lane) take(ctx context.Context) (readResult, bool) {
	select {
	case res, ok := <-l.results:
		if ok {
			l.held.Add(-res.held)
			select {
			case l.taken <- struct{}{}:
			default:
			}
		}
		return res, ok
	case <-ctx.Done():
		return readResult{}, false
	}
}

// readAhead reads and converts items on a few goroutines, item i
// delivered on lane i mod the number of lanes, in order; the lanes close
// after the last item. A lane reads at most a few items ahead of the
// writer, so memory does not grow with the store.
//
// A lane waiting for the writer to take its items cannot hold the
// writer up: the item the writer waits for is the oldest not taken, so
// the lane that owes it has given the writer all it had read before.
func readAhead(ctx context.Context, c *converter, items iter.Seq[pstcheck.Item], includeDamaged bool) []*lane {
	n := max(min(runtime.GOMAXPROCS(0), 4), 1)
	jobs := make([]chan pstcheck.Item, n)
	lanes := make([]*lane, n)
	for k := range lanes {
		jobs[k] = make(chan pstcheck.Item, laneItems)
		l := &lane{results: make(chan readResult, laneItems), taken: make(chan struct{}, 1)}
		lanes[k] = l
		go func() {
			defer close(l.results)
			reads := messaging.NewReadWindow()
			conv := c.forReader()
			for it := range jobs[k] {
				for l.held.Load() >= laneBytes {
					select {
					case <-l.taken:
					case <-ctx.Done():
						return
					}
				}
				res := conv.read(it, includeDamaged, reads)
				l.held.Add(res.held)
				select {
				case l.results <- res:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer func() {
			for _, j := range jobs {
				close(j)
			}
		}()
		i := 0
		for it := range items {
			select {
			case jobs[i%n] <- it:
			case <-ctx.Done():
				return
			}
			i++
		}
	}()
	return lanes
}

// read reads item it and converts its message for the new store.
func (c *converter) read(it pstcheck.Item, includeDamaged bool, reads *messaging.ReadWindow) readResult {
	res := readResult{item: it}
	msg, problem := readItem(c.r, it, includeDamaged, reads)
	res.problem = problem
	if msg != nil {
		c.dropped = 0
		res.msg, res.dropped = c.message(msg), c.dropped
		res.held = heldBytes(res.msg)
		res.class = c.r.String(msg.Props, propMessageClass)
	}
	return res
}

// heldBytes is about what a converted message holds in memory: its
// values, and the attachments read whole (those streamed from the store
// hold only a buffer).
func heldBytes(m *pstwrite.Message) int64 {
	var n int64
	props := func(ps []pstwrite.Property) {
		for _, p := range ps {
			n += int64(len(p.Data))
		}
	}
	props(m.Props)
	for _, r := range m.Recipients {
		props(r)
	}
	for _, a := range m.Attachments {
		props(a.Props)
		n += int64(len(a.Object))
		if _, streamed := a.Data.(*streamReader); a.Data != nil && !streamed {
			n += a.Size
		}
		if a.Embedded != nil {
			n += heldBytes(a.Embedded)
		}
	}
	return n
}

// readItem reads one item as pstcheck.ReadItem does, attachments' bytes
// left in the store (readOptions).
func readItem(r *messaging.Reader, x pstcheck.Item, includeDamaged bool, reads *messaging.ReadWindow) (*messaging.Message, string) {
	return pstcheck.ReadItem(x, func(lenient bool) (*messaging.Message, []string, error) {
		opts := readOptions(lenient)
		opts.Reads = reads
		return pstcheck.ReadMessage(r, x, opts)
	}, includeDamaged)
}

// readOptions read an item's first few attachments whole when they are
// small, and leave the others' bytes in the store, to be streamed into the
// new one as the item is written: an attachment of any size passes
// through a small buffer, and an item holds at most
// wholeAttachments*smallAttachment bytes of them. Those left in the
// store are read through once when the item is read, since the writer
// cannot take back an item whose bytes fail half way: a block that fails
// then makes the item damaged. The small ones are read once only, by the
// goroutine reading the item, not by the writer.
func readOptions(lenient bool) messaging.ReadOptions {
	whole := 0
	return messaging.ReadOptions{Lenient: lenient, Verify: true, StreamAbove: func(id, typ uint16) int64 {
		if id != propAttachData || typ != typeBinary {
			return -1
		}
		if whole++; whole > wholeAttachments {
			return 0
		}
		return smallAttachment
	}}
}

// Attachments an item reads whole: at most wholeAttachments of at most
// smallAttachment bytes each.
const (
	wholeAttachments = 16
	smallAttachment  = 64 << 10
)
