package export

import (
	"encoding/json"
	"io"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// The manifest: what an export offered, item by item, and the store's
// accounting, written as DIR/manifest.json when the Tree closes.

// ManifestName is the name of the manifest in the output folder.
const ManifestName = "manifest.json"

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
	Store *pstcheck.ItemCounts `json:"store"`
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

// SetAccounting records in the manifest what became of every item the
// store held.
func (t *Tree) SetAccounting(a pstcheck.ItemCounts) {
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

func manifestDate(t time.Time) *string {
	if !validDate(t) {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
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

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
