package export

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// MaxEmbedDepth is how deep WriteEML nests embedded messages: a message
// attached to a message attached to ... the item. An embedded message deeper
// than that is replaced by a short text/plain part saying so, which also ends
// any cycle a damaged store might produce.
const MaxEmbedDepth = 8

// EMLOptions adjusts WriteEML. The zero value is the default.
type EMLOptions struct {
	// RTFToHTML, when set, is tried for an item with an RTF body and no HTML
	// body; the signature is that of rtf.ToHTML. When it reports ok, the HTML
	// (in charset, "" meaning utf-8) takes the place of the RTF, which is then
	// not attached. Otherwise the RTF is attached as "body.rtf".
	RTFToHTML func(rtf []byte) (html []byte, charset string, ok bool)
}

// WriteEML writes it as one RFC 5322 Internet message with MIME (RFC 2045-2049)
// body parts. It is EMLOptions{}.WriteEML.
func WriteEML(w io.Writer, it *Item) error { return EMLOptions{}.WriteEML(w, it) }

// WriteEML writes it as one RFC 5322 Internet message with MIME body parts.
//
// Every line ends in CRLF, including the last: the output is the canonical
// form mail servers exchange, parses with net/mail and mime/multipart, and is
// 7-bit ASCII unless an address has a non-ASCII (RFC 6532) mailbox name.
//
// Headers, in this order:
//   - Original headers (it.Headers, the transport headers of a received
//     message) in their original order and folding, except those listed next;
//     a value with non-ASCII or control characters is re-encoded as an
//     RFC 2047 encoded-word. Dropped: MIME-Version and Content-Type,
//     -Transfer-Encoding, -Disposition, -ID, -Length, -MD5, -Description,
//     -Base, -Location (the body is rebuilt); DKIM-Signature,
//     DomainKey-Signature, ARC-Seal and ARC-Message-Signature (the rebuilt
//     message no longer matches them); Status, X-Status, X-Mozilla-Status,
//     X-Mozilla-Status2, X-UID, X-IMAP, X-IMAPbase (mail-store state that
//     would mark the message read, deleted or renumbered on import); and
//     From, To, Cc, Bcc, Subject, Date, Message-ID and In-Reply-To when the
//     item has a value for them, since those are generated next. Everything
//     else is kept: Received, Return-Path, Reply-To, Sender, References,
//     List-*, Authentication-Results, X-*, ...
//   - From, Sender, To, Cc, Bcc, Subject, Date, Message-ID, In-Reply-To
//     from the item, each only when it has a value, except that every
//     message (embedded ones too) has From and Date, which RFC 5322
//     requires: a sender without an address is written with the
//     address no-address@pstcheck.invalid; when neither the item nor its
//     original headers have a sender, From is "Unknown sender"
//     <no-address@pstcheck.invalid>, and without a date, Date is the Unix
//     epoch. Sender is the delegate of a message sent on behalf of From.
//     Bcc is written: a store holds Bcc
//     recipients only for messages its owner sent, and RFC 5322 §3.6.3 lets
//     the sender's copy carry them. Subject and display names that are not
//     plain ASCII become RFC 2047 encoded-words; Date is RFC 1123 with a
//     numeric zone, in the zone of it.Date. An address whose Email is not a
//     valid addr-spec (an Exchange X.500 DN, say) is written in Exchange's
//     IMCEAEX form in the domain "pstcheck.invalid"; a recipient with a name
//     and no address is written as an empty group, "Name:;".
//   - MIME-Version: 1.0 and the body's Content-Type. No X- headers are added.
//
// Body structure, from the inside out:
//   - text/plain (utf-8, quoted-printable) for it.Body, left out only when
//     there is an HTML body and Body is empty; line ends become CRLF;
//   - text/html (quoted-printable) for it.HTML, in HTMLCharset, else the
//     charset a <meta> in the first 4 KiB declares, else utf-8 if the bytes
//     are valid UTF-8, else no charset; plain and HTML together make a
//     multipart/alternative;
//   - attachments with a ContentID the HTML refers to ("cid:...") go with the
//     HTML into a multipart/related; other attachments, an RTF body without
//     HTML ("body.rtf", application/rtf) and embedded messages (message/rfc822,
//     named with ".eml",
//     written by this function recursively, see MaxEmbedDepth) make the
//     whole a multipart/mixed.
//
// Attachment names go in Content-Type name= and Content-Disposition
// filename= exactly as stored, with RFC 2231 encoding (and continuations for
// long names) where needed, so any name round-trips; writers of files make
// names safe, not this function. The type is MimeType, else the one
// mime.TypeByExtension gives for the name (Go's table plus the system's,
// so that one may differ between machines), else application/octet-stream;
// message/* and multipart/* become application/octet-stream for attachments
// stored as bytes (MIME forbids base64 for them). Attachment bodies are base64
// in lines of 76 characters.
//
// The output is deterministic: boundaries are derived from a hash of the
// content they enclose, so writing the same item again gives the same bytes.
func (o EMLOptions) WriteEML(w io.Writer, it *Item) error {
	if it == nil {
		return errors.New("export: nil item")
	}
	c, err := o.message(it, 0)
	if err != nil {
		return err
	}
	return c.writeTo(w)
}

