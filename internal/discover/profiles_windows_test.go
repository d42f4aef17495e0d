package discover

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Windows-only behaviour of the search. Run as Windows binaries under Wine
// (docs/windows.md) or on Windows.

func TestDefaultProfilesRootHere(t *testing.T) {
	drive := os.Getenv("SystemDrive")
	if drive == "" {
		drive = "C:"
	}
	root := DefaultProfilesRoot()
	if !strings.EqualFold(root, drive+`\Users`) {
		t.Errorf("DefaultProfilesRoot() = %q, want %s\\Users", root, drive)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Errorf("%s is not a folder here: %v", root, err)
	}
}

// fakeInfo is a FileInfo as Lstat gives it on Windows, with the file
// attributes Go keeps in Sys.
type fakeInfo struct {
	name  string
	mode  fs.FileMode
	attrs uint32
}

func (f fakeInfo) Name() string       { return f.name }
func (f fakeInfo) Size() int64        { return 0 }
func (f fakeInfo) Mode() fs.FileMode  { return f.mode }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fakeInfo) Sys() any           { return &syscall.Win32FileAttributeData{FileAttributes: f.attrs} }

const legacyAttrs = syscall.FILE_ATTRIBUTE_HIDDEN | syscall.FILE_ATTRIBUTE_SYSTEM | syscall.FILE_ATTRIBUTE_REPARSE_POINT | syscall.FILE_ATTRIBUTE_DIRECTORY

func TestIsLegacyJunction(t *testing.T) {
	for _, c := range []struct {
		attrs uint32
		want  bool
	}{
		{legacyAttrs, true},
		{syscall.FILE_ATTRIBUTE_REPARSE_POINT | syscall.FILE_ATTRIBUTE_DIRECTORY, false}, // a user's own junction
		{syscall.FILE_ATTRIBUTE_HIDDEN | syscall.FILE_ATTRIBUTE_SYSTEM | syscall.FILE_ATTRIBUTE_DIRECTORY, false},
	} {
		if got := isLegacyJunction(fakeInfo{"x", fs.ModeIrregular, c.attrs}); got != c.want {
			t.Errorf("attributes %#x: %v, want %v", c.attrs, got, c.want)
		}
	}
	if isLegacyJunction(plainInfo{}) {
		t.Error("a FileInfo without Windows attributes is a legacy junction")
	}
}

type plainInfo struct{ fakeInfo }

func (plainInfo) Sys() any { return nil }

// A profile's "My Documents" is one of Windows' hidden compatibility
// junctions, which nobody may list: following links, the search passes it
// by without a problem, and finds Documents\Outlook Files once, by its
// real name. (Wine cannot make junctions, so the junction is injected.)
func TestProfilesPassLegacyJunctions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "Users")
	write(t, p(root, "alice", "Documents", "Outlook Files", "a.pst"), pstHeader)
	junction := p(root, "alice", "My Documents")
	if err := os.MkdirAll(junction, 0o755); err != nil {
		t.Fatal(err)
	}
	denied := &fs.PathError{Op: "open", Path: junction, Err: syscall.ERROR_ACCESS_DENIED}
	ops := osOps
	ops.lstat = func(name string) (fs.FileInfo, error) {
		if strings.EqualFold(name, junction) {
			return fakeInfo{"My Documents", fs.ModeIrregular, legacyAttrs}, nil
		}
		return os.Lstat(name)
	}
	ops.stat = func(name string) (fs.FileInfo, error) {
		if strings.EqualFold(name, junction) {
			return nil, denied
		}
		return os.Stat(name)
	}
	ops.readDir = func(name string) ([]fs.DirEntry, error) {
		if strings.EqualFold(name, junction) {
			return nil, denied
		}
		return os.ReadDir(name)
	}
	got, probs := find(context.Background(), []string{root}, Options{Profiles: true, FollowSymlinks: true}, ops)
	check(t, got, map[string]want{p(root, "alice", "Documents", "Outlook Files", "a.pst"): {"alice", LocationOutlookFiles}})
	if len(probs) != 0 {
		t.Errorf("problems: %v", probs)
	}
}

// Roots as Windows users give them: with forward slashes, in another case,
// with the \\?\ prefix; and a data file deeper than 260 characters.
func TestFindWindowsPaths(t *testing.T) {
	base := t.TempDir()
	deep := p(base, strings.Repeat(`a folder with a long name\`, 11)+"deep.pst")
	write(t, deep, pstHeader)
	if len(deep) <= 260 {
		t.Fatalf("%d characters: not a long path", len(deep))
	}
	for _, root := range []string{base, filepath.ToSlash(base), strings.ToUpper(base), `\\?\` + base} {
		got, probs := Find(context.Background(), []string{root}, Options{})
		if len(got) != 1 || len(probs) != 0 {
			t.Errorf("root %s: %v %v", root, got, probs)
			continue
		}
		a, err1 := os.Stat(got[0].Path)
		b, err2 := os.Stat(deep)
		if err1 != nil || err2 != nil || !os.SameFile(a, b) {
			t.Errorf("root %s: found %s (%v %v), want %s", root, got[0].Path, err1, err2, deep)
		}
	}
}
