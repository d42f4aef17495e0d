package export

import (
	"encoding/hex"
	"net/mail"
	"strings"
)

// Addresses in header fields (RFC 5322 3.4): a mailbox with its display
// name, an Exchange address made a valid one, and the placeholders of a
// From or Sender the store does not hold.

// formatAddressList formats addresses for To, Cc or Bcc.
func formatAddressList(as []Address) string {
	var out []string
	for _, a := range as {
		if s := formatAddress(a); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// noAddress is the addr-spec of a From or Sender that the store holds
// without an address (or not at all): RFC 5322 requires a mailbox there,
// and the reserved .invalid domain says it is none.
const noAddress = "no-address@pstcheck.invalid"

// unknownSender is the display name of a From the store does not hold.
const unknownSender = "Unknown sender"

// formatMailbox formats the mailbox of a From or Sender field, which
// (unlike To and Cc) cannot be a group: a name without an address gets
// noAddress, and no sender at all is "Unknown sender" <noAddress>.
func formatMailbox(a Address) string {
	if s := addrSpec(a.Email); s != "" {
		return formatAddress(a)
	}
	name := strings.TrimSpace(a.Name)
	if name == "" {
		name = unknownSender
	}
	return formatAddress(Address{Name: name, Email: noAddress})
}

// formatAddress formats one address (see WriteEML for the rules).
func formatAddress(a Address) string {
	name := strings.ToValidUTF8(strings.TrimSpace(a.Name), "\uFFFD")
	email := addrSpec(a.Email)
	switch {
	case email == "" && name == "":
		return ""
	case email == "":
		return displayName(name) + ":;"
	}
	return (&mail.Address{Name: name, Address: email}).String()
}

// displayName formats a display name alone (quoted or encoded as needed).
func displayName(name string) string {
	const dummy = " <x@y>"
	return strings.TrimSuffix((&mail.Address{Name: name, Address: "x@y"}).String(), dummy)
}

// addrSpec returns email when it is a valid addr-spec, "" when it is empty,
// and otherwise its IMCEAEX encapsulation, a valid address that keeps the
// original (usually an Exchange X.500 DN) readable and recoverable.
func addrSpec(email string) string {
	email = strings.TrimSpace(email)
	if email == "" {
		return ""
	}
	if strings.HasPrefix(strings.ToLower(email), "smtp:") {
		email = email[5:]
	}
	if a, err := mail.ParseAddress("<" + email + ">"); err == nil && a.Address == email && a.Name == "" {
		return email
	}
	return imceaex(email)
}

// imceaex encodes s as Exchange does for a non-SMTP address: "IMCEAEX-"
// followed by s with '/' as '_' and characters not allowed in an atom (and
// '+', '_', '.') as "+XX" hex bytes, in the domain "pstcheck.invalid".
func imceaex(s string) string {
	var b strings.Builder
	b.WriteString("IMCEAEX-")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '/':
			b.WriteByte('_')
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("!#$&'*-=^`{|}~", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteString("+" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	b.WriteString("@pstcheck.invalid")
	return b.String()
}
