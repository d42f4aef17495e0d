package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// batchSections splits a batch text report into its table, its totals and
// the headings ("== path") of its details sections.
func batchSections(t *testing.T, out string) (table, totals, details []string) {
	t.Helper()
	blocks := strings.Split(strings.TrimSuffix(out, "\n"), "\n\n")
	if len(blocks) < 2 {
		t.Fatalf("batch report without a table and totals:\n%s", out)
	}
	for _, b := range blocks[2:] {
		head, _, _ := strings.Cut(b, "\n")
		details = append(details, head)
	}
	return strings.Split(blocks[0], "\n"), strings.Split(blocks[1], "\n"), details
}

func TestTextBatchTable(t *testing.T) {
	table, totals, details := batchSections(t, string(render(t, "text", batchRun())))

	// Worst first: damaged (largest first), unreadable, error, healthy
	// with warnings, healthy.
	want := []string{
		`VERDICT          SIZE  LIMIT%  FOLDERS  MOST ITEMS  DAMAGED FOLDERS  ACTION   PATH`,
		`DAMAGED      50.0 MiB     <1%        3       4,207                1  export   D:\Mail\2019.pst`,
		`DAMAGED      29.0 MiB     <1%        5       1,204                3  export   C:\x\enron.pst`,
		`UNREADABLE    4.0 KiB       -        -           -                -  restore  /tmp/notapst.pst`,
		`ERROR               -       -        -           -                -  -        /tmp/locked & <odd>.ost`,
		`HEALTHY*      1.9 GiB     96%        2      48,113                0  none     \\fs01\home$\bob\Outlook\big.pst`,
		`HEALTHY     265.0 KiB     <1%        2          57                0  none     /mail/archive.pst`,
	}
	if !slices.Equal(table, want) {
		t.Errorf("table =\n%s\nwant\n%s", strings.Join(table, "\n"), strings.Join(want, "\n"))
	}

	wantTotals := []string{
		"Files:          6",
		"Healthy:        2, 1 of them with warnings (*)",
		"Damaged:        2",
		"Unreadable:     1",
		"Errors:         1",
		"Total size:     1.93 GiB (size unknown for 1 file)",
		"Damaged items:  9 damaged in 2 files",
		"Large stores:   1 file: 1 near or at the size limit",
	}
	if !slices.Equal(totals, wantTotals) {
		t.Errorf("totals =\n%s\nwant\n%s", strings.Join(totals, "\n"), strings.Join(wantTotals, "\n"))
	}

	// Details in the table's order, for every file but the healthy one
	// with only info findings.
	wantDetails := []string{
		`== D:\Mail\2019.pst`, `== C:\x\enron.pst`, "== /tmp/notapst.pst", "== /tmp/locked & <odd>.ost",
		`== \\fs01\home$\bob\Outlook\big.pst`,
	}
	if !slices.Equal(details, wantDetails) {
		t.Errorf("details sections = %q, want %q", details, wantDetails)
	}
}

func TestTextBatchDetails(t *testing.T) {
	out := string(render(t, "text", batchRun()))
	// The cause and next step, which the table leaves out, are in the
	// details; the one-line-per-file form of a single file is not used.
	for _, s := range []string{
		"Cause: 1 damaged block; 6,552 items: 6,546 readable, 6 damaged.\nNext:  export the readable items (it saves 6,546 of 6,552 items), then run scanpst.\n",
		"Cause: the file could not be opened: this account is not allowed to read it.\nNext:  run pstcheck as the file's owner or with sudo",
		"  WARNING STORE-NEAR-LIMIT  ansi file of 1.85 GiB is 96% of the 1.93 GiB limit\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("batch details lack %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, " — ") {
		t.Errorf("batch report has single-file lines:\n%s", out)
	}
	if strings.Contains(out, "MAP-FREE-SPACE  offset 0x4400") {
		t.Error("a healthy file with only info findings has details in a batch")
	}
	// Nothing was scanned in a file that could not be opened: no Scan line.
	i := strings.Index(out, "== /tmp/locked")
	if end := strings.Index(out[i:], "\n\n"); end < 0 || strings.Contains(out[i:i+end], "Scan:") {
		t.Errorf("details of a file that could not be opened:\n%s", out[i:])
	}

	// A batch of healthy files with nothing to say is the table and the
	// totals only.
	a, b := healthyReport(), allHealthyReport()
	b.Path = "/mail/other.pst"
	out = string(render(t, "text", Run{Reports: []*pstcheck.Report{a, b}}))
	if table, totals, details := batchSections(t, out); len(table) != 3 || len(totals) != 7 || len(details) != 0 {
		t.Errorf("batch of healthy files:\n%s", out)
	}
	if !strings.Contains(out, "\nHealthy:        2\n") || !strings.Contains(out, "\nDamaged items:  none\n") {
		t.Errorf("totals of healthy files:\n%s", out)
	}
}

