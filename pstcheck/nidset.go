package pstcheck

import "github.com/pstcheck/pstcheck/pstcheck/ndb"

// nidSet is a set of message NIDs at a bit each: walking the items of a
// store of millions of messages marks each one met, and a map of them
// cost some 20 bytes a message (40 MB for 2 million). A normal message's
// NID is its index shifted past the 5 type bits, so the bits are indexed
// by that; NIDs of another type (a damaged listing may name anything) go
// to a map. The bits grow with the largest index met: at most 16 MB.
type nidSet struct {
	bits  []uint64
	other map[uint32]bool
}

// add adds nid and reports whether it was new.
func (s *nidSet) add(nid uint32) bool {
	if nid&0x1F != ndb.NIDTypeMessage {
		if s.other[nid] {
			return false
		}
		if s.other == nil {
			s.other = map[uint32]bool{}
		}
		s.other[nid] = true
		return true
	}
	i := nid >> 5
	w := int(i >> 6)
	if w >= len(s.bits) {
		s.bits = append(s.bits, make([]uint64, w+1-len(s.bits))...)
	}
	if s.bits[w]&(1<<(i&63)) != 0 {
		return false
	}
	s.bits[w] |= 1 << (i & 63)
	return true
}
