package pstcheck

import "github.com/pstcheck/pstcheck/pstcheck/ndb"

// nidSet is a set of message NIDs at a bit each: walking the items of a
// store of millions of messages marks each one met, and a map of them
// cost some 20 bytes a message (40 MB for 2 million). A message's NID is
// its index shifted past the 5 type bits, so normal and associated
// messages have a column of bits each, indexed by that; NIDs of another
// type (a damaged listing may name anything) go to a map. The columns
// grow with the largest index met: at most 16 MB each.
type nidSet struct {
	normal, assoc []uint64
	other         map[uint32]bool
}

// add adds nid and reports whether it was new.
func (s *nidSet) add(nid uint32) bool {
	var bits *[]uint64
	switch nid & 0x1F {
	case ndb.NIDTypeMessage:
		bits = &s.normal
	case ndb.NIDTypeAssocMessage:
		bits = &s.assoc
	default:
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
	if w >= len(*bits) {
		*bits = append(*bits, make([]uint64, w+1-len(*bits))...)
	}
	if (*bits)[w]&(1<<(i&63)) != 0 {
		return false
	}
	(*bits)[w] |= 1 << (i & 63)
	return true
}
