package messaging

import (
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
)

func pcOf(ids ...uint16) *ltp.PC {
	pc := &ltp.PC{}
	for _, id := range ids {
		pc.Props = append(pc.Props, ltp.Property{ID: id})
	}
	return pc
}

// The store's stamps are the properties every normal message seen
// carries, over every checker; a heap lacking one is taken for an
// attached message only once enough messages were seen to know them,
// whatever order a writer kept its properties in.
func TestStamps(t *testing.T) {
	var a, b stamps
	for range minStamped / 2 {
		a.add(pcOf(0x001A, 0x0037, 0x0E07, 0x0E30, 0x0E33, 0x3007, 0x65E2))
		b.add(pcOf(0x3007, 0x0E33, 0x0E30, 0x001A, 0x0E07)) // out of ID order
	}
	a.add(pcOf(0x001A, 0x0E07, 0x0E30, 0x0E33, 0x3007, 0x8001))
	if a.lacks(pcOf(0x001A)) {
		t.Error("told apart before enough messages were seen")
	}
	var all stamps
	all.merge(a)
	all.merge(b)
	// Only the stamps a store provider gives: not the class, flags and
	// creation time every message carries, attached ones too.
	if want := []uint16{0x0E30, 0x0E33}; !slices.Equal(all.ids, want) || all.seen != minStamped+1 {
		t.Fatalf("stamps %04X of %d messages, want %04X of %d", all.ids, all.seen, want, minStamped+1)
	}
	if !all.lacks(pcOf(0x001A, 0x0037, 0x0E07, 0x0E33, 0x3007)) {
		t.Error("a heap without 0x0E30 not told apart")
	}
	if all.lacks(pcOf(0x0E33, 0x0E30, 0x001A, 0x3007, 0x1000)) {
		t.Error("a heap with every stamp, out of order, told apart")
	}
}
