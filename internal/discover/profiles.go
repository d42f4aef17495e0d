package discover

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Location labels: where in a user profile a Candidate was found
// (Candidate.Location). Windows layouts are spelled with backslashes, the
// macOS one with slashes; they are labels, matched case-insensitively on
// disk, whatever the platform the search runs on.
const (
	// Outlook 2010 and later: new PSTs (Windows).
	LocationOutlookFiles = `Documents\Outlook Files`
	// The same on Windows XP, and on profiles copied from it.
	LocationMyDocumentsOutlookFiles = `My Documents\Outlook Files`
	// The same with Documents moved into OneDrive ("OneDrive" or
	// "OneDrive - Org"), as OneDrive's Known Folder Move does.
	LocationOneDriveOutlookFiles = `OneDrive\Documents\Outlook Files`
	// OSTs, and PSTs from Outlook 2007 and before (Windows Vista and later).
	LocationLocalAppData = `AppData\Local\Microsoft\Outlook`
	// Roaming profiles; some old PSTs.
	LocationRoamingAppData = `AppData\Roaming\Microsoft\Outlook`
	// OSTs and PSTs on Windows XP.
	LocationXPLocalSettings = `Local Settings\Application Data\Microsoft\Outlook`
	// Outlook for Mac's profiles (it keeps no PSTs, but imports and
	// exports may sit there).
	LocationMacProfiles = `Library/Group Containers/UBF8T346G9.Office/Outlook/Outlook 15 Profiles`
	// Documents itself, searched DocumentsDepth levels down: exports and
	// archives users saved by hand (Windows and macOS).
	LocationDocuments = `Documents`
	// The same on Windows XP.
	LocationMyDocuments = `My Documents`
	// The same inside OneDrive.
	LocationOneDriveDocuments = `OneDrive\Documents`
)

// DocumentsDepth is how many levels of subfolders below Documents are
// searched for the Documents locations: Documents\a\b\c\x.pst is found,
// Documents\a\b\c\d\x.pst is not (unless it is in Outlook Files).
const DocumentsDepth = 3

type location struct {
	label  string
	comps  []string // folder names from the profile; a trailing * matches a prefix
	budget int
}

// Locations are searched in this order, the whole-tree ones first, so that
// a file found in two of them gets the more specific label.
var locations = []location{
	{LocationOutlookFiles, []string{"Documents", "Outlook Files"}, unlimited},
	{LocationMyDocumentsOutlookFiles, []string{"My Documents", "Outlook Files"}, unlimited},
	{LocationOneDriveOutlookFiles, []string{"OneDrive*", "Documents", "Outlook Files"}, unlimited},
	{LocationLocalAppData, []string{"AppData", "Local", "Microsoft", "Outlook"}, unlimited},
	{LocationRoamingAppData, []string{"AppData", "Roaming", "Microsoft", "Outlook"}, unlimited},
	{LocationXPLocalSettings, []string{"Local Settings", "Application Data", "Microsoft", "Outlook"}, unlimited},
	{LocationMacProfiles, []string{"Library", "Group Containers", "UBF8T346G9.Office", "Outlook", "Outlook 15 Profiles"}, unlimited},
	{LocationDocuments, []string{"Documents"}, DocumentsDepth},
	{LocationMyDocuments, []string{"My Documents"}, DocumentsDepth},
	{LocationOneDriveDocuments, []string{"OneDrive*", "Documents"}, DocumentsDepth},
}

// notProfiles are the entries of a profiles root that are not users
// (compared case-insensitively). Names starting with "." are skipped too.
var notProfiles = map[string]bool{
	// Windows
	"public": true, "default": true, "default user": true, "all users": true,
	"desktop.ini": true, "default.migrated": true, "defaultuser0": true,
	// macOS
	"shared": true, "deleted users": true,
	// Linux
	"lost+found": true,
}

func isProfileName(name string) bool {
	return name != "" && !strings.HasPrefix(name, ".") && !notProfiles[strings.ToLower(name)]
}

// profilesRoot searches each user profile in root.
func (w *walker) profilesRoot(root string, rootFi fs.FileInfo) {
	entries, err := w.ops.readDir(root)
	if err != nil {
		w.problem(root, KindUnreadable, err)
	}
	anc := []ancestor{{root, rootFi}}
	for _, e := range entries {
		if w.stopped() {
			return
		}
		name := e.Name()
		if !isProfileName(name) {
			continue
		}
		p := filepath.Join(root, name)
		fi, linked, ok := w.dirAt(p)
		if !ok {
			continue
		}
		w.profile(p, name, fi, anc, linked)
	}
}

