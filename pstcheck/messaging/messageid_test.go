package messaging

import "testing"

func TestHeadersMessageID(t *testing.T) {
	for _, c := range []struct{ headers, want string }{
		{"Received: from a\r\nMessage-ID: <x@y>\r\nSubject: s\r\n\r\n", "<x@y>"},
		{"message-id:\r\n <x@y>\r\n\r\n", "<x@y>"},                                        // folded, the name in lower case
		{"Microsoft Mail Internet Headers Version 2.0\r\nMessage-Id: <x@y>\r\n", "<x@y>"}, // a line no field
		{"Subject: s\r\n\r\nMessage-ID: <body@y>\r\n", ""},                                // after the blank line: the body
		{"Message-ID: <a@y>\r\nMessage-ID: <b@y>\r\n", ""},                                // two that differ name none
		{"Message-ID: <a@y>\nMessage-ID:  <a@y>\n", "<a@y>"},
		{"Resent-Message-ID: <r@y>\r\n", ""},
		{"", ""},
	} {
		if got := headersMessageID(c.headers); got != c.want {
			t.Errorf("%q: %q, want %q", c.headers, got, c.want)
		}
	}
	if messageIDHash(" <x@y> ") != messageIDHash("x@y") || messageIDHash("<>") != 0 || messageIDHash("") != 0 {
		t.Error("messageIDHash does not leave out the brackets and white space, or hashes none")
	}
}
