package export

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// A distribution list (IPM.DistList, MS-OXOCNTC 2.2.2) names its members
// twice, in parallel: PidLidDistributionListMembers holds each member's
// entry ID (a contact or list of the store, wrapped; or a one-off
// address), PidLidDistributionListOneOffMembers the same members as
// one-off entry IDs, which carry the name and address. The export writes
// the list as a vCard group whose members are the UIDs of the contacts'
// own vCards, or mailto: URIs.

const (
	lidDistListName    = 0x8053
	lidDistListOneOffs = 0x8054
	lidDistListMembers = 0x8055
	typeMultipleBinary = 0x1102
)

var (
	// oneOffProvider is the ProviderUID of a one-off entry ID
	// (MS-OXCDATA 2.2.5.1).
	oneOffProvider = []byte{0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02}
)

func (c *Converter) distList(m *messaging.Message) *Contact {
	r, p := c.r, m.Props
	ct := &Contact{UID: c.contactUID(m.NID, m.Heap), Group: true,
		DisplayName: firstOf(c.namedString(p, psetidAddress, lidDistListName), r.String(p, pidDisplayName)),
		Notes:       r.String(p, pidBody)}
	var members, oneOffs [][]byte
	if v, ok := c.named(p, psetidAddress, lidDistListMembers); ok && v.Type == typeMultipleBinary {
		members = multipleBinary(v.Data)
	}
	if v, ok := c.named(p, psetidAddress, lidDistListOneOffs); ok && v.Type == typeMultipleBinary {
		oneOffs = multipleBinary(v.Data)
	}
	for i, e := range members {
		var mb Member
		if i < len(oneOffs) {
			mb.Name, mb.Email, _ = oneOff(oneOffs[i], c.r.Codepage())
		}
		if name, email, ok := oneOff(e, c.r.Codepage()); ok {
			mb.Name, mb.Email = firstOf(mb.Name, name), firstOf(mb.Email, email)
		} else if nid, ok := messaging.WrappedNID(e, c.store); ok {
			mb.UID = c.contactUID(nid, 0)
		}
		if mb.UID != "" || mb.Email != "" || mb.Name != "" {
			ct.Members = append(ct.Members, mb)
		}
	}
	return ct
}

// multipleBinary is the values of a PtypMultipleBinary value as far as
// they read (messaging.Multiple).
func multipleBinary(b []byte) [][]byte {
	values, _ := messaging.Multiple(b)
	return values
}

// oneOff decodes a one-off entry ID: display name and address (the
// address type, SMTP or another, is not kept). ok is false for anything
// else or a malformed one.
func oneOff(b []byte, codepage uint32) (name, email string, ok bool) {
	if len(b) < 24 || !bytes.Equal(b[4:20], oneOffProvider) {
		return "", "", false
	}
	flags := binary.LittleEndian.Uint16(b[22:])
	rest := b[24:]
	var fields [3]string
	for i := range fields {
		if flags&0x8000 != 0 { // MAPI_UNICODE: UTF-16LE strings
			end := -1
			for k := 0; k+1 < len(rest); k += 2 {
				if rest[k] == 0 && rest[k+1] == 0 {
					end = k
					break
				}
			}
			if end < 0 {
				return "", "", false
			}
			u := make([]uint16, end/2)
			for k := range u {
				u[k] = binary.LittleEndian.Uint16(rest[2*k:])
			}
			fields[i] = string(utf16.Decode(u))
			rest = rest[end+2:]
		} else {
			end := bytes.IndexByte(rest, 0)
			if end < 0 {
				return "", "", false
			}
			fields[i] = messaging.DecodeANSI(codepage, rest[:end])
			rest = rest[end+1:]
		}
	}
	name, email = strings.TrimSpace(fields[0]), strings.TrimSpace(fields[2])
	return strings.ToValidUTF8(name, "\uFFFD"), strings.ToValidUTF8(email, "\uFFFD"), true
}
