package discover

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

// pstHeader is enough of a PST header to look like one; the content does not
// matter to discovery, only names do.
var pstHeader = []byte("!BDN\x00\x00\x00\x00SM\x17\x00")

type want struct {
	profile, location string
}

// tree is a test machine: a profiles root and an outside folder that links
// lead to.
type tree struct {
	root    string // the profiles root
	outside string // a folder outside root
	// unreadable is the folder made unreadable with chmod 000, or "" when
	// running as root (who can read it anyway).
	unreadable string
	// links: the symbolic links were made (see symlink); without them the
	// tree has no loop, and erin's OST is out of reach.
	links bool
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// symlink makes a symbolic link and reports whether it exists (see
// testkit.Symlink: not every Windows, and no Wine, makes them).
func symlink(t *testing.T, target, link string) bool {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	return testkit.Symlink(t, target, link)
}

// needSymlink is symlink for a test about links: it skips without them.
func needSymlink(t *testing.T, target, link string) {
	t.Helper()
	if !symlink(t, target, link) {
		testkit.SkipWithoutSymlinks(t)
	}
}

// pathKey is how paths compare on this system: without regard to case
// on Windows, where dave's "documents" is also "Documents".
func pathKey(path string) string {
	if runtime.GOOS == "windows" {
		return strings.ToLower(path)
	}
	return path
}

func p(parts ...string) string { return filepath.Join(parts...) }

// buildTree lays out Windows-style, XP-era and macOS-style profiles.
func buildTree(t *testing.T) tree {
	t.Helper()
	base := t.TempDir()
	tr := tree{root: p(base, "Users"), outside: p(base, "elsewhere"), links: true}
	r := tr.root

	// alice: Windows 10.
	write(t, p(r, "alice", "Documents", "Outlook Files", "archive.pst"), pstHeader)
	write(t, p(r, "alice", "Documents", "Outlook Files", "archive.bak"), pstHeader) // scanpst's backup
	write(t, p(r, "alice", "Documents", "Outlook Files", "fake.pst"), []byte("not a PST at all\n"))
	write(t, p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "alice@corp.ost"), pstHeader)
	write(t, p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "empty.ost"), nil)
	write(t, p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "RoamCache", "stream.dat"), []byte("x"))
	write(t, p(r, "alice", "Downloads", "x.pst"), pstHeader)                // not an Outlook location
	write(t, p(r, "alice", "AppData", "Local", "Temp", "t.ost"), pstHeader) // nor this
	// A loop inside an Outlook location.
	tr.links = symlink(t, "..", p(r, "alice", "Documents", "Outlook Files", "dir", "loop")) && tr.links

	// bob: roaming profile and XP-era leftovers.
	write(t, p(r, "bob", "AppData", "Roaming", "Microsoft", "Outlook", "old.PST"), pstHeader)
	write(t, p(r, "bob", "Local Settings", "Application Data", "Microsoft", "Outlook", "outlook.pst"), pstHeader)
	// A symbolic link to alice's archive: the same file, found once.
	tr.links = symlink(t, p(r, "alice", "Documents", "Outlook Files", "archive.pst"), p(r, "bob", "Documents", "alias.pst")) && tr.links

	// carol: macOS.
	write(t, p(r, "carol", "Documents", "mail export.pst"), pstHeader)
	write(t, p(r, "carol", "Documents", "a", "b", "c", "three.pst"), pstHeader)
	write(t, p(r, "carol", "Documents", "a", "b", "c", "d", "four.pst"), pstHeader) // too deep for Documents
	write(t, p(r, "carol", "Library", "Group Containers", "UBF8T346G9.Office", "Outlook", "Outlook 15 Profiles",
		"Main Profile", "Data", "Messages", "0T", "0B", "x.olk15Message"), []byte("olk"))
	write(t, p(r, "carol", "Library", "Group Containers", "UBF8T346G9.Office", "Outlook", "Outlook 15 Profiles",
		"Main Profile", "Data", "import.pst"), pstHeader)
	// A hard link to alice's OST: the same file, found once.
	if err := os.Link(p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "alice@corp.ost"),
		p(r, "carol", "Documents", "hardlink.ost")); err != nil {
		t.Fatal(err)
	}

	// dave: a Windows profile copied to a case-sensitive file system, lower case.
	write(t, p(r, "dave", "documents", "OUTLOOK FILES", "dave.pst"), pstHeader)
	write(t, p(r, "dave", "appdata", "local", "microsoft", "outlook", "dave.ost"), pstHeader)

	// erin: Documents in OneDrive, and an Outlook folder that is a link
	// to a folder outside the profiles root.
	write(t, p(r, "erin", "OneDrive - Contoso", "Documents", "Outlook Files", "erin.pst"), pstHeader)
	write(t, p(tr.outside, "outlook", "erin.ost"), pstHeader)
	tr.links = symlink(t, p(tr.outside, "outlook"), p(r, "erin", "AppData", "Local", "Microsoft", "Outlook")) && tr.links

	// Not users.
	write(t, p(r, "Public", "Documents", "Outlook Files", "stray.pst"), pstHeader)
	write(t, p(r, "Default", "AppData", "Local", "Microsoft", "Outlook", "default.ost"), pstHeader)
	write(t, p(r, "desktop.ini"), []byte("[.ShellClassInfo]\n"))

	// An unreadable folder inside an Outlook location.
	locked := p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "locked")
	write(t, p(locked, "hidden.ost"), pstHeader)
	if runtime.GOOS != "windows" && os.Geteuid() != 0 {
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(locked, 0o755) })
		tr.unreadable = locked
	}
	return tr
}

