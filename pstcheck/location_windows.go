package pstcheck

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// onNetwork says whether path lies on a network share: a UNC path
// (\\server\share\...), or a drive letter Windows maps to a share.
func onNetwork(path string, _ *os.File) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	return isUNC(abs) || remoteDrive(filepath.VolumeName(abs))
}

// isUNC says whether abs names a file on a share by its server's name:
// \\server\share\..., or its extended-length form \\?\UNC\server\share.
// Other \\?\ and \\.\ paths are local (\\?\C:\...) or devices.
func isUNC(abs string) bool {
	switch {
	case strings.HasPrefix(strings.ToUpper(abs), `\\?\UNC\`):
		return true
	case strings.HasPrefix(abs, `\\?\`), strings.HasPrefix(abs, `\\.\`):
		return false
	}
	return strings.HasPrefix(abs, `\\`) || strings.HasPrefix(abs, `//`)
}

// remoteDrive says whether Windows maps the drive volume ("X:") to a
// network share.
func remoteDrive(volume string) bool {
	if len(volume) != 2 || volume[1] != ':' {
		return false
	}
	root, err := windows.UTF16PtrFromString(volume + `\`)
	return err == nil && windows.GetDriveType(root) == windows.DRIVE_REMOTE
}
