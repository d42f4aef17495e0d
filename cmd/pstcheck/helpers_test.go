package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
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

var goPSTData = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/mooijtech/go-pst/v6").Output()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "data")
	_, err = os.Stat(dir)
	return dir, err
})

// sample returns the path of one of go-pst's sample files (support.pst,
// 32-bit.pst), skipping the test when the module cannot be found.
func sample(t *testing.T, name string) string {
	t.Helper()
	dir, err := goPSTData()
	if err != nil {
		t.Skipf("go-pst sample data not found: %v", err)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample %s: %v", name, err)
	}
	return p
}

// copySample copies a sample into dir (the module cache is read-only).
func copySample(t *testing.T, name, dir, as string) string {
	t.Helper()
	b, err := os.ReadFile(sample(t, name))
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
