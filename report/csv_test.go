package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestCSV(t *testing.T) {
	run := testRun()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", run))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"path", "size", "format", "content", "verdict", "action", "errors", "warnings", "infos",
		"codes", "cause", "next_step"}
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
		"2 blocks fail their checksums; 3 items use them", "export the healthy items, then run scanpst"}
	if !slices.Equal(damaged, want) {
		t.Errorf("damaged row = %q\nwant %q", damaged, want)
	}
	if unreadable := rows[3]; unreadable[2] != "" || unreadable[3] != "" || unreadable[9] != "HDR-MAGIC" {
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