// profileWant is what Profiles mode must find in buildTree's tree.
func profileWant(tr tree, backups bool) map[string]want {
	r := tr.root
	m := map[string]want{
		p(r, "alice", "Documents", "Outlook Files", "archive.pst"):                  {"alice", LocationOutlookFiles},
		p(r, "alice", "Documents", "Outlook Files", "fake.pst"):                     {"alice", LocationOutlookFiles},
		p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "alice@corp.ost"): {"alice", LocationLocalAppData},
		p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "empty.ost"):      {"alice", LocationLocalAppData},

		p(r, "bob", "AppData", "Roaming", "Microsoft", "Outlook", "old.PST"):                     {"bob", LocationRoamingAppData},
		p(r, "bob", "Local Settings", "Application Data", "Microsoft", "Outlook", "outlook.pst"): {"bob", LocationXPLocalSettings},

		p(r, "carol", "Documents", "mail export.pst"):          {"carol", LocationDocuments},
		p(r, "carol", "Documents", "a", "b", "c", "three.pst"): {"carol", LocationDocuments},
		p(r, "carol", "Library", "Group Containers", "UBF8T346G9.Office", "Outlook", "Outlook 15 Profiles",
			"Main Profile", "Data", "import.pst"): {"carol", LocationMacProfiles},

		p(r, "dave", "documents", "OUTLOOK FILES", "dave.pst"):               {"dave", LocationOutlookFiles},
		p(r, "dave", "appdata", "local", "microsoft", "outlook", "dave.ost"): {"dave", LocationLocalAppData},

		p(r, "erin", "OneDrive - Contoso", "Documents", "Outlook Files", "erin.pst"): {"erin", LocationOneDriveOutlookFiles},
	}
	if tr.links {
		m[p(r, "erin", "AppData", "Local", "Microsoft", "Outlook", "erin.ost")] = want{"erin", LocationLocalAppData}
	}
	if tr.unreadable == "" {
		m[p(r, "alice", "AppData", "Local", "Microsoft", "Outlook", "locked", "hidden.ost")] = want{"alice", LocationLocalAppData}
	}
	if backups {
		m[p(r, "alice", "Documents", "Outlook Files", "archive.bak")] = want{"alice", LocationOutlookFiles}
	}
	return m
}

