package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
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

// recoveredFolder holds items no folder lists any more (orphans) and the
// folders the store's hierarchy no longer reaches.
const recoveredFolder = "Recovered items"

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
  1  some items were damaged and skipped (or written marked as damaged)
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

// exportItem is one item to write, in the folder it is written to: the
// scan's path of it (which --folders matches) and the folders by identity.
type exportItem struct {
	nid      uint32
	folder   string
	refs     []export.FolderRef
	readable bool
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
		fmt.Fprintf(ios.ErrOut, "pstcheck: %s: %s\n", opts.Path, store.Report.Cause)
		if store.Report.NextStep != "" {
			fmt.Fprintf(ios.ErrOut, "Next: %s\n", store.Report.NextStep)
		}
		return exitUsage, nil
	}
	defer store.Close()
	rep := store.Report

	tree, err := export.NewTree(opts.To, export.TreeOptions{Format: opts.Format, Source: opts.Path})
	if err != nil {
		return exitUsage, &runError{err: err}
	}
	items := exportPlan(rep, store.Items, export.StoreFolders(store.Folders, store.Reader, recoveredFolder), opts.Folders)
	conv := export.NewConverter(store.Reader)
	damage := damageByNID(rep)

	ibar := newItemProgress(bar, len(items))
	skipped := 0
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
						msg, problem := readItem(store.Reader, x, opts.IncludeDamaged, damage[x.nid])
						done[k].problem = problem
						if msg != nil {
							done[k].it = conv.Item(msg, export.FolderPath(x.refs))
							done[k].it.Folders = x.refs
							done[k].it.Damage = problem
							done[k].r = tree.Render(done[k].it)
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
		for _, p := range done {
			x := items[placed]
			placed++
			switch {
			case p.it == nil:
				tree.SkipItem(&export.Item{NID: x.nid, Folder: export.FolderPath(x.refs), Folders: x.refs}, p.problem)
				skipped++
			case p.problem == "":
				if _, err := tree.AddRendered(p.it, p.r, ""); err != nil {
					skipped++
				}
			default:
				tree.AddRendered(p.it, p.r, p.problem)
				skipped++
			}
			ibar.add()
		}
	}
	ibar.done()
	if err := tree.Close(); err != nil {
		return exitUsage, &runError{err: fmt.Errorf("cannot write the manifest: %w", err)}
	}
	c := tree.Counts()
	fmt.Fprintf(ios.Out, "Exported %d of %d items from %s to %s (%s)", c.Exported, len(items), opts.Path, opts.To, opts.Format)
	if c.Unchanged > 0 {
		fmt.Fprintf(ios.Out, "; %d already there from an earlier run", c.Unchanged)
	}
	fmt.Fprintln(ios.Out, ".")
	if c.Skipped > 0 {
		fmt.Fprintf(ios.Out, "Skipped %d damaged items: their folders, subjects and reasons are in %s.\n", c.Skipped, "manifest.json")
	}
	if skipped > 0 {
		return 1, nil
	}
	return exitOK, nil
}

// exportPlan lists the items to export in folder order: every normal item
// of every folder (or of the folders asked for), then the orphaned items
// under "Recovered items". refs are the folders by identity
// (export.StoreFolders).
func exportPlan(rep *pstcheck.Report, byFolder map[uint32][]messaging.ItemRef, refs map[uint32][]export.FolderRef, only []string) []exportItem {
	var out []exportItem
	seen := map[uint32]bool{}
	recovered := []export.FolderRef{{Name: recoveredFolder}}
	for _, f := range rep.Folders {
		path := exportFolderPath(f.Path)
		if !folderWanted(path, only) {
			continue
		}
		fr, ok := refs[f.NID]
		if !ok && f.NID != messaging.NIDRootFolder {
			fr = append(recovered, export.FolderRef{NID: f.NID, Name: f.Path})
		}
		refs := append([]messaging.ItemRef(nil), byFolder[f.NID]...)
		sort.SliceStable(refs, func(i, j int) bool { return refs[i].NID < refs[j].NID })
		for _, r := range refs {
			if r.FAI || seen[r.NID] {
				continue
			}
			seen[r.NID] = true
			out = append(out, exportItem{nid: r.NID, folder: path, refs: fr, readable: r.Readable})
		}
	}
	// Messages no folder lists: their parent folder's name, under
	// "Recovered items", when it is known.
	paths := map[uint32]string{}
	for _, f := range rep.Folders {
		paths[f.NID] = f.Path
	}
	for _, f := range rep.Findings {
		if f.Code != finding.MessageOrphan || seen[f.NID] {
			continue
		}
		path, fr := recoveredFolder, recovered
		if p := paths[f.FolderNID]; p != "" && p != "(root)" {
			path += "/" + p
			// Under "Recovered items", the path of the folder the item
			// names; a folder already there (unreachable) stays as it is.
			fr = refs[f.FolderNID]
			if len(fr) == 0 || fr[0] != recovered[0] {
				fr = append(append([]export.FolderRef(nil), recovered...), fr...)
			}
		}
		if !folderWanted(path, only) {
			continue
		}
		seen[f.NID] = true
		out = append(out, exportItem{nid: f.NID, folder: path, refs: fr, readable: true})
	}
	return out
}

// exportFolderPath maps the scan's folder paths to the export's: folders
// the hierarchy no longer reaches go under "Recovered items".
func exportFolderPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "(unreachable)"); ok {
		return recoveredFolder + rest
	}
	if p == "(root)" {
		return ""
	}
	return p
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

// damageByNID names, per item, the damage the scan found in it.
func damageByNID(rep *pstcheck.Report) map[uint32]string {
	out := map[uint32]string{}
	for _, f := range rep.Findings {
		if f.NID == 0 || f.Severity() != finding.SeverityError {
			continue
		}
		if out[f.NID] != "" {
			out[f.NID] += "; "
		}
		out[f.NID] += string(f.Code) + ": " + f.Detail
	}
	return out
}

// readItem reads one item: whole when the scan found it readable; else
// skipped with the damage named, or with --include-damaged what can be
// read of it. A nil message means the item is skipped, for the reason
// given; a message with a problem is written marked as damaged.
func readItem(r *messaging.Reader, x exportItem, includeDamaged bool, damage string) (*messaging.Message, string) {
	if x.readable {
		m, err := r.Message(x.nid)
		if err == nil {
			return m, ""
		}
		damage = err.Error()
		if !includeDamaged {
			return nil, "damaged: " + damage
		}
	}
	if damage == "" {
		damage = "damaged"
	}
	if !includeDamaged {
		return nil, "damaged: " + damage
	}
	m, problems, err := r.Partial(x.nid)
	if err != nil {
		return nil, "damaged beyond reading: " + damage
	}
	if len(problems) > 0 {
		damage += "; not written: " + strings.Join(problems, "; ")
	}
	return m, damage
}

var zeroTime time.Time
