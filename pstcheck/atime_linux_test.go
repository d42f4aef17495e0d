package pstcheck_test

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func accessTime(t *testing.T, path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Sys().(*syscall.Stat_t)
	return time.Unix(s.Atim.Sec, s.Atim.Nsec).UTC()
}
