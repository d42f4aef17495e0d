package discover

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// fsOps is the file system as the walker sees it: stat and list only.
// Tests replace it to inject errors the current user cannot provoke (a root
// user can list a chmod 000 folder).
type fsOps struct {
	stat    func(string) (fs.FileInfo, error)
	lstat   func(string) (fs.FileInfo, error)
	readDir func(string) ([]fs.DirEntry, error)
}

var osOps = fsOps{stat: os.Stat, lstat: os.Lstat, readDir: os.ReadDir}

// unlimited is the depth budget of a folder searched all the way down.
const unlimited = -1

// covers reports whether a folder already searched with budget had searched
// at least as deep as budget b asks.
func covers(had, b int) bool { return had == unlimited || (b != unlimited && had >= b) }

// childBudget is the budget of a subfolder, and whether there is one at all.
func childBudget(b int) (int, bool) {
	switch {
	case b == unlimited:
		return unlimited, true
	case b > 0:
		return b - 1, true
	}
	return 0, false
}

type ancestor struct {
	path string
	fi   fs.FileInfo
}

// job is a folder to search.
type job struct {
	path              string
	fi                fs.FileInfo // stat of the folder (links followed)
	profile, location string
	budget            int        // levels of subfolders still to enter, or unlimited
	anc               []ancestor // the folders it is inside, outermost first
	linked            bool       // reached by following a link into it
}

type probKey struct{ path, kind string }

type walker struct {
	ctx  context.Context
	opts Options
	ops  fsOps

	dirs   idIndex        // folders searched -> their budget
	files  idIndex        // files found -> index in cands
	byPath map[string]int // files found by path -> index in cands

	cands    []Candidate
	probs    []Problem
	seen     map[probKey]bool
	deferred []job // folders reached through a link, searched last

	curRoot  string
	canceled bool
}

func newWalker(ctx context.Context, opts Options, ops fsOps) *walker {
	return &walker{
		ctx: ctx, opts: opts, ops: ops,
		dirs: idIndex{}, files: idIndex{},
		byPath: map[string]int{}, seen: map[probKey]bool{},
	}
}

// stopped reports (and records once) whether the context is done.
func (w *walker) stopped() bool {
	if w.canceled {
		return true
	}
	select {
	case <-w.ctx.Done():
		w.canceled = true
		w.problem(w.curRoot, KindCanceled, w.ctx.Err())
		return true
	default:
		return false
	}
}

func (w *walker) problem(path, kind string, err error) {
	k := probKey{path, kind}
	if w.seen[k] {
		return
	}
	w.seen[k] = true
	w.probs = append(w.probs, Problem{Path: path, Err: err, Kind: kind})
}

// statProblem records err from stat'ing path.
func (w *walker) statProblem(path string, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.problem(path, KindMissing, err)
	case isLoopErr(err):
		w.problem(path, KindLoop, err)
	default:
		w.problem(path, KindUnreadable, err)
	}
}

func isLoopErr(err error) bool { return errors.Is(err, syscall.ELOOP) }

func (w *walker) root(root string) {
	p := absClean(root)
	w.curRoot = p
	fi, err := w.ops.stat(p)
	if err != nil {
		w.statProblem(p, err)
		return
	}
	switch {
	case fi.IsDir() && w.opts.Profiles:
		w.profilesRoot(p, fi)
	case fi.IsDir():
		w.walkDir(job{path: p, fi: fi, budget: unlimited})
	case isFileLike(fi.Mode()):
		// Named explicitly: a candidate whatever its name.
		w.addFile(p, fi, "", "")
	default:
		w.problem(p, KindNotRegular, notRegular(fi))
	}
}

// isFileLike reports whether m is a regular file, or (on Windows) a file
// behind a reparse point that is not a link, such as a OneDrive file or a
// cloud placeholder, which Go reports as irregular.
func isFileLike(m fs.FileMode) bool {
	t := m.Type()
	return t == 0 || t == fs.ModeIrregular
}

// isLinkLike reports whether a directory entry of type t must be stat'ed
// to know what it leads to: a symbolic link, or (on Windows) a junction,
// which Go reports as irregular and not a directory.
func isLinkLike(t fs.FileMode) bool {
	return t&fs.ModeSymlink != 0 || (t&fs.ModeIrregular != 0 && !t.IsDir())
}

// notRegular says what fi is instead of a file or folder. Such a path is
// never opened: reading a FIFO could wait forever, a device never ends.
func notRegular(fi fs.FileInfo) error {
	what := "not a regular file or folder"
	switch t := fi.Mode().Type(); {
	case t&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO), not a file"
	case t&fs.ModeSocket != 0:
		what = "a socket, not a file"
	case t&fs.ModeDevice != 0:
		what = "a device, not a file"
	}
	return fmt.Errorf("%s: nothing to check", what)
}

