package messaging

import (
	"bytes"
	"encoding/binary"
)

// wrappedProvider is the provider UID of a WrappedEntryId (MS-OXOCNTC
// 2.2.2.2.4.1.1), which wraps the entry ID of a contact or list: how a
// distribution list names a member of its own store.
var wrappedProvider = []byte{0xC0, 0x91, 0xAD, 0xD3, 0x51, 0x9D, 0xCF, 0x11, 0xA4, 0xA9, 0x00, 0xAA, 0x00, 0x47, 0xFA, 0xA4}

// wrappedEntryLen is a WrappedEntryId's length around a store's entry ID:
// flags, provider UID and type, then the entry ID (flags, the store's
// record key, the NID; MS-PST 2.4.3.2).
const wrappedEntryLen = 21 + 24

// WrappedNID returns the NID of the message a WrappedEntryId names, when
// it wraps the entry ID of a message of the store whose record key
// (PidTagRecordKey) is store.
func WrappedNID(b, store []byte) (uint32, bool) {
	if len(b) != wrappedEntryLen || !bytes.Equal(b[4:20], wrappedProvider) || b[20]&0x80 == 0 ||
		len(store) == 0 || !bytes.Equal(b[21+4:21+20], store[:min(len(store), 16)]) {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[21+20:]), true
}

// RewrapNID returns WrappedEntryId b (WrappedNID's) naming message nid of
// the store whose record key is store instead.
func RewrapNID(b, store []byte, nid uint32) []byte {
	out := bytes.Clone(b)
	copy(out[21+4:21+20], store)
	binary.LittleEndian.PutUint32(out[21+20:], nid)
	return out
}
