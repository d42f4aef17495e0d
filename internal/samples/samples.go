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

var (
	once   sync.Once
	goPst  string
	corpus string
)

func locate() {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/mooijtech/go-pst/v6").Output()
	if err == nil {
		goPst = filepath.Join(strings.TrimSpace(string(out)), "data")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
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
