package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pstcheck/pstcheck/internal/gcpolicy"
	"github.com/pstcheck/pstcheck/internal/writeback"
	"github.com/pstcheck/pstcheck/repair"
	"github.com/pstcheck/pstcheck/report"
)

// RepairOptions are the settings of "pstcheck repair".
type RepairOptions struct {
	IO *IOStreams

	Path           string // the PST/OST to repair
	To             string // the new PST
	IncludeDamaged bool   // write damaged items too, marked, with what could be read
	NoProgress     bool
}

// NewCmdRepair builds "pstcheck repair".
func NewCmdRepair(ios *IOStreams, runF func(*RepairOptions) error) *cobra.Command {
	opts := &RepairOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "repair FILE --to NEW.pst",
		Short: "Write a new, healthy PST holding every readable item of a PST or OST",
		Long: `Repair scans FILE (read-only, as "pstcheck scan" does: a PST or an OST, ANSI,
Unicode or 4K-page) and writes a new Unicode PST, NEW.pst, that Outlook opens
(File > Open & Export > Open Outlook Data File) or imports: the same folder
tree with the folders' classes (mail, calendar, contacts, tasks ...), every
item intact property by property with its recipients, attachments and
embedded messages. Items no folder lists any more, and folders the store no
longer reaches, go under "Recovered items". A damaged item is skipped and
named, unless --include-damaged writes what can be read of it with the
category "pstcheck: damaged"; so it writes, too, what is left of a lost item
whose properties survive in a block its index entry no longer leads to (its
recipients and attachments only when their blocks can be told apart from
other messages'). FILE is never changed; NEW.pst must not exist
yet, and appears only when complete (it is written under a temporary name
first).

Exit status:
  0  every item was written
  1  some items were damaged or lost (named in the summary)
  2  usage error, or the file could not be read at all`,
		Example: `  pstcheck repair damaged.pst --to repaired.pst
  pstcheck repair "old account.ost" --to "old account.pst"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("repair needs exactly one FILE")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = args[0]
			if opts.To == "" {
				return usageErrorf("repair needs --to NEW.pst, the file to write")
			}
			if runF != nil {
				return runF(opts)
			}
			return asError(repairRun(cmd.Context(), opts))
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.To, "to", "", "write the new store to `NEW.pst` (must not exist)")
	f.BoolVar(&opts.IncludeDamaged, "include-damaged", false, "also write damaged items, and lost ones whose properties survive, with what can be read of them, in the category \"pstcheck: damaged\"")
	f.BoolVar(&opts.NoProgress, "no-progress", false, "do not show a progress bar")
	return cmd
}

func repairRun(ctx context.Context, opts *RepairOptions) (int, error) {
	ios := opts.IO
	defer gcpolicy.ForItems()()
	if err := checkRepairTarget(opts.Path, opts.To); err != nil {
		return exitUsage, err
	}
	bar := newProgress(ios, opts.NoProgress)
	store, status, err := openStore(ctx, ios, bar, opts.Path)
	if store == nil {
		return status, err
	}
	defer store.Close()

	// Written under a temporary name beside the target, renamed when whole.
	tmp, err := os.CreateTemp(filepath.Dir(opts.To), "."+filepath.Base(opts.To)+".*.tmp")
	if err != nil {
		printFailure(ios, report.WriteFailureText(report.WriteFailure{Target: opts.To, Err: err}))
		return exitUsage, nil
	}
	defer os.Remove(tmp.Name()) // gone once renamed; removed on failure
	list := &notWrittenList{path: notWrittenPath(opts.To)}
	defer list.discard()
	ibar := newNamedItemProgress(bar, "repairing")
	out := writeback.New(tmp)
	sum, err := repair.Run(ctx, store, out, repair.Options{IncludeDamaged: opts.IncludeDamaged,
		Progress: func(done, total int) {
			if done == 1 {
				ibar.Start(total)
			}
			ibar.Item()
		},
		Skipped: list.add})
	ibar.Done()
	if err == nil {
		err = out.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	// A store with items of which none could be written is not made: its
	// folders alone would pass for the repaired store; nor one none of
	// whose items were found where its listings are lost (a healthy
	// empty store would stand for one that held who knows what).
	notCreated := err == nil && sum.Saved+sum.Partial+sum.Salvaged == 0 && (sum.Items.Total > 0 || !sum.Items.Complete)
	target := opts.To
	if err == nil {
		target = list.path
		err = list.place()
	}
	if err == nil && !notCreated {
		target = opts.To
		if err = placeNew(tmp.Name(), opts.To); err != nil {
			list.unplace()
		}
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return exitInterrupted, &interruptedError{done: report.RepairInterrupted(opts.To)}
	case err != nil:
		printFailure(ios, report.WriteFailureText(report.WriteFailure{Target: target, Err: err}))
		return exitUsage, nil
	}
	res := report.RepairResult{Source: opts.Path, Target: opts.To, Items: sum.Items, Saved: sum.Saved,
		Partial: sum.Partial, Salvaged: sum.Salvaged, Failed: sum.Failed, Folders: sum.Folders, Size: sum.Size,
		Listed: list.first, ListedTotal: sum.Listed, ListFile: list.path,
		Associated: sum.Associated, AssociatedSkipped: sum.AssociatedSkipped, IncludeDamaged: opts.IncludeDamaged,
		Placed: store.Report.RecoveredFolders, NotCreated: notCreated, CountedOnly: sum.CountedOnly,
		SourcePassword: store.Report.Password}
	if sum.Moved != nil {
		res.MovedFrom, res.MovedTo, res.MovedMailbox = sum.Moved.From, sum.Moved.To, sum.Moved.Mailbox
	}
	for _, l := range report.RepairSummary(res) {
		fmt.Fprintln(ios.Out, l)
	}
	switch {
	case sum.Items.Damaged > 0 || sum.Items.Lost > 0 || sum.Failed > 0 || !sum.Items.Complete:
		return 1, nil
	}
	return exitOK, nil
}

// notWrittenPath is where a repair to NEW.pst lists the items it did not
// write whole: NEW-not-written.txt, beside it.
func notWrittenPath(to string) string {
	return strings.TrimSuffix(to, filepath.Ext(to)) + "-not-written.txt"
}

// shownNotWritten is how many of the items not written whole the summary
// names; the list file names them all.
const shownNotWritten = 10

// notWrittenList writes the line of each item a repair did not write whole
// to a temporary file beside path as the repair goes (a store that lost
// its index may name millions), keeping the first few for the summary;
// place links it into place, and only a list of at least one item is.
type notWrittenList struct {
	path  string
	first []string
	tmp   *os.File
	w     *bufio.Writer
	err   error
	// placed: path is the list written by this repair (unplace removes it).
	placed bool
}

func (l *notWrittenList) add(s repair.Skipped) {
	line := report.RepairListLine(s)
	if len(l.first) < shownNotWritten {
		l.first = append(l.first, line)
	}
	if l.err != nil {
		return
	}
	if l.tmp == nil {
		if l.tmp, l.err = os.CreateTemp(filepath.Dir(l.path), "."+filepath.Base(l.path)+".*.tmp"); l.err != nil {
			return
		}
		l.w = bufio.NewWriter(l.tmp)
	}
	l.w.WriteString(line)
	_, l.err = l.w.WriteString("\n")
}

// place links the list into place (nothing when no item was listed).
func (l *notWrittenList) place() error {
	if l.tmp == nil || l.err != nil {
		return l.err
	}
	err := l.w.Flush()
	if err == nil {
		err = l.tmp.Sync()
	}
	if cerr := l.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = placeNew(l.tmp.Name(), l.path)
	}
	l.placed = err == nil
	return err
}

// unplace removes the list placed, when the store it lists for could not be.
func (l *notWrittenList) unplace() {
	if l.placed {
		os.Remove(l.path)
		l.placed = false
	}
}

// discard removes the temporary file (gone already once placed).
func (l *notWrittenList) discard() {
	if l.tmp != nil {
		l.tmp.Close()
		os.Remove(l.tmp.Name())
	}
}

// checkRepairTarget refuses to write over anything: the source, or any
// file already at the target.
func checkRepairTarget(src, to string) error {
	if _, err := os.Lstat(to); err == nil {
		if a, b := statOrNil(src), statOrNil(to); a != nil && b != nil && os.SameFile(a, b) {
			return usageErrorf("--to %s is the file to repair: choose a new file", to)
		}
		return usageErrorf("%s already exists: repair writes a new file and never replaces one", to)
	} else if !errors.Is(err, os.ErrNotExist) {
		return usageErrorf("cannot use %s: %v", to, err)
	}
	if list := notWrittenPath(to); fileExists(list) {
		return usageErrorf("%s already exists: repair lists there the items it does not write whole, and never replaces a file", list)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func statOrNil(p string) os.FileInfo {
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	return st
}

// placeNew gives the finished store its name, without replacing a file
// that appeared there meanwhile: a hard link fails if the name is taken.
// Where links are not supported, it renames after checking the name is
// still free.
func placeNew(tmp, to string) error {
	if err := os.Link(tmp, to); err == nil {
		return nil
	} else if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s appeared while the repair ran", to)
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("%s appeared while the repair ran", to)
	}
	return os.Rename(tmp, to)
}
