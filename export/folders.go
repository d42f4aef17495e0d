package export

import (
	"strconv"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// Every folder of a store gets a folder of its own in the export, and an
// mbox of its own: two sibling folders of the same name, a folder without
// a name, and folders whose names differ only by "/" against a look-alike
// must not share one. So the Tree maps folders by identity (the NID of
// each folder on the way), not by their path as text, and the manifest
// shows paths in a form that tells every two folders apart.

// FolderRef is one folder on the way from the top of the store to an
// item's folder.
type FolderRef struct {
	// NID is the folder's node ID; 0 for a folder the export adds (such
	// as "Recovered items"), which is then told apart by its name.
	NID uint32
	// Name is the folder's display name as stored: it may be empty, hold
	// "/", or be anything else.
	Name string
}

// FolderPath is the path of a folder as the manifest shows it: the names
// joined by "/". Within a name, "/" is shown as U+2215 (∕, which looks
// the same and separates nothing: the form the scan's folder paths use),
// and so that no two folders share a path, "%" and a U+2215 the name
// itself holds are percent-encoded ("%25", "%E2%88%95"). A folder without
// a name is an empty segment. Two lists of names give the same path only
// if they are the same.
func FolderPath(refs []FolderRef) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = folderPathName(r.Name)
	}
	return strings.Join(parts, "/")
}

func folderPathName(name string) string {
	if !strings.ContainsAny(name, "/%\u2215") {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		switch r {
		case '%':
			b.WriteString("%25")
		case '\u2215':
			b.WriteString("%E2%88%95")
		case '/':
			b.WriteRune('\u2215')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// folderDiskName is the name a folder is given on disk, before SafeName
// and the Namer make it safe and unique: "/" as U+2215, as in the
// manifest; a folder without a name is "(no name)", and one named only
// with dots (which SafeName would strip to nothing) keeps them in
// brackets, "[..]".
func folderDiskName(name string) string {
	return visibleName(strings.ReplaceAll(name, "/", "\u2215"), "(no name)")
}

// visibleName keeps a name that SafeName would strip to nothing visible:
// empty or blank, it is none; made of dots (and spaces), it is the dots
// in brackets ("[.]", "[..]").
func visibleName(name, none string) string {
	t := strings.TrimSpace(name)
	switch {
	case t == "":
		return none
	case strings.Trim(t, ". ") == "":
		return "[" + t + "]"
	}
	return name
}

// folderKey identifies a folder among its siblings: its NID, else (for a
// folder the export adds) its name.
func folderKey(r FolderRef) string {
	if r.NID != 0 {
		return "#" + strconv.FormatUint(uint64(r.NID), 16)
	}
	return "=" + r.Name
}

// StoreFolders gives each folder of the tree the scan walked the folders
// from the top of the store down to it, with their names as stored (read
// again through r: the scan's names show "/" as U+2215). The root folder
// has none. A folder whose parents do not lead to the root (the scan's
// "(unreachable)" folders) hangs under a folder the export adds,
// recovered (such as "Recovered items").
func StoreFolders(folders []messaging.Folder, r *messaging.Reader, recovered string) map[uint32][]FolderRef {
	byNID := make(map[uint32]*messaging.Folder, len(folders))
	for i := range folders {
		byNID[folders[i].NID] = &folders[i]
	}
	out := make(map[uint32][]FolderRef, len(folders))
	visiting := map[uint32]bool{}
	var chain func(nid uint32) []FolderRef
	chain = func(nid uint32) []FolderRef {
		if refs, ok := out[nid]; ok {
			return refs
		}
		f, ok := byNID[nid]
		switch {
		case nid == messaging.NIDRootFolder:
			return nil
		case !ok || visiting[nid]:
			// A parent the scan never reached, or a loop of parents.
			return []FolderRef{{Name: recovered}}
		}
		visiting[nid] = true
		defer delete(visiting, nid)
		name := f.Name
		if p, err := r.Properties(nid); err == nil {
			if n, ok := p.Get(pidDisplayName); ok && (n.Type == 0x001F || n.Type == 0x001E) {
				name = r.String(p, pidDisplayName)
			}
		}
		parent := chain(f.Parent)
		refs := append(append(make([]FolderRef, 0, len(parent)+1), parent...), FolderRef{NID: nid, Name: name})
		out[nid] = refs
		return refs
	}
	for _, f := range folders {
		chain(f.NID)
	}
	return out
}
