package readers

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// pffexport names an item's directory by its kind and number (Message00001,
// Contact00001, ...); everything else under a folder's directory is a
// subfolder.
var pffItemDir = regexp.MustCompile(`^(Message|Contact|Appointment|Task|Note|Meeting|Activity|DistributionList|Document|RSSFeed|Item)\d{5}$`)

// Pffexport runs "pffexport -m items" (libpff) into dir and counts the
// item directories under each folder's directory. The export tree mirrors
// the folder tree from the root folder; embedded messages (under an
// item's Attachments) are not counted.
func Pffexport(ctx context.Context, path, dir string) Counts {
	c := Counts{Reader: "pffexport", Folders: map[string]int{}}
	if !installed("pffexport") {
		c.Absent = true
		return c
	}
	target := filepath.Join(dir, "x")
	if _, errOut, err := runTool(ctx, "pffexport", "-m", "items", "-q", "-t", target, path); err != nil {
		c.Err = fmt.Errorf("pffexport: %v: %s", err, bytes.TrimSpace(errOut))
		return c
	}
	var walk func(d, folder string) error
	walk = func(d, folder string) error {
		ents, err := os.ReadDir(d)
		if err != nil {
			return err
		}
		n := 0
		for _, e := range ents {
			switch {
			case !e.IsDir():
			case pffItemDir.MatchString(e.Name()):
				n++
			default:
				if err := walk(filepath.Join(d, e.Name()), join(folder, e.Name())); err != nil {
					return err
				}
			}
		}
		c.Folders[folder] = n
		return nil
	}
	c.Err = walk(target+".export", "(root)")
	return c
}

// Pffinfo runs pffinfo (libpff) over the file: it must open it and print
// no error.
func Pffinfo(ctx context.Context, path string) Counts {
	c := Counts{Reader: "pffinfo"}
	if !installed("pffinfo") {
		c.Absent = true
		return c
	}
	out, errOut, err := runTool(ctx, "pffinfo", path)
	switch {
	case err != nil:
		c.Err = fmt.Errorf("pffinfo: %v: %s", err, bytes.TrimSpace(errOut))
	case bytes.Contains(bytes.ToLower(append(out, errOut...)), []byte("error")),
		bytes.Contains(out, []byte("Unable")):
		c.Err = fmt.Errorf("pffinfo reports a problem: %s", bytes.TrimSpace(append(out, errOut...)))
	default:
		c.Note = "opened"
	}
	return c
}
