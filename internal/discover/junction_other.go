//go:build !windows

package discover

import "io/fs"

// isLegacyJunction reports whether fi is one of Windows' hidden
// compatibility junctions; there are none outside Windows.
func isLegacyJunction(fs.FileInfo) bool { return false }
