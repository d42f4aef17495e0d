package export

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/pstcheck/pstcheck/internal/fsfault"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// RunOptions are the settings of an export run.
type RunOptions struct {
	Dir    string // the output folder (created if needed)
	Format string // FormatEML (the default) or FormatMbox
	// Source names the store exported, for the manifest.
	Source string
	// IncludeDamaged writes damaged items too, with what can be read,
	// marked; else they are skipped and named.
	IncludeDamaged bool
	// Folders keeps only these folders and their subfolders (paths as the
	// scan shows them, "/" or "\" between names, any case); nil: all.
	Folders []string
	// Progress counts the items as they are placed; nil: none.
	Progress RunProgress
}

// RunProgress shows an export's progress by items.
type RunProgress interface {
	Start(items int)
	Item()
	Done()
}

// RunResult is what an export run did.
type RunResult struct {
	// Items is what became of every item of the exported folders, as the
	// scan counted it.
	Items pstcheck.ItemCounts
	// Saved items were written whole, Partial ones with what could be read and
	// marked (damaged items with IncludeDamaged, and items whose named
	// properties are lost); Salvaged are lost items written, marked, from
	// the blocks that still hold them (IncludeDamaged); Failed ones
	// were readable but could not be read or written; Unchanged are files
	// an earlier run left complete; KeptEarlier, files an earlier run
	// wrote that this one did not, left in DIR (Counts.KeptEarlier).
	Saved, Partial, Salvaged, Failed, Unchanged, KeptEarlier int
	// Named counts the items the manifest names as not written whole
	// (skipped, lost, or written in part or marked): it may exceed the
	// damaged and lost items counted, by messages known only by a block
	// no index entry leads to, which may be items a folder counts lost.
	Named int
	// CountedOnly counts the lost items only their folders' item counts
	// still count, which the manifest cannot name (Store.CountedOnly).
	CountedOnly int
}

// AllSaved says whether every item the store held was written whole: no
// item damaged, lost or failed, and none possibly gone without a trace.
func (r RunResult) AllSaved() bool {
	return r.Items.Damaged == 0 && r.Items.Lost == 0 && r.Failed == 0 && r.Items.Complete
}

