// Package readers runs independent PST readers over a file and reports
// how many messages each finds in each folder, so that what pstwrite
// writes can be checked by programs that share no code with it: libpff
// (pffinfo, pffexport -m items), libpst (readpst) and go-pst, besides
// pstcheck's own scan. Folder paths follow pstcheck's convention: the
// root folder is "(root)", its subfolders are named bare and deeper ones
// joined with "/" ("Top of Personal Folders/Inbox"); a "/" inside a name
// is shown as U+2215.
package readers

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// Counts is what one reader found.
type Counts struct {
	Reader string
	// Folders maps folder paths to their normal (non-FAI) messages.
	Folders map[string]int
	// Absent: the reader is not installed here.
	Absent bool
	// Err: the reader failed on the file.
	Err error
	// Note adds what a reader says beyond counts (pstcheck's findings).
	Note string
}

// Total is the number of messages in every folder.
func (c Counts) Total() int {
	n := 0
	for _, v := range c.Folders {
		n += v
	}
	return n
}

// Differences lists the folders whose count differs from want (a path's
// missing entry counts as 0), at most max of them, sorted.
func (c Counts) Differences(want map[string]int, max int) []string {
	var out []string
	seen := map[string]bool{}
	for p, n := range want {
		seen[p] = true
		if c.Folders[p] != n {
			out = append(out, fmt.Sprintf("%s: %d, want %d", p, c.Folders[p], n))
		}
	}
	for p, n := range c.Folders {
		if !seen[p] && n != 0 {
			out = append(out, fmt.Sprintf("%s: %d, want none", p, n))
		}
	}
	sort.Strings(out)
	if len(out) > max {
		out = append(out[:max], fmt.Sprintf("... %d more", len(out)-max))
	}
	return out
}

func join(parent, name string) string {
	if parent == "(root)" || parent == "" {
		return name
	}
	return parent + "/" + name
}

// installed says whether a command is on the PATH.
func installed(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// runTool runs a command and returns its stdout, stderr and error.
func runTool(ctx context.Context, name string, args ...string) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &errb
	err := cmd.Run()
	return []byte(out.String()), []byte(errb.String()), err
}
