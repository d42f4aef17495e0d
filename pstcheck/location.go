package pstcheck

import (
	"os"
	"path/filepath"
	"strings"
)

// Location is where a file lies, where that bears on its health: Outlook
// does not support data files used over a network, where a connection
// that drops while Outlook writes damages them, and a sync service copies
// or replaces a file in a folder it syncs while Outlook has it open.
type Location string

const (
	LocationLocal   Location = ""        // a local disk, or not known
	LocationNetwork Location = "network" // a network share or drive
	LocationSynced  Location = "synced"  // a folder OneDrive syncs
)

// locate says where the file at path, opened as f, lies.
func locate(path string, f *os.File) Location {
	abs, err := filepath.Abs(path)
	if err != nil {
		return LocationLocal
	}
	abs = plainPath(abs)
	if onNetwork(abs, f) {
		return LocationNetwork
	}
	if inSyncedFolder(abs, os.Getenv) {
		return LocationSynced
	}
	return LocationLocal
}

// oneDriveVars name the folders OneDrive syncs on Windows (set by its
// client for the personal and the work or school account).
var oneDriveVars = []string{"OneDrive", "OneDriveConsumer", "OneDriveCommercial"}

// inSyncedFolder says whether abs, an absolute path, lies in a OneDrive
// folder: under one its environment variables name, or, where they are
// not set (a copy of the folder scanned on another computer), one named
// as its client names them ("OneDrive", "OneDrive - Contoso").
func inSyncedFolder(abs string, getenv func(string) string) bool {
	set := false
	for _, v := range oneDriveVars {
		dir := getenv(v)
		if dir == "" {
			continue
		}
		set = true
		if rel, err := filepath.Rel(dir, abs); err == nil && filepath.IsLocal(rel) {
			return true
		}
	}
	if set {
		return false
	}
	for _, part := range strings.FieldsFunc(filepath.Dir(abs), func(r rune) bool { return r == '/' || r == '\\' }) {
		if strings.EqualFold(part, "OneDrive") || len(part) > len("OneDrive - ") && strings.EqualFold(part[:len("OneDrive - ")], "OneDrive - ") {
			return true
		}
	}
	return false
}
