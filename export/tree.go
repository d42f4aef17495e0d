package export

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Formats of a Tree.
const (
	FormatEML  = "eml"  // one .eml file per message
	FormatMbox = "mbox" // one mboxrd file per folder
)

// ManifestName is the name of the manifest in the output folder.
const ManifestName = "manifest.json"

const (
	// journalName lists, one JSON object a line, the files a run has written
	// that no manifest records yet; it is removed once the manifest is
	// written, so after an interrupted run the next one knows the files are
	// its own.
	journalName = ".pstcheck-journal"
	// Files are written as tempPrefix+random+tempSuffix, then renamed; left
	// over ones (an interrupted run) are removed by the next NewTree.
	tempPrefix, tempSuffix = ".pstcheck-", ".tmp"
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

// Manifest is the content of manifest.json: every item offered to the Tree,
// in the order offered, exported or skipped.
type Manifest struct {
	Source   string         `json:"source"`
	Format   string         `json:"format"`
	Items    []ManifestItem `json:"items"`
	Exported int            `json:"exported"`
	Skipped  int            `json:"skipped"`
	// Store is what became of every item the store held, as the scan
	// counted it (null when the caller gave none).
	Store *Accounting `json:"store"`
}

// Accounting is what became of every item a store held: Total is
// Readable + Damaged + Lost + Recovered; Complete is false when items may
// be gone without a trace, so that Total is a lower bound.
type Accounting struct {
	Total     int `json:"total"`
	Readable  int `json:"readable"`
	Damaged   int `json:"damaged"`
	Lost      int `json:"lost"`
	Recovered int `json:"recovered"`
	// NamesLost are damaged items whole but for their named properties
	// (the store's name-to-ID map is lost), written marked.
	NamesLost int  `json:"names_lost"`
	Complete  bool `json:"complete"`
}

// Item states in the manifest.
const (
	StateReadable  = "readable"
	StateDamaged   = "damaged"
	StateLost      = "lost"
	StateRecovered = "recovered"
)

// ManifestItem is one item of the manifest. Path is relative to the output
// folder, with '/' separators; Size and SHA256 describe the file of a
// message, contact or event written alone (they are null for messages in an
// mbox, which holds many). Exactly one of Path and Skipped is set. Damaged
// marks items skipped as unreadable and items exported in part (Problem
// says what is missing).
type ManifestItem struct {
	NID    uint32 `json:"nid"`
	Folder string `json:"folder"`
	// FolderNID is the NID of the item's store folder (for an item no
	// folder lists, under "Recovered items", the folder it names as its
	// parent), which tells apart folders of the same path; null when
	// unknown.
	FolderNID *uint32 `json:"folder_nid"`
	Subject   string  `json:"subject"`
	Date      *string `json:"date"` // RFC 3339, UTC; null when unknown
	Kind      *string `json:"kind"` // "mail", "contact" or "event"; null when skipped
	Path      *string `json:"path"`
	Size      *int64  `json:"size"`
	SHA256    *string `json:"sha256"`
	Skipped   *string `json:"skipped"`
	Damaged   bool    `json:"damaged"`
	Problem   *string `json:"problem"`
	// State is what became of the item: readable, damaged, lost (its node
	// is gone: nothing to write) or recovered (found without its listing).
	State string `json:"state"`
}

// Counts says what a Tree did so far.
type Counts struct {
	Exported  int // items exported (written now or found complete)
	Skipped   int // items skipped
	Written   int // files written (an mbox counts once, when closed)
	Unchanged int // files already complete from an earlier run, left alone
}

// journalEntry is one line of the journal; the first line names the export.
type journalEntry struct {
	Source string `json:"source,omitempty"`
	Format string `json:"format,omitempty"`
	Path   string `json:"path,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// fileRecord is what an earlier run recorded about a file it wrote.
type fileRecord struct {
	size   int64
	sha256 string
}

// mboxFile is the mbox of one folder being written.
type mboxFile struct {
	rel  string // final path, slash-separated
	tmp  string // temporary file, OS path relative to the root
	f    *os.File
	h    hash.Hash
	size int64
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
// since skipped, say) are kept, not deleted. The new manifest lists every
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

	ours    map[string]fileRecord // paths (slash-separated) earlier runs wrote
	folders map[string]string     // store folder (folderKey of each level) -> folder (slash-separated, "" = DIR)
	namers  map[string]*Namer     // per folder
	mboxes  map[string]*mboxFile  // per folder
	mboxSeq []*mboxFile
	current *mboxFile // the mbox whose file is open
	items   []ManifestItem
	counts  Counts
	// accounting is what SetAccounting recorded, for the manifest.
	accounting *Accounting
	// dirRoots are the export's folders opened once each (see dirRoot).
	dirRoots map[string]*os.Root
	// fresh are the folders this run created: nothing foreign is in them.
	fresh map[string]bool
	// dirFiles are the same folders opened as directories, for writeInDir.
	dirFiles map[string]*os.File
	tmpSeq   int
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
		ours: map[string]fileRecord{}, folders: map[string]string{},
		namers: map[string]*Namer{}, mboxes: map[string]*mboxFile{},
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
	if err != nil {
		root.Close()
		return nil, err
	}
	t.journal = j
	return t, nil
}

// load reads the manifest and journal an earlier run left.
func (t *Tree) load() error {
	data, err := t.root.ReadFile(ManifestName)
	switch {
	case err == nil:
		var m Manifest
		if err := json.Unmarshal(data, &m); err != nil || m.Format == "" {
			return fmt.Errorf("export: %s holds a %s that pstcheck did not write; choose another folder",
				t.dir, ManifestName)
		}
		if err := t.sameExport(m.Source, m.Format); err != nil {
			return err
		}
		for _, it := range m.Items {
			if it.Path == nil {
				continue
			}
			r := fileRecord{size: -1}
			if it.Size != nil && it.SHA256 != nil {
				r = fileRecord{*it.Size, *it.SHA256}
			}
			t.ours[*it.Path] = r
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	data, err = t.root.ReadFile(journalName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for i, line := range bytes.Split(data, []byte("\n")) {
		var e journalEntry
		if json.Unmarshal(line, &e) != nil {
			continue // the last line of a run cut short
		}
		if i == 0 {
			if err := t.sameExport(e.Source, e.Format); err != nil {
				return err
			}
			continue
		}
		if e.Path != "" {
			t.ours[e.Path] = fileRecord{e.Size, e.SHA256}
		}
	}
	return nil
}

func (t *Tree) sameExport(source, format string) error {
	if format != t.opt.Format {
		return fmt.Errorf("export: %s holds a %s export; choose another folder for %s", t.dir, format, t.opt.Format)
	}
	if source != t.opt.Source {
		return fmt.Errorf("export: %s holds an export of %s; choose another folder", t.dir, source)
	}
	return nil
}

// removeTemps removes temporary files an interrupted run left.
func (t *Tree) removeTemps() {
	fs.WalkDir(t.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasPrefix(d.Name(), tempPrefix) && strings.HasSuffix(d.Name(), tempSuffix) {
			t.root.Remove(filepath.FromSlash(p))
		}
		return nil
	})
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

// SetAccounting records in the manifest what became of every item the
// store held.
func (t *Tree) SetAccounting(a Accounting) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounting = &a
}

// folderNID is the NID of an item's folder, nil when it has none.
func folderNID(it *Item) *uint32 {
	if n := len(it.Folders); n > 0 && it.Folders[n-1].NID != 0 {
		nid := it.Folders[n-1].NID
		return &nid
	}
	return nil
}

func (t *Tree) skip(mi ManifestItem, reason string) {
	mi.Path, mi.Size, mi.SHA256, mi.Kind = nil, nil, nil, nil
	mi.Skipped = &reason
	t.items = append(t.items, mi)
	t.counts.Skipped++
}

func (t *Tree) add(it *Item, problem string) (string, error) {
	if it == nil {
		return "", errors.New("export: nil item")
	}
	return t.AddRendered(it, t.Render(it), problem)
}

// Rendered is an item formatted for its file, ready for AddRendered.
type Rendered struct {
	kind, base, ext string
	data            []byte
	sum             string
	err             error
}

// Render formats an item for its file: the costly part of adding it,
// which touches nothing of the tree, so several goroutines may render
// while AddRendered places the results in order.
func (t *Tree) Render(it *Item) *Rendered {
	r := &Rendered{kind: KindOf(it.Class)}
	var buf bytes.Buffer
	switch {
	case r.kind == KindContact:
		r.err = WriteVCard(&buf, it)
		r.base, r.ext = contactName(it), ".vcf"
	case r.kind == KindEvent:
		r.err = WriteICal(&buf, it)
		start := it.Date
		if it.Event != nil && !it.Event.Start.IsZero() {
			start = it.Event.Start
		}
		r.base, r.ext = datePrefix(start)+subjectOr(it.Subject), ".ics"
	case t.opt.Format == FormatMbox:
		return r // appended to its folder's mbox when placed
	default:
		buf.Grow(4096 + len(it.Body) + len(it.HTML) + 2*len(it.RTF))
		r.err = t.opt.EML.WriteEML(&buf, it)
		r.base, r.ext = datePrefix(it.Date)+subjectOr(it.Subject), ".eml"
	}
	r.data = buf.Bytes()
	sum := sha256.Sum256(r.data)
	r.sum = hex.EncodeToString(sum[:])
	return r
}

// AddRendered places a rendered item in the tree (and the manifest).
// Items must be placed in the same order on every run, so that a resumed
// export names them alike.
func (t *Tree) AddRendered(it *Item, r *Rendered, problem string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
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
	rel, size, sum, err := t.place(it, r)
	if err != nil {
		t.skip(mi, "not written: "+err.Error())
		return "", err
	}
	mi.Path = &rel
	if sum != "" {
		mi.Size, mi.SHA256 = &size, &sum
	}
	t.items = append(t.items, mi)
	t.counts.Exported++
	return rel, nil
}

// place writes a rendered item and returns its path and, for a file of
// its own, size and SHA-256.
func (t *Tree) place(it *Item, r *Rendered) (rel string, size int64, sum string, err error) {
	if r.err != nil {
		return "", 0, "", r.err
	}
	dir, last := t.folderDir(it)
	if r.data == nil && r.kind == KindMail && t.opt.Format == FormatMbox {
		rel, err = t.appendMbox(dir, last, it)
		return rel, 0, "", err
	}
	return t.putFile(dir, r.base, r.ext, r.data, r.sum)
}

// subjectOr is the subject part of a file name: "(no subject)" for none,
// and a subject of dots ("." or "..", which SafeName would strip) in
// brackets.
func subjectOr(s string) string { return visibleName(s, "(no subject)") }

func datePrefix(t time.Time) string {
	if !validDate(t) {
		return ""
	}
	return t.UTC().Format("2006-01-02 1504") + " "
}

func manifestDate(t time.Time) *string {
	if !validDate(t) {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// folderDir maps an item's store folder to its folder in DIR, naming
// folders met for the first time; it also returns the folder's name on
// disk. Folders are told apart by it.Folders (see FolderRef): each store
// folder gets a folder of its own, siblings of the same name (in any case)
// numbered by the Namer. An item without Folders is placed by the text of
// it.Folder, split at "/". The name returned is the folder's own, before
// numbering (its mbox is named after it).
func (t *Tree) folderDir(it *Item) (dir, last string) {
	refs := it.Folders
	if refs == nil {
		for _, c := range strings.Split(it.Folder, "/") {
			if c != "" {
				refs = append(refs, FolderRef{Name: c})
			}
		}
	}
	key := ""
	for _, r := range refs {
		name := folderDiskName(r.Name)
		last = name
		key += "/" + folderKey(r)
		if d, ok := t.folders[key]; ok {
			dir = d
			continue
		}
		n := t.namer(dir)
		parent := dir
		n.Taken = func(name string) bool {
			fi, err := t.root.Lstat(filepath.FromSlash(path.Join(parent, name)))
			return err == nil && !fi.IsDir()
		}
		dir = path.Join(dir, n.Unique(name))
		t.folders[key] = dir
	}
	return dir, last
}

func (t *Tree) namer(dir string) *Namer {
	n := t.namers[dir]
	if n == nil {
		n = &Namer{MaxLen: t.opt.MaxName}
		if dir == "" {
			n.Reserve(ManifestName)
		}
		t.namers[dir] = n
	}
	return n
}

// fileName gives a new file in dir a unique name for base+ext.
func (t *Tree) fileName(dir, base, ext string) string {
	maxLen := t.opt.MaxName
	if maxLen <= 0 {
		maxLen = DefaultMaxName
	}
	n := t.namer(dir)
	n.Taken = func(name string) bool { return t.foreign(path.Join(dir, name)) }
	return path.Join(dir, n.Unique(SafeName(base, maxLen-len(ext))+ext))
}

// foreign reports whether something that is not the export's own file is
// at rel.
func (t *Tree) foreign(rel string) bool {
	if t.fresh[path.Dir(rel)] {
		return false // a folder this run created holds only what it wrote
	}
	fi, err := t.root.Lstat(filepath.FromSlash(rel))
	if err != nil {
		return false
	}
	if !fi.Mode().IsRegular() {
		return true
	}
	_, ours := t.ours[rel]
	return !ours
}

// putFile writes one file unless an earlier run left it complete.
func (t *Tree) putFile(dir, base, ext string, data []byte, sum string) (string, int64, string, error) {
	rel := t.fileName(dir, base, ext)
	size := int64(len(data))
	if r, ok := t.ours[rel]; ok && r.size == size && r.sha256 == sum {
		if fi, err := t.root.Lstat(filepath.FromSlash(rel)); err == nil && fi.Mode().IsRegular() && fi.Size() == size {
			t.counts.Unchanged++
			return rel, size, sum, nil
		}
	}
	dr, err := t.dirRoot(path.Dir(rel))
	if err != nil {
		return "", 0, "", err
	}
	if d := t.dirFiles[path.Dir(rel)]; fastWrites && d != nil {
		if err := t.putFast(d, rel, size, sum, data); err == nil {
			return rel, size, sum, nil
		}
		// Fall back to the os.Root way, which reopens and rechecks a
		// folder that was removed or replaced.
	}
	tmp, f, err := createTempIn(dr, ".")
	if err != nil && dr != t.root {
		// The folder opened earlier is gone or was replaced (by a link,
		// say): open it again, checked again.
		dr.Close()
		delete(t.dirRoots, path.Dir(rel))
		if d := t.dirFiles[path.Dir(rel)]; d != nil {
			d.Close()
			delete(t.dirFiles, path.Dir(rel))
		}
		if dr, err = t.dirRoot(path.Dir(rel)); err != nil {
			return "", 0, "", err
		}
		tmp, f, err = createTempIn(dr, ".")
	}
	if err != nil {
		return "", 0, "", err
	}
	_, err = f.Write(data)
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = t.commitIn(dr, tmp, rel, size, sum)
	}
	if err != nil {
		dr.Remove(tmp)
		return "", 0, "", err
	}
	return rel, size, sum, nil
}

// dirRoot returns the folder dir of the export (a slash path, "." for DIR
// itself) opened as an os.Root, created and checked against escapes the
// first time: writing thousands of files then costs no walk of their
// path per file.
func (t *Tree) dirRoot(dir string) (*os.Root, error) {
	if dir == "." || dir == "" {
		return t.root, nil
	}
	if r, ok := t.dirRoots[dir]; ok {
		return r, nil
	}
	osDir := filepath.FromSlash(dir)
	_, statErr := t.root.Lstat(osDir)
	if err := t.prepare(filepath.Join(osDir, "x")); err != nil {
		return nil, err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if t.fresh == nil {
			t.fresh = map[string]bool{}
		}
		t.fresh[dir] = true
	}
	r, err := t.root.OpenRoot(osDir)
	if err != nil {
		return nil, err
	}
	if t.dirRoots == nil {
		t.dirRoots = map[string]*os.Root{}
		t.dirFiles = map[string]*os.File{}
	}
	t.dirRoots[dir] = r
	if fastWrites {
		if d, err := r.Open("."); err == nil {
			t.dirFiles[dir] = d
		}
	}
	return r, nil
}

// putFast writes a file of the export in folder d with bare system calls
// on its descriptor (see writeInDir): a temporary name first, the journal
// line, then the final name.
func (t *Tree) putFast(d *os.File, rel string, size int64, sum string, data []byte) error {
	t.tmpSeq++
	tmp := fmt.Sprintf("%s%d-%d%s", tempPrefix, os.Getpid(), t.tmpSeq, tempSuffix)
	if err := writeInDir(d, tmp, path.Base(rel), data); err != nil {
		return err
	}
	if err := writeJSONLine(t.journal, journalEntry{Path: rel, Size: size, SHA256: sum}); err != nil {
		return err
	}
	if err := renameInDir(d, tmp, path.Base(rel)); err != nil {
		return err
	}
	t.ours[rel] = fileRecord{size, sum}
	t.counts.Written++
	return nil
}

// prepare checks that the file osRel may be written and creates its folder.
func (t *Tree) prepare(osRel string) error {
	if _, err := Within(t.dir, osRel); err != nil {
		return err
	}
	return t.root.MkdirAll(filepath.Dir(osRel), 0o755)
}

func (t *Tree) createTemp(dir string) (string, *os.File, error) { return createTempIn(t.root, dir) }

func createTempIn(root *os.Root, dir string) (string, *os.File, error) {
	for {
		tmp := filepath.Join(dir, tempPrefix+strings.ToLower(rand.Text())+tempSuffix)
		f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return tmp, f, err
	}
}

// commit records a complete temporary file in the journal and renames it to
// rel: the journal line comes first, so a file in place is always known to
// be the export's own.
func (t *Tree) commit(tmp, rel string, size int64, sum string) error {
	return t.commitIn(t.root, tmp, rel, size, sum)
}

// commitIn is commit for a temporary file in dr, the folder of rel.
func (t *Tree) commitIn(dr *os.Root, tmp, rel string, size int64, sum string) error {
	name := path.Base(rel)
	if dr == t.root {
		name = filepath.FromSlash(rel)
	}
	if err := writeJSONLine(t.journal, journalEntry{Path: rel, Size: size, SHA256: sum}); err != nil {
		return err
	}
	if err := dr.Rename(tmp, name); err != nil {
		return err
	}
	t.ours[rel] = fileRecord{size, sum}
	t.counts.Written++
	return nil
}

// appendMbox adds a message to the mbox of folder dir.
func (t *Tree) appendMbox(dir, folderName string, it *Item) (string, error) {
	m := t.mboxes[dir]
	if m == nil {
		if folderName == "" {
			folderName = "mail"
		}
		rel := t.fileName(dir, folderName, ".mbox")
		osRel := filepath.FromSlash(rel)
		if err := t.prepare(osRel); err != nil {
			return "", err
		}
		tmp, f, err := t.createTemp(filepath.Dir(osRel))
		if err != nil {
			return "", err
		}
		m = &mboxFile{rel: rel, tmp: tmp, h: sha256.New()}
		t.mboxes[dir] = m
		t.mboxSeq = append(t.mboxSeq, m)
		if t.current != nil {
			t.current.f.Close()
			t.current.f = nil
		}
		m.f, t.current = f, m
	}
	if t.current != m {
		if t.current != nil {
			t.current.f.Close()
			t.current.f = nil
		}
		t.current = nil
		f, err := t.root.OpenFile(m.tmp, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return "", err
		}
		m.f, t.current = f, m
	}
	var buf bytes.Buffer
	if err := writeMboxMessage(&buf, mboxSender(it.From), it.Date, t.opt.EML.message(it, 0)); err != nil {
		return "", err
	}
	if _, err := m.f.Write(buf.Bytes()); err != nil {
		m.f.Truncate(m.size) // no half message in the mbox
		return "", err
	}
	m.h.Write(buf.Bytes())
	m.size += int64(buf.Len())
	return m.rel, nil
}

// Counts returns what the Tree did so far.
func (t *Tree) Counts() Counts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts
}

// Close finishes the mbox files, writes manifest.json and removes the
// journal. After an error the journal stays, so a new run resumes.
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
	man := Manifest{Source: t.opt.Source, Format: t.opt.Format, Items: t.items,
		Exported: t.counts.Exported, Skipped: t.counts.Skipped, Store: t.accounting}
	if man.Items == nil {
		man.Items = []ManifestItem{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(man); err != nil {
		errs = append(errs, err)
	} else if old, err := t.root.ReadFile(ManifestName); err != nil || !bytes.Equal(old, buf.Bytes()) {
		if err := t.writeManifest(buf.Bytes()); err != nil {
			errs = append(errs, err)
		}
	}
	if err := t.journal.Close(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		if err := t.root.Remove(journalName); err != nil {
			errs = append(errs, err)
		}
	}
	for _, r := range t.dirRoots {
		r.Close()
	}
	for _, d := range t.dirFiles {
		d.Close()
	}
	t.dirRoots, t.dirFiles = nil, nil
	if err := t.root.Close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (t *Tree) writeManifest(data []byte) error {
	tmp, f, err := t.createTemp(".")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if e := f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = t.root.Rename(tmp, ManifestName)
	}
	if err != nil {
		t.root.Remove(tmp)
	}
	return err
}

// finishMbox puts a complete mbox in place, unless the one there is the
// export's own and already identical.
func (t *Tree) finishMbox(m *mboxFile) error {
	sum := hex.EncodeToString(m.h.Sum(nil))
	osRel := filepath.FromSlash(m.rel)
	if _, ours := t.ours[m.rel]; ours {
		if fi, err := t.root.Lstat(osRel); err == nil && fi.Mode().IsRegular() && fi.Size() == m.size {
			if s, err := t.fileSHA256(osRel); err == nil && s == sum {
				t.counts.Unchanged++
				return t.root.Remove(m.tmp)
			}
		}
	}
	if _, err := Within(t.dir, osRel); err != nil {
		t.root.Remove(m.tmp)
		return err
	}
	if err := t.commit(m.tmp, m.rel, m.size, sum); err != nil {
		t.root.Remove(m.tmp)
		return err
	}
	return nil
}

func (t *Tree) fileSHA256(osRel string) (string, error) {
	f, err := t.root.Open(osRel)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, bufio.NewReaderSize(f, 256<<10)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
