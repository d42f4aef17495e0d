package messaging

import (
	"io"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/htmlindex"

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
//
// A Message-ID is not a proof of identity: copies of a message share it,
// and so may two messages (a forged ID), and a message delivered twice (by
// a list and to its reader) has two of the same Message-ID, subject and
// date, their headers told apart by their Received lines alone, which
// nothing in a heap repeats. Where blocks may be missing, a heap's own
// tree may be lost and the one it fits another message's of the same
// Message-ID: a heap whose Message-ID no other heap has is taken to own
// the tree only when the tree's headers also give its subject and its date
// to the second (headersIdent), and no heap can be missing (the BBT read
// whole, no unused block failing that may be a heap: the tree's own
// message, of that Message-ID, subject and date, would then fit it too)
// or no tree can (no unused internal block failing, every tree read: the
// heap's own tree is then among them, and it fits two).

const (
	propTransportHeaders  = 0x007D
	propInternetMessageID = 0x1035
)

// maxHeadersText bounds the transport headers read from a subnode to find
// their Message-ID; longer ones name none here. maxHeaderField bounds one
// field's value kept (a Message-ID, subject or date longer is none).
const (
	maxHeadersText = 1 << 20
	maxHeaderField = 4 << 10
)

// headersID is what a message heap says of its Message-ID: its hash
// (messageIDHash), its subject and client submit time (identHash), and the
// subnode (and its string type) that keeps its transport headers, where
// they can be read again. Zero when the heap keeps no Message-ID or keeps
// its headers in the heap itself.
type headersID struct {
	id, ident uint64
	sub       uint32
	typ       uint16
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
	// The subject without the marker of its prefix's length ("\x01\x04"
	// before "Re: "): the prefix stays, as the Subject header has it.
	subject := StripSubjectPrefix(w.peekString(pc, propSubject))
	return headersID{id: id, ident: identHash(subject, peekTimeProp(pc, propClientSubmitTime)), sub: p.Value, typ: p.Type}
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

// identHash hashes a message's subject and date, to the second; 0 without
// a date.
func identHash(subject string, date time.Time) uint64 {
	if date.IsZero() {
		return 0
	}
	return textHash(strings.TrimSpace(subject) + "\x00" + strconv.FormatInt(date.Unix(), 10))
}

// headerIdent is what a tree's transport headers say of their message:
// the hashes of its Message-ID (messageIDHash) and of its subject and
// date (identHash; 0 where either cannot be read).
type headerIdent struct{ id, ident uint64 }

// wordDecoder decodes RFC 2047 encoded words in the charsets the WHATWG
// names (windows-1252, iso-2022-jp, gb2312, koi8-r, ...), as mail clients
// do; one it does not know leaves the subject unread.
var wordDecoder = &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	e, err := htmlindex.Get(charset)
	if err != nil {
		return nil, err
	}
	return e.NewDecoder().Reader(input), nil
}}

// headersIdent reads a message's Internet headers (RFC 5322: a field
// name, case aside, a colon, a value that may go on in lines that start
// with white space; a blank line ends them) for its Message-ID, Subject
// (RFC 2047 encoded words decoded) and Date. A Message-ID given twice,
// differently, is none. Linear in the headers' length: only these fields'
// values are kept, each up to maxHeaderField.
func headersIdent(h string) headerIdent {
	const (
		fieldID = iota + 1
		fieldSubject
		fieldDate
	)
	var (
		values   [4]string
		seen     [4]bool
		conflict bool
		cur      int // the field being read (0: one not kept)
		value    strings.Builder
		long     bool
	)
	end := func() {
		if cur == 0 {
			return
		}
		v := strings.TrimSpace(value.String())
		if long {
			v = ""
		}
		switch {
		case !seen[cur]:
			values[cur], seen[cur] = v, true
		case cur == fieldID && v != values[cur]:
			conflict = true
		}
		cur = 0
	}
	add := func(s string) {
		if value.Len()+len(s) > maxHeaderField {
			long = true
			return
		}
		value.WriteString(s)
	}
	for line := range strings.Lines(h) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != 0 {
				add(line)
			}
			continue
		}
		end()
		name, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "Message-ID"):
			cur = fieldID
		case strings.EqualFold(name, "Subject"):
			cur = fieldSubject
		case strings.EqualFold(name, "Date"):
			cur = fieldDate
		default:
			continue
		}
		value.Reset()
		long = false
		add(v)
	}
	end()
	var out headerIdent
	if !conflict {
		out.id = messageIDHash(values[fieldID])
	}
	if !seen[fieldSubject] || !seen[fieldDate] {
		return out
	}
	subject, err := wordDecoder.DecodeHeader(values[fieldSubject])
	if err != nil {
		return out
	}
	if date, err := mail.ParseDate(values[fieldDate]); err == nil {
		out.ident = identHash(subject, date)
	}
	return out
}
