//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A FIFO named as the file to check is never opened (opening one for
// reading waits for a writer forever), by scan, export and repair alike;
// nor is a device, which never ends.
func TestSpecialFilesNeverOpened(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "mail.pst")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("cannot make a FIFO here:", err)
	}
	for _, args := range [][]string{
		{"scan", fifo},
		{"scan", "/dev/zero"},
		{"export", fifo, "--to", filepath.Join(dir, "out")},
		{"export", "/dev/zero", "--to", filepath.Join(dir, "out")},
		{"repair", fifo, "--to", filepath.Join(dir, "new.pst")},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			done := make(chan int, 1)
			ios, _, stderr := testIO(false)
			go func() { done <- runCLI(ios, args...) }()
			select {
			case status := <-done:
				if status != exitUsage {
					t.Errorf("status = %d, want %d; stderr:\n%s", status, exitUsage, stderr)
				}
				if !strings.Contains(stderr.String(), "not") {
					t.Errorf("stderr does not say what the path is:\n%s", stderr)
				}
			case <-time.After(time.Minute):
				// Unblock the open so the test process can end.
				if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
					w.Close()
				}
				t.Fatal("the command opened the FIFO and waited for a writer")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("export made its folder for a FIFO")
	}
}
