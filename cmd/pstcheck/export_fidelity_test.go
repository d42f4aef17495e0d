package main

import (
	"context"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"

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
