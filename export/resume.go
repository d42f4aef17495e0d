package export

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// Resuming: a second run into the same folder takes over what an earlier
// one left, from its manifest or, if it was interrupted before writing one,
// from its journal; files already complete are left alone.

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

// DirTakenError: the output folder holds another export (of another
// source or format), which a run never mixes with its own.
type DirTakenError struct{ Why string }

func (e *DirTakenError) Error() string { return e.Why }

func dirTaken(format string, a ...any) error { return &DirTakenError{Why: fmt.Sprintf(format, a...)} }

// journalEntry is one line of the journal; the first line names the export.
type journalEntry struct {
	Source string `json:"source,omitempty"`
	Format string `json:"format,omitempty"`
	Path   string `json:"path,omitempty"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
}

// ownFiles are the files earlier runs wrote: for each, a 128-bit hash of
// its path, its size and the first 128 bits of its SHA-256, sorted, so
// that resuming an export of millions of items holds 40 bytes an item.
type ownFiles struct {
	recs []ownFile
	// seen marks the records of files this run produced (mark), in step
	// with recs once sealed.
	seen []bool
}

type ownFile struct {
	key  [16]byte
	size int64 // -1 when unknown (a message in an mbox)
	sum  [16]byte
}

func pathKey(rel string) (k [16]byte) {
	h := sha256.Sum256([]byte(rel))
	copy(k[:], h[:])
	return k
}

// sumKey is the part of a hex SHA-256 a record keeps; ok false when sum
// is not one.
func sumKey(sum string) (k [16]byte, ok bool) {
	if len(sum) != 64 {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(sum[:32]))
	return k, err == nil
}

// add records a file; a later record of the same path replaces an
// earlier one (see seal).
func (o *ownFiles) add(rel string, size int64, sum string) {
	r := ownFile{key: pathKey(rel), size: size}
	var ok bool
	if r.sum, ok = sumKey(sum); !ok {
		r.size = -1
	}
	if n := len(o.recs); n > 0 && o.recs[n-1].key == r.key {
		o.recs[n-1] = r // the messages of one mbox come one after another
		return
	}
	o.recs = append(o.recs, r)
}

// seal sorts the records for lookup, keeping the last one of a path.
func (o *ownFiles) seal() {
	slices.SortStableFunc(o.recs, func(a, b ownFile) int { return bytes.Compare(a.key[:], b.key[:]) })
	out := o.recs[:0]
	for i, r := range o.recs {
		if i+1 < len(o.recs) && o.recs[i+1].key == r.key {
			continue
		}
		out = append(out, r)
	}
	o.recs = slices.Clip(out)
	o.seen = make([]bool, len(o.recs))
}

// mark notes that this run produced the file rel.
func (o *ownFiles) mark(rel string) {
	if i, ok := o.find(pathKey(rel)); ok {
		o.seen[i] = true
	}
}

// find is the index of the record of key.
func (o *ownFiles) find(k [16]byte) (int, bool) {
	return slices.BinarySearchFunc(o.recs, k, func(r ownFile, k [16]byte) int { return bytes.Compare(r.key[:], k[:]) })
}

// lookup finds the record of rel.
func (o *ownFiles) lookup(rel string) (ownFile, bool) {
	i, ok := o.find(pathKey(rel))
	if !ok {
		return ownFile{}, false
	}
	return o.recs[i], true
}

// same reports whether the record says the file has this size and SHA-256.
func (r ownFile) same(size int64, sum string) bool {
	k, ok := sumKey(sum)
	return ok && r.size == size && r.sum == k
}

// load reads, without holding them, the manifest and journal an earlier
// run left: which files are the export's own.
func (t *Tree) load() error {
	defer t.ours.seal()
	f, err := t.root.Open(ManifestName)
	switch {
	case err == nil:
		source, format, err := readManifestItems(f, func(it *ManifestItem) {
			if it.Path == nil {
				return
			}
			size, sum := int64(-1), ""
			if it.Size != nil && it.SHA256 != nil {
				size, sum = *it.Size, *it.SHA256
			}
			t.ours.add(*it.Path, size, sum)
		})
		f.Close()
		if err != nil || format == "" {
			return dirTaken("%s holds a %s that pstcheck did not write; choose another folder",
				t.dir, ManifestName)
		}
		if err := t.sameExport(source, format); err != nil {
			return err
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	j, err := t.root.Open(journalName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer j.Close()
	br := bufio.NewReaderSize(j, 64<<10)
	for i := 0; ; i++ {
		line, rerr := br.ReadBytes('\n')
		var e journalEntry
		if json.Unmarshal(line, &e) == nil { // else the last line of a run cut short
			if i == 0 {
				if err := t.sameExport(e.Source, e.Format); err != nil {
					return err
				}
			} else if e.Path != "" {
				t.ours.add(e.Path, e.Size, e.SHA256)
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

func (t *Tree) sameExport(source, format string) error {
	if format != t.opt.Format {
		return dirTaken("%s holds an export in %s format; choose another folder for %s", t.dir, format, t.opt.Format)
	}
	if source != t.opt.Source {
		return dirTaken("%s holds an export of %s; choose another folder", t.dir, source)
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

// keptEarlier counts the files in DIR that an earlier run wrote and this
// one did not produce (an item written then with --include-damaged, or
// since lost): they are kept, never deleted, but the new manifest does
// not list them, so the summary says how many there are.
func (t *Tree) keptEarlier() int {
	if len(t.ours.recs) == 0 {
		return 0
	}
	n := 0
	fs.WalkDir(t.root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if i, ok := t.ours.find(pathKey(p)); ok && !t.ours.seen[i] {
			n++
		}
		return nil
	})
	return n
}