// wholeWant is what searching tr.root whole must find.
func wholeWant(tr tree, backups bool) map[string]want {
	m := map[string]want{}
	for k := range profileWant(tr, backups) {
		m[k] = want{}
	}
	r := tr.root
	for _, k := range []string{
		p(r, "alice", "Downloads", "x.pst"),
		p(r, "alice", "AppData", "Local", "Temp", "t.ost"),
		p(r, "carol", "Documents", "a", "b", "c", "d", "four.pst"),
		p(r, "Public", "Documents", "Outlook Files", "stray.pst"),
		p(r, "Default", "AppData", "Local", "Microsoft", "Outlook", "default.ost"),
	} {
		m[k] = want{}
	}
	return m
}

// check asserts that got is exactly want, each file once, sorted, with the
// right sizes, profiles and locations.
func check(t *testing.T, got []Candidate, wantM map[string]want) {
	t.Helper()
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Path < got[j].Path }) {
		t.Errorf("candidates not sorted by path")
	}
	wantByKey := map[string]want{}
	for path, w := range wantM {
		wantByKey[pathKey(path)] = w
	}
	seen := map[string]int{}
	for _, c := range got {
		seen[pathKey(c.Path)]++
		w, ok := wantByKey[pathKey(c.Path)]
		if !ok {
			t.Errorf("unexpected candidate %s (%s, %s)", c.Path, c.Profile, c.Location)
			continue
		}
		if c.Profile != w.profile || c.Location != w.location {
			t.Errorf("%s: profile %q location %q, want %q %q", c.Path, c.Profile, c.Location, w.profile, w.location)
		}
		fi, err := os.Stat(c.Path)
		if err != nil {
			t.Errorf("%s: %v", c.Path, err)
		} else if fi.Size() != c.Size {
			t.Errorf("%s: size %d, want %d", c.Path, c.Size, fi.Size())
		}
	}
	for path, n := range seen {
		if n != 1 {
			t.Errorf("%s found %d times", path, n)
		}
	}
	for path := range wantM {
		if seen[pathKey(path)] == 0 {
			t.Errorf("not found: %s", path)
		}
	}
}

// checkSameFiles asserts the hard link to alice's OST, and the symbolic
// link to her archive, are said to be the same files, checked at their
// first paths; it returns how many such problems there are.
func checkSameFiles(t *testing.T, tr tree, probs []Problem) int {
	t.Helper()
	same := map[string]string{p(tr.root, "carol", "Documents", "hardlink.ost"): p(tr.root, "alice", "AppData", "Local", "Microsoft", "Outlook", "alice@corp.ost")}
	if tr.links {
		same[p(tr.root, "bob", "Documents", "alias.pst")] = p(tr.root, "alice", "Documents", "Outlook Files", "archive.pst")
	}
	for link, first := range same {
		if !slices.ContainsFunc(probs, func(pr Problem) bool {
			return pr.Path == link && pr.Kind == KindSameFile && strings.Contains(pr.Err.Error(), first)
		}) {
			t.Errorf("%s is not said to be the same file as %s: %v", link, first, probs)
		}
	}
	return len(same)
}

func hasProblem(probs []Problem, path, kind string) bool {
	for _, pr := range probs {
		if pr.Path == path && pr.Kind == kind {
			return true
		}
	}
	return false
}

// checkProblems asserts the loop, the unreadable folder and the files
// reached again by links (said, not passed over in silence) are reported,
// and nothing else.
func checkProblems(t *testing.T, tr tree, probs []Problem, loop string) {
	t.Helper()
	wantN := checkSameFiles(t, tr, probs)
	if tr.links {
		wantN++
		if !hasProblem(probs, loop, KindLoop) {
			t.Errorf("no loop problem for %s in %v", loop, probs)
		}
	}
	for _, pr := range probs {
		if pr.Kind == KindLoop && !errors.Is(pr.Err, ErrLoop) {
			t.Errorf("loop problem %v does not wrap ErrLoop", pr)
		}
	}
	if tr.unreadable != "" {
		wantN++
		if !hasProblem(probs, tr.unreadable, KindUnreadable) {
			t.Errorf("no unreadable problem for %s in %v", tr.unreadable, probs)
		}
	}
	if len(probs) != wantN {
		t.Errorf("%d problems, want %d: %v", len(probs), wantN, probs)
	}
}

