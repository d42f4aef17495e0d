package pstwrite_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// sent is a message as written, to compare with what is read back.
type sent struct {
	folder      string
	subject     string
	body        string
	recipients  []string
	attachments map[string][]byte
	embedded    string // subject of the embedded message, if any
	keyword     string // a named property's value
}

// TestRoundTrip writes folders and messages and reads them back through
// the engine's own reader (pstcheck.OpenStore, messaging.Reader): the same
// folders, subjects, bodies, recipients, attachment bytes, embedded
// messages and named properties.
func TestRoundTrip(t *testing.T) {
	var want []sent
	var keywordID uint16
	path := create(t, func(w *pstwrite.Writer) {
		var err error
		keywordID, err = w.NamedProperty(pstwrite.PropertyName{GUID: pstwrite.PSPublicStrings, Name: "Keywords"})
		if err != nil {
			t.Fatal(err)
		}
		inbox, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "Inbox", Class: "IPF.Note"})
		sub, _ := w.AddFolder(inbox, pstwrite.Folder{Name: "Projects/2024 ünïcode ☃", Class: "IPF.Note"})
		cal, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "Calendar", Class: "IPF.Appointment"})
		folders := []struct {
			id   pstwrite.FolderID
			path string
		}{{inbox, "Top of Personal Folders/Inbox"}, {sub, "Top of Personal Folders/Inbox/Projects\u22152024 ünïcode ☃"},
			{cal, "Top of Personal Folders/Calendar"}, {w.DeletedItems(), "Top of Personal Folders/Deleted Items"}}
		for i := range 60 {
			f := folders[i%len(folders)]
			s := sent{folder: f.path, subject: fmt.Sprintf("Subject %d — ✓ %s", i, text(i%50, i)),
				body: text(10+i*211, i), attachments: map[string][]byte{}, keyword: fmt.Sprintf("kw%d", i)}
			m := &pstwrite.Message{Props: []pstwrite.Property{
				pstwrite.String(0x0037, s.subject),
				pstwrite.String(0x1000, s.body),
				pstwrite.MultiString(keywordID, s.keyword, "other"),
			}}
			for r := range i % 4 {
				name := fmt.Sprintf("Recipient %d.%d", i, r)
				s.recipients = append(s.recipients, name)
				m.Recipients = append(m.Recipients, []pstwrite.Property{
					pstwrite.String(0x3001, name), pstwrite.String(0x3003, fmt.Sprintf("r%d.%d@example.com", i, r)),
					pstwrite.Int32(0x0C15, 1)})
			}
			for a := range i % 3 {
				name := fmt.Sprintf("file%d-%d.bin", i, a)
				data := bytes.Repeat([]byte{byte(i), byte(a), 0xFF, 0}, (i*a*997)%40000+1)
				s.attachments[name] = data
				att := pstwrite.Attachment{Props: []pstwrite.Property{pstwrite.String(0x3707, name)}}
				if a%2 == 0 {
					att.Props = append(att.Props, pstwrite.Binary(0x3701, data))
				} else {
					att.Data, att.Size = bytes.NewReader(data), int64(len(data))
				}
				m.Attachments = append(m.Attachments, att)
			}
			if i%7 == 3 {
				s.embedded = fmt.Sprintf("Inner %d", i)
				m.Attachments = append(m.Attachments, pstwrite.Attachment{
					Props:    []pstwrite.Property{pstwrite.String(0x3001, "inner")},
					Embedded: &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, s.embedded)}}})
			}
			if err := w.AddMessage(f.id, m); err != nil {
				t.Fatal(err)
			}
			want = append(want, s)
		}
	})
	mustScanClean(t, path)

	store, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	r := store.Reader
	var got []sent
	for it := range store.Items(nil) {
		if it.State != pstcheck.ItemReadable {
			t.Errorf("item 0x%X in %q is %v", it.NID, it.Folder, it.State)
			continue
		}
		m, err := r.Message(it.NID)
		if err != nil {
			t.Fatal(err)
		}
		s := sent{folder: it.Folder, subject: r.String(m.Props, 0x0037), body: r.String(m.Props, 0x1000),
			attachments: map[string][]byte{}}
		for _, rc := range m.Recipients {
			s.recipients = append(s.recipients, r.String(rc, 0x3001))
		}
		for _, a := range m.Attachments {
			if a.Embedded != nil {
				s.embedded = r.String(a.Embedded.Props, 0x0037)
				continue
			}
			s.attachments[r.String(a.Props, 0x3707)] = a.Data
		}
		if v, ok := m.Props.Get(keywordID); ok {
			s.keyword = firstMV(v.Data)
		}
		got = append(got, s)
	}
	if len(got) != len(want) {
		t.Fatalf("read %d messages, wrote %d", len(got), len(want))
	}
	key := func(s sent) string { return s.subject }
	slices.SortFunc(got, func(a, b sent) int { return strings.Compare(key(a), key(b)) })
	slices.SortFunc(want, func(a, b sent) int { return strings.Compare(key(a), key(b)) })
	for i := range want {
		w, g := want[i], got[i]
		if w.folder != g.folder || w.subject != g.subject || w.body != g.body || w.embedded != g.embedded || w.keyword != g.keyword {
			t.Errorf("message %q:\n got folder %q embedded %q keyword %q body %d bytes\nwant folder %q embedded %q keyword %q body %d bytes",
				w.subject, g.folder, g.embedded, g.keyword, len(g.body), w.folder, w.embedded, w.keyword, len(w.body))
		}
		if !slices.Equal(w.recipients, g.recipients) {
			t.Errorf("message %q: recipients %q, want %q", w.subject, g.recipients, w.recipients)
		}
		if len(w.attachments) != len(g.attachments) {
			t.Errorf("message %q: %d attachments, want %d", w.subject, len(g.attachments), len(w.attachments))
		}
		for name, data := range w.attachments {
			if sha256.Sum256(g.attachments[name]) != sha256.Sum256(data) {
				t.Errorf("message %q: attachment %q differs (%d bytes read, %d written)", w.subject, name, len(g.attachments[name]), len(data))
			}
		}
	}
}

// firstMV returns the first string of a PtypMultipleString value.
func firstMV(b []byte) string {
	if len(b) < 8 {
		return ""
	}
	n := int(b[0]) | int(b[1])<<8
	start := int(b[4]) | int(b[5])<<8
	end := len(b)
	if n > 1 {
		end = int(b[8]) | int(b[9])<<8
	}
	u := b[start:end]
	var s strings.Builder
	for i := 0; i+1 < len(u); i += 2 {
		s.WriteRune(rune(u[i]) | rune(u[i+1])<<8)
	}
	return s.String()
}

// TestDeterministic writes the same store twice: the bytes are the same.
func TestDeterministic(t *testing.T) {
	fill := func(w *pstwrite.Writer) {
		f, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "A"})
		for i := range 50 {
			w.AddMessage(f, &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x37, text(30, i))},
				Attachments: []pstwrite.Attachment{{Props: []pstwrite.Property{pstwrite.Binary(0x3701, []byte(text(5000, i)))}}}})
		}
	}
	a, b := create(t, fill), create(t, fill)
	x, _ := os.ReadFile(a)
	y, _ := os.ReadFile(b)
	if !bytes.Equal(x, y) {
		t.Error("the same input gave different files")
	}
}
