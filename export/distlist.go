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

	// maxMembers bounds the members read from one list.
	maxMembers = 1 << 16
)

var (
	// oneOffProvider is the ProviderUID of a one-off entry ID
	// (MS-OXCDATA 2.2.5.1).
	oneOffProvider = []byte{0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02}
	// wrappedProvider is the ProviderUID of a WrappedEntryId, which wraps
	// the entry ID of a contact or list (MS-OXOCNTC 2.2.1.2.6).
	wrappedProvider = []byte{0xC0, 0x91, 0xAD, 0xD3, 0x51, 0x9D, 0xCF, 0x11, 0xA4, 0xA9, 0x00, 0xAA, 0x00, 0x47, 0xFA, 0xA4}
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
		} else if nid, ok := wrappedMessage(e, c.store); ok {
			mb.UID = c.contactUID(nid, 0)
		}
		if mb.UID != "" || mb.Email != "" || mb.Name != "" {
			ct.Members = append(ct.Members, mb)
		}
	}
	return ct
}

// multipleBinary splits a PtypMultipleBinary value as a store keeps it
// (MS-PST 2.3.3.4.2): a count, that many offsets, then the values. An
// offset out of order or out of range ends the list there.
func multipleBinary(b []byte) [][]byte {
	if len(b) < 4 {
		return nil
	}
	n := binary.LittleEndian.Uint32(b)
	if n > maxMembers || int64(n)*4+4 > int64(len(b)) {
		return nil
	}
	offs := make([]int, n+1)
	for i := range int(n) {
		offs[i] = int(binary.LittleEndian.Uint32(b[4+4*i:]))
	}
	offs[n] = len(b)
	var out [][]byte
	for i := range int(n) {
		if offs[i] < 4+4*int(n) || offs[i] > offs[i+1] || offs[i+1] > len(b) {
			break
		}
		out = append(out, b[offs[i]:offs[i+1]])
	}
	return out
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

// wrappedMessage returns the NID of the message a WrappedEntryId names,
// when it wraps the entry ID of a message of this store (the store's
// record key, then the NID; MS-PST 2.4.3.2).
func wrappedMessage(b []byte, store []byte) (uint32, bool) {
	if len(b) < 21 || !bytes.Equal(b[4:20], wrappedProvider) || b[20]&0x80 == 0 {
		return 0, false
	}
	e := b[21:]
	if len(e) != 24 || len(store) == 0 || !bytes.Equal(e[4:20], store[:min(len(store), 16)]) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(e[20:]), true
}
