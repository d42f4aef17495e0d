package export

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// Formats of a Tree.
const (
	FormatEML  = "eml"  // one .eml file per message
	FormatMbox = "mbox" // one mboxrd file per folder
)

// ErrClosed is returned by a Tree's methods after Close.
var ErrClosed = errors.New("export: tree is closed")

// TreeOptions configures a Tree.
type TreeOptions struct {
	Format  string     // FormatEML (the default) or FormatMbox
	Source  string     // the store exported, recorded in the manifest (made absolute)
	MaxName int        // byte limit of one file or folder name; DefaultMaxName if 0
	EML     EMLOptions // how messages are written
}

// Counts says what a Tree did so far.
type Counts struct {
	Exported  int // items exported (written now or found complete)
	Skipped   int // items skipped
	Written   int // files written (an mbox counts once, when closed)
	Unchanged int // files already complete from an earlier run, left alone
	// KeptEarlier counts the files an earlier run wrote that this one did
	// not produce, left in DIR and not in the new manifest (set by Close).
	KeptEarlier int
}

// A Tree writes an export into an output folder:
//
//	DIR/manifest.json
//	DIR/<folder>/<subfolder>/...            one folder per store folder
//	  2024-03-05 1412 Quarterly report.eml  FormatEML: "<date> <subject>.eml"
//	  <subfolder>.mbox                      FormatMbox: the folder's messages
//	  Jane Doe.vcf                          contacts (both formats)
//	  2024-03-07 0900 Review.ics            calendar items (both formats)
//
// Dates in names are UTC, "YYYY-MM-DD hhmm", left out when unknown. Every
// name is made safe (SafeName) and unique within its folder ignoring case
// (Namer); the store's folder path, split at '/', maps to nested folders.
// Nothing is written outside DIR: paths are checked (Within, which refuses
// symbolic links inside DIR) and files are written through an os.Root.
// Files are written to a temporary name and renamed, so a file with its
// final name is always complete.
//
// Resuming: when DIR holds the manifest (or the journal of an interrupted
// run) of an earlier export of the same source in the same format, names
// come out the same for the same items in the same order, and a file the
// earlier run recorded that exists with the recorded size and SHA-256, equal
// to what would be written now, is left alone. Files the earlier run wrote
// are otherwise overwritten; files that are not the export's own are never
// touched (the item takes the next free name). An mbox is written whole to a
// temporary file on every run and replaces the earlier one only if it
// differs. Files of an earlier run that this run does not produce (an item
// since skipped, say) are kept, not deleted (Counts.KeptEarlier counts them
// for the summary). The new manifest lists every
// item of this run.
//
// Items are expected in a stable order (that of the store). A Tree is safe
// for concurrent use, but concurrent Adds make names depend on timing.
type Tree struct {
	mu      sync.Mutex
	dir     string
	root    *os.Root
	opt     TreeOptions
	closed  bool
	journal *os.File
	// rootDir is DIR opened as a directory: spools are made in it from
	// any goroutine (spoolSeq names them), and renamed into place.
	rootDir  *os.File
	spoolSeq atomic.Int64

	ours     ownFiles          // files earlier runs wrote
	folders  map[string]string // store folder (folderKey of each level) -> folder (slash-separated, "" = DIR)
	namers   map[string]*Namer // per folder
	mboxes   map[string]*mboxFile
	mboxSeq  []*mboxFile
	current  *mboxFile // the mbox whose file is open
	manifest *manifestWriter
	counts   Counts
	// accounting is what SetAccounting recorded, for the manifest.
	accounting *pstcheck.ItemCounts
	// dirRoots are the export's folders opened once each (see dirRoot).
	dirRoots map[string]*os.Root
	// fresh are the folders this run created: nothing foreign is in them.
	fresh map[string]bool
	// dirFiles are the same folders opened as directories, for the bare
	// system calls of fastwrite_unix.go.
	dirFiles map[string]*os.File
}

