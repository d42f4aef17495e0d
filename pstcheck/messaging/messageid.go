package messaging

import (
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

// A message received from the Internet keeps its Message-ID twice: in its
// heap (PidTagInternetMessageId) and in its transport headers
// (PidTagTransportMessageHeaders), which, longer than a heap keeps (a few
// KB with today's relays and signatures), go to a subnode of its tree. So
// when the node index is lost, the trees of messages sent to the same
// people, that hold the same subnodes, are still told apart: a tree whose
// headers give another Message-ID is not the heap's (matchSubnodes). A
// tree whose headers give none, or cannot be read, is not taken for a heap
// that keeps one: the heap stays lost rather than take another's tree.

const (
	propTransportHeaders  = 0x007D
	propInternetMessageID = 0x1035
)

// maxHeadersText bounds the transport headers read from a subnode to find
// their Message-ID; longer ones name none here.
const maxHeadersText = 1 << 20

// headersID is what a message heap says of its Message-ID: its hash
// (messageIDHash), and the subnode (and its string type) that keeps its
// transport headers, where the Message-ID can be read again. Zero when the
// heap keeps no Message-ID or keeps its headers in the heap itself.
type headersID struct {
	id  uint64
	sub uint32
	typ uint16
}

// headersIDOf reads a heap's headersID.
func (w *walker) headersIDOf(pc *ltp.PC) headersID {
	p, ok := pc.Get(propTransportHeaders)
	if !ok || ltp.Inline(p.Type) || ltp.IsHID(p.Value) || !isString(p.Type) {
		return headersID{}
	}
	id := messageIDHash(w.peekString(pc, propInternetMessageID))
	if id == 0 {
		return headersID{}
	}
	return headersID{id: id, sub: p.Value, typ: p.Type}
}

// isString says a property type is a string (8-bit or UTF-16).
func isString(t uint16) bool { return t == ltp.TypeString || t == ltp.TypeString8 }

// messageIDHash hashes a Message-ID without the white space and angle
// brackets around it; 0 when there is none.
func messageIDHash(s string) uint64 {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	if strings.TrimSpace(s) == "" {
		return 0
	}
	return textHash(s)
}

// headersMessageID is the Message-ID field of Internet message headers
// (RFC 5322: a field name, case aside, a colon, a value that may go on in
// lines that start with white space; a blank line ends them); "" when they
// give none, or two that differ.
func headersMessageID(h string) string {
	var id string
	field, value := "", ""
	end := func() bool {
		if !strings.EqualFold(field, "Message-ID") {
			return true
		}
		v := strings.TrimSpace(value)
		if id != "" && v != id {
			return false
		}
		id = v
		return true
	}
	for line := range strings.Lines(h) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			value += line
			continue
		}
		if !end() {
			return ""
		}
		field, value = "", ""
		if name, v, ok := strings.Cut(line, ":"); ok {
			field, value = strings.TrimSpace(name), v
		}
	}
	if !end() {
		return ""
	}
	return id
}
