//go:build !unix

package export

import (
	"errors"
	"os"
)

// Elsewhere every write goes through os.Root (see fastwrite_unix.go).
const fastWrites = false

func writeInDir(*os.File, string, string, []byte) error { return errors.ErrUnsupported }
func renameInDir(*os.File, string, string) error        { return errors.ErrUnsupported }
