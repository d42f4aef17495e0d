package main

import (
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/batch"
)

// TestMain lets the test binary serve as its own batch worker, as the real
// executable does (see internal/batch).
func TestMain(m *testing.M) {
	if batch.IsWorker() {
		os.Exit(batch.ServeWorker(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}
