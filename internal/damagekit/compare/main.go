// Command compare prints, for heavily damaged copies of sample files, how
// many messages pstcheck, readpst and pffexport save, against the oracle
// of damagekit: the messages whose blocks and own index entry survive.
// scripts/compare-damage builds pstcheck and runs it; the table in docs/heavy-damage.md
// comes from its output.
//
//	go run ./internal/damagekit/compare -pstcheck BIN [-case TEXT] [-missed] FILE...
//	go run ./internal/damagekit/compare -pstcheck BIN -clean FILE COPY...
//
// The second form compares copies of FILE damaged any other way (several
// kinds of damage at once, say), for which damagekit has no oracle: it
// counts the messages each copy's export writes unmarked that are not byte
// for byte (but for multipart boundaries) a message of FILE's export.
//
// -case runs only the cases whose name holds TEXT; -missed lists, after a
// case's row, each intact message pstcheck did not write whole, with what
// its export of the damaged copy says of it.
//
// pstcheck counts the messages it writes as healthy that are byte for byte
// what its export of the clean file writes (a message from the oracle's
// saveable set, or any other it proves intact; one recovered without its
// index entry, written without a NID, by its content). "intact" counts the
// messages whose blocks all survive, their index entry or not. readpst (-e -D -j 0) and
// pffexport (-m items) are counted by the messages they write, whatever
// those hold: they check no checksum, so what they write of a damaged
// message may be wrong; their count is an upper bound of what they save.
// "+ salvaged" counts the lost messages pstcheck export --include-damaged
// writes besides, marked, from the blocks that still hold them.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pstcheck/pstcheck/export"
	"github.com/pstcheck/pstcheck/internal/damagekit"
	"github.com/pstcheck/pstcheck/internal/pstmut"
)