func TestWorstFirst(t *testing.T) {
	r := func(path string, v pstcheck.Verdict, size int64, warn bool) *pstcheck.Report {
		rep := &pstcheck.Report{Path: path, Verdict: v, Size: size}
		if warn {
			rep.Findings = []pstcheck.Finding{{Code: finding.RootAMapInvalid, Offset: finding.NoOffset}}
		}
		return rep
	}
	in := []*pstcheck.Report{
		r("healthy-small", pstcheck.Healthy, 10, false),
		r("healthy-big", pstcheck.Healthy, 1000, false),
		r("warned", pstcheck.Healthy, 10, true),
		r("error-unknown-size", pstcheck.Failed, 0, false),
		r("error-known-size", pstcheck.Failed, 500, false),
		r("bogus-verdict", "bogus", 20, false),
		r("unreadable", pstcheck.Unreadable, 10, false),
		r("damaged-b", pstcheck.Damaged, 100, false),
		r("damaged-unknown-size", pstcheck.Damaged, -1, false),
		r("damaged-a", pstcheck.Damaged, 100, false),
		r("damaged-big", pstcheck.Damaged, 5000, false),
	}
	var got []string
	for _, rep := range worstFirst(in) {
		got = append(got, rep.Path)
	}
	want := []string{
		"damaged-big", "damaged-a", "damaged-b", "damaged-unknown-size",
		"unreadable",
		"error-known-size", "bogus-verdict", "error-unknown-size",
		"warned",
		"healthy-big", "healthy-small",
	}
	if !slices.Equal(got, want) {
		t.Errorf("worstFirst =\n%q\nwant\n%q", got, want)
	}
	if in[0].Path != "healthy-small" {
		t.Error("worstFirst sorted its argument in place")
	}
}

func TestLimitPercent(t *testing.T) {
	for _, tt := range []struct {
		format  pstcheck.Format
		verdict pstcheck.Verdict
		size    int64
		want    string
	}{
		{pstcheck.FormatANSI, pstcheck.Healthy, 0, "0%"},
		{pstcheck.FormatANSI, pstcheck.Healthy, 271360, "<1%"},
		{pstcheck.FormatANSI, pstcheck.Healthy, 1990000000, "96%"},
		{pstcheck.FormatANSI, pstcheck.Healthy, pstcheck.ANSIMaxSize - 1, "99%"},
		{pstcheck.FormatANSI, pstcheck.Healthy, pstcheck.ANSIMaxSize, "100%"},
		{pstcheck.FormatANSI, pstcheck.Healthy, 2147483648, "103%"},
		{pstcheck.FormatUnicode, pstcheck.Damaged, 25 << 30, "50%"},
		{pstcheck.FormatUnicode4K, pstcheck.Healthy, 1 << 30, "2%"},
		{pstcheck.FormatUnknown, pstcheck.Unreadable, 4096, "-"},
		{pstcheck.FormatUnicode, pstcheck.Healthy, -1, "-"},
		{pstcheck.FormatUnknown, pstcheck.Failed, 0, "-"},
	} {
		r := &pstcheck.Report{Format: tt.format, Verdict: tt.verdict, Size: tt.size}
		if got := limitPercent(r); got != tt.want {
			t.Errorf("limitPercent(%s, %d) = %q, want %q", tt.format, tt.size, got, tt.want)
		}
	}
}

