package ndb

import "testing"

// A sample of the values offered stays within its bound and spreads over
// all of them, evenly: every stride-th.
func TestSpreadSample(t *testing.T) {
	s := spreadSample{max: 100}
	for v := uint64(1); v <= 10_000; v++ {
		if s.take() {
			s.keep(v)
		}
	}
	if len(s.vals) > 100 || len(s.vals) < 50 {
		t.Fatalf("%d values kept", len(s.vals))
	}
	step := s.vals[1] - s.vals[0]
	for i := 1; i < len(s.vals); i++ {
		if s.vals[i]-s.vals[i-1] != step {
			t.Fatalf("uneven sample %v", s.vals)
		}
	}
	if last := s.vals[len(s.vals)-1]; last < 10_000-step {
		t.Errorf("sample ends at %d of 10000 (step %d)", last, step)
	}
}
