package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/pstcheck/pstcheck/internal/discover"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
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
			if runF != nil {
				return runF(opts)
			}
			return asError(scanRun(cmd.Context(), opts))
		},
	}

	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "text", "report format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&opts.Output, "output", "o", "", "write the report to `FILE` (created or truncated) instead of standard output")
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
the report lists files in the order the paths were given. A file is judged by
its header, not its name: a PST named .ost is reported as a PST. Files are
only read, never changed. A PATH that cannot be read is still reported, with
the verdict "error"; symbolic-link loops are skipped with a notice.

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
file's verdict and action). --folders does not change text or JSON.

A progress bar is shown on standard error when it is a terminal, unless
--no-progress is given. --output never overwrites a file being scanned.

Exit status:
  0  every file is healthy (warnings allowed)
  1  a file is damaged or unreadable
  2  usage error, or a file could not be read (missing, permission, locked)
  3  both 1 and 2
`)
	return b.String()
}

// scanRun scans opts.Paths, writes the report and returns the exit status
// of design.md §2. A returned error is a usage error (exit status 2) or a
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
	targets := collectTargets(ctx, opts, ios.ErrOut)
	if opts.Output != "" && isInput(opts.Output, opts.Paths, targets) {
		return exitUsage, usageErrorf("--output %s is one of the files to scan: choose another file", opts.Output)
	}

	out := ios.Out
	var file *os.File
	if opts.Output != "" {
		if file, err = os.Create(opts.Output); err != nil {
			return exitUsage, &runError{err: fmt.Errorf("cannot create the report file: %w", err)}
		}
		defer file.Close()
		out = file
	}

	// jsonl is written as each file finishes, so a long run can be
	// followed and shipped as it goes.
	var onDone func(*pstcheck.Report)
	var streamErr error
	stream, streaming := report.NewStream(opts.Format)
	if streaming {
		var mu sync.Mutex
		onDone = func(r *pstcheck.Report) {
			mu.Lock()
			defer mu.Unlock()
			if err := stream.WriteFile(out, resolveVersion(), r); err != nil && streamErr == nil {
				streamErr = err
			}
		}
	}
	reports := scanTargets(ctx, targets, opts.Jobs, newProgress(ios, opts.NoProgress), onDone)

	err = streamErr
	if !streaming {
		err = w.Write(out, report.Run{Version: resolveVersion(), Reports: reports})
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
	return pstcheck.ExitStatus(reports), nil
}

// target is one file to scan, or a folder that could not be searched (its
// report is already made).
type target struct {
	path string
	size int64 // as discovery found it; 0 when unknown
	rep  *pstcheck.Report
}

// collectTargets finds the files to scan (internal/discover): files named
// directly, data files under folders, or under user profiles with
// --profiles. A path that does not exist, or a folder that cannot be read,
// becomes a target whose report says so (verdict "error"); a
// symbolic-link loop is a notice on stderr. Each file appears once.
func collectTargets(ctx context.Context, opts *ScanOptions, errOut io.Writer) []target {
	roots := opts.Paths
	if opts.Profiles && len(roots) == 0 {
		roots = []string{discover.DefaultProfilesRoot()}
	}
	found, problems := discover.Find(ctx, roots, discover.Options{
		IncludeBackups: opts.Backups, Profiles: opts.Profiles, FollowSymlinks: true})
	var targets []target
	for _, c := range found {
		targets = append(targets, target{path: c.Path, size: c.Size})
	}
	for _, p := range problems {
		switch p.Kind {
		case discover.KindMissing:
			targets = append(targets, target{path: p.Path}) // ScanFile says what is wrong
		case discover.KindUnreadable:
			targets = append(targets, target{path: p.Path, rep: folderFailure(p.Path, p.Err)})
		case discover.KindCanceled:
		default:
			fmt.Fprintf(errOut, "pstcheck: skipped %s: %v\n", p.Path, p.Err)
		}
	}
	// The report follows the order the paths were given; within one path,
	// name order.
	abs := make([]string, len(roots))
	for i, r := range roots {
		if a, err := filepath.Abs(r); err == nil {
			abs[i] = a
		}
	}
	rank := func(path string) int {
		if i := slices.Index(abs, path); i >= 0 {
			return i // named itself
		}
		for i, a := range abs {
			if strings.HasPrefix(path, a+string(filepath.Separator)) {
				return i
			}
		}
		return len(roots)
	}
	slices.SortStableFunc(targets, func(a, b target) int {
		if c := cmp.Compare(rank(a.path), rank(b.path)); c != 0 {
			return c
		}
		return strings.Compare(a.path, b.path)
	})
	perRoot := make([]int, len(roots)+1)
	for _, t := range targets {
		perRoot[rank(t.path)]++
	}
	for i, r := range roots {
		if st, err := os.Stat(r); err == nil && st.IsDir() && perRoot[i] == 0 {
			fmt.Fprintf(errOut, "pstcheck: no .pst or .ost files in %s\n", r)
		}
	}
	return targets
}

// isInput reports whether output names one of the inputs: the same path, or
// the same existing file under another name (a link).
func isInput(output string, paths []string, targets []target) bool {
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
		if t.rep == nil && same(t.path) {
			return true
		}
	}
	return false
}

// scanTargets scans the targets with up to jobs workers and returns their
// reports in the targets' order. One file is scanned in this process; a
// batch in worker processes (see worker.go), so that no file's failure can
// touch another's result.
func scanTargets(ctx context.Context, targets []target, jobs int, bar *barProgress, onDone func(*pstcheck.Report)) []*pstcheck.Report {
	reports := make([]*pstcheck.Report, len(targets))
	done := func(i int, r *pstcheck.Report) {
		reports[i] = r
		if onDone != nil {
			onDone(r)
		}
	}
	toScan := 0
	for _, t := range targets {
		if t.rep == nil {
			toScan++
		}
	}
	var pool *workerPool
	if toScan > 1 {
		// One bar for the batch: bytes of every file, files done of all.
		var total int64
		for _, t := range targets {
			if t.rep == nil {
				total += t.size
			}
		}
		bar.startBatch(toScan, total)
		defer bar.endBatch()
		pool, _ = newWorkerPool(defaultWorkerMemory(min(jobs, toScan)))
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(targets)) {
		wg.Go(func() {
			if pool == nil {
				for i := range next {
					done(i, scanOne(ctx, targets[i], bar))
				}
				return
			}
			var w *worker
			defer func() {
				if w != nil {
					w.stop()
				}
			}()
			for i := range next {
				path, size := targets[i].path, targets[i].size
				if w == nil {
					var err error
					if w, err = pool.start(); err != nil {
						done(i, scannerFailure(path, "the scanner could not be started: "+err.Error()))
						continue
					}
				}
				prog, end := fileProgressFor(bar, path, size)
				rep, failure := w.scan(ctx, path, size, prog)
				end()
				if failure != "" {
					rep, w = scannerFailure(path, failure), nil
				}
				done(i, rep)
			}
		})
	}
	for i, t := range targets {
		if t.rep != nil {
			done(i, t.rep)
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return reports
}

func scanOne(ctx context.Context, t target, bar *barProgress) *pstcheck.Report {
	prog, end := fileProgressFor(bar, t.path, t.size)
	defer end()
	return pstcheck.ScanFile(ctx, t.path, pstcheck.Options{Progress: prog})
}

// fileProgressFor returns the progress to give one file's scan and the
// function that ends it: the bar's, or none.
func fileProgressFor(bar *barProgress, path string, size int64) (pstcheck.Progress, func()) {
	if bar == nil {
		return pstcheck.NoProgress{}, func() {}
	}
	return bar.file(path, size)
}

// folderFailure is the report for a folder that could not be searched: like
// a file that could not be opened, its verdict is "error".
func folderFailure(path string, err error) *pstcheck.Report {
	var pe *fs.PathError
	msg := err.Error()
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	return &pstcheck.Report{
		Path:    path,
		Verdict: pstcheck.Failed,
		Action:  pstcheck.ActionNone,
		Findings: []pstcheck.Finding{{
			Code: finding.FileRead, Offset: finding.NoOffset,
			Detail: "cannot read folder: " + err.Error(),
		}},
		Failure: &pstcheck.Failure{Kind: pstcheck.FailFolder, Detail: msg},
		Stats:   pstcheck.Stats{FreeBytes: -1},
	}
}