// dirAt reports whether p is a folder to go into, following a link to one
// when links are followed, and returns its stat. Problems are recorded;
// something that is not there, or not a folder, is not one.
func (w *walker) dirAt(p string) (fi fs.FileInfo, linked, ok bool) {
	li, err := w.ops.lstat(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.statProblem(p, err)
		}
		return nil, false, false
	}
	if !isLinkLike(li.Mode().Type()) {
		return li, false, li.IsDir()
	}
	if !w.opts.FollowSymlinks || isLegacyJunction(li) {
		return nil, false, false
	}
	fi, err = w.ops.stat(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			w.statProblem(p, err)
		}
		return nil, false, false
	}
	return fi, true, fi.IsDir()
}

type resolved struct {
	path   string
	fi     fs.FileInfo
	anc    []ancestor
	linked bool
}

// profile searches the Outlook locations of one user profile.
func (w *walker) profile(dir, user string, fi fs.FileInfo, anc []ancestor, linked bool) {
	listings := map[string][]fs.DirEntry{}
	for _, loc := range locations {
		for _, r := range w.resolve(dir, fi, loc.comps, anc, linked, listings) {
			j := job{path: r.path, fi: r.fi, profile: user, location: loc.label, budget: loc.budget, anc: r.anc, linked: r.linked}
			if r.linked {
				w.deferred = append(w.deferred, j)
			} else {
				w.walkDir(j)
			}
		}
	}
}

// resolve finds the folders below dir named by comps, matching each name
// case-insensitively (a Windows profile copied to or mounted on a
// case-sensitive file system keeps its mixed case, or loses it).
func (w *walker) resolve(dir string, fi fs.FileInfo, comps []string, anc []ancestor, linked bool, listings map[string][]fs.DirEntry) []resolved {
	if len(comps) == 0 {
		return []resolved{{dir, fi, anc, linked}}
	}
	comp := comps[0]
	var names []string
	if prefix, ok := strings.CutSuffix(comp, "*"); ok {
		for _, e := range w.list(dir, listings) {
			if n := e.Name(); len(n) >= len(prefix) && strings.EqualFold(n[:len(prefix)], prefix) {
				names = append(names, n)
			}
		}
	} else {
		_, err := w.ops.lstat(filepath.Join(dir, comp))
		switch {
		case err == nil:
			names = []string{comp}
		case errors.Is(err, fs.ErrNotExist):
			for _, e := range w.list(dir, listings) {
				if strings.EqualFold(e.Name(), comp) {
					names = append(names, e.Name())
				}
			}
		default:
			// dir cannot be searched (another user's profile, most often).
			w.problem(dir, KindUnreadable, err)
			return nil
		}
	}
	var out []resolved
	sub := append(anc[:len(anc):len(anc)], ancestor{dir, fi})
	for _, n := range names {
		p := filepath.Join(dir, n)
		cfi, l, ok := w.dirAt(p)
		if ok {
			out = append(out, w.resolve(p, cfi, comps[1:], sub, linked || l, listings)...)
		}
	}
	return out
}

// list returns dir's entries, listing it once per profile.
func (w *walker) list(dir string, listings map[string][]fs.DirEntry) []fs.DirEntry {
	if es, ok := listings[dir]; ok {
		return es
	}
	es, err := w.ops.readDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		w.problem(dir, KindUnreadable, err)
	}
	listings[dir] = es
	return es
}

// profileMarkers are entries found in one user's profile folder and not in
// the folder that holds the profiles (compared case-insensitively).
var profileMarkers = map[string]bool{
	"appdata": true, "ntuser.dat": true, "local settings": true, // Windows
	"documents": true, "my documents": true, "library": true, // Windows, macOS
}

// LooksLikeProfile reports whether dir is one user's profile rather than a
// profiles root: pointed at C:\Users\bob, a profiles search finds no users
// in it, and the caller can say so.
func LooksLikeProfile(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if profileMarkers[strings.ToLower(e.Name())] {
			return true
		}
	}
	return false
}
