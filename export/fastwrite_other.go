//go:build !unix

package export

import (
	"errors"
	"io"
	"os"
)

// Elsewhere every write goes through os.Root (see fastwrite_unix.go).
const fastWrites = false

func createInDir(*os.File, string) (io.WriteCloser, error)  { return nil, errors.ErrUnsupported }
func renameInDirs(*os.File, string, *os.File, string) error { return errors.ErrUnsupported }
func removeInDir(*os.File, string) error                    { return errors.ErrUnsupported }
