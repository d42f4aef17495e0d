package pstcheck

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// plainPath is abs without the prefix of Windows' extended-length and
// device forms, where it names a drive's file or a share's: \\?\C:\x is
// C:\x, \\?\UNC\server\share\x is \\server\share\x. Other device paths
// (a volume's GUID, a device) are left as they are.
func plainPath(abs string) string {
	for _, p := range []string{`\\?\`, `\\.\`} {
		rest, ok := strings.CutPrefix(abs, p)
		if !ok {
			continue
		}
		switch {
		case len(rest) >= 4 && strings.EqualFold(rest[:4], `UNC\`):
			return `\\` + rest[4:]
		case len(rest) >= 2 && rest[1] == ':':
			return rest
		}
	}
	return abs
}

// onNetwork says whether abs (plainPath) lies on a network share: a UNC
// path (\\server\share\...), or a drive letter Windows maps to a share.
func onNetwork(abs string, _ *os.File) bool {
	return isShare(abs) || remoteDrive(filepath.VolumeName(abs))
}

// isShare says whether abs (plainPath) names a file on a share by its
// server's name. WSL's own file systems (\\wsl$, \\wsl.localhost) are
// reached the same way but are this computer's; device paths are no
// shares.
func isShare(abs string) bool {
	if !strings.HasPrefix(abs, `\\`) && !strings.HasPrefix(abs, `//`) || strings.HasPrefix(abs, `\\?\`) || strings.HasPrefix(abs, `\\.\`) {
		return false
	}
	parts := strings.FieldsFunc(abs, func(r rune) bool { return r == '\\' || r == '/' })
	if len(parts) == 0 {
		return false
	}
	host := strings.ToLower(parts[0])
	return host != "wsl$" && host != "wsl.localhost"
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