func TestProfiles(t *testing.T) {
	tr := buildTree(t)
	for _, backups := range []bool{false, true} {
		opts := Options{Profiles: true, FollowSymlinks: true, IncludeBackups: backups}
		got, probs := Find(context.Background(), []string{tr.root}, opts)
		check(t, got, profileWant(tr, backups))
		checkProblems(t, tr, probs, p(tr.root, "alice", "Documents", "Outlook Files", "dir", "loop"))

		again, probs2 := Find(context.Background(), []string{tr.root}, opts)
		if !reflect.DeepEqual(got, again) || !reflect.DeepEqual(probs, probs2) {
			t.Errorf("second run differs:\n%v\n%v", got, again)
		}
	}
}

func TestWholeRoot(t *testing.T) {
	tr := buildTree(t)
	opts := Options{FollowSymlinks: true}
	got, probs := Find(context.Background(), []string{tr.root}, opts)
	wantM := wholeWant(tr, false)
	// Searched whole, the link erin's Outlook folder is found through.
	if tr.links {
		wantM[p(tr.root, "erin", "AppData", "Local", "Microsoft", "Outlook", "erin.ost")] = want{}
	}
	check(t, got, wantM)
	checkProblems(t, tr, probs, p(tr.root, "alice", "Documents", "Outlook Files", "dir", "loop"))

	// Without following links: erin's OST is out of reach, and there is no loop.
	got, probs = Find(context.Background(), []string{tr.root}, Options{})
	delete(wantM, p(tr.root, "erin", "AppData", "Local", "Microsoft", "Outlook", "erin.ost"))
	check(t, got, wantM)
	checkSameFiles(t, tr, probs)
	for _, pr := range probs {
		if pr.Kind != KindSameFile && (pr.Kind != KindUnreadable || pr.Path != tr.unreadable) {
			t.Errorf("unexpected problem %v", pr)
		}
	}
}

func TestProfilesNoFollow(t *testing.T) {
	tr := buildTree(t)
	got, _ := Find(context.Background(), []string{tr.root}, Options{Profiles: true})
	wantM := profileWant(tr, false)
	delete(wantM, p(tr.root, "erin", "AppData", "Local", "Microsoft", "Outlook", "erin.ost"))
	check(t, got, wantM)
}

// A link out of the searched tree is followed, and the file is found at
// the path through the link.
func TestLinkedFolderPath(t *testing.T) {
	tr := buildTree(t)
	if !tr.links {
		testkit.SkipWithoutSymlinks(t)
	}
	got, _ := Find(context.Background(), []string{p(tr.root, "erin")}, Options{FollowSymlinks: true})
	var paths []string
	for _, c := range got {
		paths = append(paths, c.Path)
	}
	wantPaths := []string{
		p(tr.root, "erin", "AppData", "Local", "Microsoft", "Outlook", "erin.ost"),
		p(tr.root, "erin", "OneDrive - Contoso", "Documents", "Outlook Files", "erin.pst"),
	}
	if !reflect.DeepEqual(paths, wantPaths) {
		t.Errorf("got %v, want %v", paths, wantPaths)
	}
}

// A file reachable both through a link and directly is returned at its
// link-free path, even when the link sorts first.
func TestPrefersLinkFreePath(t *testing.T) {
	base := t.TempDir()
	write(t, p(base, "z-real", "a.pst"), pstHeader)
	needSymlink(t, "z-real", p(base, "a-link"))
	got, probs := Find(context.Background(), []string{base}, Options{FollowSymlinks: true})
	if len(got) != 1 || got[0].Path != p(base, "z-real", "a.pst") || len(probs) != 0 {
		t.Errorf("got %v %v", got, probs)
	}
}

