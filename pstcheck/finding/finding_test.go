package finding

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// A file's path in an error's words is quoted, also where the error wraps
// it, the path holds a double quote or ends in a backslash (escaped as on a
// Windows command line, other backslashes kept); other errors keep their
// words.
func TestErrorText(t *testing.T) {
	pe := &fs.PathError{Op: "read", Path: `/srv/Mail 123456 "old"/a.pst`, Err: errors.New("input/output error")}
	for err, want := range map[error]string{
		pe:                                   `read "/srv/Mail 123456 \"old\"/a.pst": input/output error`,
		fmt.Errorf("reading a page: %w", pe): `reading a page: read "/srv/Mail 123456 \"old\"/a.pst": input/output error`,
		errors.New("short read"):             "short read",
		&fs.PathError{Op: "open", Path: `D:\`, Err: errors.New("denied")}:              `open "D:\\": denied`,
		&fs.PathError{Op: "open", Path: `C:\Users\a\x.pst`, Err: errors.New("denied")}: `open "C:\Users\a\x.pst": denied`,
	} {
		if got := ErrorText(err); got != want {
			t.Errorf("ErrorText(%q) = %q, want %q", err, got, want)
		}
	}
}
