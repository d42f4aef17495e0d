package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// contentLines collects the content lines of a vCard or iCalendar object:
// each folded at 75 octets (never inside a UTF-8 sequence; continuation
// lines start with one space) and ended with CRLF.
type contentLines struct{ b bytes.Buffer }

func (c *contentLines) add(line string) {
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		c.b.WriteString(line[:cut])
		c.b.WriteString("\r\n ")
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	c.b.WriteString(line)
	c.b.WriteString("\r\n")
}

// escapeText escapes a TEXT value (RFC 6350 / RFC 5545): backslash, comma and
// semicolon get a backslash, line breaks (CRLF, LF, CR) become \n; invalid
// UTF-8 becomes U+FFFD and other control characters but tab are dropped.
func escapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ',', ';':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if (c < 0x20 && c != '\t') || c == 0x7f {
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// paramValue makes a parameter value (a CN, say): always quoted, with the
// RFC 6868 escapes ^^, ^n and ^' for caret, line break and double quote, and
// other control characters dropped.
func paramValue(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '^':
			b.WriteString("^^")
		case '"':
			b.WriteString("^'")
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString("^n")
		case '\n':
			b.WriteString("^n")
		default:
			if (c < 0x20 && c != '\t') || c == 0x7f {
				continue
			}
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// WriteVCard writes it as a vCard 3.0 (RFC 2426), the version Outlook,
// macOS Contacts and Google Contacts all import. Lines end in CRLF and are
// folded at 75 octets; text values are escaped (\\ \, \; \n).
//
// From it.Contact: UID (Contact.UID, else one derived from the item, like
// an event's), FN (DisplayName, else prefix, given, middle and surname and
// suffix, else it.Subject, else the first e-mail address, else "unnamed"),
// N (surname; given; middle; prefix; suffix), NICKNAME, ORG
// (Company;Department), TITLE, EMAIL;TYPE=INTERNET, TEL with the types of
// the phone's Kind (see phoneTypes; the primary number is PREF), ADR with
// TYPE WORK, HOME or other (PREF for the mailing address) and its parts as
// separate components (post office box, street, city, region, postal
// code, country; an address Outlook keeps only as one block goes into the
// street), URL, BDAY and NOTE (Notes, else it.Body). Outlook keeps a
// birthday as midnight local time in UTC, so BDAY is the date of the
// nearest UTC midnight. Without it.Contact, FN and NOTE come from
// it.Subject and it.Body.
//
// A distribution list (Contact.Group) is a group in the form Apple's
// address books and CardDAV servers use for vCard 3.0:
// X-ADDRESSBOOKSERVER-KIND:group and one X-ADDRESSBOOKSERVER-MEMBER per
// member, "urn:uuid:" and the UID of a member that is a contact of the
// store, else a mailto: URI; since the form has no place for names, NOTE
// ends with the members as "Name <address>" lines.
func WriteVCard(w io.Writer, it *Item) error {
	if it == nil {
		return errors.New("export: nil item")
	}
	ct := it.Contact
	if ct == nil {
		ct = &Contact{}
	}
	var c contentLines
	c.add("BEGIN:VCARD")
	c.add("VERSION:3.0")
	uid := strings.TrimSpace(ct.UID)
	if uid == "" {
		uid = derivedUID(it)
	}
	c.add("UID:" + escapeText(uid))
	c.add("FN:" + escapeText(contactName(it)))
	if ct.Group {
		c.add("N:" + escapeText(contactName(it)) + ";;;;")
		c.add("X-ADDRESSBOOKSERVER-KIND:group")
		for _, m := range ct.Members {
			switch email := addrSpec(m.Email); {
			case m.UID != "":
				c.add("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:" + escapeText(m.UID))
			case email != "":
				c.add("X-ADDRESSBOOKSERVER-MEMBER:mailto:" + uriEscape(email))
			}
		}
	} else {
		c.add("N:" + escapeText(ct.Surname) + ";" + escapeText(ct.GivenName) + ";" + escapeText(ct.MiddleName) + ";" +
			escapeText(ct.Prefix) + ";" + escapeText(ct.Suffix))
	}
	if n := strings.TrimSpace(ct.Nickname); n != "" {
		c.add("NICKNAME:" + escapeText(n))
	}
	if ct.Company != "" || ct.Department != "" {
		c.add("ORG:" + escapeText(ct.Company) + ";" + escapeText(ct.Department))
	}
	if ct.Title != "" {
		c.add("TITLE:" + escapeText(ct.Title))
	}
	for _, e := range ct.Emails {
		if e = strings.TrimSpace(e); e != "" {
			c.add("EMAIL;TYPE=INTERNET:" + escapeText(e))
		}
	}
	for _, p := range ct.Phones {
		if n := strings.TrimSpace(p.Number); n != "" {
			c.add("TEL;TYPE=" + phoneTypes(p.Kind) + ":" + escapeText(n))
		}
	}
	for _, a := range ct.Addresses {
		types := map[string]string{"work": "WORK", "home": "HOME"}[a.Kind]
		if types == "" {
			types = "POSTAL" // Outlook's "other" address: vCard 3.0 has no "other"
		}
		if a.Preferred {
			types += ",PREF"
		}
		street := a.Street
		if a.parts() == "" {
			street = a.Label
		}
		c.add("ADR;TYPE=" + types + ":" + escapeText(a.POBox) + ";;" + escapeText(street) + ";" + escapeText(a.City) + ";" +
			escapeText(a.Region) + ";" + escapeText(a.PostalCode) + ";" + escapeText(a.Country))
	}
	for _, u := range ct.URLs {
		c.add("URL:" + escapeText(u))
	}
	if !ct.Birthday.IsZero() {
		c.add("BDAY:" + nearestDay(ct.Birthday).Format("2006-01-02"))
	}
	note := ct.Notes
	if note == "" {
		note = it.Body
	}
	note = strings.TrimRight(note, "\r\n")
	if ct.Group && len(ct.Members) > 0 {
		var lines []string
		for _, m := range ct.Members {
			lines = append(lines, strings.TrimSpace(joinNonEmpty(" ", m.Name, angle(m.Email))))
		}
		if note != "" {
			note += "\n\n"
		}
		note += "Members:\n" + strings.Join(lines, "\n")
	}
	if note != "" {
		c.add("NOTE:" + escapeText(note))
	}
	if it.Damage != "" {
		// As an EML's X-Pstcheck-Damaged header: an extension property
		// (RFC 2426 3.8), kept by address books that do not show it.
		c.add("X-PSTCHECK-DAMAGED:" + escapeText(it.Damage))
	}
	c.add("END:VCARD")
	_, err := w.Write(c.b.Bytes())
	return err
}

// angle puts an address in angle brackets, "" for none.
func angle(email string) string {
	if email = strings.TrimSpace(email); email != "" {
		return "<" + email + ">"
	}
	return ""
}

// derivedUID is a UID for a contact the store gives none: a hash of the
// item (NID, Message-ID, name), stable across runs and, like eventUID's,
// whatever folder the item is saved in.
func derivedUID(it *Item) string {
	h := sha256.New()
	for _, s := range []string{identity(it.NID, it.Heap), it.MessageID, it.Subject} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "pstcheck-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// contactName is a contact's formatted name: DisplayName, else given,
// middle and surname, else the subject, else the first e-mail address, else
// "unnamed".
func contactName(it *Item) string {
	ct := it.Contact
	if ct == nil {
		ct = &Contact{}
	}
	fn := strings.TrimSpace(ct.DisplayName)
	if fn == "" {
		fn = joinNonEmpty(" ", ct.Prefix, ct.GivenName, ct.MiddleName, ct.Surname, ct.Suffix)
	}
	if fn == "" {
		fn = strings.TrimSpace(it.Subject)
	}
	if fn == "" && len(ct.Emails) > 0 {
		fn = strings.TrimSpace(ct.Emails[0])
	}
	if fn == "" {
		fn = "unnamed"
	}
	return fn
}

// phoneTypes maps a phone kind ("work", "home fax", "Mobile", "primary",
// ...) to vCard TEL types: WORK, HOME, CELL, FAX, PAGER, CAR, ISDN, PREF
// for the primary number, and X- types for Outlook's assistant, callback,
// company main, radio, telex and TTY/TDD numbers; a number that is not a
// fax, pager, cell phone, telex or TTY is VOICE.
func phoneTypes(kind string) string {
	var types []string
	seen := map[string]bool{}
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			types = append(types, t)
		}
	}
	pref := false
	for _, w := range strings.FieldsFunc(strings.ToLower(kind), func(r rune) bool {
		return !(r >= 'a' && r <= 'z')
	}) {
		switch w {
		case "work", "business", "office":
			add("WORK")
		case "home":
			add("HOME")
		case "cell", "mobile":
			add("CELL")
		case "fax":
			add("FAX")
		case "pager":
			add("PAGER")
		case "car":
			add("CAR")
		case "isdn":
			add("ISDN")
		case "primary":
			pref = true
		case "company", "assistant", "callback", "radio", "telex", "tty":
			add("X-" + strings.ToUpper(w))
		}
	}
	if !seen["CELL"] && !seen["FAX"] && !seen["PAGER"] && !seen["X-TELEX"] && !seen["X-TTY"] {
		add("VOICE")
	}
	if pref {
		add("PREF")
	}
	return strings.Join(types, ",")
}

// nearestDay rounds t (in UTC) to the nearest midnight: Outlook stores
// birthdays and all-day events as local midnight converted to UTC.
func nearestDay(t time.Time) time.Time {
	return t.UTC().Add(12 * time.Hour).Truncate(24 * time.Hour)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
