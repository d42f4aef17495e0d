package pstcheck

import "testing"

// Each NID is new once, whatever its type; NIDs of the same index but
// another type are told apart.
func TestNIDSetTellsTypesApart(t *testing.T) {
	var s nidSet
	nids := []uint32{0x200024, 0x200028, 0x200022, 0x24, 0x8004, 0xFFFFFFE4, 0x200024 + 32}
	for _, n := range nids {
		if !s.add(n) {
			t.Fatalf("%#x: not new the first time", n)
		}
	}
	for _, n := range nids {
		if s.add(n) {
			t.Fatalf("%#x: new a second time", n)
		}
	}
}
