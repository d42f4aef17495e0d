package export

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// The manifest written item by item is the Manifest encoded whole, byte
// for byte, and reads back item by item.
func TestManifestStreamed(t *testing.T) {
	str := func(s string) *string { return &s }
	size, nid := int64(1234), uint32(0x8022)
	items := []ManifestItem{
		{NID: 0x200024, Folder: "Top/<Inbox> & \"more\"", FolderNID: &nid, Subject: "Ünïcödé \u2028 <b>", Date: str("2024-03-05T14:05:00Z"),
			Kind: str(KindMail), Path: str("Top/a.eml"), Size: &size, SHA256: str("ab"), State: StateReadable},
		{NID: 0x200044, Skipped: str("damaged: block 0x12 <CRC>"), Damaged: true, State: StateDamaged},
		{NID: 0x200064, Kind: str(KindMail), Path: str("x.mbox"), Damaged: true, Problem: str("half"), State: StateDamaged},
	}
	for _, c := range []struct {
		items  []ManifestItem
		store  *pstcheck.ItemCounts
		source string
	}{
		{nil, nil, "/mail/<x>.pst"},
		{items[:1], nil, "/mail/<x>.pst"},
		{items, &pstcheck.ItemCounts{Total: 3, Readable: 1, Damaged: 2, Complete: true}, "/mail/<x>.pst"},
		// A Latin-1 name: its bytes too, read back exactly (a resumed
		// export checks it is the same source).
		{items[:1], nil, "/mail/M\xfcller.pst"},
	} {
		man := Manifest{Source: c.source, Format: FormatEML, Items: c.items, Exported: 2, Skipped: 1, Store: c.store}
		if !utf8.ValidString(c.source) {
			man.SourceBytes = []byte(c.source)
		}
		if man.Items == nil {
			man.Items = []ManifestItem{}
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(man); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		m := startManifest(&got, man.Source, man.Format)
		for i := range c.items {
			m.item(&c.items[i])
		}
		if err := m.end(Counts{Exported: 2, Skipped: 1}, c.store); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("streamed manifest:\n%s\nwant\n%s", got.Bytes(), want.Bytes())
		}
		var read []ManifestItem
		source, format, err := readManifestItems(bytes.NewReader(got.Bytes()), func(it *ManifestItem) { read = append(read, *it) })
		if err != nil || source != man.Source || format != man.Format || len(read) != len(c.items) {
			t.Errorf("read back: %q %q, %d items, %v", source, format, len(read), err)
		}
	}
	for _, bad := range []string{``, `[]`, `{"items": [1]}`, `{"format": "eml"} x`, `{"format": "eml"`} {
		if _, _, err := readManifestItems(bytes.NewReader([]byte(bad)), func(*ManifestItem) {}); err == nil {
			t.Errorf("%q read as a manifest", bad)
		}
	}
}
