// Package samples locates the real PST/OST files the tests run on: the
// three that ship inside the go-pst module and, when present, the shared
// corpus beside the repository.
package samples

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// goPstModule is the module whose data folder holds the sample files.
const goPstModule = "github.com/mooijtech/go-pst/v6"

var (
	once   sync.Once
	goPst  string
	corpus string
)

func locate() {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", goPstModule).Output()
	if err == nil {
		goPst = filepath.Join(strings.TrimSpace(string(out)), "data")
	} else {
		goPst = moduleCacheDir(root)
	}
	for _, c := range []string{os.Getenv("PSTCHECK_CORPUS"), filepath.Join(root, "..", "shared", "corpus")} {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			corpus, _ = filepath.Abs(c)
			break
		}
	}
}

// moduleCacheDir is where go-pst's data folder is in the module cache, for
// a test binary that cannot run the go command: a Windows build run under
// Wine (see docs/windows.md). The version is the one root's go.mod
// requires; the cache is GOMODCACHE, or the go command's default below
// GOPATH or the home folder. Wine passes no HOME, so scripts/wine-setup's
// wrapper sets GOMODCACHE; a Linux path such as /root/go/pkg/mod names the
// same folder on Wine's Z: drive. "" when unknown.
func moduleCacheDir(root string) string {
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return ""
	}
	version := ""
	for _, line := range strings.Split(string(mod), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == goPstModule {
			version = f[1]
		}
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		gopath := filepath.SplitList(os.Getenv("GOPATH"))
		if len(gopath) > 0 && gopath[0] != "" {
			cache = filepath.Join(gopath[0], "pkg", "mod")
		} else if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, "go", "pkg", "mod")
		}
	}
	if version == "" || cache == "" {
		return ""
	}
	// The module path has no upper-case letters, which the cache would
	// spell as "!" and the lower-case letter. Absolute, as the go command
	// gives it: /root/go/... becomes Z:\root\go\... under Wine.
	dir := filepath.Join(cache, filepath.FromSlash(goPstModule)+"@"+version, "data")
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// GoPst returns the path of one of go-pst's sample files (enron.pst,
// support.pst, 32-bit.pst), or "" when the module is not downloaded.
func GoPst(name string) string {
	once.Do(locate)
	if goPst == "" {
		return ""
	}
	p := filepath.Join(goPst, name)
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// GoPstAll returns go-pst's three sample PSTs that exist.
func GoPstAll() []string {
	var out []string
	for _, n := range []string{"enron.pst", "support.pst", "32-bit.pst"} {
		if p := GoPst(n); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Corpus returns the shared corpus directory, or "" when absent.
func Corpus() string {
	once.Do(locate)
	return corpus
}

// CorpusFiles returns the corpus's PST/OST files (not SOURCES.md, and not
// the known-damaged fragment unless damaged is true).
func CorpusFiles(damaged bool) []string {
	dir := Corpus()
	if dir == "" {
		return nil
	}
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		n := e.Name()
		lower := strings.ToLower(n)
		if strings.HasSuffix(lower, ".md") {
			continue
		}
		isDamaged := strings.HasSuffix(lower, ".bin")
		if isDamaged != damaged {
			continue
		}
		out = append(out, filepath.Join(dir, n))
	}
	sort.Strings(out)
	return out
}

// The corpus files the damage tests take beside go-pst's samples: OSTs
// with 512-byte and 4 KiB pages, and a PST with calendar and contacts.
var DamageCorpus = []string{"aspose-email-dotnet__SampleOstFile.ost", "aspose-email-dotnet__Outlook.pst", "npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"}

// CorpusNamed returns the paths of the corpus files named that exist.
func CorpusNamed(names ...string) []string {
	dir := Corpus()
	if dir == "" {
		return nil
	}
	var out []string
	for _, n := range names {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	return out
}
