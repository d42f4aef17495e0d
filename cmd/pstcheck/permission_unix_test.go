//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// envPermissionChild makes the test binary run one pstcheck command (its
// arguments in the variable, separated by US, 0x1F) and exit with its status: the
// parent starts it as an unprivileged user, since root may read anything.
const envPermissionChild = "PSTCHECK_TEST_PERMISSION_CHILD"

func init() {
	args := os.Getenv(envPermissionChild)
	if args == "" {
		return
	}
	ios := SystemIO()
	os.Exit(runCLI(ios, strings.Split(args, "\x1f")...))
}

// A file this account may not read gets its own cause and next step (not
// "close Outlook"), for scan and export alike; and so does an export
// folder it may not write.
func TestPermissionWording(t *testing.T) {
	dir := openTempDir(t, 0o755)
	secret := copySample(t, "support.pst", dir, "secret.pst")
	if err := os.Chmod(secret, 0o600); err != nil {
		t.Fatal(err)
	}
	readable := copySample(t, "support.pst", dir, "open.pst")
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o755); err != nil { // the child may not write in it
		t.Fatal(err)
	}

	// The test binary, copied where the unprivileged user may run it.
	self := filepath.Join(dir, "pstcheck.test")
	if b, err := os.ReadFile(os.Args[0]); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(self, b, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(t *testing.T, args ...string) (int, string) {
		t.Helper()
		if os.Geteuid() != 0 {
			ios, _, stderr := testIO(false)
			return runCLI(ios, args...), stderr.String()
		}
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = append(os.Environ(), envPermissionChild+"="+strings.Join(args, "\x1f"))
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		var stderr bytes.Buffer
		cmd.Stderr, cmd.Stdout = &stderr, new(bytes.Buffer)
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), stderr.String()
		}
		if err != nil {
			t.Skip("cannot run as an unprivileged user here:", err)
		}
		return 0, stderr.String()
	}
	if os.Geteuid() != 0 {
		if f, err := os.Open(secret); err == nil { // the owner may read it
			f.Close()
			t.Skip("not root: this account owns the file and can read it")
		}
	}

	for _, tc := range []struct {
		name   string
		args   []string
		status int
		want   []string
	}{
		{"scan", []string{"scan", "--no-progress", secret}, exitUsage,
			nil}, // the text report goes to standard output: checked below
		{"export", []string{"export", secret, "--to", filepath.Join(dir, "out"), "--no-progress"}, exitUsage,
			[]string{"this account is not allowed to read it", "Next: run pstcheck as the file's owner or with sudo"}},
		{"export into a folder it may not write", []string{"export", readable, "--to", filepath.Join(locked, "out"), "--no-progress"}, exitUsage,
			[]string{"cannot write to " + filepath.Join(locked, "out") + ": this account is not allowed to write there", "Next: choose a folder you can write to"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, stderr := run(t, tc.args...)
			if status != tc.status {
				t.Errorf("status = %d, want %d\n%s", status, tc.status, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "close Outlook") {
				t.Errorf("a permission problem is blamed on Outlook holding the file:\n%s", stderr)
			}
		})
	}
	// scan's report: the cause and next step on the file's line.
	out := scanAs(t, run, secret)
	if !strings.Contains(out, "this account is not allowed to read it. Next: run pstcheck as the file's owner or with sudo") {
		t.Errorf("scan report:\n%s", out)
	}
}

// scanAs runs scan with the report written to a file the caller reads.
func scanAs(t *testing.T, run func(*testing.T, ...string) (int, string), path string) string {
	t.Helper()
	out := filepath.Join(openTempDir(t, 0o777), "report.txt")
	if status, stderr := run(t, "scan", "--no-progress", "-o", out, path); status != exitUsage {
		t.Fatalf("scan: status %d\n%s", status, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(fmt.Errorf("the report: %w", err))
	}
	return string(b)
}

// openTempDir is a t.TempDir that other users may enter (with mode), as
// may the folder Go makes it in.
func openTempDir(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, mode); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