// NewTree prepares an export into dir, creating it if needed. It fails when
// dir holds a manifest or journal of an export of another source or in
// another format.
func NewTree(dir string, opt TreeOptions) (*Tree, error) {
	switch opt.Format {
	case "":
		opt.Format = FormatEML
	case FormatEML, FormatMbox:
	default:
		return nil, fmt.Errorf("export: unknown format %q (want %q or %q)", opt.Format, FormatEML, FormatMbox)
	}
	if opt.Source != "" {
		if abs, err := filepath.Abs(opt.Source); err == nil {
			opt.Source = abs
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	t := &Tree{
		dir: dir, root: root, opt: opt,
		folders: map[string]string{}, namers: map[string]*Namer{}, mboxes: map[string]*mboxFile{},
	}
	if err := t.load(); err != nil {
		root.Close()
		return nil, err
	}
	t.removeTemps()
	j, err := root.OpenFile(journalName, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err == nil {
		if fi, e := j.Stat(); e == nil && fi.Size() == 0 {
			err = writeJSONLine(j, journalEntry{Source: opt.Source, Format: opt.Format})
		}
	}
	if err == nil {
		t.journal = j
		t.manifest, err = t.newManifestWriter()
	}
	if err != nil {
		if j != nil {
			j.Close()
		}
		root.Close()
		return nil, err
	}
	if fastWrites {
		t.rootDir, _ = root.Open(".")
	}
	return t, nil
}

// Add exports it and returns the path written (relative to DIR, with '/').
// The item is recorded in the manifest either way: on error as skipped with
// the error, so callers should not Skip it as well.
func (t *Tree) Add(it *Item) (string, error) { return t.add(it, "") }

// AddDamaged exports an item read only in part, recording it in the
// manifest as damaged with the problem.
func (t *Tree) AddDamaged(it *Item, problem string) (string, error) {
	if problem == "" {
		problem = "damaged"
	}
	return t.add(it, problem)
}

// Skip records an item that could not be read (as damaged, with the
// reason). It does nothing after Close.
func (t *Tree) Skip(folder, subject string, date time.Time, nid uint32, reason string) {
	t.SkipItem(&Item{NID: nid, Folder: folder, Subject: subject, Date: date}, reason)
}

// SkipItem is Skip for an item known by what its Item holds: NID,
// folder (Folder and Folders), subject and date.
func (t *Tree) SkipItem(it *Item, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	if reason == "" {
		reason = "unreadable"
	}
	t.skip(ManifestItem{NID: it.NID, Folder: it.Folder, FolderNID: folderNID(it), Subject: it.Subject, Date: manifestDate(it.Date), Damaged: true, State: StateDamaged}, reason)
}

// LostItem records an item known to have existed whose data is gone,
// named by what its listing still says (NID, folder, subject, date). It
// does nothing after Close.
func (t *Tree) LostItem(it *Item, reason string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.skip(ManifestItem{NID: it.NID, Folder: it.Folder, FolderNID: folderNID(it), Subject: it.Subject, Date: manifestDate(it.Date), Damaged: true, State: StateLost}, reason)
}

func (t *Tree) skip(mi ManifestItem, reason string) {
	mi.Path, mi.Size, mi.SHA256, mi.Kind = nil, nil, nil, nil
	mi.Skipped = &reason
	t.manifest.item(&mi)
	t.counts.Skipped++
}

func (t *Tree) add(it *Item, problem string) (string, error) {
	if it == nil {
		return "", errors.New("export: nil item")
	}
	return t.AddRendered(it, t.Render(it), problem)
}

// Placing a rendered item: see place.go.

// AddRendered places a rendered item in the tree (and the manifest).
// Items must be placed in the same order on every run, so that a resumed
// export names them alike.
func (t *Tree) AddRendered(it *Item, r *Rendered, problem string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		r.discard()
		return "", ErrClosed
	}
	kind := r.kind
	mi := ManifestItem{NID: it.NID, Folder: it.Folder, FolderNID: folderNID(it), Subject: it.Subject, Date: manifestDate(it.Date), Kind: &kind, State: StateReadable}
	if it.Recovered {
		mi.State = StateRecovered
	}
	if problem != "" {
		mi.Damaged, mi.Problem, mi.State = true, &problem, StateDamaged
	}
	if it.Salvaged {
		mi.State = StateLost
	}
	rel, size, sum, err := t.place(it, r)
	if err != nil {
		t.skip(mi, "not written: "+err.Error())
		return "", err
	}
	mi.Path = &rel
	if sum != "" {
		mi.Size, mi.SHA256 = &size, &sum
	}
	t.manifest.item(&mi)
	t.counts.Exported++
	return rel, nil
}

// Counts returns what the Tree did so far.
func (t *Tree) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts
}

// Abort ends a run cut short (interrupted, or its disk full): no manifest
// is written, since it would list only part of the store as if whole; the
// journal stays, naming every file in place, so the next run resumes.
func (t *Tree) Abort() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	if t.current != nil && t.current.f != nil {
		t.current.f.Close() // a temporary file; the next run removes it
	}
	t.manifest.f.Close()
	t.root.Remove(t.manifest.tmp)
	t.journal.Close()
	t.closeDirs()
	t.root.Close()
}

// closeDirs closes the folders the Tree opened.
func (t *Tree) closeDirs() {
	for _, r := range t.dirRoots {
		r.Close()
	}
	for _, d := range t.dirFiles {
		d.Close()
	}
	t.dirRoots, t.dirFiles = nil, nil
	if t.rootDir != nil {
		t.rootDir.Close()
	}
}

// Close finishes the mbox files, puts manifest.json in place and removes
// the journal. After an error the journal stays, so a new run resumes.
func (t *Tree) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	t.closed = true
	var errs []error
	if t.current != nil {
		if err := t.current.f.Close(); err != nil {
			errs = append(errs, err)
		}
		t.current.f = nil
	}
	for _, m := range t.mboxSeq {
		if err := t.finishMbox(m); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.rel, err))
		}
	}
	if err := t.manifest.end(t.counts, t.accounting); err != nil {
		errs = append(errs, err)
		t.root.Remove(t.manifest.tmp)
	} else if sameFile(t.root, ManifestName, t.manifest.tmp) {
		t.root.Remove(t.manifest.tmp) // an identical manifest keeps its date
	} else if err := t.root.Rename(t.manifest.tmp, ManifestName); err != nil {
		errs = append(errs, err)
		t.root.Remove(t.manifest.tmp)
	}
	if err := t.journal.Close(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		if err := t.root.Remove(journalName); err != nil {
			errs = append(errs, err)
		}
	}
	t.counts.KeptEarlier = t.keptEarlier()
	t.closeDirs()
	if err := t.root.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
