package pstmut

import (
	"encoding/binary"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// ApplyEdits applies a fuzzer's byte edits to b, a Unicode store: each edit
// is 5 bytes of edits, a little-endian offset (modulo len(b)) and the new
// byte value. With fix, the checksums over an edited header or page are
// made right again, so that the damage reaches past the CRC checks into
// the B-trees' and the trees' structure.
func ApplyEdits(b, edits []byte, fix bool) {
	l := ndb.LayoutOf(ndb.Unicode)
	for len(edits) >= 5 {
		off := int(binary.LittleEndian.Uint32(edits)) % len(b)
		b[off] = edits[4]
		edits = edits[5:]
		if !fix {
			continue
		}
		if off < 564 {
			binary.LittleEndian.PutUint32(b[4:], ndb.CRC(b[8:479]))
			binary.LittleEndian.PutUint32(b[524:], ndb.CRC(b[8:524]))
			continue
		}
		page := off &^ int(l.PageSize-1)
		if page+int(l.PageSize) <= len(b) {
			p := b[page : page+int(l.PageSize)]
			binary.LittleEndian.PutUint32(p[l.PageTrailerOff+4:], ndb.CRC(p[:l.PageTrailerOff]))
		}
	}
}
