package export

import (
	"cmp"
	"slices"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// FolderMatchError: a --folders path names no folder of the store. It
// carries the store's folder paths nearest to what was asked for.
type FolderMatchError struct {
	Unmatched []string // the paths that matched nothing, as given
	Nearest   []string // folder paths of the store, nearest first
}

func (e *FolderMatchError) Error() string {
	return "no folder matches " + strings.Join(e.Unmatched, ", ")
}

// NamedFolder is a folder --folders can name: its path as the scan shows it
// (Shown) and the path its items are exported under (Saved).
type NamedFolder struct{ Shown, Saved string }

// FolderPaths are the folders --folders can name in store: every folder
// the scan found but the root, the folder of recovered items, and the
// folders under it recovered messages are placed in by their listings.
func FolderPaths(store *pstcheck.Store) []NamedFolder {
	paths := []NamedFolder{{pstcheck.RecoveredFolder, pstcheck.RecoveredFolder}}
	for _, f := range store.Report.Folders {
		if f.NID != messaging.NIDRootFolder { // "(root)" holds no items of its own
			paths = append(paths, NamedFolder{f.Path, f.ExportPath()})
		}
	}
	for _, p := range store.PlacedPaths() {
		paths = append(paths, NamedFolder{p, p})
	}
	return paths
}

// MatchFolders checks that each of only names one of the folders paths,
// as FolderWanted matches them: by the paths their items are exported
// under. Otherwise it returns a *FolderMatchError naming up to max of the
// nearest folders, as the scan shows them, so a user who typed "Inbox" is
// shown "Top of Personal Folders/Inbox".
func MatchFolders(paths []NamedFolder, only []string, max int) error {
	var unmatched []string
	for _, o := range only {
		if !slices.ContainsFunc(paths, func(p NamedFolder) bool { return FolderWanted(p.Saved, []string{o}) }) {
			unmatched = append(unmatched, o)
		}
	}
	if len(unmatched) == 0 {
		return nil
	}
	type ranked struct {
		path string
		dist int
	}
	var rs []ranked
	for _, fp := range paths {
		p := fp.Shown
		if p == "" {
			continue
		}
		d := -1
		for _, u := range unmatched {
			if x := folderDistance(p, u); d < 0 || x < d {
				d = x
			}
		}
		rs = append(rs, ranked{p, d})
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(len(a.path), len(b.path)))
	})
	e := &FolderMatchError{Unmatched: unmatched}
	for _, r := range rs[:min(len(rs), max)] {
		e.Nearest = append(e.Nearest, r.path)
	}
	return e
}

// folderDistance is how far a folder path is from what a user typed: 0
// when its last names equal the typed ones (any case, "\" or "/"), else the
// edit distance between its last name and the typed last name, plus one.
func folderDistance(path, typed string) int {
	p := strings.ToLower(path)
	t := strings.ToLower(strings.Trim(strings.ReplaceAll(typed, `\`, "/"), "/"))
	if strings.HasSuffix(p, "/"+t) {
		return 0
	}
	return 1 + editDistance(p[strings.LastIndexByte(p, '/')+1:], t[strings.LastIndexByte(t, '/')+1:])
}

// editDistance is the Levenshtein distance between a and b, by runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
