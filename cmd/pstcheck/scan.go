package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pstcheck/pstcheck/internal/batch"
	"github.com/pstcheck/pstcheck/internal/discover"
	"github.com/pstcheck/pstcheck/internal/gcpolicy"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/report"
)

// ScanOptions are the settings of "pstcheck scan".
type ScanOptions struct {
	IO *IOStreams

	Paths      []string // files and folders, in the order given
	Format     string   // one of report.Formats()
	Output     string   // report file; "" means standard output
	NoProgress bool
	Jobs       int  // files scanned at the same time
	Folders    bool // with --format csv: one row per damaged folder instead of one per file
	Profiles   bool // Paths are profiles roots (none: the system's); search where Outlook keeps files
	Backups    bool // also scanpst's .bak backups
}

// formatHelp describes the report formats in the scan help.
var formatHelp = map[string]string{
	"text":  "a summary for people, with what to do next (the default)",
	"json":  `one JSON object: {"version", "files": [...], "summary": {...}}`,
	"csv":   "one row per file, with a header row (one row per damaged folder with --folders)",
	"jsonl": "one JSON object per file, written as each file finishes (for long runs and log shippers)",
}

// NewCmdScan builds "pstcheck scan". runF, when not nil, receives the
// parsed options instead of scanRun (tests use it to check flag parsing).
func NewCmdScan(ios *IOStreams, runF func(*ScanOptions) error) *cobra.Command {
	opts := &ScanOptions{IO: ios}

	cmd := &cobra.Command{
		Use:   "scan [--profiles] PATH...",
		Short: "Check PST and OST files, or folders of them, for damage",
		Long:  scanLong(),
		Example: `  pstcheck scan archive.pst
  pstcheck scan --format json --output report.json "C:\Users\ann\Documents\Outlook Files"
  pstcheck scan --no-progress --format csv *.pst *.ost > report.csv
  pstcheck scan --format csv --folders -o damaged-folders.csv archive.pst
  pstcheck scan --profiles --format csv -o office.csv
  pstcheck scan --profiles \\fileserver\c$\Users --jobs 4 --format jsonl`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 && !opts.Profiles {
				return usageErrorf("scan needs at least one PATH (a .pst or .ost file, or a folder)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if _, err := report.New(opts.Format); err != nil {
				return usageErrorf("invalid --format %q: use %s", opts.Format, strings.Join(report.Formats(), ", "))
			}
			if opts.Jobs < 1 {
				return usageErrorf("invalid --jobs %d: must be at least 1", opts.Jobs)
			}
			if cmd.Flags().Changed("output") && opts.Output == "" {
				return usageErrorf("--output needs a file name")
			}
			if opts.Output == "-" {
				opts.Output = "" // "-" is standard output, as for most tools
			}
			if runF != nil {
				return runF(opts)
			}
			return asError(scanRun(cmd.Context(), opts))
		},
	}

	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "text", "report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE` instead of standard output (\"-\"); an earlier FILE is emptied when the report is written, so a scan cut short leaves it as it was (with jsonl it is emptied as the scan starts, each file's result written as it finishes)")
	f.IntVarP(&opts.Jobs, "jobs", "j", runtime.NumCPU(), "scan up to `N` files at the same time")
	f.BoolVar(&opts.Folders, "folders", false, "with --format csv: one row per damaged folder instead of one per file (no effect on text and json)")
	f.BoolVar(&opts.Profiles, "profiles", false, "treat each PATH as a folder of user profiles (default "+discover.DefaultProfilesRoot()+") and scan the data files Outlook keeps in each")
	f.BoolVar(&opts.Backups, "backups", false, "also scan scanpst's backups (*.bak)")
	f.BoolVar(&opts.NoProgress, "no-progress", false, "do not show a progress bar (it is shown only when standard error is a terminal)")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return report.Formats(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("jobs", cobra.NoFileCompletions)
	return cmd
}