// walkDir searches the folder j, then its subfolders. Subfolders reached
// through links are deferred.
func (w *walker) walkDir(j job) {
	if w.stopped() {
		return
	}
	// Any endless descent meets one of its own ancestors again, so this
	// check alone ends every loop, whatever the visited index says. On
	// Windows only reparse points (links) can make one; elsewhere a bind
	// mount can too.
	if j.linked || runtime.GOOS != "windows" {
		for _, a := range j.anc {
			if os.SameFile(a.fi, j.fi) {
				w.problem(j.path, KindLoop, fmt.Errorf("%w: leads back to %s", ErrLoop, a.path))
				return
			}
		}
	}
	if had, ok := w.dirs.lookup(j.fi); ok && covers(had, j.budget) {
		return // searched already, as deep, by another path
	}
	w.dirs.set(j.fi, j.budget)

	entries, err := w.ops.readDir(j.path)
	if err != nil {
		w.problem(j.path, KindUnreadable, err)
		// os.ReadDir returns what it read before the error: search that.
	}
	anc := append(j.anc[:len(j.anc):len(j.anc)], ancestor{j.path, j.fi})
	sub, descend := childBudget(j.budget)
	for _, e := range entries {
		if w.stopped() {
			return
		}
		name := e.Name()
		p := filepath.Join(j.path, name)
		t := e.Type()
		switch {
		case isLinkLike(t):
			w.link(p, e, j, anc)
		case t.IsDir():
			if !descend {
				continue
			}
			fi, err := w.ops.lstat(p)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) { // else gone since listed
					w.statProblem(p, err)
				}
				continue
			}
			w.walkDir(job{path: p, fi: fi, profile: j.profile, location: j.location, budget: sub, anc: anc})
		case IsDataFileName(name, w.opts.IncludeBackups):
			fi, err := w.ops.lstat(p)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					w.statProblem(p, err)
				}
				continue
			}
			if !isFileLike(fi.Mode()) {
				w.problem(p, KindNotRegular, notRegular(fi))
				continue
			}
			w.addFile(p, fi, j.profile, j.location)
		}
	}
}

// link handles an entry p of folder j that is a link (or junction).
func (w *walker) link(p string, e fs.DirEntry, j job, anc []ancestor) {
	dataName := IsDataFileName(e.Name(), w.opts.IncludeBackups)
	if !dataName && !w.opts.FollowSymlinks {
		return
	}
	if li, err := e.Info(); err == nil && isLegacyJunction(li) {
		return // Windows' compatibility junctions: the real folder is searched anyway
	}
	fi, err := w.ops.stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !dataName {
			return // a dangling link to nothing we want
		}
		w.statProblem(p, err)
		return
	}
	switch {
	case fi.IsDir():
		sub, descend := childBudget(j.budget)
		if !w.opts.FollowSymlinks || !descend {
			return
		}
		w.deferred = append(w.deferred, job{path: p, fi: fi, profile: j.profile, location: j.location, budget: sub, anc: anc, linked: true})
	case !dataName:
	case isFileLike(fi.Mode()):
		w.addFile(p, fi, j.profile, j.location)
	default:
		w.problem(p, KindNotRegular, notRegular(fi))
	}
}

// addFile records a candidate unless the same file was found already.
func (w *walker) addFile(p string, fi fs.FileInfo, profile, location string) {
	if _, ok := w.byPath[p]; ok {
		return
	}
	if i, ok := w.files.lookup(fi); ok {
		// Said, not passed over: the user may have named this path.
		w.problem(p, KindSameFile, fmt.Errorf("the same file as %s, checked there", w.cands[i].Path))
		return
	}
	w.byPath[p] = len(w.cands)
	w.files.set(fi, len(w.cands))
	w.cands = append(w.cands, Candidate{Path: p, Size: fi.Size(), Profile: profile, Location: location})
}

// idIndex maps files and folders, by identity, to an int. Identity is
// os.SameFile (device and inode on Unix, volume serial and file index on
// Windows); entries are bucketed by size and modification time so that
// SameFile is only asked about likely matches.
type idIndex map[idKey][]idEntry

type idKey struct {
	size  int64
	mtime time.Time
}

type idEntry struct {
	fi  fs.FileInfo
	val int
}

func keyOf(fi fs.FileInfo) idKey {
	// Strip the monotonic part and location so that == compares instants.
	return idKey{fi.Size(), fi.ModTime().Round(0).UTC()}
}

func (x idIndex) lookup(fi fs.FileInfo) (int, bool) {
	for _, e := range x[keyOf(fi)] {
		if os.SameFile(e.fi, fi) {
			return e.val, true
		}
	}
	return 0, false
}

func (x idIndex) set(fi fs.FileInfo, val int) {
	k := keyOf(fi)
	for i, e := range x[k] {
		if os.SameFile(e.fi, fi) {
			x[k][i].val = val
			return
		}
	}
	x[k] = append(x[k], idEntry{fi, val})
}
