package export

import (
	"maps"
	"slices"
)

// hashSet is a set of 64-bit hashes at about 8 bytes each: a sorted column,
// and a map of the latest ones, merged into the column once it holds
// hashSetRecent. A map of them all cost 20 to 25 bytes a hash (a Namer of
// a folder of 1.2 million messages took 28 MB of the export's heap).
type hashSet struct {
	sorted []uint64
	recent map[uint64]struct{}
}

// hashSetRecent is how many hashes the map holds before they are merged
// into the column: each merge moves the column, so a large folder's
// merges cost a fraction of a second in all.
const hashSetRecent = 1 << 14

func (s *hashSet) has(k uint64) bool {
	if _, ok := s.recent[k]; ok {
		return true
	}
	_, ok := slices.BinarySearch(s.sorted, k)
	return ok
}

// add adds k, which the set does not hold.
func (s *hashSet) add(k uint64) {
	if s.recent == nil {
		s.recent = map[uint64]struct{}{}
	}
	s.recent[k] = struct{}{}
	if len(s.recent) >= hashSetRecent {
		s.merge()
	}
}

// merge moves the map's hashes into the column, merging from the back in
// place.
func (s *hashSet) merge() {
	add := slices.Sorted(maps.Keys(s.recent))
	clear(s.recent)
	i, j := len(s.sorted)-1, len(add)-1
	s.sorted = slices.Grow(s.sorted, len(add))[:len(s.sorted)+len(add)]
	for k := len(s.sorted) - 1; j >= 0; k-- {
		if i >= 0 && s.sorted[i] > add[j] {
			s.sorted[k] = s.sorted[i]
			i--
		} else {
			s.sorted[k] = add[j]
			j--
		}
	}
}