// message renders it at the given nesting depth (0 for the item itself).
// The content streams what the item streams (its HTML body was read
// once already, to label it); an error is one of reading a stream.
func (o EMLOptions) message(it *Item, depth int) (content, error) {
	// Boundaries derive from the item (checked against
	// the parts they separate), so the same item always gives the same
	// bytes without hashing its whole content at every level.
	seed := fmt.Sprintf("%x.%s", it.NID, it.Subject)
	html, charset, htmlSrc := it.HTML, it.HTMLCharset, it.HTMLStream
	var rtfBody []byte
	if len(html) == 0 && htmlSrc == nil && len(it.RTF) > 0 {
		if o.RTFToHTML != nil {
			if h, cs, ok := o.RTFToHTML(it.RTF); ok && len(h) > 0 {
				html, charset = h, cs
				if charset == "" {
					charset = "utf-8"
				}
			}
		}
		if len(html) == 0 {
			rtfBody = it.RTF
		}
	}
	hasHTML := len(html) > 0 || htmlSrc != nil

	// Attachments the HTML shows inline go with it in a multipart/related.
	related := make([]bool, len(it.Attachments))
	if hasHTML {
		if htmlSrc != nil {
			cids := make([]string, len(it.Attachments))
			for i, a := range it.Attachments {
				if a.Embedded == nil {
					cids[i] = a.ContentID
				}
			}
			var err error
			if charset, related, err = scanHTML(htmlSrc, charset, cids); err != nil {
				return nil, err
			}
		} else {
			for i, a := range it.Attachments {
				related[i] = a.Embedded == nil && refersTo(html, a.ContentID)
			}
			charset = htmlCharset(charset, html)
		}
	}
	var rel, mixed []entity
	for i := range it.Attachments {
		if related[i] {
			e, err := o.attachment(&it.Attachments[i], depth, true)
			if err != nil {
				return nil, err
			}
			rel = append(rel, e)
		}
	}
	// The alternatives: plain text (left out only for an HTML body with
	// no text), HTML with what it shows inline, and a meeting message's
	// invitation or answer.
	var alts []entity
	if it.Body != "" || it.BodyStream != nil || !hasHTML {
		alts = append(alts, textPart("plain", "utf-8", []byte(strings.ToValidUTF8(it.Body, "\uFFFD")), it.BodyStream))
	}
	if hasHTML {
		h := textPart("html", charset, html, htmlSrc)
		if len(rel) > 0 {
			h = multipartEntity(seed, "related", append([]entity{h}, rel...), "type", "text/html")
		}
		alts = append(alts, h)
	}
	if cal := calendarPart(it); cal != nil {
		alts = append(alts, *cal)
	}
	body := alts[0]
	if len(alts) > 1 {
		body = multipartEntity(seed, "alternative", alts)
	}
	if rtfBody != nil {
		// application/rtf: RTF may carry 8-bit bytes in any code page
		// (its \ansicpg says which), so text/rtf without a charset would
		// be wrong, and it is the type mail clients open with a word
		// processor.
		mixed = append(mixed, binaryPart("application/rtf", nil, "attachment", "body.rtf", "", rtfBody, nil))
	}
	for i := range it.Attachments {
		if !related[i] {
			e, err := o.attachment(&it.Attachments[i], depth, false)
			if err != nil {
				return nil, err
			}
			mixed = append(mixed, e)
		}
	}
	if len(mixed) > 0 {
		body = multipartEntity(seed, "mixed", append([]entity{body}, mixed...))
	}

	var top entity
	type field struct{ name, value string }
	fields := []field{
		{"From", ""},
		{"Sender", ""},
		{"To", formatAddressList(it.To)},
		{"Cc", formatAddressList(it.Cc)},
		{"Bcc", formatAddressList(it.Bcc)},
		{"Subject", ""},
		{"Date", ""},
		{"Message-ID", msgIDs(it.MessageID)},
		{"In-Reply-To", msgIDs(it.InReplyTo)},
	}
	if !isZero(it.From) {
		fields[0].value = formatMailbox(it.From)
	}
	if !isZero(it.Sender) {
		fields[1].value = formatMailbox(it.Sender)
	}
	if it.Subject != "" {
		fields[5].value = encodeText(it.Subject)
	}
	if validDate(it.Date) {
		fields[6].value = headerDate(it.Date)
	}
	generated := map[string]bool{}
	for _, f := range fields {
		generated[strings.ToLower(f.name)] = f.value != ""
	}
	top.header = keptHeaders(it.Headers, generated)
	// RFC 5322 requires From and Date: when neither the item nor its
	// original headers have one, a placeholder says it is unknown.
	if fields[0].value == "" && !hasField(top.header, "from") {
		fields[0].value = formatMailbox(Address{})
	}
	if fields[6].value == "" && !hasField(top.header, "date") {
		fields[6].value = headerDate(time.Time{})
	}
	for _, f := range fields {
		if f.value != "" {
			top.add(f.name, f.value)
		}
	}
	if it.Damage != "" {
		// An item written with --include-damaged says so where any mail
		// client shows headers, and what was wrong with it.
		top.add("X-Pstcheck-Damaged", encodeText(it.Damage))
	}
	top.add("MIME-Version", "1.0")
	top.header = append(top.header, body.header...)
	top.body = body.body
	return top.content(), nil
}
