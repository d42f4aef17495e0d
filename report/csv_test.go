package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
)

func TestCSV(t *testing.T) {
	run := testRun()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", run))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"path", "size", "format", "content", "verdict", "action", "errors", "warnings", "infos",
		"codes", "cause", "next_step", "folders", "largest_folder", "largest_folder_items", "reclaimable",
		"items", "readable", "damaged", "lost", "recovered", "items_complete"}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("header = %v, want %v", rows, header)
	}
	if len(rows) != 1+len(run.Reports) {
		t.Fatalf("%d rows, want a header and %d files", len(rows), len(run.Reports))
	}
	for i, r := range run.Reports {
		if rows[i+1][0] != r.Path {
			t.Errorf("row %d path = %q, want %q", i+1, rows[i+1][0], r.Path)
		}
	}
	damaged := rows[2]
	want := []string{`C:\x\enron.pst`, "30377984", "unicode", "pst", "damaged", "export", "17", "1", "42",
		"BLOCK-CRC;NODE-BLOCK-DAMAGED;ROOT-AMAP-INVALID",
		"14 damaged blocks; 1,372 items: 1,369 readable, 3 damaged",
		"export the readable items (it saves 1,369 of 1,372 items), then run scanpst",
		"5", "Top of Personal Folders/Deleted Items", "1204", "1258291",
		"1372", "1369", "3", "0", "0", "true"}
	if !slices.Equal(damaged, want) {
		t.Errorf("damaged row = %q\nwant %q", damaged, want)
	}
	// A file none of whose items were counted has no counts, not zeros.
	if unreadable := rows[3]; unreadable[2] != "" || unreadable[3] != "" || unreadable[9] != "HDR-MAGIC" || unreadable[16] != "" || unreadable[21] != "" {
		t.Errorf("unreadable row = %q", unreadable)
	}
	if healthy := rows[1]; healthy[9] != "" || healthy[8] != "2" {
		t.Errorf("healthy row = %q: info codes are not problem codes", healthy)
	}
}

func TestCSVEmptyRun(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", Run{}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Errorf("%d rows, want only the header", len(rows))
	}
}

func TestCSVFolders(t *testing.T) {
	run := folderRun()
	rows, err := csv.NewReader(bytes.NewReader(renderFolders(t, "csv", run))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"path", "folder_nid", "folder", "items", "readable", "damaged", "verdict", "action", "lost", "recovered", "expected", "size", "structure_damaged"}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		t.Fatalf("header = %v, want %v", rows, header)
	}
	// One row per damaged folder, files in the run's order and folders in
	// the engine's; healthy folders give none, and a file that is not
	// healthy without a damaged folder (unreadable, error) one row of its
	// own, the folder's columns empty.
	var want [][]string
	for _, r := range run.Reports {
		n := len(want)
		for _, f := range r.Folders {
			if f.Damaged > 0 {
				want = append(want, []string{r.Path, strconv.FormatUint(uint64(f.NID), 10), f.Path,
					strconv.Itoa(f.Items), strconv.Itoa(f.Readable), strconv.Itoa(f.Damaged),
					string(r.Verdict), string(r.Action), "0", "0", strconv.Itoa(f.Expected), strconv.FormatInt(f.Size, 10), "false"})
			}
		}
		if len(want) == n && r.Verdict != pstcheck.Healthy {
			want = append(want, []string{r.Path, "", "", "", "", "", string(r.Verdict), string(r.Action), "", "", "", "", ""})
		}
	}
	if len(want) != 6 {
		t.Fatalf("fixture has %d rows, want 4 damaged folders and 2 files without", len(want))
	}
	if !slices.EqualFunc(rows[1:], want, slices.Equal) {
		t.Errorf("rows =\n%q\nwant\n%q", rows[1:], want)
	}
	if got := rows[1]; got[1] != "32802" {
		t.Errorf("folder_nid = %q, want decimal 32802", got[1])
	}
	// CSV carries the file's strings as they are, like JSON.
	if got := rows[3][2]; got != "Top of Personal Folders/Junk\x1b[31mE-mail\u202e" {
		t.Errorf("folder = %q", got)
	}
}

func TestCSVFoldersNoneDamaged(t *testing.T) {
	for _, run := range []Run{{}, {Reports: []*pstcheck.Report{healthyReport(), allHealthyReport(), nil}}} {
		rows, err := csv.NewReader(bytes.NewReader(renderFolders(t, "csv", run))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0][0] != "path" {
			t.Errorf("rows = %q, want only the header", rows)
		}
	}
}

func TestNewFolders(t *testing.T) {
	// Folder mode changes CSV only: text and JSON already show the map.
	run := folderRun()
	for _, format := range []string{"text", "json"} {
		if a, b := render(t, format, run), renderFolders(t, format, run); !bytes.Equal(a, b) {
			t.Errorf("%s: NewFolders output differs from New's", format)
		}
	}
	if bytes.Equal(render(t, "csv", run), renderFolders(t, "csv", run)) {
		t.Error("csv: NewFolders gives the file table")
	}
	if _, err := NewFolders(" CSV "); err != nil {
		t.Errorf("NewFolders(\" CSV \"): %v", err)
	}
	for _, f := range []string{"xml", ""} {
		w, err := NewFolders(f)
		if err == nil || w != nil || !strings.Contains(err.Error(), "text, json, csv") {
			t.Errorf("NewFolders(%q) = %v, %v; want an error listing the formats", f, w, err)
		}
	}
}