func main() {
	bin := flag.String("pstcheck", "pstcheck", "the pstcheck binary")
	keep := flag.String("work", "", "work in this folder and keep it (default: a temporary folder, removed)")
	only := flag.String("case", "", "run only the cases whose name holds this text")
	missed := flag.Bool("missed", false, "list the intact messages pstcheck did not write whole")
	against := flag.String("clean", "", "compare the damaged copies given as arguments with this clean file instead")
	flag.Parse()
	work := *keep
	if work == "" {
		d, err := os.MkdirTemp("", "compare-damage")
		if err != nil {
			fatal(err)
		}
		defer os.RemoveAll(d)
		work = d
	}
	if *against != "" {
		compareCopies(*bin, *against, flag.Args(), work)
		return
	}
	_, errRP := exec.LookPath("readpst")
	_, errPFF := exec.LookPath("pffexport")
	fmt.Printf("| sample | damage | messages | intact | saveable | pstcheck | + salvaged | readpst | pffexport | pstcheck accounting | exit |\n")
	fmt.Printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|\n")
	var tot struct{ intact, saveable, ours, salvaged, rp, pff int }
	for _, src := range flag.Args() {
		f, err := pstmut.Load(src)
		if err != nil {
			fatal(err)
		}
		name := filepath.Base(src)
		clean := exportWith(*bin, src, filepath.Join(work, name, "clean"))
		for i, c := range damagekit.Cases(f) {
			if !strings.Contains(c.Name, *only) {
				continue
			}
			dir := filepath.Join(work, name, fmt.Sprintf("case%02d", i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				fatal(err)
			}
			damaged := c.Damage(f)
			p := filepath.Join(dir, "damaged"+filepath.Ext(src))
			if err := os.WriteFile(p, damaged, 0o644); err != nil {
				fatal(err)
			}
			fates := c.Oracle(f, damaged)
			got := exportWith(*bin, p, filepath.Join(dir, "pstcheck"))
			salvaged := exportWith(*bin, p, filepath.Join(dir, "pstcheck-salvage"), "--include-damaged").salvaged()
			whole := got.whole(clean)
			intact, saveable, ours := 0, 0, len(whole)
			for nid := range clean.items {
				if fate, ok := fates[nid]; ok && fate.Saveable() {
					saveable++
				}
				if fate, ok := fates[nid]; ok && fate.BlocksIntact {
					intact++
				}
			}
			rp, pff := "-", "-"
			if errRP == nil {
				n := readpst(p, filepath.Join(dir, "readpst"))
				rp, tot.rp = fmt.Sprint(n), tot.rp+n
			}
			if errPFF == nil {
				n := pffexport(p, filepath.Join(dir, "pffexport"))
				pff, tot.pff = fmt.Sprint(n), tot.pff+n
			}
			tot.intact += intact
			tot.saveable += saveable
			tot.ours += ours
			tot.salvaged += salvaged
			fmt.Printf("| %s | %s | %d | %d | %d | %d | %d | %s | %s | %s | %d |\n", name, c.Name, len(clean.items), intact, saveable, ours, salvaged, rp, pff, got.accounting(), got.status)
			if *missed {
				listMissed(clean, got, fates, whole)
			}
		}
	}
	fmt.Printf("| **all** | | | **%d** | **%d** | **%d** | **%d** | **%d** | **%d** | | |\n", tot.intact, tot.saveable, tot.ours, tot.salvaged, tot.rp, tot.pff)
}

// compareCopies prints, for copies of clean damaged in any way (no damagekit
// case, so no oracle), how many messages pstcheck writes unmarked, and how
// many of those are not byte for byte a message of clean: none should be.
func compareCopies(bin, clean string, copies []string, work string) {
	fmt.Printf("| copy | written unmarked | as in the clean file | not as in it | pstcheck accounting | exit |\n")
	fmt.Printf("|---|---:|---:|---:|---|---:|\n")
	want := exportWith(bin, clean, filepath.Join(work, "clean"))
	for i, p := range copies {
		got := exportWith(bin, p, filepath.Join(work, fmt.Sprintf("copy%03d", i)))
		written := len(got.sums) + len(got.unlinked)
		whole := len(got.whole(want))
		fmt.Printf("| %s | %d | %d | %d | %s | %d |\n", filepath.Base(p), written, whole, written-whole, got.accounting(), got.status)
	}
}

type run struct {
	status int
	man    export.Manifest
	items  map[uint32]export.ManifestItem
	// listed is every item the manifest names by its NID, written or not.
	listed map[uint32]export.ManifestItem
	// sums are the content sums (damagekit.ContentSum) of the messages
	// written unmarked, by NID; unlinked those of the ones written
	// without a NID (recovered without their index entry).
	sums     map[uint32]string
	unlinked []string
}

// whole returns the messages of clean that r writes unmarked, byte for
// byte (but for multipart boundaries) as clean writes them: by NID, and
// those written without one by their content.
func (r run) whole(clean run) map[uint32]bool {
	counted := map[uint32]bool{}
	for nid, sum := range clean.sums {
		if g, ok := r.sums[nid]; ok && g == sum {
			counted[nid] = true
		}
	}
	bySum := map[string][]uint32{}
	for nid, sum := range clean.sums {
		if !counted[nid] {
			bySum[sum] = append(bySum[sum], nid)
		}
	}
	for _, sum := range r.unlinked {
		if nids := bySum[sum]; len(nids) > 0 {
			bySum[sum] = nids[1:]
			counted[nids[0]] = true
		}
	}
	return counted
}

// listMissed prints each message of clean whose blocks all survive in the
// damaged copy (fates) that got does not write whole, with the state and
// problem got's manifest gives it (by its NID: none when it is not listed).
func listMissed(clean, got run, fates map[uint32]damagekit.Fate, whole map[uint32]bool) {
	var nids []uint32
	for nid := range clean.items {
		if fates[nid].BlocksIntact && !whole[nid] {
			nids = append(nids, nid)
		}
	}
	slices.Sort(nids)
	for _, nid := range nids {
		c := clean.items[nid]
		state, problem := "not listed", ""
		if it, ok := got.listed[nid]; ok {
			state = it.State
			if it.Problem != nil {
				problem = *it.Problem
			}
			if it.Path != nil && !it.Damaged {
				problem = "written, but not as the clean file's " + problem
			}
		}
		fmt.Printf("  - 0x%X %q in %q, entry intact %v: %s %s\n", nid, c.Subject, c.Folder, fates[nid].EntryIntact, state, problem)
	}
}

func (r run) accounting() string {
	a := r.man.Store
	if a == nil {
		return "-"
	}
	s := fmt.Sprintf("%d: %d readable, %d recovered, %d damaged, %d lost", a.Total, a.Readable, a.Recovered, a.Damaged, a.Lost)
	if !a.Complete {
		s = "≥" + s
	}
	return s
}

// salvaged counts the lost items written (--include-damaged): what was
// left of them.
func (r run) salvaged() int {
	n := 0
	for _, it := range r.man.Items {
		if it.State == export.StateLost && it.Path != nil {
			n++
		}
	}
	return n
}

func exportWith(bin, src, dir string, args ...string) run {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"export", src, "--to", dir, "--no-progress"}, args...)...)
	err := cmd.Run()
	r := run{items: map[uint32]export.ManifestItem{}, listed: map[uint32]export.ManifestItem{}, sums: map[uint32]string{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.status = ee.ExitCode()
	} else if err != nil {
		fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, export.ManifestName))
	if err != nil {
		return r // nothing could be read at all
	}
	if err := json.Unmarshal(b, &r.man); err != nil {
		fatal(err)
	}
	for _, it := range r.man.Items {
		if it.NID != 0 {
			r.listed[it.NID] = it
		}
		if it.Path == nil {
			continue
		}
		r.items[it.NID] = it
		if it.Damaged {
			continue
		}
		sum, err := damagekit.ContentSum(filepath.Join(dir, filepath.FromSlash(*it.Path)))
		switch {
		case err != nil:
		case it.NID == 0:
			r.unlinked = append(r.unlinked, sum)
		default:
			r.sums[it.NID] = sum
		}
	}
	return r
}

// readpst counts the messages readpst -e writes (one file each).
func readpst(src, dir string) int {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exec.CommandContext(ctx, "readpst", "-e", "-D", "-j", "0", "-o", dir, src).Run()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

// itemDir is a pffexport item directory (Message00001, Appointment00001,
// ...), not one inside another item (an attachment's embedded message).
var itemDir = regexp.MustCompile(`^(Message|Appointment|Contact|Meeting|Task|Note|Activity|Document|Distribution list)[0-9]+$`)

// pffexport counts the items pffexport -m items writes.
func pffexport(src, dir string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	exec.CommandContext(ctx, "pffexport", "-m", "items", "-q", "-t", dir, src).Run()
	n := 0
	filepath.WalkDir(dir+".export", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || !itemDir.MatchString(d.Name()) {
			return nil
		}
		if strings.Contains(filepath.Dir(p), "Attachments") {
			return fs.SkipDir
		}
		n++
		return fs.SkipDir
	})
	return n
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}
