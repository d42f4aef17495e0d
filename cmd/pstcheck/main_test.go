package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary serve as its own batch worker, as the real
// executable does (see worker.go).
func TestMain(m *testing.M) {
	if isWorker() {
		os.Exit(runWorker(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}
