package pstwrite_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/gopst"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// create writes a store to a file of the test's temporary directory with
// fill and returns its path.
func create(t *testing.T, fill func(w *pstwrite.Writer)) string {
	t.Helper()
	return createWith(t, pstwrite.Options{DisplayName: "Test store"}, fill)
}

// createWith is create with the writer's options given.
func createWith(t *testing.T, opts pstwrite.Options, fill func(w *pstwrite.Writer)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.pst")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pstwrite.New(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	fill(w)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// mustScanClean scans path with the engine and fails on any finding but
// the free space note: a written store must be healthy without
// reservation, with no leaked block or miscounted free space either.
func mustScanClean(t *testing.T, path string) *pstcheck.Report {
	t.Helper()
	rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{})
	var b strings.Builder
	for _, f := range rep.Findings {
		if f.Code != finding.MapFreeSpace {
			fmt.Fprintf(&b, "\n  %s %s", f.Code, f.Detail)
		}
	}
	if rep.Verdict != pstcheck.Healthy || b.Len() > 0 {
		t.Fatalf("%s: verdict %s%s", path, rep.Verdict, b.String())
	}
	return rep
}

func folderItems(rep *pstcheck.Report) map[string]int {
	out := map[string]int{}
	for _, f := range rep.Folders {
		out[f.Path] = f.Items
	}
	return out
}

func TestEmptyStoreIsMinimalAndHealthy(t *testing.T) {
	path := create(t, func(*pstwrite.Writer) {})
	rep := mustScanClean(t, path)
	got := folderItems(rep)
	for _, p := range []string{"(root)", "Top of Personal Folders", "Top of Personal Folders/Deleted Items", "Search Root", "SPAM Search Folder 2"} {
		if _, ok := got[p]; !ok {
			t.Errorf("folder %q missing; folders %v", p, got)
		}
	}
	if st, _ := os.Stat(path); st.Size() != 0x4400+253952 {
		t.Errorf("empty store is %d bytes, want one AMap interval", st.Size())
	}
}

// text returns n bytes of deterministic text.
func text(n int, seed int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "word%d ", (i*7+seed)%1000)
	}
	return b.String()[:n]
}

func TestLargeStructures(t *testing.T) {
	// One folder with enough items for a contents table whose heap spans
	// more than eight pages (an HNBITMAPHDR), whose row index has index
	// levels and whose row matrix is a subnode of several blocks; a
	// message with more subnodes than an SLBLOCK holds (an SIBLOCK); an
	// attachment larger than an XBLOCK maps (an XXBLOCK).
	const items = 3000
	big := bytes.Repeat([]byte("0123456789abcdef"), 600_000) // 9.6 MB
	path := create(t, func(w *pstwrite.Writer) {
		inbox, err := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "Inbox", Class: "IPF.Note"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range items {
			m := &pstwrite.Message{Props: []pstwrite.Property{
				pstwrite.String(0x0037, fmt.Sprintf("Message %d %s", i, text(40, i))),
				pstwrite.String(0x1000, text(200+i%5000, i)),
			}}
			if err := w.AddMessage(inbox, m); err != nil {
				t.Fatal(err)
			}
		}
		many := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "many attachments")}}
		for i := range 400 {
			many.Attachments = append(many.Attachments, pstwrite.Attachment{Props: []pstwrite.Property{
				pstwrite.String(0x3707, fmt.Sprintf("a%d.txt", i)), pstwrite.Binary(0x3701, []byte(text(50, i)))}})
		}
		if err := w.AddMessage(inbox, many); err != nil {
			t.Fatal(err)
		}
		large := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "large attachment")},
			Attachments: []pstwrite.Attachment{{Props: []pstwrite.Property{pstwrite.String(0x3707, "big.bin")},
				Data: bytes.NewReader(big), Size: int64(len(big))}}}
		if err := w.AddMessage(inbox, large); err != nil {
			t.Fatal(err)
		}
	})
	rep := mustScanClean(t, path)
	if got := folderItems(rep)["Top of Personal Folders/Inbox"]; got != items+2 {
		t.Errorf("Inbox holds %d items, want %d", got, items+2)
	}
	s, err := gopst.Inspect(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if s.SIBlocks == 0 || s.XXBlocks == 0 {
		t.Errorf("want an SIBLOCK and an XXBLOCK, got %+v", s)
	}
}

