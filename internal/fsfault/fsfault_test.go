package fsfault

import (
	"os"
	"path/filepath"
	"testing"
)

// Real failures of the os package, classified.
func TestOf(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := os.MkdirAll(filepath.Join(file, "sub"), 0o755)
	if got := Of(err); got != NotFolder {
		t.Errorf("Of(%v) = %v, want NotFolder", err, got)
	}
	if got := Of(nil); got != Other {
		t.Errorf("Of(nil) = %v", got)
	}
	if got := Of(os.ErrPermission); got != Permission {
		t.Errorf("Of(ErrPermission) = %v", got)
	}
}
