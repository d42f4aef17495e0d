package main

import (
	"bytes"
	"context"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// Tests of what the export says about an item, beyond its bytes: who sent
// it, when it recurs, which folder it came from.

// Mail "sent on behalf of" someone names the person it was sent for in
// From and the delegate who sent it in Sender: enron.pst has such
// messages, e.g. Deleted Items "Program Changes", sent by Enron
// Announcements for ClickAtHome and Community Relations. The store's
// PidTagSentRepresentingName and PidTagSenderName say who is who.
func TestExportOnBehalf(t *testing.T) {
	src := goPst(t, "enron.pst")
	store, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	type who struct{ represented, sender string }
	onBehalf := map[uint32]who{}
	for _, refs := range store.Items {
		for _, ref := range refs {
			m, err := store.Reader.Message(ref.NID)
			if err != nil {
				continue
			}
			rep, snd := store.Reader.String(m.Props, 0x0042), store.Reader.String(m.Props, 0x0C1A)
			if rep != "" && snd != "" && rep != snd {
				onBehalf[ref.NID] = who{rep, snd}
			}
		}
	}
	if len(onBehalf) < 10 {
		t.Fatalf("enron.pst has %d messages sent on behalf of someone, want at least 10", len(onBehalf))
	}
	x := runExport(t, src, filepath.Join(t.TempDir(), "out"))
	sawProgramChanges := false
	for nid, w := range onBehalf {
		it, ok := x.byNID()[nid]
		if !ok || it.Path == nil {
			t.Errorf("0x%X not exported", nid)
			continue
		}
		msg := checkEML(t, *it.Path, x.file(t, *it.Path), it)
		if msg == nil {
			continue
		}
		from, err1 := mail.ParseAddress(msg.header.Get("From"))
		sender, err2 := mail.ParseAddress(msg.header.Get("Sender"))
		if err1 != nil || err2 != nil || from.Name != w.represented || sender.Name != w.sender {
			t.Errorf("%s: From %q, Sender %q; want the represented %q and the delegate %q",
				*it.Path, msg.header.Get("From"), msg.header.Get("Sender"), w.represented, w.sender)
		}
		if strings.HasSuffix(*it.Path, "Deleted Items/2001-11-21 1616 Program Changes.eml") {
			sawProgramChanges = true
		}
	}
	if !sawProgramChanges {
		t.Error("Deleted Items/2001-11-21 1616 Program Changes.eml is not among the messages sent on behalf")
	}
	t.Logf("%d messages sent on behalf of someone", len(onBehalf))
}

// No sample has a body line starting with "From ", which an mbox must
// quote (mboxrd: ">From ", and one more '>' on a line already quoted) or
// a reader would split the message there. A real message of enron.pst is
// given such lines (its PidTagBody rewritten in place, CRC fixed), and the
// mbox export quotes them, and reads back as the .eml export wrote it.
func TestExportMboxFromQuoting(t *testing.T) {
	src := goPst(t, "enron.pst")
	f, err := pstmut.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	const body = "From the desk of Sally\r\n>From a quoted line\r\n>>From twice\r\nFromage is not quoted\r\n"
	var nid uint32
	for _, n := range f.NBT {
		if n.NID&0x1F != 0x04 {
			continue
		}
		h := f.NodeHeap(n.NID)
		if p, ok := h.Prop(0x1000); ok && p.Type == 0x001F && pstmut.IsHID(p.Value) && len(h.Item(p.Value)) >= 2*len(body)+20 {
			if _, html := h.Prop(0x1013); html {
				continue
			}
			setString(t, h, 0x1000, body)
			nid = n.NID
			break
		}
	}
	if nid == 0 {
		t.Fatal("no message in enron.pst with a plain body on its heap")
	}
	p := writePST(t, f, t.TempDir(), "from.pst")
	eml := runExport(t, p, filepath.Join(t.TempDir(), "eml"))
	mbox := runExport(t, p, filepath.Join(t.TempDir(), "mbox"), "--format", "mbox")
	e, m := eml.byNID()[nid], mbox.byNID()[nid]
	if e.Path == nil || m.Path == nil {
		t.Fatalf("0x%X not exported: %+v %+v", nid, e, m)
	}
	raw := string(mbox.file(t, *m.Path))
	for _, want := range []string{"\n>From the desk of Sally\n", "\n>>From a quoted line\n", "\n>>>From twice\n", "\nFromage is not quoted\n"} {
		if !strings.Contains(raw, want) {
			t.Errorf("%s lacks the line %q", *m.Path, strings.Trim(want, "\n"))
		}
	}
	msgs, err := export.SplitMbox(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := eml.file(t, *e.Path)
	found := false
	for _, msg := range msgs {
		found = found || bytes.Equal(msg, want)
	}
	if !found {
		t.Errorf("no message of %s reads back as %s", *m.Path, *e.Path)
	}
	msg := checkEML(t, *e.Path, want, e)
	if text, _ := msg.text(); !strings.HasPrefix(strings.ReplaceAll(text, "\r\n", "\n"), strings.ReplaceAll(body, "\r\n", "\n")) {
		t.Errorf("%s: body %q, want it to start with %q", *e.Path, text, body)
	}
}