func TestTableHostilePath(t *testing.T) {
	a, b := healthyReport(), errorReport()
	a.Path = "/mail/\x1b[2Jevil\u202e.pst"
	a.Action = ""
	table := tableLines([]*pstcheck.Report{a, b})
	if got := table[1]; !strings.HasSuffix(got, `  -       /mail/\x1B[2Jevil\u202E.pst`) {
		t.Errorf("row = %q: the path is not escaped or an empty action not shown as -", got)
	}
}

func TestDamagedItems(t *testing.T) {
	noMap := damagedReport()
	noMap.Folders, noMap.Items = nil, pstcheck.ItemCounts{}
	// Items lost outside any folder count, as the file's own report
	// counts them: its folders' rows do not hold them.
	outside := damagedReport()
	outside.Items.Lost += 14
	outside.Items.Total += 14
	partial := healthyReport()
	partial.Verdict, partial.Items.Complete = pstcheck.Damaged, false
	for _, tt := range []struct {
		reports []*pstcheck.Report
		want    string
	}{
		{[]*pstcheck.Report{unreadableReport(), errorReport()}, "unknown (no file's items could be counted)"},
		{[]*pstcheck.Report{healthyReport(), errorReport()}, "none"},
		{[]*pstcheck.Report{mixedReport(), noMap}, "6 damaged in 1 file (and unknown in 1 damaged file whose items could not be counted)"},
		{[]*pstcheck.Report{mixedReport(), damagedReport()}, "9 damaged in 2 files"},
		{[]*pstcheck.Report{mixedReport(), outside}, "9 damaged, 14 lost in 2 files"},
		// A count that is a lower bound says nothing is lost only of
		// what it counts.
		{[]*pstcheck.Report{healthyReport(), partial}, "none counted; 1 file may have held more items than counted"},
		{[]*pstcheck.Report{mixedReport(), partial}, "6 damaged in 1 file; 1 file may have held more items than counted"},
	} {
		if got := damagedItems(tt.reports); got != tt.want {
			t.Errorf("damagedItems = %q, want %q", got, tt.want)
		}
	}
}

// The CSV and JSON formats of a batch keep the run's order, one row or
// FILE object per file, and JSON carries the totals.
func TestBatchCSVAndJSON(t *testing.T) {
	run := batchRun()
	rows, err := csv.NewReader(bytes.NewReader(render(t, "csv", run))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(run.Reports) || rows[0][0] != "path" {
		t.Fatalf("csv: %d rows, want a header and %d files: %q", len(rows), len(run.Reports), rows)
	}
	for i, r := range run.Reports {
		if rows[i+1][0] != r.Path {
			t.Errorf("csv row %d path = %q, want %q", i+1, rows[i+1][0], r.Path)
		}
	}

	var out struct {
		Files   []struct{ Path string }
		Summary jsonSummary
	}
	if err := json.Unmarshal(render(t, "json", run), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != len(run.Reports) {
		t.Fatalf("json: %d files, want %d", len(out.Files), len(run.Reports))
	}
	for i, r := range run.Reports {
		if out.Files[i].Path != r.Path {
			t.Errorf("json file %d = %q, want %q", i, out.Files[i].Path, r.Path)
		}
	}
	want := jsonSummary{Files: 6, Healthy: 2, Damaged: 2, Unreadable: 1, Errors: 1}
	if out.Summary != want {
		t.Errorf("json summary = %+v, want %+v", out.Summary, want)
	}
	if got := pstcheck.ExitStatus(run.Reports); got != 3 {
		t.Errorf("ExitStatus(batch) = %d, want 3 (damaged and could not be read)", got)
	}
}
