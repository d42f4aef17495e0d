package finding

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// A file's path in an error's words is quoted, also where the error wraps
// it or the path holds a double quote; other errors keep their words.
func TestErrorText(t *testing.T) {
	pe := &fs.PathError{Op: "read", Path: `/srv/Mail 123456 "old"/a.pst`, Err: errors.New("input/output error")}
	for err, want := range map[error]string{
		pe:                                   `read "/srv/Mail 123456 \"old\"/a.pst": input/output error`,
		fmt.Errorf("reading a page: %w", pe): `reading a page: read "/srv/Mail 123456 \"old\"/a.pst": input/output error`,
		errors.New("short read"):             "short read",
	} {
		if got := ErrorText(err); got != want {
			t.Errorf("ErrorText(%q) = %q, want %q", err, got, want)
		}
	}
}
