package readers

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Readpst runs "readpst -D -r -j 0" (libpst) into dir and counts each
// folder's messages in the mbox file it writes for it: one "From " line
// per message (readpst quotes a body line that starts so as ">From ").
// With -r every folder it reaches is a directory holding an mbox, empty
// ones too, so the tree needs no guessing. readpst walks only the IPM
// subtree and names its directory after the store: ipm is that folder's
// path as pstcheck shows it ("Top of Personal Folders"). Folder names
// keep readpst's sanitising ('/', '\\' and ':' become '_').
func Readpst(ctx context.Context, path, dir, ipm string) Counts {
	c := Counts{Reader: "readpst", Folders: map[string]int{}}
	if !installed("readpst") {
		c.Absent = true
		return c
	}
	if _, errOut, err := runTool(ctx, "readpst", "-D", "-r", "-j", "0", "-o", dir, path); err != nil {
		c.Err = fmt.Errorf("readpst: %v: %s", err, bytes.TrimSpace(errOut))
		return c
	}
	tops, err := os.ReadDir(dir)
	if err != nil {
		c.Err = err
		return c
	}
	if len(tops) != 1 || !tops[0].IsDir() {
		c.Err = fmt.Errorf("readpst wrote %d entries at the top, want one folder", len(tops))
		return c
	}
	top := filepath.Join(dir, tops[0].Name())
	c.Err = filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(top, p)
		folder := ipm
		if rel != "." {
			folder = join(ipm, filepath.ToSlash(rel))
		}
		n, err := countMbox(filepath.Join(p, "mbox"))
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		c.Folders[folder] = n
		return nil
	})
	return c
}

// countMbox counts the messages of an mbox file: its "From " lines.
func countMbox(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	n := 0
	start := true
	for {
		line, err := r.ReadSlice('\n')
		if start && bytes.HasPrefix(line, []byte("From ")) {
			n++
		}
		// A line longer than the buffer arrives in pieces: only the first
		// piece starts a line.
		start = err != bufio.ErrBufferFull
		if err != nil && err != bufio.ErrBufferFull {
			break
		}
	}
	return n, nil
}
