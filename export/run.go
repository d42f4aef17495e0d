package export

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

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
	// Saved items were written whole, Partial ones written in part and
	// marked (damaged items with IncludeDamaged, and items whose named
	// properties are lost); Failed ones were readable but could not be
	// read or written; Unchanged are files an earlier run left complete.
	Saved, Partial, Failed, Unchanged int
}

// AllSaved says whether every item the store held was written whole: no
// item damaged, lost or failed, and none possibly gone without a trace.
func (r RunResult) AllSaved() bool {
	return r.Items.Damaged == 0 && r.Items.Lost == 0 && r.Failed == 0 && r.Items.Complete
}

// Run exports every item of store into opts.Dir: readable and recovered
// items whole, damaged ones skipped and named (or written in part, marked,
// with IncludeDamaged), lost ones named in the manifest, which ends with
// the store's accounting.
//
// Reading, converting and formatting items is most of the work and
// independent per item: batches are prepared side by side, and while one
// batch is placed (written to disk) in order, the next ones are prepared.
// Placement follows the items' order, so names and the manifest do not
// depend on timing (a resumed export names items alike).
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
	items := slices.Collect(store.Items(wanted))
	refs := itemFolders(items, StoreFolders(store.Folders, store.Reader, pstcheck.RecoveredFolder))
	conv := NewConverter(store.Reader)
	prog := opts.Progress
	if prog == nil {
		prog = noRunProgress{}
	}
	prog.Start(len(items))

	type prepared struct {
		it      *Item
		r       *Rendered
		problem string
	}
	const batch = 128
	workers := max(runtime.GOMAXPROCS(0), 1)
	batches := make(chan []prepared, 2)
	go func() {
		defer close(batches)
		for start := 0; start < len(items) && ctx.Err() == nil; start += batch {
			part := items[start:min(start+batch, len(items))]
			done := make([]prepared, len(part))
			var next atomic.Int64
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for k := int(next.Add(1)) - 1; k < len(part); k = int(next.Add(1)) - 1 {
						x := part[k]
						msg, problem := readItem(store.Reader, x, opts.IncludeDamaged)
						done[k].problem = problem
						if msg != nil {
							it := conv.Item(msg, FolderPath(refs[k+start]))
							it.Folders = refs[k+start]
							it.Damage, it.Recovered = problem, x.State == pstcheck.ItemRecovered
							done[k].it, done[k].r = it, tree.Render(it)
						}
					}
				})
			}
			wg.Wait()
			batches <- done
		}
	}()
	placed := 0
	for done := range batches {
		if ctx.Err() != nil {
			continue // stopped: let the preparing goroutine finish
		}
		for _, p := range done {
			if ctx.Err() != nil {
				break
			}
			x, ref := items[placed], refs[placed]
			placed++
			switch {
			case x.State == pstcheck.ItemLost:
				tree.LostItem(named(x, ref), p.problem)
			case p.it == nil:
				tree.SkipItem(named(x, ref), p.problem)
				if x.State != pstcheck.ItemDamaged {
					res.Failed++ // the scan found it readable, yet it could not be read
				}
			default:
				_, err := tree.AddRendered(p.it, p.r, p.problem)
				switch {
				case err != nil && fsfault.Of(err) != fsfault.Other:
					stop(err)
				case err != nil:
					res.Failed++
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
		tree.Abort()
		res.Unchanged = tree.Counts().Unchanged
		return res, context.Cause(ctx)
	}
	res.Items = store.Accounting(wanted)
	tree.SetAccounting(res.Items)
	if err := tree.Close(); err != nil {
		return res, fmt.Errorf("cannot write the manifest: %w", err)
	}
	res.Unchanged = tree.Counts().Unchanged
	return res, nil
}

type noRunProgress struct{}

func (noRunProgress) Start(int) {}
func (noRunProgress) Item()     {}
func (noRunProgress) Done()     {}

// FolderWanted says whether a folder is one of only or below one (case
// insensitive, "\" taken for "/"); every folder when only is empty.
func FolderWanted(path string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		o = strings.Trim(strings.ReplaceAll(o, `\`, "/"), "/")
		if strings.EqualFold(path, o) || len(path) > len(o) && strings.EqualFold(path[:len(o)], o) && path[len(o)] == '/' {
			return true
		}
	}
	return false
}

// readItem reads one item: whole when the scan found it readable; else
// skipped with the damage named, or with includeDamaged what can be read
// of it. A nil message means the item is skipped, for the reason given; a
// message with a problem is written marked as damaged.
func readItem(r *messaging.Reader, x pstcheck.Item, includeDamaged bool) (*messaging.Message, string) {
	damage := x.Problem
	if x.NamesLost {
		// Whole but for its named properties: written, marked, by default,
		// since only those fields are missing.
		m, err := r.Message(x.NID)
		if err == nil {
			return m, damage
		}
		damage = err.Error()
	}
	switch x.State {
	case pstcheck.ItemLost:
		if damage == "" {
			damage = "its listing names it, but its data is gone"
		}
		return nil, "lost: " + damage
	case pstcheck.ItemReadable, pstcheck.ItemRecovered:
		m, err := r.Message(x.NID)
		if err == nil {
			return m, ""
		}
		damage = err.Error()
	}
	if damage == "" {
		damage = "damaged"
	}
	if !includeDamaged {
		return nil, "damaged: " + damage
	}
	m, problems, err := r.Partial(x.NID)
	if err != nil {
		return nil, "damaged beyond reading: " + damage
	}
	if len(problems) > 0 {
		damage += "; not written: " + strings.Join(problems, "; ")
	}
	return m, damage
}

// itemFolders gives each item the folders from the top of the store down
// to the one it is saved in, by identity (StoreFolders): its folder's,
// under "Recovered items" for an item no folder lists, and only that for a
// message known by nothing but its heap.
func itemFolders(items []pstcheck.Item, refs map[uint32][]FolderRef) [][]FolderRef {
	recovered := FolderRef{Name: pstcheck.RecoveredFolder}
	out := make([][]FolderRef, len(items))
	for i, x := range items {
		r, ok := refs[x.FolderNID]
		switch {
		case x.FolderNID == 0:
			r = []FolderRef{recovered}
		case x.Orphan && (len(r) == 0 || r[0] != recovered):
			r = append([]FolderRef{recovered}, r...)
		case !ok && x.FolderNID != messaging.NIDRootFolder:
			r = []FolderRef{recovered, {NID: x.FolderNID, Name: x.Folder}}
		}
		out[i] = r
	}
	return out
}

// named is the Item that names an item not written, for the manifest.
func named(x pstcheck.Item, refs []FolderRef) *Item {
	return &Item{NID: x.NID, Folder: FolderPath(refs), Folders: refs, Subject: x.Subject, Date: x.Time}
}
