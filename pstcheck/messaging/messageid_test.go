package messaging

import (
	"strings"
	"testing"
	"time"
)

func TestHeadersIdent(t *testing.T) {
	date := time.Date(2024, 3, 5, 14, 7, 9, 0, time.UTC)
	for _, c := range []struct {
		headers, id string
		ident       bool // the subject "Hello wörld" and the date above
	}{
		{"Received: from a\r\nMessage-ID: <x@y>\r\nSubject: Hello wörld\r\nDate: Tue, 5 Mar 2024 15:07:09 +0100\r\n\r\n", "x@y", true},
		{"message-id:\r\n <x@y>\r\nsubject: =?utf-8?q?Hello_w=C3=B6rld?=\r\nDATE: Tue, 5 Mar 2024 14:07:09 GMT\r\n", "x@y", true},   // folded, encoded, names in other cases
		{"Message-ID: <x@y>\r\nSubject: =?windows-1252?q?Hello_w=F6rld?=\r\nDate: Tue, 5 Mar 2024 14:07:09 +0000\r\n", "x@y", true}, // a charset the mime package does not know itself
		{"Message-ID: <x@y>\r\nSubject: =?x-unknown?q?Hello_w=F6rld?=\r\nDate: Tue, 5 Mar 2024 14:07:09 +0000\r\n", "x@y", false},   // one no one knows
		{"Microsoft Mail Internet Headers Version 2.0\r\nMessage-Id: <x@y>\r\n", "x@y", false},                                      // a line no field
		{"Subject: s\r\n\r\nMessage-ID: <body@y>\r\n", "", false},                                                                   // after the blank line: the body
		{"Message-ID: <a@y>\r\nMessage-ID: <b@y>\r\n", "", false},                                                                   // two that differ name none
		{"Message-ID: <a@y>\nMessage-ID:  <a@y>\n", "a@y", false},
		{"Resent-Message-ID: <r@y>\r\n", "", false},
		{"Message-ID: <x@y>\r\nSubject: Hello wörld\r\nDate: not a date\r\n", "x@y", false},
		{"Message-ID: <" + strings.Repeat("x", maxHeaderField) + ">\r\n", "", false}, // too long: none
		{"", "", false},
	} {
		got := headersIdent(c.headers)
		if want := messageIDHash(c.id); got.id != want {
			t.Errorf("%q: Message-ID hash %x, want that of %q", c.headers, got.id, c.id)
		}
		if want := identHash("Hello wörld", date); (got.ident == want) != c.ident {
			t.Errorf("%q: subject and date read %v, want %v", c.headers, got.ident == want, c.ident)
		}
	}
	if messageIDHash(" <x@y> ") != messageIDHash("x@y") || messageIDHash("<>") != 0 || messageIDHash("") != 0 {
		t.Error("messageIDHash does not leave out the brackets and white space, or hashes none")
	}
}

// Headers folded over many lines are read without copying a field's value
// for each line it goes on in (that took about a minute for a megabyte of
// folded lines): a few allocations, however many lines.
func TestHeadersIdentFoldedLong(t *testing.T) {
	h := "Message-ID: <x@y>\r\nX-Junk: a" + strings.Repeat("\r\n\t", maxHeadersText/3) + "\r\nSubject: s" + strings.Repeat("\r\n\tmore", 1000)
	var got headerIdent
	if n := testing.AllocsPerRun(1, func() { got = headersIdent(h) }); n > 50 {
		t.Errorf("%v allocations reading %d bytes of folded headers", n, len(h))
	}
	if got.id != messageIDHash("x@y") {
		t.Errorf("Message-ID not read")
	}
}