// TestTrimmed: a trimmed store ends after its last page or block, yet
// scans healthy with its free space counted only up to its end.
func TestTrimmed(t *testing.T) {
	var buf pstwrite.Buffer
	w, err := pstwrite.New(&buf, pstwrite.Options{Trim: true})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "F"})
	w.AddMessage(f, &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x37, "hello")}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(buf.Bytes()); n >= 0x4400+253952 || n%512 != 0 {
		t.Fatalf("trimmed store is %d bytes", n)
	}
	path := filepath.Join(t.TempDir(), "trim.pst")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := mustScanClean(t, path)
	if folderItems(rep)["Top of Personal Folders/F"] != 1 {
		t.Errorf("folders %v", folderItems(rep))
	}
}

// TestRefusedMessageLeavesStoreSound: a message the writer cannot store
// is refused whole, before any of it is written, and the writer goes on.
func TestRefusedMessageLeavesStoreSound(t *testing.T) {
	path := create(t, func(w *pstwrite.Writer) {
		f, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "F"})
		bad := []*pstwrite.Message{
			{Props: []pstwrite.Property{{ID: 0x0037, Type: 0x0999, Data: []byte{1}}}},
			{Props: []pstwrite.Property{pstwrite.String(0x37, "a"), pstwrite.String(0x37, "b")}},
			{Props: []pstwrite.Property{pstwrite.String(0x8123, "no name")}},
			{Attachments: []pstwrite.Attachment{{Props: []pstwrite.Property{pstwrite.Binary(0x3701, []byte("x"))},
				Embedded: &pstwrite.Message{}}}},
			{Recipients: [][]pstwrite.Property{manyColumns(300)}},
		}
		for i, m := range bad {
			m.Attachments = append(m.Attachments, pstwrite.Attachment{Props: []pstwrite.Property{pstwrite.Binary(0x3701, []byte("data"))}})
			if err := w.AddMessage(f, m); err == nil {
				t.Errorf("bad message %d was accepted", i)
			}
			if err := w.Err(); err != nil {
				t.Fatalf("bad message %d stopped the writer: %v", i, err)
			}
		}
		if err := w.AddMessage(f, &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x37, "good")}}); err != nil {
			t.Fatal(err)
		}
	})
	if got := folderItems(mustScanClean(t, path))["Top of Personal Folders/F"]; got != 1 {
		t.Errorf("F holds %d items, want the good one", got)
	}
}

// TestVerbatimEmbeddedWithoutSize: a copy (Verbatim) of an embedded
// message that has no PidTagMessageSize, as another program's store may
// hold, is written with the size of what it holds; it crashed the writer.
func TestVerbatimEmbeddedWithoutSize(t *testing.T) {
	path := createWith(t, pstwrite.Options{Verbatim: true}, func(w *pstwrite.Writer) {
		inner := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "inner")}}
		m := &pstwrite.Message{Props: []pstwrite.Property{pstwrite.String(0x0037, "outer")},
			Attachments: []pstwrite.Attachment{{Embedded: inner}}}
		if err := w.AddMessage(w.IPMSubtree(), m); err != nil {
			t.Fatal(err)
		}
	})
	rep := mustScanClean(t, path)
	if got := folderItems(rep)["Top of Personal Folders"]; got != 1 {
		t.Errorf("the top folder holds %d items, want 1", got)
	}
}

func manyColumns(n int) []pstwrite.Property {
	var out []pstwrite.Property
	for i := range n {
		out = append(out, pstwrite.Int32(uint16(0x4000+i), int32(i)))
	}
	return out
}
