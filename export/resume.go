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

// fileRecord is what an earlier run recorded about a file it wrote.
type fileRecord struct {
	size   int64
	sha256 string
}

// load reads the manifest and journal an earlier run left.
func (t *Tree) load() error {
	data, err := t.root.ReadFile(ManifestName)
	switch {
	case err == nil:
		var m Manifest
		if err := json.Unmarshal(data, &m); err != nil || m.Format == "" {
			return dirTaken("%s holds a %s that pstcheck did not write; choose another folder",
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
