package testkit

import (
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// GoPst returns the path of one of go-pst's sample files, skipping the
// test when the module is not downloaded.
func GoPst(t testing.TB, name string) string {
	t.Helper()
	p := samples.GoPst(name)
	if p == "" {
		t.Skipf("go-pst sample %s not found (go mod download)", name)
	}
	return p
}
