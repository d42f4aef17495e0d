package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// The manifest: what an export offered, item by item, and the store's
// accounting, written as DIR/manifest.json, item by item as they are
// placed (manifestWriter), put in place when the Tree closes.

// ManifestName is the name of the manifest in the output folder.
const ManifestName = "manifest.json"

// Manifest is the content of manifest.json: every item offered to the Tree,
// in the order offered, exported or skipped.
type Manifest struct {
	Source string `json:"source"`
	// SourceBytes are the source path's bytes where they are not UTF-8:
	// Source has U+FFFD in their place (absent for a UTF-8 path).
	SourceBytes []byte         `json:"source_bytes,omitempty"`
	Format      string         `json:"format"`
	Items       []ManifestItem `json:"items"`
	Exported    int            `json:"exported"`
	Skipped     int            `json:"skipped"`
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
	// is gone: nothing to write) or recovered (found without its listing or
	// its node).
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

// manifestWriter writes manifest.json as items are placed, one at a time,
// to a temporary file in DIR that replaces the manifest when the Tree
// closes: the manifest of millions of items is never held. The bytes are
// those of the Manifest encoded whole, indented by two spaces.
type manifestWriter struct {
	tmp     string // the temporary file in DIR
	f       *os.File
	bw      *bufio.Writer
	scratch bytes.Buffer
	enc     *json.Encoder
	items   int
	err     error
}

func (t *Tree) newManifestWriter() (*manifestWriter, error) {
	tmp, f, err := t.createTemp(".")
	if err != nil {
		return nil, err
	}
	m := startManifest(f, t.opt.Source, t.opt.Format)
	m.tmp, m.f = tmp, f
	return m, m.err
}

// startManifest starts a manifest on w.
func startManifest(w io.Writer, source, format string) *manifestWriter {
	m := &manifestWriter{bw: bufio.NewWriterSize(w, 64<<10)}
	m.enc = json.NewEncoder(&m.scratch)
	m.enc.SetEscapeHTML(false)
	m.bw.WriteString("{\n  \"source\": ")
	m.value(source, "  ")
	if !utf8.ValidString(source) {
		m.bw.WriteString(",\n  \"source_bytes\": ")
		m.value([]byte(source), "  ")
	}
	m.bw.WriteString(",\n  \"format\": ")
	m.value(format, "  ")
	m.bw.WriteString(",\n  \"items\": [")
	return m
}

// value writes v encoded and indented as it is at its depth (prefix).
func (m *manifestWriter) value(v any, prefix string) {
	m.scratch.Reset()
	m.enc.SetIndent(prefix, "  ")
	if err := m.enc.Encode(v); err != nil && m.err == nil {
		m.err = err
	}
	m.bw.Write(bytes.TrimSuffix(m.scratch.Bytes(), []byte("\n")))
}

// item appends one item.
func (m *manifestWriter) item(mi *ManifestItem) {
	if m.items > 0 {
		m.bw.WriteByte(',')
	}
	m.bw.WriteString("\n    ")
	m.value(mi, "    ")
	m.items++
}

// end writes the counts and the store's accounting, and closes the file.
func (m *manifestWriter) end(c Counts, store *pstcheck.ItemCounts) error {
	if m.items > 0 {
		m.bw.WriteString("\n  ")
	}
	fmt.Fprintf(m.bw, "],\n  \"exported\": %d,\n  \"skipped\": %d,\n  \"store\": ", c.Exported, c.Skipped)
	m.value(store, "  ")
	m.bw.WriteString("\n}\n")
	if err := m.bw.Flush(); m.err == nil {
		m.err = err
	}
	if m.f != nil {
		if err := m.f.Close(); m.err == nil {
			m.err = err
		}
	}
	return m.err
}

// readManifestItems reads a manifest item by item, without holding it:
// its source and format, and each item to yield. An error means the file
// is not a manifest pstcheck wrote.
func readManifestItems(r io.Reader, yield func(*ManifestItem)) (source, format string, err error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", "", errors.New("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", "", err
		}
		switch tok {
		case "source":
			if source == "" { // source_bytes, where given, said it exactly
				err = dec.Decode(&source)
			} else {
				var skip string
				err = dec.Decode(&skip)
			}
		case "source_bytes":
			var b []byte
			if err = dec.Decode(&b); err == nil {
				source = string(b)
			}
		case "format":
			err = dec.Decode(&format)
		case "items":
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return "", "", errors.New("items is not a list")
			}
			for dec.More() {
				var it ManifestItem
				if err := dec.Decode(&it); err != nil {
					return "", "", err
				}
				yield(&it)
			}
			_, err = dec.Token()
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return "", "", err
		}
	}
	if _, err := dec.Token(); err != nil {
		return "", "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", "", errors.New("data after the manifest")
	}
	return source, format, nil
}

// sameFile reports whether the file name in root holds exactly the bytes
// of the temporary file tmp.
func sameFile(root *os.Root, name, tmp string) bool {
	a, err := root.Open(name)
	if err != nil {
		return false
	}
	defer a.Close()
	b, err := root.Open(tmp)
	if err != nil {
		return false
	}
	defer b.Close()
	ra, rb := bufio.NewReaderSize(a, 64<<10), bufio.NewReaderSize(b, 64<<10)
	bufA, bufB := make([]byte, 32<<10), make([]byte, 32<<10)
	for {
		na, ea := io.ReadFull(ra, bufA)
		nb, eb := io.ReadFull(rb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false
		}
		if ea != nil || eb != nil {
			return (ea == io.EOF || ea == io.ErrUnexpectedEOF) && ea == eb
		}
	}
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
