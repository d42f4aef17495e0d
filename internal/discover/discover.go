// Package discover finds Outlook data files (.pst, .ost and, on request,
// scanpst's .bak backups) under the paths a user names, or under every user
// profile of a machine.
//
// It only stats and lists: it never opens a data file, for reading or
// writing. Names are all that matter here; the scanner identifies a file by
// its header later, so a PST named .ost is simply a candidate.
//
// Nothing met on the way is fatal. Missing roots, unreadable folders,
// symbolic-link loops and the like come back as Problems beside the
// Candidates found. A file reached more than once (overlapping roots, hard
// links, symbolic links, Windows junctions) is returned once, at the path by
// which it was first reached: directories reached without passing through a
// link are searched before any reached through one, so the first path is a
// link-free one whenever one is in reach.
package discover

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// Options control a search.
type Options struct {
	// IncludeBackups also finds *.bak files (any case): scanpst.exe writes
	// its backup as <name>.bak beside the file it repairs.
	IncludeBackups bool
	// Profiles treats each root as a profiles root (C:\Users, /Users,
	// /home): each immediate subdirectory is a user profile, and only the
	// places where Outlook keeps data files are searched in it (see
	// Locations). Otherwise each root is searched whole.
	Profiles bool
	// FollowSymlinks follows symbolic links (and Windows junctions) to
	// directories, with loop detection. Links to files are always followed,
	// and roots are always followed: the user named them.
	FollowSymlinks bool
}

// Candidate is one data file found.
type Candidate struct {
	// Path is absolute and clean, as reached (links in it are not resolved).
	Path string
	// Size in bytes, from stat.
	Size int64
	// Profile is the user name (the profile folder's name) when found
	// under a profile in Profiles mode, else "".
	Profile string
	// Location is the label of the Outlook location it was found under in
	// Profiles mode (one of the Location* constants), else "".
	Location string
}

// Problem is something met on the way that kept part of the search from
// being done. None is fatal.
type Problem struct {
	Path string
	Err  error
	Kind string // one of the Kind* constants
}

// Problem kinds.
const (
	// KindMissing: a root that does not exist, or a link named like a data
	// file whose target does not exist. The CLI reports these as "error"
	// files.
	KindMissing = "missing"
	// KindUnreadable: a folder that could not be listed, or a file or
	// link that could not be stat'ed (permission, I/O error).
	KindUnreadable = "unreadable"
	// KindLoop: a link (or mount) leading back to a folder it is inside,
	// or a chain of links too long to resolve. The link is not followed.
	KindLoop = "loop"
	// KindNotRegular: a root, or a file named like a data file, that is
	// neither a regular file nor a folder (a FIFO, socket or device).
	KindNotRegular = "not-regular"
	// KindSameFile: a file reached again by another path (a hard or
	// symbolic link, a junction): checked once, at the first path; Err
	// names it.
	KindSameFile = "same-file"
	// KindCanceled: the context was canceled; the search stopped there and
	// what was found so far is returned. Err is the context's error.
	KindCanceled = "canceled"
)

// ErrLoop is wrapped by the Err of KindLoop problems found by the walk.
var ErrLoop = errors.New("directory loop")

func (p Problem) Error() string {
	if p.Err == nil {
		return p.Path + ": " + p.Kind
	}
	return p.Path + ": " + p.Err.Error()
}

func (p Problem) Unwrap() error { return p.Err }

// Find walks roots and returns the data files found (each once, sorted by
// path) and the problems met on the way (never fatal; sorted by path, then
// kind).
//
// A root that is a file is a candidate whatever its name. A root that is a
// folder is searched recursively for IsDataFileName names, or, with
// opts.Profiles, as a profiles root. A root that does not exist is a
// KindMissing problem. With opts.Profiles and no roots, DefaultProfilesRoot
// is searched; without opts.Profiles and no roots, nothing is.
//
// When ctx is canceled, Find stops early and returns what it has, with a
// KindCanceled problem.
func Find(ctx context.Context, roots []string, opts Options) ([]Candidate, []Problem) {
	return find(ctx, roots, opts, osOps)
}

// DefaultProfilesRoot returns the folder holding the user profiles of this
// machine: %SystemDrive%\Users on Windows (C:\Users when SystemDrive is not
// set), /Users on macOS, /home elsewhere.
func DefaultProfilesRoot() string {
	return defaultProfilesRoot(runtime.GOOS, os.Getenv)
}

func defaultProfilesRoot(goos string, getenv func(string) string) string {
	switch goos {
	case "windows":
		drive := getenv("SystemDrive")
		if len(drive) != 2 || drive[1] != ':' {
			drive = "C:"
		}
		return drive + `\Users`
	case "darwin", "ios":
		return "/Users"
	}
	return "/home"
}

// IsDataFileName reports whether name (a base name or a path) ends in .pst
// or .ost, or .bak when includeBackups is set, in any case.
func IsDataFileName(name string, includeBackups bool) bool {
	if len(name) < 4 || name[len(name)-4] != '.' {
		return false
	}
	ext := name[len(name)-3:]
	return strings.EqualFold(ext, "pst") || strings.EqualFold(ext, "ost") ||
		includeBackups && strings.EqualFold(ext, "bak")
}

func find(ctx context.Context, roots []string, opts Options, ops fsOps) ([]Candidate, []Problem) {
	if len(roots) == 0 && opts.Profiles {
		roots = []string{DefaultProfilesRoot()}
	}
	w := newWalker(ctx, opts, ops)
	for _, root := range roots {
		if w.stopped() {
			break
		}
		w.root(root)
	}
	// Folders reached through links come last, so that a file reachable
	// both ways is returned at its link-free path.
	for i := 0; i < len(w.deferred) && !w.stopped(); i++ {
		w.walkDir(w.deferred[i])
	}
	sort.Slice(w.cands, func(i, j int) bool { return w.cands[i].Path < w.cands[j].Path })
	sort.SliceStable(w.probs, func(i, j int) bool {
		a, b := w.probs[i], w.probs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Kind < b.Kind
	})
	return w.cands, w.probs
}

func absClean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