func TestRootIsFile(t *testing.T) {
	dir := t.TempDir()
	f := p(dir, "notes.txt") // any name: the user named it
	write(t, f, pstHeader)
	for _, profiles := range []bool{false, true} {
		got, probs := Find(context.Background(), []string{f}, Options{Profiles: profiles})
		if len(probs) != 0 || len(got) != 1 || got[0].Path != f || got[0].Size != int64(len(pstHeader)) ||
			got[0].Profile != "" || got[0].Location != "" {
			t.Errorf("profiles=%v: got %v %v", profiles, got, probs)
		}
	}
}

func TestRelativeRoot(t *testing.T) {
	dir := t.TempDir()
	write(t, p(dir, "sub", "a.pst"), pstHeader)
	t.Chdir(dir)
	got, _ := Find(context.Background(), []string{"sub"}, Options{})
	if len(got) != 1 || got[0].Path != p(dir, "sub", "a.pst") {
		t.Errorf("got %v", got)
	}
}

func TestMissingRoot(t *testing.T) {
	dir := t.TempDir()
	missing := p(dir, "nope.pst")
	for _, profiles := range []bool{false, true} {
		got, probs := Find(context.Background(), []string{missing, p(dir, "nowhere")}, Options{Profiles: profiles})
		if len(got) != 0 || len(probs) != 2 ||
			!hasProblem(probs, missing, KindMissing) || !hasProblem(probs, p(dir, "nowhere"), KindMissing) {
			t.Errorf("got %v %v", got, probs)
		}
		for _, pr := range probs {
			if !errors.Is(pr.Err, fs.ErrNotExist) {
				t.Errorf("%v: error does not wrap fs.ErrNotExist", pr)
			}
		}
	}
}

func TestOverlappingRoots(t *testing.T) {
	tr := buildTree(t)
	archive := p(tr.root, "alice", "Documents", "Outlook Files", "archive.pst")
	roots := []string{
		p(tr.root, "alice", "Documents"),
		tr.root,
		archive,
		p(tr.root, "alice") + string(filepath.Separator) + ".", // same folder, spelt differently
	}
	got, _ := Find(context.Background(), roots, Options{FollowSymlinks: true})
	n := 0
	for _, c := range got {
		if c.Path == archive {
			n++
		}
	}
	if n != 1 {
		t.Errorf("archive.pst found %d times", n)
	}
	wantM := wholeWant(tr, false)
	if tr.links {
		wantM[p(tr.root, "erin", "AppData", "Local", "Microsoft", "Outlook", "erin.ost")] = want{}
	}
	check(t, got, wantM)

	// In Profiles mode too: the same profiles root twice.
	got, _ = Find(context.Background(), []string{tr.root, tr.root}, Options{Profiles: true, FollowSymlinks: true})
	check(t, got, profileWant(tr, false))
}

// Directories that cannot be listed are problems, and the rest of the
// search goes on. Injected, so that it is tested when running as root too.
func TestUnreadableInjected(t *testing.T) {
	tr := buildTree(t)
	denied := map[string]bool{
		p(tr.root, "bob"): true, // in Profiles mode, bob's whole profile
		p(tr.root, "alice", "Documents", "Outlook Files"): true,
	}
	ops := osOps
	ops.readDir = func(name string) ([]fs.DirEntry, error) {
		if denied[name] {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		}
		return os.ReadDir(name)
	}
	ops.lstat = func(name string) (fs.FileInfo, error) {
		if denied[filepath.Dir(name)] {
			return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrPermission}
		}
		return os.Lstat(name)
	}
	got, probs := find(context.Background(), []string{tr.root}, Options{Profiles: true, FollowSymlinks: true}, ops)
	wantM := profileWant(tr, false)
	for k := range wantM {
		if strings.HasPrefix(k, p(tr.root, "bob")+string(filepath.Separator)) ||
			strings.HasPrefix(k, p(tr.root, "alice", "Documents", "Outlook Files")+string(filepath.Separator)) {
			delete(wantM, k)
		}
	}
	check(t, got, wantM)
	for path := range denied {
		if !hasProblem(probs, path, KindUnreadable) {
			t.Errorf("no unreadable problem for %s in %v", path, probs)
		}
	}
	for _, pr := range probs {
		if pr.Kind == KindUnreadable && !errors.Is(pr.Err, fs.ErrPermission) && pr.Path != tr.unreadable {
			t.Errorf("problem %v does not wrap fs.ErrPermission", pr)
		}
	}
}

