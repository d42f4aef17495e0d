package pstcheck

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
)

// OtherFormat is what a file that holds no mail store is instead, where
// its first bytes tell: people bring a .pst that is a compressed folder, a
// single saved message, a Mac or Outlook Express mailbox, or the web page
// a failed download saved in its place, and each needs its own next step.
type OtherFormat string

const (
	OtherNone  OtherFormat = ""
	OtherZIP   OtherFormat = "zip"   // a ZIP archive (a Windows compressed folder)
	OtherOLM   OtherFormat = "olm"   // a ZIP named .olm: an Outlook for Mac archive
	Other7z    OtherFormat = "7z"    // a 7-Zip archive
	OtherRAR   OtherFormat = "rar"   // a RAR archive
	OtherGzip  OtherFormat = "gzip"  // a gzip-compressed file
	OtherXZ    OtherFormat = "xz"    // an xz-compressed file
	OtherOLE   OtherFormat = "ole"   // an OLE compound file: a .msg message, or a 97-2003 Office document
	OtherDBX   OtherFormat = "dbx"   // an Outlook Express mailbox
	OtherMbox  OtherFormat = "mbox"  // an mbox mailbox (Thunderbird, Apple Mail, readpst)
	OtherEmail OtherFormat = "email" // a single message in internet format (.eml)
	OtherWeb   OtherFormat = "web"   // an HTML or XML page: a sign-in or error page a download saved
	OtherZeros OtherFormat = "zeros" // zeros at its start, its end and the places between looked at
)

// sniffLen is how much of a file's start identifyOther reads: enough for
// the header lines of a message and a page of zeros.
const sniffLen = 64 << 10

// identifyOther reads the start of a file that holds no mail store and
// says what it is (OtherNone: nothing it knows). name is the file's name,
// whose extension alone tells an Outlook for Mac archive from other ZIPs.
func identifyOther(r io.ReaderAt, size int64, name string) OtherFormat {
	buf := make([]byte, min(size, sniffLen))
	n, _ := r.ReadAt(buf, 0)
	b := buf[:n]
	if len(b) == 0 {
		return OtherNone
	}
	magics := []struct {
		magic string
		is    OtherFormat
	}{
		{"PK\x03\x04", OtherZIP},
		{"7z\xBC\xAF\x27\x1C", Other7z},
		{"Rar!\x1A\x07", OtherRAR},
		{"\x1F\x8B\x08", OtherGzip},
		{"\xFD7zXZ\x00", OtherXZ},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", OtherOLE},
		{"\xCF\xAD\x12\xFE", OtherDBX},
	}
	for _, m := range magics {
		if bytes.HasPrefix(b, []byte(m.magic)) {
			if m.is == OtherZIP && strings.EqualFold(filepath.Ext(name), ".olm") {
				return OtherOLM
			}
			return m.is
		}
	}
	if len(bytes.Trim(b, "\x00")) == 0 && zerosThroughout(r, size, buf) {
		return OtherZeros
	}
	text := bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")), " \t\r\n")
	lower := bytes.ToLower(text[:min(len(text), 64)])
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")) || bytes.HasPrefix(lower, []byte("<html")) ||
		bytes.HasPrefix(lower, []byte("<?xml")):
		return OtherWeb
	case bytes.HasPrefix(text, []byte("From ")) && hasMailHeader(secondLine(text)):
		return OtherMbox
	case hasMailHeader(text):
		return OtherEmail
	}
	return OtherNone
}

// secondLine is what follows text's first line break.
func secondLine(text []byte) []byte {
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		return text[i+1:]
	}
	return nil
}

// zeroSamples is how many places past its start zerosThroughout looks at
// in a file whose start is zeros, its end among them.
const zeroSamples = 16

// zerosThroughout says whether a file whose start is zeros is zeros at its
// end and at places spread between (sniffLen bytes each): a file wiped, or
// whose size was set and nothing written, rather than a store whose start
// alone was zeroed (which the scan reads from the rest when any of it is
// left). buf, of min(size, sniffLen) bytes, is read into.
func zerosThroughout(r io.ReaderAt, size int64, buf []byte) bool {
	for i := int64(1); i <= zeroSamples; i++ {
		off := max(0, size*i/zeroSamples-int64(len(buf)))
		want := buf[:min(int64(len(buf)), size-off)]
		// A place that cannot be read is no zeros.
		if n, err := r.ReadAt(want, off); n < len(want) || err != nil && err != io.EOF || len(bytes.Trim(want, "\x00")) != 0 {
			return false
		}
	}
	return true
}

// isHeaderLine says whether text starts with an internet message header
// field: a name of printable characters but the colon, then a colon
// (RFC 5322 2.2).
func isHeaderLine(text []byte) bool {
	for i, c := range text {
		switch {
		case c == ':':
			return i > 0
		case c <= ' ' || c > '~':
			return false
		}
	}
	return false
}

// hasMailHeader says whether text starts with an internet message's
// header: every line up to the first empty one a header field or its
// continuation, two or more of them fields every message carries or a
// mail server adds, so that a file of "name: value" lines (a setting
// file) is not taken for a message.
func hasMailHeader(text []byte) bool {
	fields := map[string]bool{}
	for line := range bytes.Lines(text) {
		line = bytes.TrimRight(line, "\r\n")
		switch {
		case len(line) == 0:
			return len(fields) >= 2
		case line[0] == ' ' || line[0] == '\t': // a field continued
			continue
		case !isHeaderLine(line):
			return false
		}
		name, _, _ := bytes.Cut(line, []byte(":"))
		switch n := strings.ToLower(string(name)); n {
		case "from", "to", "subject", "date", "message-id", "received", "return-path", "mime-version", "delivered-to":
			fields[n] = true
		}
	}
	return false
}
