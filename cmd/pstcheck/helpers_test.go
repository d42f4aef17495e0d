package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

// testIO returns fake streams whose stderr pretends to be a terminal (tty)
// or a pipe, and the buffers behind stdout and stderr.
func testIO(tty bool) (ios *IOStreams, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{
		In:          strings.NewReader(""),
		Out:         stdout,
		ErrOut:      stderr,
		IsStderrTTY: func() bool { return tty },
	}, stdout, stderr
}

// runCLI runs pstcheck with args on ios and returns the exit status.
func runCLI(ios *IOStreams, args ...string) int {
	root := NewCmdRoot(ios)
	root.SetArgs(args)
	return execute(root, ios)
}

// copySample copies a sample into dir (the module cache is read-only).
func copySample(t *testing.T, name, dir, as string) string {
	t.Helper()
	b, err := os.ReadFile(testkit.GoPst(t, name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, as)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// thousands formats n as the summaries do: 2178 -> "2,178".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
