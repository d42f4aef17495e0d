// Command checkpstgen generates archives with pstgen in several seeds and
// shapes, from 1 MB to past the first FPMap (0x7C004800, about 1.94 GB),
// and has every independent reader check each one (internal/readers):
// pstcheck (no error, no warning), go-pst, readpst, pffexport and pffinfo
// must each find exactly the messages pstgen wrote, folder by folder. It
// prints a table with pstgen's speed and peak memory. scripts/check-pstgen
// runs it. "MB/s" is pstgen's write speed, "disk" its speed until the
// file is synced to disk.
//
//	checkpstgen --pstgen BIN [--dir DIR] [--quick] [--keep]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pstcheck/pstcheck/internal/readers"
	"github.com/pstcheck/pstcheck/internal/synth"
)

// A case is one pstgen run.
type shapeCase struct {
	name  string
	quick bool // part of --quick
	args  []string
}

var cases = []shapeCase{
	{"1 MB, default mix", true, []string{"--size", "1MB", "--seed", "1", "--folders", "4", "--depth", "2", "--attach-max", "64KiB"}},
	{"20 MB, deep tree", true, []string{"--size", "20MB", "--seed", "2", "--folders", "40", "--depth", "5", "--attach-every", "3", "--embed-every", "7"}},
	{"40k small messages", false, []string{"--messages", "40000", "--seed", "3", "--folders", "3", "--depth", "1", "--body-min", "50", "--body-max", "400", "--attach-every", "0", "--embed-every", "0"}},
	{"1 GB, attachment-heavy", false, []string{"--size", "1GB", "--seed", "4", "--folders", "20", "--attach-every", "2", "--attach-min", "100KiB", "--attach-max", "6MiB"}},
	{"2.2 GB, past the first FPMap", false, []string{"--size", "2.2GB", "--seed", "5", "--folders", "60", "--depth", "4"}},
}

var written = regexp.MustCompile(`written in ([0-9.]+) s: ([0-9.]+) MB/s, on disk in ([0-9.]+) s: ([0-9.]+) MB/s, peak RSS ([0-9.]+) MB`)

func main() {
	pstgen := flag.String("pstgen", "", "the pstgen binary to run (required)")
	dir := flag.String("dir", os.TempDir(), "where archives and reader output go")
	quick := flag.Bool("quick", false, "only the small shapes")
	keep := flag.Bool("keep", false, "keep the archives")
	flag.Parse()
	if *pstgen == "" {
		fmt.Fprintln(os.Stderr, "checkpstgen: --pstgen BIN is required")
		os.Exit(2)
	}
	work, err := os.MkdirTemp(*dir, "check-pstgen-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkpstgen:", err)
		os.Exit(2)
	}
	if !*keep {
		defer os.RemoveAll(work)
	}
	fmt.Printf("%-30s %9s %7s %8s %7s %7s %7s | %-16s %-12s %-12s %-12s %-9s\n",
		"archive", "size MB", "folders", "messages", "MB/s", "disk", "RSS MB", "pstcheck", "go-pst", "readpst", "pffexport", "pffinfo")
	failed := false
	for i, c := range cases {
		if *quick && !c.quick {
			continue
		}
		ok, err := runCase(work, i, c, *pstgen, *keep)
		if err != nil {
			fmt.Fprintf(os.Stderr, "checkpstgen: %s: %v\n", c.name, err)
			failed = true
			continue
		}
		failed = failed || !ok
	}
	if failed {
		os.Exit(1)
	}
}

func runCase(work string, i int, c shapeCase, pstgen string, keep bool) (bool, error) {
	file := filepath.Join(work, fmt.Sprintf("case%d.pst", i+1))
	manifest := file + ".json"
	args := append([]string{"-o", file, "--manifest", manifest, "--force"}, c.args...)
	out, err := exec.Command(pstgen, args...).CombinedOutput()
	if err != nil {
		return false, fmt.Errorf("pstgen: %v: %s", err, out)
	}
	m := written.FindSubmatch(out)
	if m == nil {
		return false, fmt.Errorf("pstgen printed no speed: %s", out)
	}
	rate, _ := strconv.ParseFloat(string(m[2]), 64)
	disk, _ := strconv.ParseFloat(string(m[4]), 64)
	rss, _ := strconv.ParseFloat(string(m[5]), 64)
	b, err := os.ReadFile(manifest)
	if err != nil {
		return false, err
	}
	var gen synth.Result
	if err := json.Unmarshal(b, &gen); err != nil {
		return false, err
	}
	want := map[string]int{}
	for _, f := range gen.Folders {
		want[f.Path] = f.Messages
	}
	st, err := os.Stat(file)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	res, err := readers.Check(ctx, file, want, "Top of Personal Folders", work)
	if err != nil {
		return false, err
	}
	if !keep {
		os.Remove(file)
		os.Remove(manifest)
	}
	cell := func(r string) string { return strings.ReplaceAll(res.Cell(r), " ok", " \u2713") }
	fmt.Printf("%-30s %9.1f %7d %8d %7.0f %7.0f %7.1f | %-16s %-12s %-12s %-12s %-9s\n",
		c.name, float64(st.Size())/1e6, len(gen.Folders), gen.Messages, rate, disk, rss,
		cell("pstcheck"), cell("go-pst"), cell("readpst"), cell("pffexport"), cell("pffinfo"))
	res.WriteProblems(os.Stdout)
	return res.OK(), nil
}
