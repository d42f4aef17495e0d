package readers

import (
	"context"
	"fmt"

	"github.com/pstcheck/pstcheck/internal/gopst"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Pstcheck scans the file with the engine: its folders' item counts, and
// in Note its error and warning findings. A file it does not find healthy,
// or with any error or warning finding, is an error, except the store
// layer's: a generated archive may be meant to be past Outlook's size or
// folder guidance (a folder of 240,000 items), which says nothing of how
// well it was written or read.
func Pstcheck(ctx context.Context, path string) (Counts, *pstcheck.Report) {
	c := Counts{Reader: "pstcheck", Folders: map[string]int{}}
	rep := pstcheck.ScanFile(ctx, path, pstcheck.Options{})
	for _, f := range rep.Folders {
		c.Folders[f.Path] = f.Items
	}
	errs, warns, shape := rep.Count(finding.SeverityError), rep.Count(finding.SeverityWarning), 0
	for _, f := range rep.Findings {
		if f.Layer() == finding.LayerStore && f.Severity() == finding.SeverityWarning {
			shape++
		}
	}
	warns -= shape
	c.Note = fmt.Sprintf("%s, %d errors, %d warnings", rep.Verdict, errs, warns)
	if shape > 0 {
		c.Note += fmt.Sprintf(" (and %d past Outlook's guidance)", shape)
	}
	if rep.Verdict != pstcheck.Healthy || errs > 0 || warns > 0 {
		c.Err = fmt.Errorf("pstcheck: %s", c.Note)
	}
	return c, rep
}

// GoPst walks the folder tree with go-pst (through internal/gopst, which
// first makes sure go-pst may read the file at all).
func GoPst(ctx context.Context, path string) Counts {
	c := Counts{Reader: "go-pst", Folders: map[string]int{}}
	_, _, ok, why := gopst.Assess(ctx, path)
	if !ok {
		c.Err = fmt.Errorf("go-pst may not read this file: %s", why)
		return c
	}
	folders, err := gopst.Folders(ctx, path)
	if err != nil {
		c.Err = err
		return c
	}
	for _, f := range folders {
		c.Folders[f.Path] = f.Items
	}
	return c
}