func TestCanceled(t *testing.T) {
	tr := buildTree(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, probs := Find(ctx, []string{tr.root}, Options{FollowSymlinks: true})
	if len(got) != 0 || len(probs) != 1 || probs[0].Kind != KindCanceled || !errors.Is(probs[0].Err, context.Canceled) {
		t.Errorf("got %v %v", got, probs)
	}

	// Canceled midway: stops, returns what it has.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	ops := osOps
	ops.readDir = func(name string) ([]fs.DirEntry, error) {
		if calls++; calls == 3 {
			cancel()
		}
		return os.ReadDir(name)
	}
	_, probs = find(ctx, []string{tr.root}, Options{FollowSymlinks: true}, ops)
	if !hasProblem(probs, tr.root, KindCanceled) {
		t.Errorf("no canceled problem: %v", probs)
	}
	if calls > 4 {
		t.Errorf("%d folders listed after cancel", calls-3)
	}
}

// A link to a folder the search is inside, met while resolving a profile
// location (Documents -> the profile itself), is a loop, not a search of
// the whole profile.
func TestLocationLoop(t *testing.T) {
	root := t.TempDir()
	write(t, p(root, "frank", "Downloads", "x.pst"), pstHeader)
	needSymlink(t, ".", p(root, "frank", "Documents"))
	got, probs := Find(context.Background(), []string{root}, Options{Profiles: true, FollowSymlinks: true})
	if len(got) != 0 {
		t.Errorf("got %v", got)
	}
	if !hasProblem(probs, p(root, "frank", "Documents"), KindLoop) {
		t.Errorf("problems: %v", probs)
	}
}

func TestIsDataFileName(t *testing.T) {
	for _, c := range []struct {
		name             string
		plain, withBacks bool
	}{
		{"a.pst", true, true}, {"A.PST", true, true}, {"x.Ost", true, true},
		{`C:\x\archive.pst`, true, true}, {".pst", true, true},
		{"a.bak", false, true}, {"Outlook.BAK", false, true},
		{"a.pst.txt", false, false}, {"apst", false, false}, {"pst", false, false},
		{"a.olm", false, false}, {"a.nst", false, false}, {"", false, false},
	} {
		if got := IsDataFileName(c.name, false); got != c.plain {
			t.Errorf("IsDataFileName(%q, false) = %v", c.name, got)
		}
		if got := IsDataFileName(c.name, true); got != c.withBacks {
			t.Errorf("IsDataFileName(%q, true) = %v", c.name, got)
		}
	}
}

func TestDefaultProfilesRoot(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		goos string
		env  map[string]string
		want string
	}{
		{"windows", nil, `C:\Users`},
		{"windows", map[string]string{"SystemDrive": "D:"}, `D:\Users`},
		{"windows", map[string]string{"SystemDrive": "bogus"}, `C:\Users`},
		{"darwin", nil, "/Users"},
		{"linux", nil, "/home"},
		{"freebsd", nil, "/home"},
	} {
		if got := defaultProfilesRoot(c.goos, env(c.env)); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.goos, c.env, got, c.want)
		}
	}
	if DefaultProfilesRoot() == "" {
		t.Error("empty DefaultProfilesRoot")
	}
}

func TestNoRoots(t *testing.T) {
	got, probs := Find(context.Background(), nil, Options{})
	if got != nil || probs != nil {
		t.Errorf("got %v %v", got, probs)
	}
}

func TestProfileNames(t *testing.T) {
	for name, want := range map[string]bool{
		"alice": true, "Administrator": true, "Guest": true,
		"Public": false, "PUBLIC": false, "Default": false, "Default User": false, "All Users": false,
		"desktop.ini": false, "Shared": false, ".localized": false, "lost+found": false, "": false,
	} {
		if got := isProfileName(name); got != want {
			t.Errorf("isProfileName(%q) = %v", name, got)
		}
	}
}
