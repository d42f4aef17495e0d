package pstcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// Windows-only behaviour of opening the file to scan. Run as Windows
// binaries under Wine (docs/windows.md) or on Windows.

// supportCopy copies go-pst's support.pst to dir/rel.
func supportCopy(t *testing.T, dir, rel string) string {
	t.Helper()
	src := samples.GoPst("support.pst")
	if src == "" {
		t.Skip("go-pst samples not downloaded")
	}
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// openWin opens path with CreateFile's own access and sharing, as another
// program (Outlook, say) would.
func openWin(t *testing.T, path string, access, share uint32) (syscall.Handle, error) {
	t.Helper()
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		t.Fatal(err)
	}
	return syscall.CreateFile(p, access, share, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
}

// A file another program holds without sharing (Outlook holds its data
// files so) is reported as locked, with its own advice, not as unreadable.
func TestScanFileHeldWithoutSharing(t *testing.T) {
	path := supportCopy(t, t.TempDir(), "held.pst")
	h, err := openWin(t, path, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0)
	if err != nil {
		t.Fatal(err)
	}
	rep := ScanFile(context.Background(), path, Options{})
	syscall.CloseHandle(h)
	if rep.Verdict != Failed || rep.Failure == nil || rep.Failure.Kind != FailLocked {
		t.Fatalf("verdict %s, failure %+v; want a locked-file failure", rep.Verdict, rep.Failure)
	}
	if rep = ScanFile(context.Background(), path, Options{}); rep.Verdict != Healthy {
		t.Errorf("once released: verdict %s", rep.Verdict)
	}
}

// While pstcheck has the file open, it denies no one anything: another
// program may open it to read and write, and the file may be renamed or
// deleted (os.Open would refuse both until the scan ends).
func TestOpenInputSharesEverything(t *testing.T) {
	path := supportCopy(t, t.TempDir(), "shared.pst")
	in, err := openInput(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	h, err := openWin(t, path, syscall.GENERIC_READ|syscall.GENERIC_WRITE, syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE|syscall.FILE_SHARE_DELETE)
	if err != nil {
		t.Fatalf("another program cannot open the file pstcheck is reading: %v", err)
	}
	syscall.CloseHandle(h)
	moved := path + ".moved"
	if err := os.Rename(path, moved); err != nil {
		t.Fatalf("the file pstcheck is reading cannot be renamed: %v", err)
	}
	if err := os.Remove(moved); err != nil {
		t.Fatalf("the file pstcheck is reading cannot be deleted: %v", err)
	}
	// The scan reads on from its handle.
	rep := Check(context.Background(), in.r, in.size, Options{})
	if rep.Verdict != Healthy {
		t.Errorf("reading on after the rename and delete: verdict %s", rep.Verdict)
	}
}

// Paths as Windows users give them: with forward slashes, in another case,
// with the \\?\ prefix, and longer than the classic 260 characters.
func TestScanFileWindowsPaths(t *testing.T) {
	dir := t.TempDir()
	deep := strings.Repeat(`a folder with a long name\`, 11)
	long := supportCopy(t, dir, deep+"support.pst")
	if len(long) <= 260 {
		t.Fatalf("%d characters: not a long path", len(long))
	}
	short := supportCopy(t, dir, "Mail.pst")
	for _, p := range []string{
		long,
		`\\?\` + long,
		short,
		filepath.ToSlash(short),
		strings.ToUpper(short),
		`\\?\` + short,
	} {
		if rep := ScanFile(context.Background(), p, Options{}); rep.Verdict != Healthy || rep.Path != p {
			t.Errorf("%s: verdict %s, path %q, failure %+v", p, rep.Verdict, rep.Path, rep.Failure)
		}
	}
}

func TestExtendedLengthPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		`C:\Users\bob\mail.pst`:         `\\?\C:\Users\bob\mail.pst`,
		`C:/Users/bob/../bob/mail.pst`:  `\\?\C:\Users\bob\mail.pst`,
		`\\server\C$\Users\x.pst`:       `\\?\UNC\server\C$\Users\x.pst`,
		`\\?\C:\already\there.pst`:      `\\?\C:\already\there.pst`,
		`\\.\PhysicalDrive0`:            `\\.\PhysicalDrive0`,
		`mail.pst`:                      `\\?\` + filepath.Join(wd, "mail.pst"),
		`sub\..\mail.pst`:               `\\?\` + filepath.Join(wd, "mail.pst"),
		`\\?\UNC\server\share\mail.pst`: `\\?\UNC\server\share\mail.pst`,
	} {
		if got := extendedLengthPath(in); got != want {
			t.Errorf("extendedLengthPath(%q) = %q, want %q", in, got, want)
		}
	}
}
