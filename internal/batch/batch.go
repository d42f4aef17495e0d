// Package batch runs a scan of many files: discovery (the files named, the
// data files under folders or user profiles), then each file scanned in an
// isolated worker process (worker.go), results in the order the paths were
// given. A file that crashes, exhausts its memory or hangs its scanner
// costs only itself.
package batch

import (
	"cmp"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pstcheck/pstcheck/internal/discover"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Target is one file to scan, or a path whose report is already made (a
// folder that could not be searched).
type Target struct {
	Path   string
	Size   int64            // as discovery found it; 0 when unknown
	Report *pstcheck.Report // set when there is nothing to scan
}

// Notice is something discovery tells the user that is no file's report:
// a path skipped (a symbolic-link loop), or a folder in which no data file
// was found.
type Notice struct {
	Path string
	Err  error // nil: the folder holds no .pst or .ost file
	// Profile: the empty folder, searched as a profiles root, looks like
	// one user's profile (it holds AppData or Documents, not users).
	Profile bool
	// Unchecked: the path is one the user named, and nothing in it was
	// checked (a folder without data files, a FIFO or a device). A run
	// with such a path did not do all it was asked to.
	Unchecked bool
	// SameFile: the path leads to a file found first by another path
	// (Err names it), checked there: nothing is missing from the run.
	SameFile bool
}

// FindOptions say where to look.
type FindOptions struct {
	Profiles bool // each root is a folder of user profiles (none: the system's)
	Backups  bool // also scanpst's .bak backups
}

// Find finds the files to scan under roots (internal/discover): files named
// directly, data files under folders, or under user profiles. A path that
// does not exist, or a folder that cannot be read, becomes a target whose
// report says so (verdict "error"). Each file appears once; targets follow
// the order of roots, and name order within one.
func Find(ctx context.Context, roots []string, opts FindOptions) ([]Target, []Notice) {
	if opts.Profiles && len(roots) == 0 {
		roots = []string{discover.DefaultProfilesRoot()}
	}
	found, problems := discover.Find(ctx, roots, discover.Options{
		IncludeBackups: opts.Backups, Profiles: opts.Profiles, FollowSymlinks: true})
	var targets []Target
	var notices []Notice
	for _, c := range found {
		targets = append(targets, Target{Path: c.Path, Size: c.Size})
	}
	for _, p := range problems {
		switch p.Kind {
		case discover.KindMissing:
			targets = append(targets, Target{Path: p.Path}) // its scan says what is wrong
		case discover.KindUnreadable:
			targets = append(targets, Target{Path: p.Path, Report: folderFailure(p.Path, p.Err)})
		case discover.KindCanceled:
		case discover.KindSameFile:
			notices = append(notices, Notice{Path: p.Path, Err: p.Err, SameFile: true})
		default:
			notices = append(notices, Notice{Path: p.Path, Err: p.Err})
		}
	}
	abs := make([]string, len(roots))
	for i, r := range roots {
		if a, err := filepath.Abs(r); err == nil {
			abs[i] = a
		}
	}
	for i := range notices {
		notices[i].Unchecked = !notices[i].SameFile && slices.Contains(abs, notices[i].Path)
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
	slices.SortStableFunc(targets, func(a, b Target) int {
		return cmp.Or(cmp.Compare(rank(a.Path), rank(b.Path)), strings.Compare(a.Path, b.Path))
	})
	// A root counts as checked for the files found in it (a file named
	// besides counts for the folder named that holds it), and for those
	// found in it that were checked at another path (SameFile); a folder
	// named twice (or by a link to it), as the first.
	perRoot := make([]int, len(roots))
	count := func(path string) { // for every root it lies in
		for i, a := range abs {
			if path == a || strings.HasPrefix(path, a+string(filepath.Separator)) {
				perRoot[i]++
			}
		}
	}
	for _, t := range targets {
		count(t.Path)
	}
	for _, n := range notices {
		if n.SameFile {
			count(n.Path)
		}
	}
	dirs := make([]os.FileInfo, len(roots))
	for i, r := range roots {
		st, err := os.Stat(r)
		if err != nil || !st.IsDir() {
			continue
		}
		dirs[i] = st
		if slices.ContainsFunc(dirs[:i], func(d os.FileInfo) bool { return d != nil && os.SameFile(d, st) }) {
			continue
		}
		if perRoot[i] == 0 {
			notices = append(notices, Notice{Path: r, Unchecked: true,
				Profile: opts.Profiles && discover.LooksLikeProfile(r)})
		}
	}
	return targets, notices
}

// folderFailure is the report for a folder that could not be searched: like
// a file that could not be opened, its verdict is "error".
func folderFailure(path string, err error) *pstcheck.Report {
	why := err.Error()
	var pe *os.PathError
	if errors.As(err, &pe) {
		why = pe.Err.Error()
	}
	return pstcheck.FailureReport(path, finding.FileRead, "cannot read folder: "+finding.ErrorText(err), pstcheck.FailFolder, why)
}

// Progress shows a batch's progress: one bar for all its files, and each
// file's scan.
type Progress interface {
	// StartBatch announces files files of total bytes; EndBatch ends them.
	StartBatch(files int, total int64)
	EndBatch()
	// File announces one file and returns the progress to give its scan
	// and the function that ends the file's part.
	File(path string, size int64) (pstcheck.Progress, func())
}

// RunOptions tune Run.
type RunOptions struct {
	Jobs     int      // files scanned at the same time (at least 1)
	Progress Progress // nil: none
	// OnDone, when set, receives each file's report as it finishes (from
	// several goroutines, one at a time per call).
	OnDone func(*pstcheck.Report)
}

// Run scans the targets and returns their reports in the targets' order. A
// single file is scanned in this process; several in worker processes
// (Jobs at a time), so that no file's failure can touch another's result.
func Run(ctx context.Context, targets []Target, opts RunOptions) []*pstcheck.Report {
	jobs := max(opts.Jobs, 1)
	prog := opts.Progress
	if prog == nil {
		prog = noProgress{}
	}
	reports := make([]*pstcheck.Report, len(targets))
	var mu sync.Mutex
	done := func(i int, r *pstcheck.Report) {
		reports[i] = r
		if opts.OnDone != nil {
			mu.Lock()
			defer mu.Unlock()
			opts.OnDone(r)
		}
	}
	toScan := 0
	var total int64
	for _, t := range targets {
		if t.Report == nil {
			toScan++
			total += t.Size
		}
	}
	var pool *workerPool
	if toScan > 1 {
		prog.StartBatch(toScan, total)
		defer prog.EndBatch()
		pool, _ = newWorkerPool(defaultWorkerMemory(min(jobs, toScan)))
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(jobs, len(targets)) {
		wg.Go(func() {
			if pool == nil {
				for i := range next {
					p, end := prog.File(targets[i].Path, targets[i].Size)
					done(i, pstcheck.ScanFile(ctx, targets[i].Path, pstcheck.Options{Progress: p}))
					end()
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
				path, size := targets[i].Path, targets[i].Size
				if w == nil {
					var err error
					if w, err = pool.start(); err != nil {
						done(i, scannerFailure(path, "the scanner could not be started: "+err.Error()))
						continue
					}
				}
				p, end := prog.File(path, size)
				rep, failure := w.scan(ctx, path, size, p)
				end()
				if failure != "" {
					rep, w = scannerFailure(path, failure), nil
				}
				done(i, rep)
			}
		})
	}
	for i, t := range targets {
		switch {
		case t.Report != nil:
			done(i, t.Report)
		case ctx.Err() != nil:
			// Interrupted: the files not started are not started, nor
			// is a worker for each.
			done(i, scannerFailure(t.Path, "the scan was interrupted"))
		default:
			next <- i
		}
	}
	close(next)
	wg.Wait()
	return reports
}

type noProgress struct{}

func (noProgress) StartBatch(int, int64) {}
func (noProgress) EndBatch()             {}
func (noProgress) File(string, int64) (pstcheck.Progress, func()) {
	return pstcheck.NoProgress{}, func() {}
}