func scanLong() string {
	var b strings.Builder
	b.WriteString(`Scan checks each PATH, a .pst or .ost file or a folder, and writes one report
covering every file. Folders are searched recursively for files whose names
end in .pst or .ost (in any case; also .bak with --backups), in name order;
JSON and CSV list files in the order the paths were given, the text report's
table the worst first. A file is judged by
its header, not its name: a PST named .ost is reported as a PST. Files are
only read, never changed. A PATH that cannot be read is still reported, with
the verdict "error"; symbolic-link loops are skipped with a notice, and so is
a path that leads to a file found by another path first (a hard or symbolic
link): that file is checked once, at the first path.

With --profiles, each PATH (default: the system's profiles folder) holds user
profiles, and each profile is searched where Outlook keeps data files:
Documents\Outlook Files, AppData\Local\Microsoft\Outlook,
AppData\Roaming\Microsoft\Outlook, the XP-era Local Settings\Application
Data\Microsoft\Outlook, OneDrive\Documents, and Documents (3 levels deep).

Several files are scanned --jobs at a time, each in its own worker process:
a file that crashes, exhausts memory or hangs its scanner is reported as
"error" (SCAN-ABORTED) and cannot affect any other file's result.

Report formats (--format):
`)
	for _, name := range report.Formats() {
		fmt.Fprintf(&b, "  %-6s %s\n", name, formatHelp[name])
	}
	b.WriteString(`
The text report shows each file's damaged folders and a tally of the healthy
ones; the JSON report lists every folder. With --folders, the CSV report has
one row per damaged folder of every file instead of one row per file:
path, folder_nid, folder, items, readable, damaged, verdict, action (the
file's verdict and action); a file that is not healthy but has no damaged
folder (cut off, unreadable) gets one row, its folder columns empty.
--folders does not change text or JSON.

A progress bar is shown on standard error when it is a terminal, unless
--no-progress is given. --output never overwrites a file being scanned.

Exit status:
  0  every file is healthy (warnings allowed)
  1  a file is damaged or unreadable
  2  usage error, a file could not be read (missing, permission, locked),
     or a PATH held nothing to check (no data file found; a FIFO or device)
  3  both 1 and 2
`)
	return b.String()
}

// scanRun scans opts.Paths, writes the report and returns the exit status
// the README gives. A returned error is a usage error (exit status 2) or a
// failure to write the report.
func scanRun(ctx context.Context, opts *ScanOptions) (int, error) {
	ios := opts.IO
	newWriter := report.New
	if opts.Folders {
		newWriter = report.NewFolders
	}
	w, err := newWriter(opts.Format)
	if err != nil {
		return exitUsage, &usageError{err: err}
	}
	targets, notices := batch.Find(ctx, opts.Paths, batch.FindOptions{Profiles: opts.Profiles, Backups: opts.Backups})
	unchecked := false
	for _, n := range notices {
		fmt.Fprintln(ios.ErrOut, "pstcheck: "+noticeText(n, opts.Profiles))
		unchecked = unchecked || n.Unchecked
	}
	if len(targets) == 0 {
		return exitUsage, &runError{err: errors.New("nothing was checked: no .pst or .ost file was found in what was given")}
	}
	if opts.Output != "" && isInput(opts.Output, opts.Paths, targets) {
		return exitUsage, usageErrorf("--output %s is one of the files to scan: choose another file", opts.Output)
	}

	stream, streaming := report.NewStream(opts.Format)
	out := ios.Out
	var file *os.File
	created := "" // the file this run created for the report, if any
	if opts.Output != "" {
		// Opened now, so that a file that cannot be written is said before
		// the scan; emptied only when the report is written (or streamed
		// from the start), so that a run cut short leaves an earlier
		// report as it was. Read-write, as os.Create opens: a pipe with no
		// reader yet does not block the open.
		_, statErr := os.Stat(opts.Output) // through a link: its target
		flags := os.O_RDWR | os.O_CREATE
		if streaming {
			flags |= os.O_TRUNC
		}
		if file, err = os.OpenFile(opts.Output, flags, 0o666); err != nil {
			return exitUsage, &runError{err: fmt.Errorf("cannot create the report file: %w", err)}
		}
		if errors.Is(statErr, fs.ErrNotExist) {
			created = opts.Output
			if target, err := filepath.EvalSymlinks(opts.Output); err == nil {
				created = target // a link to nothing yet: its target is what was made
			}
		}
		defer file.Close()
		out = file
	}

	// jsonl is written as each file finishes, so a long run can be
	// followed and shipped as it goes.
	run := batch.RunOptions{Jobs: opts.Jobs}
	if bar := newProgress(ios, opts.NoProgress); bar != nil {
		run.Progress = bar
	}
	var streamErr error
	streamed := 0
	if streaming {
		run.OnDone = func(r *pstcheck.Report) {
			if ctx.Err() != nil {
				return // a file cut short by Ctrl-C has no result to stream
			}
			streamed++
			if err := stream.WriteFile(out, resolveVersion(), r); err != nil && streamErr == nil {
				streamErr = err
			}
		}
	}
	// A single file is scanned in this process (several in workers, which
	// keep to their own limits).
	defer gcpolicy.ForScan()()
	reports := batch.Run(ctx, targets, run)
	if ctx.Err() != nil {
		// A scan cut short proves nothing either way: no verdict is
		// written for it, nor a report that would read as complete.
		if streaming {
			return exitInterrupted, &interruptedError{done: fmt.Sprintf(
				"the report holds the %d of %d files finished before it; scan again to check the rest", streamed, len(targets))}
		}
		if file != nil && created != "" {
			file.Close()
			os.Remove(created) // created empty for this run; nothing to keep
		}
		return exitInterrupted, &interruptedError{done: "no report was written; scan again to check the files"}
	}

	err = streamErr
	if !streaming {
		if file != nil {
			err = emptyReportFile(file)
		}
		if err == nil {
			err = w.Write(out, report.Run{Version: resolveVersion(), Reports: reports})
		}
	}
	if err != nil {
		return exitUsage, &runError{err: fmt.Errorf("cannot write the report: %w", err)}
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return exitUsage, &runError{err: fmt.Errorf("cannot write the report: %w", err)}
		}
		if ios.stderrTTY() {
			s := report.Summarize(reports)
			fmt.Fprintf(ios.ErrOut, "Wrote %s: %d files, %d healthy, %d damaged, %d unreadable, %d errors\n",
				opts.Output, s.Files, s.Healthy, s.Damaged, s.Unreadable, s.Errors)
		}
	}
	status := pstcheck.ExitStatus(reports)
	if unchecked {
		status |= exitUsage // a path given held nothing to check: not "all healthy"
	}
	return status, nil
}

