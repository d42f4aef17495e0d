package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/report"
)

// These tests run "pstcheck export" end to end on real samples: go-pst's
// three (always there when the module is) and the shared corpus when it is
// present. Damaged and hostile copies are made from enron.pst with
// internal/pstmut, so they need no corpus either.

// ---------------------------------------------------------------- helpers

// exported is one run of "pstcheck export".
type exported struct {
	dir            string
	status         int
	stdout, stderr string
	man            export.Manifest
	raw            []byte // manifest.json as written
}

// runExport exports src into dir and reads the manifest.
func runExport(t *testing.T, src, dir string, args ...string) exported {
	t.Helper()
	ios, stdout, stderr := testIO(false)
	status := runCLI(ios, append([]string{"export", src, "--to", dir, "--no-progress"}, args...)...)
	x := exported{dir: dir, status: status, stdout: stdout.String(), stderr: stderr.String()}
	var err error
	x.raw, err = os.ReadFile(filepath.Join(dir, export.ManifestName))
	if err != nil {
		t.Fatalf("export %s: exit %d, no manifest: %v\nstdout: %s\nstderr: %s", src, status, err, stdout, stderr)
	}
	if err := json.Unmarshal(x.raw, &x.man); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return x
}

// byNID indexes a manifest's items.
func (x exported) byNID() map[uint32]export.ManifestItem {
	out := map[uint32]export.ManifestItem{}
	for _, it := range x.man.Items {
		out[it.NID] = it
	}
	return out
}

