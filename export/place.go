package export

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Placement: where a rendered item goes in the output folder (one folder
// per store folder, safe unique names) and how it gets there (its spool
// renamed to its name; mbox files appended to).

// mboxFile is the mbox of one folder being written.
type mboxFile struct {
	rel  string // final path, slash-separated
	tmp  string // temporary file, OS path relative to the root
	f    *os.File
	h    hash.Hash
	size int64
}

// place puts a rendered item in the tree and returns its path and, for a
// file of its own, size and SHA-256.
func (t *Tree) place(it *Item, r *Rendered) (rel string, size int64, sum string, err error) {
	defer r.discard()
	if r.err != nil {
		return "", 0, "", r.err
	}
	dir, last := t.folderDir(it)
	if r.kind == KindMail && t.opt.Format == FormatMbox {
		rel, err = t.appendMbox(dir, last, r.sp)
		return rel, 0, "", err
	}
	return t.putFile(dir, r.base, r.ext, r.sp)
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
	_, ours := t.ours.lookup(rel)
	return !ours
}

// putFile puts a rendered file in place, unless an earlier run left it
// complete: its spool is renamed to its name, after the journal says the
// file is the export's own.
func (t *Tree) putFile(dir, base, ext string, sp *spool) (string, int64, string, error) {
	rel := t.fileName(dir, base, ext)
	size, sum := sp.size, sp.sum
	if rec, ok := t.ours.lookup(rel); ok && rec.same(size, sum) {
		if fi, err := t.root.Lstat(filepath.FromSlash(rel)); err == nil && fi.Mode().IsRegular() && fi.Size() == size {
			t.ours.mark(rel)
			t.counts.Unchanged++
			return rel, size, sum, nil
		}
	}
	folder := path.Dir(rel)
	if _, err := t.dirRoot(folder); err != nil {
		return "", 0, "", err
	}
	if err := writeJSONLine(t.journal, journalEntry{Path: rel, Size: size, SHA256: sum}); err != nil {
		return "", 0, "", err
	}
	err := t.renameSpool(sp.tmp, rel)
	if err != nil && folder != "." {
		// The folder opened earlier is gone or was replaced (by a link,
		// say): open it again, checked again.
		t.forgetDir(folder)
		if _, err = t.dirRoot(folder); err == nil {
			err = t.renameSpool(sp.tmp, rel)
		}
	}
	if err != nil {
		return "", 0, "", err
	}
	sp.tmp = "" // it is the file now
	// Marked only now: a file this run failed to replace is still what an
	// earlier run left, and the summary says so.
	t.ours.mark(rel)
	t.counts.Written++
	return rel, size, sum, nil
}

// renameSpool renames the spool tmp (in DIR) to rel, in a folder dirRoot
// has opened.
func (t *Tree) renameSpool(tmp, rel string) error {
	folder := path.Dir(rel)
	if d := t.dirFiles[folder]; fastWrites && t.rootDir != nil && (d != nil || folder == ".") {
		if d == nil {
			d = t.rootDir
		}
		if renameInDirs(t.rootDir, tmp, d, path.Base(rel)) == nil {
			return nil
		}
		// Else the os.Root way, which checks the path again.
	}
	return t.root.Rename(tmp, filepath.FromSlash(rel))
}

// forgetDir closes what dirRoot opened of folder dir.
func (t *Tree) forgetDir(dir string) {
	if r := t.dirRoots[dir]; r != nil {
		r.Close()
		delete(t.dirRoots, dir)
	}
	if d := t.dirFiles[dir]; d != nil {
		d.Close()
		delete(t.dirFiles, dir)
	}
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

// prepare checks that the file osRel may be written and creates its folder.
func (t *Tree) prepare(osRel string) error {
	if _, err := Within(t.dir, osRel); err != nil {
		return err
	}
	return t.root.MkdirAll(filepath.Dir(osRel), 0o755)
}

func (t *Tree) createTemp(dir string) (string, *os.File, error) {
	for {
		tmp := filepath.Join(dir, tempPrefix+strings.ToLower(rand.Text())+tempSuffix)
		f, err := t.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
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
	if err := writeJSONLine(t.journal, journalEntry{Path: rel, Size: size, SHA256: sum}); err != nil {
		return err
	}
	if err := t.root.Rename(tmp, filepath.FromSlash(rel)); err != nil {
		return err
	}
	t.counts.Written++
	return nil
}

// appendMbox adds a message, rendered as the mbox holds it, to the mbox
// of folder dir.
func (t *Tree) appendMbox(dir, folderName string, sp *spool) (string, error) {
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
	src, err := sp.open()
	if err != nil {
		return "", err
	}
	defer src.Close()
	n, err := io.Copy(io.MultiWriter(m.f, m.h), src)
	if err != nil {
		// No half message in the mbox: it is cut back, and its hash,
		// which took the part written, taken again.
		m.f.Truncate(m.size)
		if rerr := m.rehash(t.root); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		return "", err
	}
	m.size += n
	return m.rel, nil
}

// rehash takes the SHA-256 of the mbox's temporary file again.
func (m *mboxFile) rehash(root *os.Root) error {
	f, err := root.Open(m.tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	m.h.Reset()
	_, err = io.Copy(m.h, io.LimitReader(f, m.size))
	return err
}

// finishMbox puts a complete mbox in place, unless the one there is the
// export's own and already identical.
func (t *Tree) finishMbox(m *mboxFile) error {
	sum := hex.EncodeToString(m.h.Sum(nil))
	osRel := filepath.FromSlash(m.rel)
	if _, ours := t.ours.lookup(m.rel); ours {
		if fi, err := t.root.Lstat(osRel); err == nil && fi.Mode().IsRegular() && fi.Size() == m.size {
			if s, err := t.fileSHA256(osRel); err == nil && s == sum {
				t.ours.mark(m.rel)
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
	t.ours.mark(m.rel)
	return nil
}
