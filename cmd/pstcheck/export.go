package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/report"
)

// ExportOptions are the settings of "pstcheck export".
type ExportOptions struct {
	IO *IOStreams

	Path           string   // the PST/OST to salvage
	To             string   // output folder
	Format         string   // export.FormatEML or export.FormatMbox
	IncludeDamaged bool     // write damaged items too, marked, with what could be read
	Folders        []string // only these folders (and their subfolders)
	NoProgress     bool
}

// NewCmdExport builds "pstcheck export".
func NewCmdExport(ios *IOStreams, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "export FILE --to DIR",
		Short: "Save every readable item of a PST or OST to EML or mbox, and list what could not be saved",
		Long: `Export scans FILE (read-only, as "pstcheck scan" does) and writes every item
it finds intact to DIR: with --format eml (the default) one .eml message per
item in a folder tree mirroring the store, with --format mbox one mbox file
per folder; contacts and distribution lists as vCard (.vcf), appointments as
iCalendar (.ics) with their recurrence and reminders, and meeting requests and
responses as mail carrying the invitation (text/calendar).
Only verified data is written: an item whose blocks or structures are
damaged is skipped and named, unless --include-damaged writes what can be read
of it with an X-Pstcheck-Damaged header naming the damage. Items no folder
lists any more, and folders the store no longer reaches, are saved under
"Recovered items". DIR/manifest.json lists every item: its folder, subject,
date, and the file it went to or why it was skipped.

Names are made safe for Windows, macOS and Linux and can never leave DIR. A
second run into the same DIR completes the export without duplicating it.

Exit status:
  0  every item was exported
  1  some items were damaged or lost (skipped, or with --include-damaged
     written marked as damaged), or the store's listings are damaged so
     that it may have held more items than were found
  2  usage error, or the file could not be read at all`,
		Example: `  pstcheck export damaged.pst --to C:\Recovered\damaged
  pstcheck export archive.pst --to ./archive-mbox --format mbox
  pstcheck export mail.ost --to ./ost-export --folders "Top of Personal Folders/Drafts"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("export needs exactly one FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			if opts.To == "" {
				return usageErrorf("export needs --to DIR, the folder to write to")
			}
			if opts.Format != export.FormatEML && opts.Format != export.FormatMbox {
				return usageErrorf("invalid --format %q: use eml or mbox", opts.Format)
			}
			if runF != nil {
				return runF(opts)
			}
			return asError(exportRun(cmd.Context(), opts))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.To, "to", "", "write the export to `DIR` (created if needed)")
	f.StringVar(&opts.Format, "format", export.FormatEML, "eml (one file per message) or mbox (one file per folder)")
	f.BoolVar(&opts.IncludeDamaged, "include-damaged", false, "also write damaged items, marked with X-Pstcheck-Damaged, with what can be read of them")
	f.StringSliceVar(&opts.Folders, "folders", nil, "export only these folders and their subfolders (paths as the scan shows them, comma-separated or repeated)")
	f.BoolVar(&opts.NoProgress, "no-progress", false, "do not show a progress bar")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{export.FormatEML, export.FormatMbox}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func exportRun(ctx context.Context, opts *ExportOptions) (int, error) {
	ios := opts.IO
	// An export allocates and drops a formatted message per item; its live
	// heap stays small (the scan's metadata and a batch of items), so the
	// collector can run less often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	bar := newProgress(ios, opts.NoProgress)
	var size int64
	if st, err := os.Stat(opts.Path); err == nil {
		size = st.Size()
	}
	prog, end := fileProgressFor(bar, opts.Path, size)
	store, err := pstcheck.OpenStore(ctx, opts.Path, pstcheck.Options{Progress: prog})
	end()
	if err != nil {
		e := report.Explain(store.Report)
		fmt.Fprintf(ios.ErrOut, "pstcheck: %s: %s\n", opts.Path, e.Cause)
		if e.NextStep != "" {
			fmt.Fprintf(ios.ErrOut, "Next: %s\n", e.NextStep)
		}
		return exitUsage, nil
	}
	defer store.Close()
	tree, err := export.NewTree(opts.To, export.TreeOptions{Format: opts.Format, Source: opts.Path})
	if err != nil {
		return exitUsage, &runError{err: err}
	}
	var wanted func(string) bool
	if len(opts.Folders) > 0 {
		wanted = func(folder string) bool { return folderWanted(folder, opts.Folders) }
	}
	items := store.Items(wanted)
	refs := itemFolders(items, export.StoreFolders(store.Folders, store.Reader, pstcheck.RecoveredFolder))
	conv := export.NewConverter(store.Reader)

	ibar := newItemProgress(bar, len(items))
	// Reading, converting and formatting items is most of the work and
	// independent per item: batches are prepared side by side, and while
	// one batch is placed (written to disk) in order, the next ones are
	// prepared. Order of placement is the items' order, so names and the
	// manifest do not depend on timing (a resumed export names items
	// alike).
	type prepared struct {
		it      *export.Item
		r       *export.Rendered
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
							it := conv.Item(msg, export.FolderPath(refs[k+start]))
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
	var saved, partial, failed int
	for done := range batches {
		for _, p := range done {
			x := items[placed]
			placed++
			switch {
			case x.State == pstcheck.ItemLost:
				tree.LostItem(named(x, refs[placed-1]), p.problem)
			case p.it == nil:
				tree.SkipItem(named(x, refs[placed-1]), p.problem)
				if x.State != pstcheck.ItemDamaged {
					failed++ // the scan found it readable, yet it could not be read
				}
			case p.problem == "":
				if _, err := tree.AddRendered(p.it, p.r, ""); err != nil {
					failed++
				} else {
					saved++
				}
			default:
				tree.AddRendered(p.it, p.r, p.problem)
				partial++
			}
			ibar.add()
		}
	}
	ibar.done()
	counts := store.Accounting(wanted)
	tree.SetAccounting(export.Accounting{Total: counts.Total, Readable: counts.Readable, Damaged: counts.Damaged,
		Lost: counts.Lost, Recovered: counts.Recovered, NamesLost: counts.NamesLost, Complete: counts.Complete})
	if err := tree.Close(); err != nil {
		return exitUsage, &runError{err: fmt.Errorf("cannot write the manifest: %w", err)}
	}
	for _, l := range report.ExportSummary(report.ExportResult{Source: opts.Path, Dir: opts.To, Format: opts.Format,
		Items: counts, Saved: saved, Partial: partial, Failed: failed, Unchanged: tree.Counts().Unchanged}) {
		fmt.Fprintln(ios.Out, l)
	}
	if counts.Damaged > 0 || counts.Lost > 0 || failed > 0 || !counts.Complete {
		return 1, nil
	}
	return exitOK, nil
}

// folderWanted says whether a folder is one of only or below one (case
// insensitive); every folder when only is empty.
func folderWanted(path string, only []string) bool {
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
// skipped with the damage named, or with --include-damaged what can be
// read of it. A nil message means the item is skipped, for the reason
// given; a message with a problem is written marked as damaged.
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
// to the one it is saved in, by identity (export.StoreFolders): its
// folder's, under "Recovered items" for an item no folder lists, and only
// that for a message known by nothing but its heap.
func itemFolders(items []pstcheck.Item, refs map[uint32][]export.FolderRef) [][]export.FolderRef {
	recovered := export.FolderRef{Name: pstcheck.RecoveredFolder}
	out := make([][]export.FolderRef, len(items))
	for i, x := range items {
		r, ok := refs[x.FolderNID]
		switch {
		case x.FolderNID == 0:
			r = []export.FolderRef{recovered}
		case x.Orphan && (len(r) == 0 || r[0] != recovered):
			r = append([]export.FolderRef{recovered}, r...)
		case !ok && x.FolderNID != messaging.NIDRootFolder:
			r = []export.FolderRef{recovered, {NID: x.FolderNID, Name: x.Folder}}
		}
		out[i] = r
	}
	return out
}

// named is the export.Item that names an item not written, for the
// manifest.
func named(x pstcheck.Item, refs []export.FolderRef) *export.Item {
	return &export.Item{NID: x.NID, Folder: export.FolderPath(refs), Folders: refs, Subject: x.Subject, Date: x.Time}
}
