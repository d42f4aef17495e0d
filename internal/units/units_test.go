package units

import "testing"

func TestSize(t *testing.T) {
	for _, c := range []struct {
		n      int64
		digits int
		want   string
	}{
		{0, 2, "0 B"},
		{512, 2, "512 B"},
		{1024, 2, "1.00 KiB"},
		{28967936, 2, "27.63 MiB"},
		{28967936, 1, "27.6 MiB"},
		{1024*1024 - 1, 2, "1.00 MiB"},
		{50 << 30, 2, "50.00 GiB"},
		{2075149312, 2, "1.93 GiB"},
	} {
		if got := Size(c.n, c.digits); got != c.want {
			t.Errorf("Size(%d, %d) = %q, want %q", c.n, c.digits, got, c.want)
		}
	}
}