// emptyReportFile empties the report file before the report is written
// into it: a regular file is truncated; a device or pipe (/dev/stdout)
// has nothing to empty.
func emptyReportFile(f *os.File) error {
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return f.Truncate(0)
}

// noticeText says why a path gave nothing to scan, and what to try.
func noticeText(n batch.Notice, profiles bool) string {
	switch {
	case n.Err != nil:
		return fmt.Sprintf("skipped %s: %v", n.Path, n.Err)
	case n.Profile:
		return fmt.Sprintf("%s looks like one user's profile, not a folder of profiles: --profiles found no users in it.\n"+
			"  Search it as a plain folder:    pstcheck scan %s\n"+
			"  or give the folder of profiles: pstcheck scan --profiles %s",
			n.Path, quoteArg(n.Path), quoteArg(filepath.Dir(n.Path)))
	case profiles:
		return fmt.Sprintf("no .pst or .ost files where Outlook keeps them in the profiles under %s.\n"+
			"  --profiles looks only in Outlook's folders (Documents\\Outlook Files, AppData\\...\\Outlook, Documents);\n"+
			"  to search every folder (the Desktop, other drives): pstcheck scan %s",
			n.Path, quoteArg(n.Path))
	default:
		return fmt.Sprintf("no .pst or .ost files in %s or its subfolders", n.Path)
	}
}

// quoteArg quotes a path for a command line shown to the user when it
// holds spaces or shell characters.
func quoteArg(p string) string {
	if strings.ContainsAny(p, " \t'\"$&;|<>()*?[]{}`!#~") {
		return `"` + p + `"`
	}
	return p
}

// isInput reports whether output names one of the inputs: the same path, or
// the same existing file under another name (a link).
func isInput(output string, paths []string, targets []batch.Target) bool {
	outAbs, err := filepath.Abs(output)
	if err != nil {
		return false
	}
	outInfo, outErr := os.Stat(output)
	same := func(p string) bool {
		if abs, err := filepath.Abs(p); err == nil && abs == outAbs {
			return true
		}
		if outErr != nil {
			return false
		}
		info, err := os.Stat(p)
		return err == nil && os.SameFile(info, outInfo)
	}
	for _, p := range paths {
		if same(p) {
			return true
		}
	}
	for _, t := range targets {
		if t.Report == nil && same(t.Path) {
			return true
		}
	}
	return false
}

// fileProgressFor returns the progress to give one file's scan and the
// function that ends it: the bar's, or none.
func fileProgressFor(bar *barProgress, path string, size int64) (pstcheck.Progress, func()) {
	if bar == nil {
		return pstcheck.NoProgress{}, func() {}
	}
	return bar.File(path, size)
}