// Run exports every item of store into opts.Dir: readable and recovered
// items whole, damaged ones skipped and named (or, with IncludeDamaged,
// written with what could be read, marked), lost ones named in the
// manifest, which ends with the store's accounting. On an error the
// result still counts what was written.
//
// Reading, converting and formatting items is most of the work and
// independent per item: a few goroutines render items side by side, each
// into a file of its own (its bytes streamed from the store, see Source),
// while the items are placed (named, journaled, renamed) in their order,
// so that names and the manifest do not depend on timing (a resumed
// export names items alike). At most runWindow items per goroutine are
// under way at once, so memory does not grow with the store.
func Run(ctx context.Context, store *pstcheck.Store, opts RunOptions) (RunResult, error) {
	var res RunResult
	tree, err := NewTree(opts.Dir, TreeOptions{Format: opts.Format, Source: opts.Source})
	if err != nil {
		return res, err
	}
	// stop ends the run early when the destination fails (a full disk,
	// lost permission): every later item would fail alike.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wanted func(string) bool
	if len(opts.Folders) > 0 {
		wanted = func(folder string) bool { return FolderWanted(folder, opts.Folders) }
	}
	refs := StoreFolders(store.Folders, store.Reader, pstcheck.RecoveredFolder)
	rd := &itemReader{r: store.Reader, conv: NewConverter(store.Reader), tree: tree, includeDamaged: opts.IncludeDamaged}
	prog := opts.Progress
	if prog == nil {
		prog = noRunProgress{}
	}
	total := 0
	for range store.Items(wanted) {
		total++
	}
	prog.Start(total)

	type job struct {
		seq     int
		x       pstcheck.Item
		folders []FolderRef
	}
	type done struct {
		job
		it      *Item
		r       *Rendered
		problem string
	}
	workers := max(runtime.GOMAXPROCS(0), 1)
	window := runWindow * workers
	jobs := make(chan job)
	results := make(chan done, window)
	tokens := make(chan struct{}, window) // one per item under way
	go func() {
		defer close(jobs)
		seq := 0
		for x := range store.Items(wanted) {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			jobs <- job{seq, x, itemFolders(x, refs)}
			seq++
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			reads := messaging.NewReadWindow()
			for j := range jobs {
				if ctx.Err() != nil {
					results <- done{job: j} // stopped: left to the next run
					continue
				}
				it, r, problem := rd.render(j.x, j.folders, reads)
				results <- done{j, it, r, problem}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	pending := map[int]done{}
	next := 0
	for d := range results {
		if ctx.Err() != nil {
			// Stopped: what was rendered goes; the workers finish what
			// they hold, and Abort follows once they have.
			if d.r != nil {
				d.r.discard()
			}
			continue
		}
		pending[d.seq] = d
		for ctx.Err() == nil {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tokens
			x := p.x
			if p.it == nil || p.problem != "" {
				res.Named++
			}
			switch {
			case x.State == pstcheck.ItemLost && p.it == nil:
				tree.LostItem(named(x, p.folders), p.problem)
			case p.it == nil:
				tree.SkipItem(named(x, p.folders), p.problem)
				if x.State != pstcheck.ItemDamaged {
					res.Failed++ // the scan found it readable, yet it could not be read
				}
			default:
				_, err := tree.AddRendered(p.it, p.r, p.problem)
				switch {
				case err != nil && fsfault.Of(err) != fsfault.Other:
					stop(err)
				case err != nil:
					if x.State != pstcheck.ItemLost { // a lost item stays lost
						res.Failed++
					}
					if p.problem == "" {
						res.Named++ // named as not written
					}
				case x.State == pstcheck.ItemLost:
					res.Salvaged++
				case p.problem == "":
					res.Saved++
				default:
					res.Partial++
				}
			}
			prog.Item()
		}
	}
	prog.Done()
	if ctx.Err() != nil {
		for _, p := range pending {
			if p.r != nil {
				p.r.discard()
			}
		}
		tree.Abort()
		res.Unchanged = tree.Counts().Unchanged
		return res, context.Cause(ctx)
	}
	res.Items, res.CountedOnly = store.Accounting(wanted), store.CountedOnly(wanted)
	tree.SetAccounting(res.Items)
	if err := tree.Close(); err != nil {
		return res, fmt.Errorf("cannot write the manifest: %w", err)
	}
	res.Unchanged, res.KeptEarlier = tree.Counts().Unchanged, tree.Counts().KeptEarlier
	return res, nil
}

// runWindow is how many items per rendering goroutine may be under way
// (read, rendered, waiting to be placed) at once.
const runWindow = 16

// itemReader reads, converts and renders items for Run, from several
// goroutines.
type itemReader struct {
	r              *messaging.Reader
	conv           *Converter
	tree           *Tree
	includeDamaged bool
}

// render reads item x and renders it: nil, with the reason, when it is
// skipped; with a problem when it is written although damaged. What the
// item streams is read as it is rendered: a block that fails then makes
// the item damaged after all, as if the scan had found it so.
func (ir *itemReader) render(x pstcheck.Item, folders []FolderRef, reads *messaging.ReadWindow) (*Item, *Rendered, string) {
	for attempt := 0; ; attempt++ {
		msg, problem := readItem(ir.r, x, ir.includeDamaged, reads)
		if msg == nil {
			return nil, nil, problem
		}
		it := ir.conv.Item(msg, FolderPath(folders))
		it.Folders = folders
		it.Damage, it.Recovered, it.Salvaged = problem, x.State == pstcheck.ItemRecovered, x.State == pstcheck.ItemLost
		r := ir.tree.Render(it)
		var se *storeReadError
		if r.err == nil || !errors.As(r.err, &se) {
			return it.placement(), r, problem
		}
		r.discard()
		if attempt > 0 || x.State == pstcheck.ItemDamaged || x.State == pstcheck.ItemLost {
			return nil, nil, "damaged beyond reading: " + se.Error()
		}
		x.State, x.Problem, x.NamesLost = pstcheck.ItemDamaged, se.Error(), false
	}
}

// placement is what of an item placing it needs (see AddRendered), once
// it is rendered: not its bodies and attachments.
func (it *Item) placement() *Item {
	return &Item{NID: it.NID, Folder: it.Folder, Folders: it.Folders, Class: it.Class, Subject: it.Subject,
		Date: it.Date, From: it.From, Recovered: it.Recovered, Salvaged: it.Salvaged}
}

type noRunProgress struct{}

func (noRunProgress) Start(int) {}
func (noRunProgress) Item()     {}
func (noRunProgress) Done()     {}

// FolderWanted says whether a folder, by the path its items are exported
// under, is one of only or below one (case insensitive, "\" taken for
// "/"); every folder when only is empty. A path of only may be given as
// the scan shows it: "(unreachable)/X" names both a folder no walk reached,
// exported as "Recovered items/X", and a folder the hierarchy reaches
// whose name is "(unreachable)".
func FolderWanted(path string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	under := func(o string) bool {
		return strings.EqualFold(path, o) || len(path) > len(o) && strings.EqualFold(path[:len(o)], o) && path[len(o)] == '/'
	}
	for _, o := range only {
		o = strings.Trim(strings.ReplaceAll(o, `\`, "/"), "/")
		if under(o) || under(unreachableAsExported(o)) {
			return true
		}
	}
	return false
}

// unreachableAsExported is a folder path a user typed as the export path
// it names where it is the path the scan shows for a folder no walk
// reached ("(unreachable)/X", any case): under RecoveredFolder; "" for the
// root (pstcheck.ExportPath).
func unreachableAsExported(o string) string {
	if n := len(messaging.UnreachablePrefix); len(o) >= n && strings.EqualFold(o[:n], messaging.UnreachablePrefix) && (len(o) == n || o[n] == '/') {
		o = messaging.UnreachablePrefix + o[n:]
	}
	return pstcheck.ExportPath(o)
}

// readItem reads one item as pstcheck.ReadItem does, large values left in
// the store to be streamed as the item is written (streamAbove).
func readItem(r *messaging.Reader, x pstcheck.Item, includeDamaged bool, reads *messaging.ReadWindow) (*messaging.Message, string) {
	return pstcheck.ReadItem(x, func(lenient bool) (*messaging.Message, []string, error) { return read(r, x, lenient, reads) }, includeDamaged)
}

// read reads a message, its large values left in the store (streamAbove)
// unless it is of a kind written from values held whole (holdsWhole).
func read(r *messaging.Reader, x pstcheck.Item, lenient bool, reads *messaging.ReadWindow) (*messaging.Message, []string, error) {
	m, problems, err := pstcheck.ReadMessage(r, x, messaging.ReadOptions{Lenient: lenient, StreamAbove: streamAbove, Reads: reads})
	if err == nil && m.HasStreams() && holdsWhole(r.String(m.Props, pidMessageClass)) {
		return pstcheck.ReadMessage(r, x, messaging.ReadOptions{Lenient: lenient, Reads: reads})
	}
	return m, problems, err
}

// Which values the export streams from the store instead of holding them
// (messaging.ReadOptions.StreamAbove): attachments' bytes whatever their
// size, a plain-text or HTML body past bodyStreamAbove bytes. An OLE
// object is held up to oleHeldMax, to find the picture inside it (see
// olestorage.go); a larger one is written as stored.
var (
	bodyStreamAbove int64 = 1 << 20
	oleHeldMax      int64 = 16 << 20
)

func streamAbove(id, typ uint16) int64 {
	switch {
	case id == pidAttachData && typ == typeBinary:
		return 0
	case id == pidAttachData && typ == typeObject:
		return oleHeldMax
	case id == pidBody && typ == typeUnicode, id == pidHTML && (typ == typeBinary || typ == typeUnicode):
		return bodyStreamAbove
	}
	return -1
}

// holdsWhole says whether an item of this class is written from values
// held in memory: contacts and calendar items (vCard and iCalendar hold
// their attachments inline), and meeting messages, whose invitation
// repeats the body. Those are read whole.
func holdsWhole(class string) bool {
	k := KindOf(class)
	return k == KindContact || k == KindEvent || isMeeting(class)
}

// itemFolders gives an item the folders from the top of the store down
// to the one it is saved in, by identity (StoreFolders): its folder's,
// under "Recovered items" for an item no folder lists, and only that for a
// message known by nothing but its heap.
func itemFolders(x pstcheck.Item, refs map[uint32][]FolderRef) []FolderRef {
	recovered := FolderRef{Name: pstcheck.RecoveredFolder}
	r, ok := refs[x.FolderNID]
	switch {
	case x.FolderNID == 0:
		r = []FolderRef{recovered}
	case x.Orphan && (len(r) == 0 || r[0] != recovered):
		r = append([]FolderRef{recovered}, r...)
	case !ok && x.FolderNID != messaging.NIDRootFolder:
		// A folder the walk did not reach, named by its listing's row:
		// its name is the last level of the item's path.
		r = []FolderRef{recovered, {NID: x.FolderNID, Name: x.Folder[strings.LastIndex(x.Folder, "/")+1:]}}
	}
	return r
}

// named is the Item that names an item not written, for the manifest.
func named(x pstcheck.Item, refs []FolderRef) *Item {
	return &Item{NID: x.NID, Folder: FolderPath(refs), Folders: refs, Subject: x.Subject, Date: x.Time}
}