// file reads an exported file by its manifest path.
func (x exported) file(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(x.dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files lists every regular file under dir (slash paths relative to dir)
// with its info; anything else but folders fails the test.
func files(t *testing.T, dir string) map[string]fs.FileInfo {
	t.Helper()
	out := map[string]fs.FileInfo{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if !d.Type().IsRegular() {
			t.Errorf("%s: not a regular file (%v)", rel, d.Type())
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = fi
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// checkFiles checks that the export's files are exactly manifest.json and
// the files its items name, each with the recorded size and SHA-256 (files
// of their own), and that nothing else (journal, temporary files) is left.
func checkFiles(t *testing.T, x exported) {
	t.Helper()
	want := map[string]bool{export.ManifestName: true}
	for _, it := range x.man.Items {
		if it.Path == nil {
			continue
		}
		want[*it.Path] = true
		if it.SHA256 == nil {
			continue
		}
		b := x.file(t, *it.Path)
		if sha(b) != *it.SHA256 || int64(len(b)) != *it.Size {
			t.Errorf("%s: %d bytes, sha256 %s; the manifest says %d, %s", *it.Path, len(b), sha(b), *it.Size, *it.SHA256)
		}
	}
	got := files(t, x.dir)
	for p := range got {
		if !want[p] {
			t.Errorf("%s: a file the manifest does not list", p)
		}
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			t.Errorf("%s: listed in the manifest, not written", p)
		}
	}
}

// emlMessage is a message parsed with net/mail whose MIME structure was
// walked with mime/multipart: its leaf parts in order, embedded messages
// (message/rfc822) parsed the same way.
type emlMessage struct {
	header mail.Header
	parts  []emlPart
}

type emlPart struct {
	mediaType   string
	charset     string
	disposition string
	filename    string      // Content-Disposition filename, else Content-Type name
	body        []byte      // transfer-decoded
	embedded    *emlMessage // a message/rfc822 part, parsed
}

// parseMessage parses an Internet message, failing on anything net/mail,
// mime or mime/multipart reject (testkit's strict walk), and gives its
// view as emlMessage.
func parseMessage(b []byte) (*emlMessage, error) {
	p, err := testkit.ParseMessage(b)
	if err != nil {
		return nil, err
	}
	return emlView(p), nil
}

func emlView(p *testkit.Part) *emlMessage {
	msg := &emlMessage{header: p.Header}
	for _, l := range p.Leaves() {
		d, _ := l.Disposition()
		part := emlPart{mediaType: l.Type, charset: l.Params["charset"], disposition: d, filename: l.Filename(), body: l.Body}
		if l.Message != nil {
			part.embedded = emlView(l.Message)
		}
		msg.parts = append(msg.parts, part)
	}
	return msg
}

// text returns the first text/plain part that is not an attachment.
func (msg *emlMessage) text() (string, bool) {
	for _, p := range msg.parts {
		if p.mediaType == "text/plain" && p.disposition != "attachment" {
			return string(p.body), true
		}
	}
	return "", false
}

// attachments lists the attachments: "filename sha256" of each file, and
// "filename message/rfc822" of each embedded message, in order.
func (msg *emlMessage) attachments() []string {
	var out []string
	for _, p := range msg.parts {
		switch {
		case p.embedded != nil:
			out = append(out, p.filename+" message/rfc822")
		case p.disposition == "attachment" || p.disposition == "inline":
			out = append(out, p.filename+" "+sha(p.body))
		}
	}
	return out
}

// subject decodes the Subject header (RFC 2047).
func (msg *emlMessage) subject() (string, error) {
	return new(mime.WordDecoder).DecodeHeader(msg.header.Get("Subject"))
}

// checkEML checks one exported message: it parses; it has the From, Date
// and Message-ID that RFC 5322 requires or recommends (mail clients and
// indexers such as notmuch skip a file without them), one mailbox in From;
// and its Subject and Date say what the manifest says.
func checkEML(t *testing.T, rel string, b []byte, it export.ManifestItem) *emlMessage {
	t.Helper()
	msg, err := parseMessage(b)
	if err != nil {
		t.Errorf("%s: %v", rel, err)
		return nil
	}
	if from, err := mail.ParseAddressList(msg.header.Get("From")); err != nil || len(from) != 1 {
		t.Errorf("%s: From %q: %v", rel, msg.header.Get("From"), err)
	}
	if _, err := mail.ParseDate(msg.header.Get("Date")); err != nil {
		t.Errorf("%s: Date %q: %v", rel, msg.header.Get("Date"), err)
	}
	if id := msg.header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") || !strings.Contains(id, "@") {
		t.Errorf("%s: Message-ID %q", rel, id)
	}
	if it.Subject != "" {
		if s, err := msg.subject(); err != nil || s != strings.ToValidUTF8(it.Subject, "\uFFFD") {
			t.Errorf("%s: Subject %q (%v), the manifest says %q", rel, s, err, it.Subject)
		}
	}
	if it.Date != nil {
		d, err := mail.ParseDate(msg.header.Get("Date"))
		if err != nil || d.UTC().Format(time.RFC3339) != *it.Date {
			t.Errorf("%s: Date %q (%v), the manifest says %s", rel, msg.header.Get("Date"), err, *it.Date)
		}
	}
	return msg
}

// scanReport scans a file the way export does (read-only).
func scanReport(t *testing.T, src string) *pstcheck.Report {
	t.Helper()
	return pstcheck.ScanFile(context.Background(), src, pstcheck.Options{})
}

// scanCounts is how many items the scan lists per export folder: the
// folder's Items (its contents table, or the messages naming it as parent
// when the table is lost), mapped as pstcheck.ExportPath maps folder paths.
func scanCounts(rep *pstcheck.Report) map[string]int {
	out := map[string]int{}
	for _, f := range rep.Folders {
		if f.Items > 0 {
			out[pstcheck.ExportPath(f.Path)] += f.Items
		}
	}
	return out
}

// writePST writes a mutated file where export can read it.
func writePST(t *testing.T, f *pstmut.File, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, f.B, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// numbered is the " (2)" Namer adds to a name already taken.
var numbered = regexp.MustCompile(` \(\d+\)$`)

// uniqueName reports whether an item's file name is its own in its folder:
// no other item of the clean export has the same date and subject, so
// skipping another item cannot renumber it (and skipping it, none).
func uniqueName(x exported, nid uint32) bool {
	stem := func(p string) string {
		return numbered.ReplaceAllString(strings.TrimSuffix(p, path.Ext(p)), "")
	}
	var mine string
	for _, it := range x.man.Items {
		if it.NID == nid && it.Path != nil {
			mine = stem(*it.Path)
		}
	}
	if mine == "" {
		return false
	}
	n := 0
	for _, it := range x.man.Items {
		if it.Path != nil && stem(*it.Path) == mine {
			n++
		}
	}
	return n == 1
}

// onlyUser reports whether block bid is used by node nid alone.
func onlyUser(users map[uint64][]uint32, bid uint64, nid uint32) bool {
	u := users[bid&^1]
	return len(u) == 1 && u[0] == nid
}

// flipMiddle flips one byte in the middle of block bid's stored data; its
// CRC is left as it was, so the block is damaged.
func flipMiddle(f *pstmut.File, bid uint64) {
	b := f.MustBlock(bid)
	f.FlipByte(int64(b.IB) + int64(b.CB)/2)
}

func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// attachmentData is the bytes of an attachment (PidTagAttachDataBinary
// 0x3701) held in a subnode of the attachment, decoded from the file by
// pstmut, independently of the engine; also the data blocks holding them.
func attachmentData(f *pstmut.File, nid, aid uint32) (data []byte, blocks []uint64, ok bool) {
	att := f.Subnodes(f.MustNode(nid).Sub)[aid]
	p, found := f.Heap(att.Data).Prop(0x3701)
	if !found || p.Type != 0x0102 || pstmut.IsHID(p.Value) {
		return nil, nil, false
	}
	s, found := f.Subnodes(att.Sub)[p.Value]
	if !found {
		return nil, nil, false
	}
	blocks = f.DataBlocks(s.Data)
	for _, b := range blocks {
		data = append(data, f.Decoded(b)...)
	}
	return data, blocks, true
}

// attachmentName is an attachment's PidTagAttachLongFilename.
func attachmentName(f *pstmut.File, nid, aid uint32) string {
	att := f.Subnodes(f.MustNode(nid).Sub)[aid]
	h := f.Heap(att.Data)
	p, ok := h.Prop(0x3707)
	if !ok || p.Type != 0x001F || !pstmut.IsHID(p.Value) {
		return ""
	}
	return utf16String(h.Item(p.Value))
}

// attachmentIDs lists a message's attachment subnodes (its attachment
// table's row IDs), none when it has no attachment table.
func attachmentIDs(f *pstmut.File, nid uint32) []uint32 {
	if _, ok := f.Subnodes(f.MustNode(nid).Sub)[0x671]; !ok {
		return nil
	}
	return f.SubnodeTable(nid, 0x671).RowIDs()
}

// setString overwrites a PtypString heap item in place with s, padded
// with 'x' or cut to the item's length in UTF-16 code units (block CRC
// fixed), and returns the old value.
func setString(t *testing.T, h *pstmut.Heap, id uint16, s string) string {
	t.Helper()
	p, ok := h.Prop(id)
	if !ok || p.Type != 0x001F || !pstmut.IsHID(p.Value) {
		t.Fatalf("property 0x%04X is not a PtypString heap item (%+v, %v)", id, p, ok)
	}
	var old string
	h.EditItem(p.Value, func(b []byte) {
		old = utf16String(b)
		u := utf16.Encode([]rune(s))
		for len(u) < len(b)/2 {
			u = append(u, 'x')
		}
		for i := range len(b) / 2 {
			binary.LittleEndian.PutUint16(b[2*i:], u[i])
		}
	})
	return old
}

// sameExceptDamaged checks a damaged copy's export against the clean
// export: the same items in the same order; the items of damaged (NID ->
// what the skip reason must name) skipped, or with includeDamaged written
// and marked; every other item written at the same path with the same
// bytes; and no other file.
func sameExceptDamaged(t *testing.T, clean, got exported, damaged map[uint32]string, includeDamaged bool) {
	t.Helper()
	if len(got.man.Items) != len(clean.man.Items) {
		t.Fatalf("%d items in the manifest, the clean export has %d", len(got.man.Items), len(clean.man.Items))
	}
	checkFiles(t, got)
	want := map[string]bool{export.ManifestName: true}
	nDamaged := 0
	for i, c := range clean.man.Items {
		g := got.man.Items[i]
		if g.NID != c.NID || g.Folder != c.Folder {
			t.Errorf("item %d: 0x%X in %q, the clean export has 0x%X in %q", i, g.NID, g.Folder, c.NID, c.Folder)
			continue
		}
		if names, bad := damaged[c.NID]; bad {
			nDamaged++
			if !g.Damaged {
				t.Errorf("0x%X: not marked damaged", c.NID)
			}
			why := ""
			switch {
			case includeDamaged && g.Path == nil:
				t.Errorf("0x%X: skipped (%v) with --include-damaged", c.NID, g.Skipped)
			case includeDamaged:
				want[*g.Path] = true
				if g.Problem == nil {
					t.Errorf("0x%X: written damaged without a problem", c.NID)
				} else {
					why = *g.Problem
				}
			case g.Skipped == nil || g.Path != nil:
				t.Errorf("0x%X: not skipped: path %v", c.NID, g.Path)
			default:
				why = *g.Skipped
			}
			if !strings.Contains(why, names) {
				t.Errorf("0x%X: reason %q does not name %q", c.NID, why, names)
			}
			continue
		}
		if g.Skipped != nil || g.Damaged || g.Path == nil {
			t.Errorf("0x%X (%s): skipped %v, damaged %v", c.NID, c.Subject, g.Skipped, g.Damaged)
			continue
		}
		want[*g.Path] = true
		if *g.Path != *c.Path || *g.SHA256 != *c.SHA256 || *g.Size != *c.Size {
			t.Errorf("0x%X: %s (%s), the clean export has %s (%s)", c.NID, *g.Path, *g.SHA256, *c.Path, *c.SHA256)
			continue
		}
		if !bytes.Equal(got.file(t, *g.Path), clean.file(t, *c.Path)) {
			t.Errorf("%s differs from the clean export's file", *g.Path)
		}
	}
	if nDamaged != len(damaged) {
		t.Errorf("%d of the %d damaged items are in the manifest", nDamaged, len(damaged))
	}
	for p := range files(t, got.dir) {
		if !want[p] {
			t.Errorf("%s: written, but only the clean items and the manifest should be", p)
		}
	}
	wantSkipped := len(damaged)
	if includeDamaged {
		wantSkipped = 0
	}
	if got.man.Skipped != wantSkipped || got.man.Exported != len(got.man.Items)-wantSkipped {
		t.Errorf("manifest: %d exported, %d skipped; want %d, %d", got.man.Exported, got.man.Skipped, len(got.man.Items)-wantSkipped, wantSkipped)
	}
}

// ---------------------------------------------------------------- clean samples

// Every clean sample exports every item the scan lists, folder by folder;
// every .eml parses (net/mail, MIME walked with mime/multipart, embedded
// messages too) and carries the manifest's subject and date; and the mbox
// export of the same file holds the same messages, byte for byte, in the
// same mboxes per folder.
func TestExportCleanSamples(t *testing.T) {
	srcs := append(samples.GoPstAll(), samples.CorpusFiles(false)...)
	if len(srcs) == 0 {
		t.Skip("no samples: neither go-pst's data nor the corpus is here")
	}
	for _, src := range srcs {
		t.Run(filepath.Base(src), func(t *testing.T) {
			rep := scanReport(t, src)
			if rep.Verdict != pstcheck.Healthy {
				t.Fatalf("sample is %s, not healthy: %s", rep.Verdict, report.Explain(rep).Cause)
			}
			want := scanCounts(rep)
			base := t.TempDir()
			eml := runExport(t, src, filepath.Join(base, "eml"))
			if eml.status != 0 || eml.man.Skipped != 0 {
				t.Errorf("exit status %d, %d skipped; want 0, 0\n%s%s", eml.status, eml.man.Skipped, eml.stdout, eml.stderr)
			}
			checkFiles(t, eml)

			// Per folder: as many items as the scan lists, all in one
			// folder of the export, a folder of its own.
			got := map[string]int{}
			dirOf := map[string]string{}
			folderOf := map[string]string{}
			perDir := map[string]int{}
			for _, it := range eml.man.Items {
				if it.Path == nil {
					t.Errorf("0x%X in %q: skipped: %v", it.NID, it.Folder, it.Skipped)
					continue
				}
				got[it.Folder]++
				d := path.Dir(*it.Path)
				perDir[d]++
				if prev, ok := dirOf[it.Folder]; ok && prev != d {
					t.Errorf("folder %q is written to %q and %q", it.Folder, prev, d)
				}
				if prev, ok := folderOf[d]; ok && prev != it.Folder {
					t.Errorf("%q holds folders %q and %q", d, prev, it.Folder)
				}
				dirOf[it.Folder], folderOf[d] = d, it.Folder
			}
			if !mapsEqual(got, want) {
				t.Errorf("items per folder:\n export %v\n scan   %v", got, want)
			}
			onDisk := map[string]int{}
			for p := range files(t, eml.dir) {
				if p != export.ManifestName {
					onDisk[path.Dir(p)]++
				}
			}
			if !mapsEqual(onDisk, perDir) {
				t.Errorf("files per folder:\n on disk  %v\n manifest %v", onDisk, perDir)
			}

			// Every file parses.
			emlBytes := map[uint32][]byte{}
			for _, it := range eml.man.Items {
				if it.Path == nil {
					continue
				}
				b := eml.file(t, *it.Path)
				switch *it.Kind {
				case export.KindMail:
					emlBytes[it.NID] = b
					if m := checkEML(t, *it.Path, b, it); m != nil && m.header.Get("X-Pstcheck-Damaged") != "" {
						t.Errorf("%s: marked X-Pstcheck-Damaged in a clean export", *it.Path)
					}
				case export.KindContact:
					if !bytes.HasPrefix(b, []byte("BEGIN:VCARD\r\n")) {
						t.Errorf("%s: not a vCard", *it.Path)
					}
				case export.KindEvent:
					if !bytes.HasPrefix(b, []byte("BEGIN:VCALENDAR\r\n")) {
						t.Errorf("%s: not an iCalendar file", *it.Path)
					}
				}
			}

			// The mbox export: the same items in the same order; each
			// folder's messages in one mbox, which SplitMbox splits back
			// into exactly the .eml files of the same items.
			mbox := runExport(t, src, filepath.Join(base, "mbox"), "--format", "mbox")
			if mbox.status != 0 || mbox.man.Skipped != 0 {
				t.Errorf("mbox: exit status %d, %d skipped\n%s%s", mbox.status, mbox.man.Skipped, mbox.stdout, mbox.stderr)
			}
			checkFiles(t, mbox)
			if len(mbox.man.Items) != len(eml.man.Items) {
				t.Fatalf("mbox: %d items, eml: %d", len(mbox.man.Items), len(eml.man.Items))
			}
			inMbox := map[string][]export.ManifestItem{}
			mboxOf := map[string]string{}
			gotMbox := map[string]int{}
			for i, it := range mbox.man.Items {
				e := eml.man.Items[i]
				if it.NID != e.NID || it.Folder != e.Folder || it.Path == nil {
					t.Errorf("mbox item %d: 0x%X in %q (%v), eml: 0x%X in %q", i, it.NID, it.Folder, it.Skipped, e.NID, e.Folder)
					continue
				}
				gotMbox[it.Folder]++
				if *it.Kind != export.KindMail {
					if *it.Path != *e.Path || *it.SHA256 != *e.SHA256 {
						t.Errorf("%s: %s, eml export: %s, %s", *it.Path, *it.SHA256, *e.Path, *e.SHA256)
					}
					continue
				}
				if !strings.HasSuffix(*it.Path, ".mbox") || it.SHA256 != nil {
					t.Errorf("0x%X: written to %s (sha256 %v), want a folder's .mbox", it.NID, *it.Path, it.SHA256)
					continue
				}
				if prev, ok := mboxOf[it.Folder]; ok && prev != *it.Path {
					t.Errorf("folder %q is in %s and %s", it.Folder, prev, *it.Path)
				}
				mboxOf[it.Folder] = *it.Path
				inMbox[*it.Path] = append(inMbox[*it.Path], it)
			}
			if !mapsEqual(gotMbox, want) {
				t.Errorf("mbox items per folder:\n export %v\n scan   %v", gotMbox, want)
			}
			for p, items := range inMbox {
				msgs, err := export.SplitMbox(bytes.NewReader(mbox.file(t, p)))
				if err != nil {
					t.Errorf("%s: %v", p, err)
					continue
				}
				if len(msgs) != len(items) {
					t.Errorf("%s: %d messages, the manifest lists %d", p, len(msgs), len(items))
					continue
				}
				for k, m := range msgs {
					it := items[k]
					e := emlBytes[it.NID]
					if !bytes.Equal(m, e) {
						t.Errorf("%s message %d (0x%X %q) differs from its .eml%s", p, k+1, it.NID, it.Subject, firstDiff(m, e))
						continue
					}
					// Matched by position; the headers say it is the same
					// message, as a reader matching by Message-ID or
					// subject and date would find.
					checkEML(t, fmt.Sprintf("%s message %d", p, k+1), m, it)
				}
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// firstDiff describes where two byte strings first differ.
func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(i-40, 0)
	return fmt.Sprintf(" at byte %d of %d/%d: %q vs %q", i, len(a), len(b), a[lo:min(i+40, len(a))], b[lo:min(i+40, len(b))])
}

// ---------------------------------------------------------------- damage

// Damaged copies of enron.pst, one byte flipped (no CRC fixed) in (a) one
// message's data block, (b) one attachment's data block, (c) one folder's
// contents table. Each is exported beside the clean file: exactly the
// damaged items are skipped, naming the damage; every other file is the
// clean export's, byte for byte, at the same path.
func TestExportDamaged(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	base := t.TempDir()
	clean := runExport(t, src, filepath.Join(base, "clean"))
	if clean.status != 0 || clean.man.Skipped != 0 {
		t.Fatalf("clean export: exit %d, %d skipped", clean.status, clean.man.Skipped)
	}
	f0, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	users := f0.Users()

	t.Run("message block", func(t *testing.T) {
		// The first message whose file name is its own and whose first
		// data block no other node uses.
		var nid uint32
		var bid uint64
		for _, it := range clean.man.Items {
			if b := f0.DataBlocks(f0.MustNode(it.NID).Data); uniqueName(clean, it.NID) && onlyUser(users, b[0], it.NID) {
				nid, bid = it.NID, b[0]
				break
			}
		}
		if nid == 0 {
			t.Fatal("no message to damage")
		}
		f := f0.Clone()
		flipMiddle(f, bid)
		p := writePST(t, f, base, "a.pst")
		got := runExport(t, p, filepath.Join(base, "a"))
		if got.status != 1 {
			t.Errorf("exit status %d, want 1 (an item skipped)\n%s%s", got.status, got.stdout, got.stderr)
		}
		sameExceptDamaged(t, clean, got, map[uint32]string{nid: fmt.Sprintf("0x%X", bid)}, false)
		t.Logf("message 0x%X, block 0x%X: %s", nid, bid, *got.byNID()[nid].Skipped)
	})

	// (b): a message with an attachment whose bytes are in a subnode of
	// the attachment (a data tree of several blocks), the bytes decoded
	// by pstmut to compare with what the export writes.
	var attNID, attAID uint32
	var attBlocks []uint64
	var attBytes []byte
	var attName string
	for _, it := range clean.man.Items {
		for _, aid := range attachmentIDs(f0, it.NID) {
			data, blocks, ok := attachmentData(f0, it.NID, aid)
			if !ok || len(blocks) < 2 || !uniqueName(clean, it.NID) || !onlyUser(users, blocks[1], it.NID) {
				continue
			}
			if attachmentName(f0, it.NID, aid) != "Assignment-sample doc.doc" {
				continue
			}
			attNID, attAID, attBlocks, attBytes = it.NID, aid, blocks, data
			attName = attachmentName(f0, it.NID, aid)
			break
		}
		if attNID != 0 {
			break
		}
	}
	if attNID == 0 {
		t.Fatal(`no message of enron.pst has "Assignment-sample doc.doc" in a subnode of its own`)
	}
	cleanMsg, err := parseMessage(clean.file(t, *clean.byNID()[attNID].Path))
	if err != nil {
		t.Fatal(err)
	}
	cleanAtts := cleanMsg.attachments()
	if !slices.Contains(cleanAtts, attName+" "+sha(attBytes)) {
		t.Fatalf("the clean export of 0x%X has attachments %q, not %s with the bytes in the file", attNID, cleanAtts, attName)
	}
	fb := f0.Clone()
	flipMiddle(fb, attBlocks[1])
	pb := writePST(t, fb, base, "b.pst")
	damagedB := map[uint32]string{attNID: fmt.Sprintf("0x%X", attBlocks[1])}

	t.Run("attachment block", func(t *testing.T) {
		got := runExport(t, pb, filepath.Join(base, "b"))
		if got.status != 1 {
			t.Errorf("exit status %d, want 1\n%s%s", got.status, got.stdout, got.stderr)
		}
		sameExceptDamaged(t, clean, got, damagedB, false)
		t.Logf("message 0x%X, attachment 0x%X %q, block 0x%X: %s", attNID, attAID, attName, attBlocks[1], *got.byNID()[attNID].Skipped)
	})

	// partial checks the export with --include-damaged of a copy whose
	// attachment block is damaged: the item is written to its clean path,
	// marked in the manifest and in the message with the damage (reason
	// naming what), with its headers, body and other attachments as the
	// clean export writes them, and the attachments wantAtts.
	partial := func(t *testing.T, got exported, reason string, wantAtts []string) {
		t.Helper()
		if got.status != 1 {
			t.Errorf("exit status %d, want 1\n%s%s", got.status, got.stdout, got.stderr)
		}
		sameExceptDamaged(t, clean, got, map[uint32]string{attNID: reason}, true)
		inclItem := got.byNID()[attNID]
		if inclItem.Path == nil {
			t.Fatal("the damaged item is not written")
		}
		c := clean.byNID()[attNID]
		if *inclItem.Path != *c.Path {
			t.Errorf("written to %s, the clean export to %s", *inclItem.Path, *c.Path)
		}
		if !strings.Contains(*inclItem.Problem, damagedB[attNID]) {
			t.Errorf("problem %q does not name the damaged block %s", *inclItem.Problem, damagedB[attNID])
		}
		inclMsg := checkEML(t, *inclItem.Path, got.file(t, *inclItem.Path), inclItem)
		if inclMsg == nil {
			t.FailNow()
		}
		// Marked in the message too, with the manifest's problem.
		if h, err := new(mime.WordDecoder).DecodeHeader(inclMsg.header.Get("X-Pstcheck-Damaged")); err != nil || h != *inclItem.Problem {
			t.Errorf("X-Pstcheck-Damaged: %q (%v), want the problem %q", h, err, *inclItem.Problem)
		}
		for _, h := range []string{"From", "To", "Subject", "Date", "Message-ID"} {
			if inclMsg.header.Get(h) != cleanMsg.header.Get(h) {
				t.Errorf("%s: %q, clean %q", h, inclMsg.header.Get(h), cleanMsg.header.Get(h))
			}
		}
		tc, _ := cleanMsg.text()
		td, ok := inclMsg.text()
		if !ok || td != tc || tc == "" {
			t.Errorf("body text differs from the clean export's (%d bytes, clean %d)", len(td), len(tc))
		}
		if gotAtts := inclMsg.attachments(); !slices.Equal(gotAtts, wantAtts) {
			t.Errorf("attachments %q, want %q", gotAtts, wantAtts)
		}
	}

	t.Run("attachment block, include damaged", func(t *testing.T) {
		// One byte of the block is changed: its trailer says it is the
		// right block, only its checksum fails. The attachment is written
		// with the block's bytes as they are, the one changed byte with
		// them, and the problem says so (ndb.Result.Tolerant).
		got := runExport(t, pb, filepath.Join(base, "b-incl"), "--include-damaged")
		flipped := slices.Clone(attBytes)
		first := f0.MustBlock(attBlocks[0])
		flipped[int(first.CB)+int(f0.MustBlock(attBlocks[1]).CB)/2] = fb.Decoded(attBlocks[1])[f0.MustBlock(attBlocks[1]).CB/2]
		if bytes.Equal(flipped, attBytes) {
			t.Fatal("the flipped byte decodes to the same byte")
		}
		wantAtts := slices.Clone(cleanAtts)
		wantAtts[slices.Index(cleanAtts, attName+" "+sha(attBytes))] = attName + " " + sha(flipped)
		partial(t, got, "fails its checksum and was read as it is", wantAtts)
	})

	t.Run("attachment block zeroed, include damaged", func(t *testing.T) {
		// The block's bytes are gone, its trailer with them: the item is
		// written without the attachment (messaging.Reader.Partial).
		fz := f0.Clone()
		e := f0.MustBlock(attBlocks[1])
		fz.Zero(int64(e.IB), fz.L.BlockExtent(int(e.CB)))
		got := runExport(t, writePST(t, fz, base, "bz.pst"), filepath.Join(base, "bz-incl"), "--include-damaged")
		wantAtts := slices.DeleteFunc(slices.Clone(cleanAtts), func(s string) bool { return s == attName+" "+sha(attBytes) })
		partial(t, got, fmt.Sprintf("attachment 0x%X", attAID), wantAtts)
	})

	t.Run("contents table", func(t *testing.T) {
		// A folder's contents table is lost (its first heap block fails
		// its CRC). The engine then takes the folder's items from the
		// messages whose NBT entries name the folder as parent (see
		// messaging.walker.folder), so the scan still lists them, all
		// readable, and the export writes them in the same order (the
		// plan sorts each folder's items by NID) under the same names:
		// nothing is skipped and the export is the clean one, file for
		// file and byte for byte, manifest items included. Only the scan
		// names the damage (the table, which holds no item).
		rep := scanReport(t, src)
		var folder pstcheck.Folder
		for _, fo := range rep.Folders {
			if fo.Items >= 10 && fo.Items < 100 {
				folder = fo
				break
			}
		}
		if folder.NID == 0 {
			t.Fatal("no folder of 10 to 99 items")
		}
		ct := folder.NID&^0x1F | 0x0E
		blocks := f0.DataBlocks(f0.MustNode(ct).Data)
		if !onlyUser(users, blocks[0], ct) {
			t.Fatalf("contents table 0x%X's block 0x%X is shared: %v", ct, blocks[0], users[blocks[0]])
		}
		f := f0.Clone()
		flipMiddle(f, blocks[0])
		p := writePST(t, f, base, "c.pst")

		drep := scanReport(t, p)
		var tableDamage bool
		for _, fd := range drep.Findings {
			if fd.NID == ct && fd.Severity() == finding.SeverityError {
				tableDamage = true
			}
		}
		if !tableDamage {
			t.Errorf("the scan reports no damage of contents table 0x%X", ct)
		}
		for _, fo := range drep.Folders {
			if fo.NID == folder.NID && (fo.Items != folder.Items || fo.Recovered != folder.Items) {
				t.Errorf("%s: %d items, %d recovered after losing its contents table; want %d", fo.Path, fo.Items, fo.Recovered, folder.Items)
			}
		}

		got := runExport(t, p, filepath.Join(base, "c"))
		if got.status != 0 {
			t.Errorf("exit status %d, want 0 (every item exported)\n%s%s", got.status, got.stdout, got.stderr)
		}
		sameExceptDamaged(t, clean, got, nil, false)
		// The same items, those of the folder now recovered (found by
		// their parent NID, without their listing).
		want := slices.Clone(clean.man.Items)
		for i := range want {
			if want[i].Folder == pstcheck.ExportPath(folder.Path) {
				want[i].State = export.StateRecovered
			}
		}
		ci, _ := json.Marshal(want)
		gi, _ := json.Marshal(got.man.Items)
		if !bytes.Equal(ci, gi) {
			t.Error("the manifest's items differ from the clean export's")
		}
		n := 0
		for _, it := range got.man.Items {
			if it.Folder == pstcheck.ExportPath(folder.Path) {
				n++
			}
		}
		if n != folder.Items {
			t.Errorf("%s: %d items exported, want %d", folder.Path, n, folder.Items)
		}
		t.Logf("folder %s (0x%X, %d items), contents table 0x%X, block 0x%X", folder.Path, folder.NID, folder.Items, ct, blocks[0])
	})
}

// ---------------------------------------------------------------- hostile names

// Hostile names in the store: an attachment's long and short file names
// ("../../../../../etc/passwd", "C:\evil\x.txt"), two folders' display
// names ("..\..\xx" and "../..") and a message's subject
// ("../../../../et", cut to the subject's length), each overwritten in
// place with the same length (block CRC fixed, so the file is sound).
// Exported as EML and as mbox: every file stays inside DIR, nothing is
// created beside it, and the attachment's bytes are still in the message,
// under its hostile name (a MIME parameter, never a file name). The
// folder "../.." comes out as two nested folders "unnamed" (see
// TestExportFolderNameWithSlash): safe, if not faithful.
func TestExportHostileNames(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	rep := scanReport(t, src)
	folderNID := map[string]uint32{}
	for _, fo := range rep.Folders {
		folderNID[fo.Path] = fo.NID
	}
	// The message of Inbox with "Assignment-sample doc.doc" in a subnode.
	inbox, user := folderNID["Top of Personal Folders/bailey-s/Inbox"], folderNID["Top of Personal Folders/bailey-s"]
	if inbox == 0 || user == 0 {
		t.Fatalf("enron.pst has no bailey-s/Inbox: %v", folderNID)
	}
	var nid, aid uint32
	var data []byte
	for _, n := range f.NBT {
		if n.Parent != inbox || n.NID&0x1F != 0x04 {
			continue
		}
		for _, a := range attachmentIDs(f, n.NID) {
			if b, _, ok := attachmentData(f, n.NID, a); ok && attachmentName(f, n.NID, a) == "Assignment-sample doc.doc" {
				nid, aid, data = n.NID, a, b
			}
		}
	}
	if nid == 0 {
		t.Fatal("no message in bailey-s/Inbox with Assignment-sample doc.doc")
	}
	ah := f.Heap(f.Subnodes(f.MustNode(nid).Sub)[aid].Data)
	const longName = "../../../../../etc/passwd"
	if old := setString(t, ah, 0x3707, longName); len(old) != len(longName) {
		t.Fatalf("the long file name %q is not %d characters", old, len(longName))
	}
	short := setString(t, ah, 0x3704, `C:\evil\x.txt`)
	shortName := (`C:\evil\x.txt` + strings.Repeat("x", len(short)))[:len(short)]
	subject := setString(t, f.NodeHeap(nid), 0x0037, "../../../../etc/passwd")
	hostileSubject := ("../../../../etc/passwd" + strings.Repeat("x", len(subject)))[:len(subject)]
	if old := setString(t, f.NodeHeap(user), 0x3001, `..\..\xx`); old != "bailey-s" {
		t.Fatalf("folder 0x%X is %q, not bailey-s", user, old)
	}
	if old := setString(t, f.NodeHeap(inbox), 0x3001, "../.."); old != "Inbox" {
		t.Fatalf("folder 0x%X is %q, not Inbox", inbox, old)
	}
	p := writePST(t, f, t.TempDir(), "hostile.pst")

	// The scan sees the hostile names as they are, but for "/", which is
	// the path separator of its folder paths: within a name it is shown
	// as U+2215, a slash that separates nothing.
	hrep := scanReport(t, p)
	if hrep.Verdict != pstcheck.Healthy {
		t.Errorf("the edited file is %s (%s), want healthy: the edits keep every CRC", hrep.Verdict, report.Explain(hrep).Cause)
	}
	hostileFolder := "Top of Personal Folders/..\\..\\xx/..\u2215.."
	var seen bool
	for _, fo := range hrep.Folders {
		seen = seen || fo.Path == hostileFolder
	}
	if !seen {
		t.Fatalf("the scan has no folder %q", hostileFolder)
	}

	for _, format := range []string{export.FormatEML, export.FormatMbox} {
		t.Run(format, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "out")
			x := runExport(t, p, dir, "--format", format)
			if x.status != 0 || x.man.Skipped != 0 {
				t.Errorf("exit status %d, %d skipped\n%s%s", x.status, x.man.Skipped, x.stdout, x.stderr)
			}
			checkFiles(t, x)
			n := checkInside(t, parent, dir)
			for _, it := range x.man.Items {
				if it.Path != nil && !filepath.IsLocal(filepath.FromSlash(*it.Path)) {
					t.Errorf("manifest path %q is not local", *it.Path)
				}
			}

			// The message: in the hostile folder, under its hostile
			// subject made safe, with the attachment's bytes under the
			// hostile name as stored.
			it, ok := x.byNID()[nid]
			if !ok || it.Path == nil {
				t.Fatalf("message 0x%X not exported: %+v", nid, it)
			}
			if it.Folder != hostileFolder || it.Subject != hostileSubject {
				t.Errorf("message 0x%X: folder %q subject %q; want %q, %q", nid, it.Folder, it.Subject, hostileFolder, hostileSubject)
			}
			b := x.file(t, *it.Path)
			if format == export.FormatMbox {
				msgs, err := export.SplitMbox(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				b = nil
				for _, m := range msgs {
					if bytes.Contains(m, []byte("etc/passwd")) {
						b = m
					}
				}
			}
			msg := checkEML(t, *it.Path, b, it)
			if msg == nil {
				t.FailNow()
			}
			if !slices.Contains(msg.attachments(), longName+" "+sha(data)) {
				t.Errorf("%s: attachments %q; want %q with the %d bytes of the store's attachment", *it.Path, msg.attachments(), longName, len(data))
			}
			t.Logf("%d entries under DIR; message in %s; short name %q (not used: the long one wins)", n, *it.Path, shortName)
		})
	}
}

// checkInside checks that parent holds only dir, and that everything
// under dir is a folder or regular file with a safe name that resolves
// inside dir. It returns the number of entries.
func checkInside(t *testing.T, parent, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != filepath.Base(dir) {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %q, want only %s", parent, names, filepath.Base(dir))
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n++
		if !d.IsDir() && !d.Type().IsRegular() {
			t.Errorf("%s is a %v", p, d.Type())
		}
		r, err := filepath.EvalSymlinks(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(real, r)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
			t.Errorf("%s resolves to %s, outside %s", p, r, real)
		}
		if p != dir && (strings.ContainsAny(d.Name(), `/\:*?"<>|`) || strings.HasPrefix(d.Name(), ".")) {
			t.Errorf("%s: unsafe name %q", p, d.Name())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A folder whose display name holds a '/' ("Sent/x": Outlook allows the
// character in folder names) is one folder of the store and should be one
// folder of the export, beside its siblings. The scan joins folder names
// with '/' unescaped and the Tree splits that path at '/', so its items
// land in a folder "x" inside the sibling folder "Sent", mixed into that
// folder's tree, and the manifest's folder field cannot tell the two apart.
func TestExportFolderNameWithSlash(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	const parent = "Top of Personal Folders/bailey-s"
	var drafts uint32
	for _, fo := range scanReport(t, src).Folders {
		if fo.Path == parent+"/Drafts" {
			drafts = fo.NID
		}
	}
	if drafts == 0 {
		t.Fatal("enron.pst has no bailey-s/Drafts")
	}
	setString(t, f.NodeHeap(drafts), 0x3001, "Sent/x")
	x := runExport(t, writePST(t, f, t.TempDir(), "slash.pst"), filepath.Join(t.TempDir(), "out"))
	n := 0
	for _, it := range x.man.Items {
		if it.Path == nil || it.NID&0x1F != 0x04 {
			continue
		}
		if n2, ok := f.Node(it.NID); !ok || n2.Parent != drafts {
			continue
		}
		n++
		if d := path.Dir(*it.Path); path.Dir(d) != parent {
			t.Errorf("an item of folder \"Sent/x\" is in %q, not in a folder of its own beside Sent", d)
			break
		}
	}
	if n == 0 {
		t.Error("no item of the renamed folder exported")
	}
}

// ---------------------------------------------------------------- resume

// sameFiles checks that the files under DIR before and after a run are
// the same files, not written again (same inode, size and modification
// time: a rewrite renames a new file in), except the one named, which was
// deleted before the run and must be there again.
func sameFiles(t *testing.T, before, after map[string]fs.FileInfo, except string) {
	t.Helper()
	for p, a := range after {
		b, ok := before[p]
		switch {
		case !ok:
			t.Errorf("%s: a new file", p)
		case p == except:
			// Deleted, so written again (its inode may well be reused).
		case !os.SameFile(a, b) || !a.ModTime().Equal(b.ModTime()) || a.Size() != b.Size():
			t.Errorf("%s: written again", p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s: gone", p)
		}
	}
}

// A second export into the same DIR finds every file complete: it says so,
// writes nothing, and the manifest is the same bytes. After one file is
// deleted, a third run writes that file alone, byte-identical. Both
// formats.
func TestExportResume(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	for _, format := range []string{export.FormatEML, export.FormatMbox} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			first := runExport(t, src, dir, "--format", format)
			if first.status != 0 {
				t.Fatalf("exit status %d\n%s%s", first.status, first.stdout, first.stderr)
			}
			// Backdated, so that a file written again shows a new time.
			old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
			for p := range files(t, dir) {
				if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(p)), old, old); err != nil {
					t.Fatal(err)
				}
			}
			before := files(t, dir)
			nFiles := len(before) - 1 // not the manifest
			total := len(first.man.Items)

			second := runExport(t, src, dir, "--format", format)
			wantOut := fmt.Sprintf("Exported %s of %s items from %s to %s (%s); %s already there from an earlier run.\n",
				thousands(total), thousands(total), src, dir, format, thousands(nFiles))
			if second.status != 0 || second.stdout != wantOut {
				t.Errorf("second run: exit %d, stdout\n%q\nwant\n%q", second.status, second.stdout, wantOut)
			}
			if !bytes.Equal(second.raw, first.raw) {
				t.Error("the second run's manifest differs from the first's")
			}
			sameFiles(t, before, files(t, dir), "")

			// Delete one file (the 100th item's) and run again.
			var victim string
			for _, it := range first.man.Items[min(99, total-1):] {
				if it.Path != nil {
					victim = *it.Path
					break
				}
			}
			victimBytes := first.file(t, victim)
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(victim))); err != nil {
				t.Fatal(err)
			}
			third := runExport(t, src, dir, "--format", format)
			wantOut = fmt.Sprintf("Exported %s of %s items from %s to %s (%s); %s already there from an earlier run.\n",
				thousands(total), thousands(total), src, dir, format, thousands(nFiles-1))
			if third.status != 0 || third.stdout != wantOut {
				t.Errorf("third run: exit %d, stdout\n%q\nwant\n%q", third.status, third.stdout, wantOut)
			}
			if !bytes.Equal(third.raw, first.raw) {
				t.Error("the third run's manifest differs from the first's")
			}
			after := files(t, dir)
			sameFiles(t, before, after, victim)
			if !bytes.Equal(third.file(t, victim), victimBytes) {
				t.Errorf("%s: rewritten with other bytes", victim)
			}
			t.Logf("%d files; rewrote %s", nFiles, victim)
		})
	}
}

// ---------------------------------------------------------------- peers

// readpst (libpst) and pffexport (libpff) write as many items per folder
// of enron.pst as pstcheck export. scripts/compare-export compares every
// sample and the items' contents; docs/export.md has the results.
func TestExportPeerCounts(t *testing.T) {
	src := testkit.GoPst(t, "enron.pst")
	x := runExport(t, src, filepath.Join(t.TempDir(), "pstcheck"))
	// Ours, relative to the IPM subtree's folder (both peers name it
	// otherwise: readpst after the store, pffexport as stored).
	const top = "Top of Personal Folders/"
	ours := map[string]int{}
	for _, it := range x.man.Items {
		rel, ok := strings.CutPrefix(it.Folder, top)
		if !ok {
			t.Fatalf("item outside %q: %q", top, it.Folder)
		}
		ours[rel]++
	}
	count := func(t *testing.T, root string, isItem func(fs.DirEntry) bool) map[string]int {
		out := map[string]int{}
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || p == root {
				return err
			}
			if isItem(d) {
				rel, _ := filepath.Rel(root, filepath.Dir(p))
				out[filepath.ToSlash(rel)]++
				if d.IsDir() {
					return fs.SkipDir
				}
			}
			return nil
		})
		return out
	}
	t.Run("readpst", func(t *testing.T) {
		bin, err := exec.LookPath("readpst")
		if err != nil {
			t.Skip("readpst (Debian pst-utils) is not installed")
		}
		out := t.TempDir()
		if b, err := exec.Command(bin, "-D", "-M", "-j", "0", "-q", "-o", out, src).CombinedOutput(); err != nil {
			t.Fatalf("readpst: %v\n%s", err, b)
		}
		tops, _ := os.ReadDir(out)
		if len(tops) != 1 {
			t.Fatalf("readpst wrote %d top folders", len(tops))
		}
		got := count(t, filepath.Join(out, tops[0].Name()), func(d fs.DirEntry) bool { return d.Type().IsRegular() })
		if !mapsEqual(got, ours) {
			t.Errorf("items per folder:\n readpst  %v\n pstcheck %v", got, ours)
		}
	})
	t.Run("pffexport", func(t *testing.T) {
		bin, err := exec.LookPath("pffexport")
		if err != nil {
			t.Skip("pffexport (Debian pff-tools) is not installed")
		}
		target := filepath.Join(t.TempDir(), "x")
		if b, err := exec.Command(bin, "-m", "items", "-q", "-t", target, src).CombinedOutput(); err != nil {
			t.Fatalf("pffexport: %v\n%s", err, b)
		}
		item := regexp.MustCompile(`^(Message|Contact|Appointment|Task|Note|Meeting|Activity|DistributionList|Document|RSSFeed)\d{5}$`)
		got := count(t, filepath.Join(target+".export", strings.TrimSuffix(top, "/")), func(d fs.DirEntry) bool {
			return d.IsDir() && item.MatchString(d.Name())
		})
		if !mapsEqual(got, ours) {
			t.Errorf("items per folder:\n pffexport %v\n pstcheck  %v", got, ours)
		}
	})
}

// ---------------------------------------------------------------- attachments the export leaves out

// storeAttachment is an attachment's bytes as pstmut reads them from the
// file, independently of the engine: PidTagAttachDataBinary (0x3701) as a
// heap item or a subnode, or for an OLE attachment (PidTagAttachMethod 6,
// 0x3701 a PtypObject) the subnode its object names.
type storeAttachment struct {
	aid    uint32
	method uint32
	name   string
	data   []byte
}

func storeAttachments(f *pstmut.File, nid uint32) []storeAttachment {
	var out []storeAttachment
	subs := f.Subnodes(f.MustNode(nid).Sub)
	for _, aid := range attachmentIDs(f, nid) {
		att := subs[aid]
		h := f.Heap(att.Data)
		a := storeAttachment{aid: aid, name: attachmentName(f, nid, aid)}
		if p, ok := h.Prop(0x3705); ok {
			a.method = p.Value
		}
		p, ok := h.Prop(0x3701)
		if !ok {
			continue
		}
		sub := p.Value
		switch {
		case p.Type == 0x0102 && pstmut.IsHID(p.Value):
			a.data = h.Item(p.Value)
			sub = 0
		case p.Type == 0x0102:
		case p.Type == 0x000D && a.method == 6 && pstmut.IsHID(p.Value):
			sub = binary.LittleEndian.Uint32(h.Item(p.Value))
		default:
			continue // an embedded message, or no bytes
		}
		if sub != 0 {
			s, ok := f.Subnodes(att.Sub)[sub]
			if !ok {
				continue
			}
			for _, b := range f.DataBlocks(s.Data) {
				a.data = append(a.data, f.Decoded(b)...)
			}
		}
		out = append(out, a)
	}
	return out
}

// exportedAttachments lists the SHA-256 of every attachment an exported
// file carries: MIME parts of an .eml, ATTACH;ENCODING=BASE64 values of
// an .ics or .vcf.
func exportedAttachments(t *testing.T, rel string, b []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	if strings.HasSuffix(rel, ".eml") {
		msg, err := parseMessage(b)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		var walk func(m *emlMessage)
		walk = func(m *emlMessage) {
			for _, p := range m.parts {
				if p.embedded != nil {
					walk(p.embedded)
				} else {
					out[sha(p.body)] = true
				}
			}
		}
		walk(msg)
		return out
	}
	unfolded := strings.ReplaceAll(string(b), "\r\n ", "")
	for _, line := range strings.Split(unfolded, "\r\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(strings.ToUpper(name), "ATTACH") || !strings.Contains(strings.ToUpper(name), "BASE64") {
			continue
		}
		if d, err := base64.StdEncoding.DecodeString(value); err == nil {
			out[sha(d)] = true
		}
	}
	return out
}

// An OLE attachment (PidTagAttachMethod ATTACH_OLE, 6: its
// PidTagAttachDataObject is a PtypObject naming a subnode with the OLE
// storage) is exported with its content. aspose's SampleOstFile.ost has
// two "RTF newsletter copy" messages with six each (21,504 and 260,096
// bytes: compound files; readpst writes them as they are). Each is a
// "Picture (Device Independent Bitmap)" whose storage's CONTENTS stream is
// a .bmp file: the export writes that bitmap, named with .bmp, as
// image/bmp. The bitmap comes from the storage: every 512-byte sector of
// it is one of the storage's sectors (compound files keep a stream of
// 4 KiB and more in whole sectors).
func TestExportOLEAttachments(t *testing.T) {
	src := corpusFile(t, "aspose-email-dotnet__SampleOstFile.ost")
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
	n := 0
	for _, it := range x.man.Items {
		if it.Path == nil {
			continue
		}
		var ole []storeAttachment
		for _, a := range storeAttachments(f, it.NID) {
			if a.method == 6 {
				ole = append(ole, a)
			}
		}
		if len(ole) == 0 {
			continue
		}
		msg, err := parseMessage(x.file(t, *it.Path))
		if err != nil {
			t.Fatal(err)
		}
		var bmps []emlPart
		for _, p := range msg.parts {
			if p.mediaType == "image/bmp" {
				bmps = append(bmps, p)
			}
		}
		if len(bmps) != len(ole) {
			t.Errorf("%s: %d image/bmp parts, the store has %d OLE attachments", *it.Path, len(bmps), len(ole))
			continue
		}
		for i, a := range ole {
			n++
			p := bmps[i]
			// The stored file name (Inbox: "ATT03825"), else the display
			// name (Sent Items), with the extension of what it is.
			stem, isBMP := strings.CutSuffix(p.filename, ".bmp")
			if !isBMP || a.name != "" && stem != a.name || a.name == "" && stem != "Picture (Device Independent Bitmap)" {
				t.Errorf("%s: OLE attachment %q written as %q", *it.Path, a.name, p.filename)
			}
			if len(p.body) < 14 || string(p.body[:2]) != "BM" || int(binary.LittleEndian.Uint32(p.body[2:])) != len(p.body) {
				t.Errorf("%s: %s is not a whole bitmap file (%d bytes)", *it.Path, p.filename, len(p.body))
				continue
			}
			sectors := map[string]bool{}
			for off := 512; off+512 <= len(a.data); off += 512 {
				sectors[string(a.data[off:off+512])] = true
			}
			for off := 0; off+512 <= len(p.body); off += 512 {
				if !sectors[string(p.body[off:off+512])] {
					t.Errorf("%s: bytes %d-%d of %s are not a sector of the OLE storage", *it.Path, off, off+512, p.filename)
					break
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no OLE attachment found")
	}
}

// A calendar item keeps its attachments: the meeting requests of
// pstextractortest@outlook.com.ost carry a PDF, a JPEG and a text file,
// and aspose's SampleOstFile.ost "Invitation.pdf". An appointment (.ics)
// carries them as ATTACH values, a meeting request (mail with a
// text/calendar part) as MIME parts.
func TestExportEventAttachments(t *testing.T) {
	for _, name := range []string{"npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost", "aspose-email-dotnet__SampleOstFile.ost"} {
		t.Run(name, func(t *testing.T) {
			src := corpusFile(t, name)
			f, err := pstmut.Load(src)
			if err != nil {
				t.Fatal(err)
			}
			x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
			n := 0
			for _, it := range x.man.Items {
				if it.Path == nil || *it.Kind != export.KindEvent && !bytes.Contains(x.file(t, *it.Path), []byte("Content-Type: text/calendar")) {
					continue
				}
				atts := storeAttachments(f, it.NID)
				if len(atts) == 0 {
					continue
				}
				got := exportedAttachments(t, *it.Path, x.file(t, *it.Path))
				for _, a := range atts {
					n++
					if !got[sha(a.data)] {
						t.Errorf("%s: attachment %q (%d bytes) is not in the export", *it.Path, a.name, len(a.data))
					}
				}
			}
			if n == 0 {
				t.Fatal("no calendar item with attachments")
			}
		})
	}
}

// corpusFile returns a file of the shared corpus, skipping the test when
// the corpus is not here.
func corpusFile(t *testing.T, name string) string {
	t.Helper()
	dir := samples.Corpus()
	if dir == "" {
		t.Skip("the shared corpus is not here (PSTCHECK_CORPUS)")
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus file %s: %v", name, err)
	}
	return p
}

// Files an earlier export wrote that a later one into the same DIR does
// not (damaged items written with --include-damaged, exported again
// without it) stay, and the summary says so: an audit found "Exported 0
// of 17 items" with the earlier run's damaged files still in DIR and
// nothing saying so. EML writes a file per item; mbox, a folder whose
// items are all damaged has no mbox in the second run.
func TestExportAgainSaysWhatEarlierRunLeft(t *testing.T) {
	src, damaged := supportWithMessagesDamaged(t, t.TempDir(), -1)
	for _, format := range []string{export.FormatEML, export.FormatMbox} {
		t.Run(format, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			first := runExport(t, src, dir, "--format", format, "--include-damaged")
			before := files(t, dir)
			second := runExport(t, src, dir, "--format", format)
			if first.status != 1 || second.status != 1 {
				t.Fatalf("exit status %d, %d", first.status, second.status)
			}
			kept := 0
			listed := map[string]bool{export.ManifestName: true}
			for _, it := range second.man.Items {
				if it.Path != nil {
					listed[*it.Path] = true
				}
			}
			for p := range files(t, dir) {
				if _, was := before[p]; was && !listed[p] {
					kept++
				}
			}
			if kept == 0 {
				t.Fatalf("%d damaged items: the second run left no file of the first unlisted", damaged)
			}
			noun := "files"
			if kept == 1 {
				noun = "file"
			}
			want := fmt.Sprintf("%s still holds %d %s an earlier export wrote and this one did not", dir, kept, noun)
			if !strings.Contains(second.stdout, want) {
				t.Errorf("summary lacks %q:\n%s", want, second.stdout)
			}
			if third := runExport(t, src, dir, "--format", format, "--include-damaged"); strings.Contains(third.stdout, "an earlier export wrote") {
				t.Errorf("a run writing every file again says some are left:\n%s", third.stdout)
			}
		})
	}
}
