package readers

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Result is one file checked by every reader.
type Result struct {
	File    string
	Readers []Counts // pstcheck, go-pst, readpst, pffexport, pffinfo
	// Problems lists, per reader, what it got wrong ("" when nothing).
	Problems map[string][]string
}

// OK says whether every reader that ran read the file and found exactly
// the messages wanted.
func (r *Result) OK() bool {
	for _, p := range r.Problems {
		if len(p) > 0 {
			return false
		}
	}
	return true
}

// Check runs every reader over path and compares the messages each finds
// per folder with want (folder path -> messages). ipm is the path of the
// store's IPM subtree (readpst sees only what is under it). Readers that
// write their output do so under a temporary directory of tmp, removed
// before Check returns.
func Check(ctx context.Context, path string, want map[string]int, ipm, tmp string) (*Result, error) {
	work, err := os.MkdirTemp(tmp, "readers-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	res := &Result{File: path, Problems: map[string][]string{}}
	pc, _ := Pstcheck(ctx, path)
	res.Readers = append(res.Readers, pc, GoPst(ctx, path))
	for i, run := range []func(dir string) Counts{
		func(dir string) Counts { return Readpst(ctx, path, dir, ipm) },
		func(dir string) Counts { return Pffexport(ctx, path, dir) },
	} {
		dir := filepath.Join(work, fmt.Sprint(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		res.Readers = append(res.Readers, run(dir))
		os.RemoveAll(dir) // exports of large archives are large
	}
	res.Readers = append(res.Readers, Pffinfo(ctx, path))
	for _, c := range res.Readers {
		var p []string
		switch {
		case c.Absent:
		case c.Err != nil:
			p = []string{c.Err.Error()}
		case c.Folders != nil:
			w := want
			if c.Reader == "readpst" {
				w = under(want, ipm)
			}
			p = c.Differences(w, 5)
		}
		res.Problems[c.Reader] = p
	}
	return res, nil
}

// under keeps the folders at or below path.
func under(want map[string]int, path string) map[string]int {
	out := map[string]int{}
	for p, n := range want {
		if p == path || strings.HasPrefix(p, path+"/") {
			out[p] = n
		}
	}
	return out
}

// Cell is how a reader's outcome reads in a table: its total, "ok" or
// "DIFFERS"; "absent" when not installed.
func (r *Result) Cell(reader string) string {
	for _, c := range r.Readers {
		if c.Reader != reader {
			continue
		}
		switch {
		case c.Absent:
			return "absent"
		case len(r.Problems[reader]) > 0:
			return "DIFFERS"
		case c.Folders == nil:
			return "ok"
		}
		return fmt.Sprintf("%d ok", c.Total())
	}
	return "-"
}

// WriteProblems prints what each reader got wrong.
func (r *Result) WriteProblems(w io.Writer) {
	for _, c := range r.Readers {
		for _, p := range r.Problems[c.Reader] {
			fmt.Fprintf(w, "  %s: %s: %s\n", filepath.Base(r.File), c.Reader, p)
		}
	}
}
