package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/gcpolicy"
	"github.com/pstcheck/pstcheck/pstcheck"
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
of it with an X-Pstcheck-Damaged header naming the damage; a lost item whose
properties survive in a block its index entry no longer leads to is written
the same way, with what survives of it (its recipients and attachments only
when their blocks can be told apart from other messages'), and
stays "lost" in the manifest. Items no folder
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
	f.BoolVar(&opts.IncludeDamaged, "include-damaged", false, "also write damaged items, and lost ones whose properties survive, marked with X-Pstcheck-Damaged, with what can be read of them")
	f.StringSliceVar(&opts.Folders, "folders", nil, "export only these folders and their subfolders (paths as the scan shows them, comma-separated or repeated)")
	f.BoolVar(&opts.NoProgress, "no-progress", false, "do not show a progress bar")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{export.FormatEML, export.FormatMbox}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func exportRun(ctx context.Context, opts *ExportOptions) (int, error) {
	ios := opts.IO
	defer gcpolicy.ForItems()()
	bar := newProgress(ios, opts.NoProgress)
	store, status, err := openStore(ctx, ios, bar, opts.Path)
	if store == nil {
		return status, err
	}
	defer store.Close()
	if err := matchFolders(store, opts.Folders); err != nil {
		return exitUsage, err
	}
	ibar := newItemProgress(bar)
	res, err := export.Run(ctx, store, export.RunOptions{Dir: opts.To, Format: opts.Format, Source: opts.Path,
		IncludeDamaged: opts.IncludeDamaged, Folders: opts.Folders, Progress: ibar})
	written := res.Saved + res.Partial + res.Salvaged
	switch {
	case err != nil && ctx.Err() != nil:
		return exitInterrupted, &interruptedError{done: report.ExportInterrupted(written, opts.To)}
	case errors.As(err, new(*export.DirTakenError)):
		return exitUsage, &usageError{err: err}
	case err != nil:
		printFailure(ios, report.WriteFailureText(report.WriteFailure{Target: opts.To, Written: written, Resumes: true, Err: err}))
		return exitUsage, nil
	}
	placed := store.Report.RecoveredFolders
	if len(opts.Folders) > 0 {
		placed = nil // counted over the whole store
	}
	for _, l := range report.ExportSummary(report.ExportResult{Source: opts.Path, Dir: opts.To, Format: opts.Format,
		Items: res.Items, Saved: res.Saved, Partial: res.Partial, Salvaged: res.Salvaged, Failed: res.Failed, Unchanged: res.Unchanged, KeptEarlier: res.KeptEarlier,
		IncludeDamaged: opts.IncludeDamaged, Placed: placed, CountedOnly: res.CountedOnly, Named: res.Named}) {
		fmt.Fprintln(ios.Out, l)
	}
	if !res.AllSaved() {
		return 1, nil
	}
	return exitOK, nil
}

// matchFolders refuses --folders paths that name no folder of the store,
// listing the nearest ones, before anything is written.
func matchFolders(store *pstcheck.Store, only []string) error {
	if len(only) == 0 {
		return nil
	}
	var fe *export.FolderMatchError
	if err := export.MatchFolders(export.FolderPaths(store), only, 5); !errors.As(err, &fe) {
		return err
	}
	quoted := make([]string, len(fe.Nearest))
	for i, p := range fe.Nearest {
		quoted[i] = strconv.Quote(p)
	}
	return usageErrorf("--folders: no folder of the store is %s; the nearest are %s (pstcheck scan --format json lists every folder)",
		strings.Join(fe.Unmatched, ", "), strings.Join(quoted, ", "))
}

// openStore scans path for export or repair, its bytes counted on bar. A
// nil store means there is nothing to do: the exit status and error say
// why (interrupted, or the file could not be read, said on ios).
func openStore(ctx context.Context, ios *IOStreams, bar *barProgress, path string) (*pstcheck.Store, int, error) {
	var size int64
	if st, err := os.Stat(path); err == nil {
		size = st.Size()
	}
	prog, end := fileProgressFor(bar, path, size)
	store, err := pstcheck.OpenStore(ctx, path, pstcheck.Options{Progress: prog})
	end()
	if ctx.Err() != nil {
		if err == nil {
			store.Close()
		}
		return nil, exitInterrupted, &interruptedError{done: "stopped while scanning " + path + "; nothing was written"}
	}
	if err != nil {
		printFailure(ios, report.CannotOpen(path, store.Report))
		return nil, exitUsage, nil
	}
	return store, exitOK, nil
}
