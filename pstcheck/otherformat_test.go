package pstcheck_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// Files people bring as a .pst that hold no mail store are told for what
// they are: a compressed folder or other archive, a single message, a Mac
// or Outlook Express mailbox, the page a failed download saved, zeros. A
// store whose header alone is destroyed is still read, not called zeros.
func TestOtherFormats(t *testing.T) {
	support, err := os.ReadFile(testkit.GoPst(t, "support.pst"))
	if err != nil {
		t.Fatal(err)
	}
	zipped := func(name string) []byte {
		var b bytes.Buffer
		z := zip.NewWriter(&b)
		w, err := z.Create(name)
		if err == nil {
			_, err = w.Write(support)
		}
		if err == nil {
			err = z.Close()
		}
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(support)
	zw.Close()
	message := "Return-Path: <a@example.com>\r\nReceived: from mx.example.com\r\nFrom: A <a@example.com>\r\nTo: b@example.com\r\nSubject: Hello\r\n\r\nBody\r\n"
	headerless := bytes.Clone(support)
	clear(headerless[:4096])
	for _, c := range []struct {
		name string
		data []byte
		want pstcheck.OtherFormat
	}{
		{"mail.pst", zipped("mail.pst"), pstcheck.OtherZIP},
		{"archive.olm", zipped("Accounts/x.xml"), pstcheck.OtherOLM},
		{"mail.pst", gz.Bytes(), pstcheck.OtherGzip},
		{"mail.pst", append([]byte("7z\xBC\xAF\x27\x1C\x00\x04"), support[:1000]...), pstcheck.Other7z},
		{"mail.pst", append([]byte("Rar!\x1A\x07\x01\x00"), support[:1000]...), pstcheck.OtherRAR},
		{"mail.pst", append([]byte("\xFD7zXZ\x00\x00\x04"), support[:1000]...), pstcheck.OtherXZ},
		{"mail.pst", append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 4088)...), pstcheck.OtherOLE},
		{"Inbox.pst", append([]byte("\xCF\xAD\x12\xFE\xC5\xFD\x74\x6F"), make([]byte, 4088)...), pstcheck.OtherDBX},
		{"Inbox.pst", []byte("From a@example.com Mon Jan  1 00:00:00 2024\n" + message), pstcheck.OtherMbox},
		{"message.pst", []byte(message), pstcheck.OtherEmail},
		{"mail.pst", []byte("\xEF\xBB\xBF\r\n<!DOCTYPE html>\n<html><head><title>Sign in to your account</title></head></html>"), pstcheck.OtherWeb},
		{"mail.pst", []byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code></Error>`), pstcheck.OtherWeb},
		{"mail.pst", make([]byte, 1<<20), pstcheck.OtherZeros},
		{"notes.pst", []byte("Name: value\nOther: thing\n"), pstcheck.OtherNone},
		{"build.pst", []byte("version: 2\nfrom: build\n\nsteps: []\n"), pstcheck.OtherNone},
		{"mail.pst", append(make([]byte, 64<<10), support[:100000]...), pstcheck.OtherNone},
		{"mail.pst", headerless, pstcheck.OtherNone},
	} {
		p := filepath.Join(t.TempDir(), c.name)
		if err := os.WriteFile(p, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		rep := pstcheck.ScanFile(context.Background(), p, pstcheck.Options{})
		if rep.OtherFormat != c.want {
			t.Errorf("%s (%q...): %q, want %q", c.name, c.data[:min(len(c.data), 8)], rep.OtherFormat, c.want)
		}
		if c.want != pstcheck.OtherNone && rep.Verdict != pstcheck.Unreadable {
			t.Errorf("%s: verdict %s", c.want, rep.Verdict)
		}
	}
}
