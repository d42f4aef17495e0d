//go:build !linux

package pstcheck

import (
	"io"
	"os"
)

// mapInput: files are read with pread here. On Windows a mapping would
// keep other programs from truncating or replacing the file while it is
// open, which a read-only check must not do.
func mapInput(*os.File, int64) (io.ReaderAt, func() error) { return nil, nil }
