package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// A run of one file starts with the file's one line; a batch starts with
// the table (table_test.go).
func TestTextSingleFileStartsWithOneLine(t *testing.T) {
	for _, tc := range []struct {
		r      *pstcheck.Report
		prefix string
	}{
		{healthyReport(), "HEALTHY     /mail/archive.pst — no problems found. Next: nothing to do."},
		{damagedReport(), `DAMAGED     C:\x\enron.pst — 14 damaged blocks; 1,372 items: 1,369 readable, 3 damaged. Next: export the readable items (it saves 1,369 of 1,372 items), then run scanpst.`},
		{unreadableReport(), "UNREADABLE  /tmp/notapst.pst — "},
		{errorReport(), "ERROR       /tmp/locked & <odd>.ost — "},
	} {
		out := string(render(t, "text", one(tc.r)()))
		first, _, _ := strings.Cut(out, "\n")
		if !strings.HasPrefix(first, tc.prefix) {
			t.Errorf("first line = %q, want prefix %q", first, tc.prefix)
		}
		if strings.Contains(out, "VERDICT ") || strings.Contains(out, "Files:") {
			t.Errorf("%s: a run of one file has a batch table or totals:\n%s", tc.r.Path, out)
		}
	}
}

func TestTextSafeAndReadable(t *testing.T) {
	out := string(render(t, "text", testRun()))
	if strings.ContainsAny(out, "\x1b\x07\t\u202e") {
		t.Error("text output passes control or bidi characters from the file to the terminal")
	}
	if !strings.Contains(out, `Junk\x1B[31mE-mail\u202E`) {
		t.Error("hostile folder name is not shown escaped")
	}
	tableEnd := strings.Index(out, "\n\n")
	for _, l := range strings.Split(out[tableEnd:], "\n") {
		// The batch table (paths are never shortened) and advice (command
		// lines to copy) are not wrapped.
		if strings.HasPrefix(l, "  - ") {
			continue
		}
		if n := utf8.RuneCountInString(l); n > textWidth {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	// Errors come before warnings, warnings before info.
	e, w, n := strings.Index(out, "  ERROR   "), strings.Index(out, "  WARNING "), strings.Index(out, "  INFO    ")
	if e < 0 || w < 0 || n < 0 || !(e < w && w < n) {
		t.Errorf("findings not grouped by severity: error@%d warning@%d info@%d", e, w, n)
	}
}

func TestTextHealthyShort(t *testing.T) {
	r := healthyReport()
	for range 10 {
		r.Findings = append(r.Findings, pstcheck.Finding{Code: "BLOCK-UNUSED", Offset: 0x8000, BID: 0x44, Detail: "leaked"})
	}
	out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}}))
	if strings.Contains(out, "Verdict:") || strings.Contains(out, "Scan:") {
		t.Errorf("healthy file with only info findings is not kept short:\n%s", out)
	}
	if strings.Count(out, "  INFO ") != shortInfoLimit || !strings.Contains(out, "(7 more info findings not listed)") {
		t.Errorf("short info list:\n%s", out)
	}
	if strings.Contains(out, "files:") {
		t.Error("totals line for a single file")
	}

	// Nothing to say: just the one line.
	r = healthyReport()
	r.Findings = nil
	if out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}})); strings.Count(out, "\n") != 1 {
		t.Errorf("healthy file without findings:\n%s", out)
	}
}

func TestHelpers(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		300 * time.Microsecond: "300µs", 42 * time.Millisecond: "42ms", 1534 * time.Millisecond: "1.53s",
		125 * time.Second: "2m5s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for in, want := range map[string]string{
		"plain": "plain", "a\x1bb": `a\x1Bb`, "bad\xffutf8": `bad\xFFutf8`, "rtl\u202eo": `rtl\u202Eo`,
		"ok \ufffd": "ok \ufffd", "tab\there": `tab\x09here`,
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"the file is 14483968 bytes; the header says 28967936 (14483968 bytes missing)":  "the file is 14,483,968 bytes; the header says 28,967,936 (14,483,968 bytes missing)",
		"355 blocks (841264 bytes) are used by no node, the first 0xA4":                  "355 blocks (841,264 bytes) are used by no node, the first 0xA4",
		"block at 0xDCFE40+3776 lies outside 0x4400-0xDD0200; 0x12345 and 012345":        "block at 0xDCFE40+3776 lies outside 0x4400-0xDD0200; 0x12345 and 012345",
		`IPM.Note "Invoice 123456 \"x 99999\" y 77777", 2001-10-30 20:01, 123456`:        `IPM.Note "Invoice 123456 \"x 99999\" y 77777", 2001-10-30 20:01, 123,456`,
		"2295040 bytes (69.2% of the file); 1.23456 and v12345 and 12345678901234567890": "2,295,040 bytes (69.2% of the file); 1.23456 and v12345 and 12345678901234567890",
		"cannot open: open /tmp/x/20260101/backup_123456.pst: no such file; 123456 read": "cannot open: open /tmp/x/20260101/backup_123456.pst: no such file; 123,456 read",
		`open C:\Users\a\Mail 2026\99999\x.pst: denied`:                                  `open C:\Users\a\Mail 2026\99999\x.pst: denied`,
		`cannot open "C:\Users\a\Mail 123456 old\x.pst": denied; 123456 read`:            `cannot open "C:\Users\a\Mail 123456 old\x.pst": denied; 123,456 read`,
	} {
		if got := detailText(in); got != want {
			t.Errorf("detailText(%q) = %q, want %q", in, got, want)
		}
	}
	got := wrap("aaa bbb ccc ddd", "> ", "  ", 9)
	if want := []string{"> aaa bbb", "  ccc ddd"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestTextFolderMap(t *testing.T) {
	out := string(render(t, "text", Run{Reports: []*pstcheck.Report{mixedReport()}}))
	lines := strings.Split(out, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Damaged folders ") })
	if i < 0 {
		t.Fatalf("no table of damaged folders:\n%s", out)
	}
	if j := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "Findings: ") }); j < i {
		t.Errorf("the folder map comes after the findings list (table@%d, findings@%d)", i, j)
	}
	table := lines[i : i+3]
	for _, l := range table {
		if n := utf8.RuneCountInString(l); n > textWidth {
			t.Errorf("table line of %d columns: %q", n, l)
		}
	}
	row := table[1]
	if !strings.HasPrefix(row, "  Top of Outlook data file/Projects/") || !strings.Contains(row, "…") ||
		!strings.Contains(row, "/Contracts and amendments/Signed  2,345     2,339        6") {
		t.Errorf("long path not shortened in the middle, or numbers not aligned: %q", row)
	}
	if table[2] != "2 other folders healthy (4,207 items)" {
		t.Errorf("tally = %q", table[2])
	}
	// Right-aligned: every number column ends where its heading does.
	for _, l := range table[:2] {
		if utf8.RuneCountInString(l) != utf8.RuneCountInString(table[0]) {
			t.Errorf("rows of different widths:\n%s\n%s", table[0], l)
		}
	}
}

func TestFolderLines(t *testing.T) {
	f := func(path string, items, damaged int) pstcheck.Folder {
		return pstcheck.Folder{Path: path, Items: items, Readable: items - damaged, Damaged: damaged}
	}
	tests := []struct {
		name    string
		folders []pstcheck.Folder
		want    []string
	}{
		{"none", nil, nil},
		{"one healthy", []pstcheck.Folder{f("Top", 3, 0)}, []string{"The one folder is healthy (3 items)"}},
		{"all healthy", []pstcheck.Folder{f("Top", 0, 0), f("Top/Inbox", 1, 0)}, []string{"All 2 folders healthy (1 item)"}},
		{
			"most damaged first, then by path",
			[]pstcheck.Folder{f("Top/b", 10, 1), f("Top/ok", 1000, 0), f("Top/a", 10, 1), f("Top/c", 12345, 1234), {NID: 0x8042, Items: 1, Damaged: 1}},
			[]string{
				"Damaged folders     items  readable  damaged",
				"  Top/c            12,345    11,111    1,234",
				"  (folder 0x8042)       1         0        1",
				"  Top/a                10         9        1",
				"  Top/b                10         9        1",
				"1 other folder healthy (1,000 items)",
			},
		},
		{
			// A folder whose own tables are damaged is not healthy, however
			// many of its items are readable.
			"damage of its own",
			[]pstcheck.Folder{{Path: "Top/Inbox", Items: 12, Readable: 12, StructureDamaged: true}, f("Top", 0, 0), {Path: "Top/Drafts", Items: 3, Readable: 2, Damaged: 1, StructureDamaged: true}},
			[]string{
				"Damaged folders  items  readable  damaged",
				"  Top/Drafts *       3         2        1",
				"  Top/Inbox *       12        12        0",
				"  * the folder's own properties or tables are damaged (the findings say which)",
				"1 other folder healthy (0 items)",
			},
		},
		{
			"all damaged",
			[]pstcheck.Folder{f("Top/\x1b]0;pwned\x07", 2, 2)},
			[]string{
				"Damaged folders         items  readable  damaged",
				`  Top/\x1B]0;pwned\x07      2         0        2`,
				"No healthy folders",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := folderLines(tt.folders); !slices.Equal(got, tt.want) {
				t.Errorf("folderLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestShorten(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"abcdef", 6, "abcdef"},
		{"abcdef", 10, "abcdef"},
		{"abcdefgh", 5, "ab…gh"},
		{"abcdefgh", 6, "ab…fgh"},
		{"äöüßéèàç", 4, "ä…àç"},
		{"abc", 1, "…"},
		{"abc", 0, ""},
	} {
		got := shorten(tt.in, tt.n)
		if got != tt.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > max(tt.n, 0) {
			t.Errorf("shorten(%q, %d) has %d runes", tt.in, tt.n, n)
		}
	}
}

func TestTextFolderDetails(t *testing.T) {
	// A healthy file with nothing but healthy folders keeps its one line.
	r := allHealthyReport()
	r.Findings = nil
	if out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}})); strings.Count(out, "\n") != 1 {
		t.Errorf("healthy file with healthy folders:\n%s", out)
	}
	// A damaged folder is always shown.
	r.Folders[2].Readable, r.Folders[2].Damaged = 1030, 3
	out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}}))
	if !strings.Contains(out, "Damaged folders") || !strings.Contains(out, "3 other folders healthy (3,177 items)") {
		t.Errorf("damaged folder not shown:\n%s", out)
	}
	// No folders (the engine has not built them): no folder lines.
	r = damagedReport()
	r.Folders = nil
	if out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}})); strings.Contains(out, "Damaged folders") ||
		strings.Contains(out, "healthy (") {
		t.Errorf("folder tally without folders:\n%s", out)
	}
}

// scanpst runs on Windows only: a Windows path goes into its command line
// as it is; any other path is replaced by a placeholder, and the advice
// says where the command runs.
func TestScanpstAdvicePathStyle(t *testing.T) {
	for _, tc := range []struct {
		path, want string
		onWindows  bool
	}{
		{`D:\Mail\2019.pst`, `SCANPST.EXE -file "D:\Mail\2019.pst"`, true},
		{`\\fs01\home$\bob\big.pst`, `SCANPST.EXE -file "\\fs01\home$\bob\big.pst"`, true},
		{"/home/ann/Mail/archive.pst", `SCANPST.EXE -file "C:\path\to\archive.pst"`, false},
		{"archive.pst", `SCANPST.EXE -file "C:\path\to\archive.pst"`, false},
	} {
		r := damagedReport()
		r.Path = tc.path
		adv := strings.Join(Explain(r).Advice, "\n")
		if !strings.Contains(adv, tc.want) {
			t.Errorf("%s: advice lacks %q:\n%s", tc.path, tc.want, adv)
		}
		if got := strings.Contains(adv, "scanpst runs on Windows"); got == tc.onWindows {
			t.Errorf("%s: says scanpst runs on Windows = %v, want %v", tc.path, got, !tc.onWindows)
		}
		if n := strings.Count(adv, "SCANPST.EXE"); n != 2 {
			t.Errorf("%s: SCANPST.EXE named %d times, want 2 (where it is, the command):\n%s", tc.path, n, adv)
		}
	}
}

// In a batch, where scanpst is installed is said once, not for each file.
func TestBatchShowsScanpstLocationsOnce(t *testing.T) {
	out := string(render(t, "text", batchRun()))
	if n := strings.Count(out, "scanpst is SCANPST.EXE in"); n != 1 {
		t.Errorf("scanpst's location shown %d times in a batch, want once", n)
	}
	if n := strings.Count(out, "SCANPST.EXE -file"); n < 2 {
		t.Errorf("%d scanpst commands in a batch of two damaged files, want one each", n)
	}
}

// Many findings of one code are one entry: the count, the first places,
// the first detail; a few are listed one by one.
func TestTextCollapsesRepeatedFindings(t *testing.T) {
	r := damagedReport()
	r.Findings = nil
	for i := range 500 {
		r.Findings = append(r.Findings, pstcheck.Finding{Code: finding.MessageMissing, Offset: finding.NoOffset,
			NID: uint32(0x200004 + 0x20*i), Detail: fmt.Sprintf("the contents table lists message 0x%X, which does not exist", 0x200004+0x20*i)})
	}
	r.Findings = append(r.Findings, pstcheck.Finding{Code: finding.PageType, Offset: 0x4400, BID: 0x80, Detail: "NBT page has type bytes 0x00/0x00, want 0x81"})
	r.Capped = map[pstcheck.Code]int{finding.MessageMissing: 263}
	out := string(render(t, "text", one(r)()))
	for _, want := range []string{
		"  ERROR   MSG-MISSING  763 findings, at nid 0x200004, nid 0x200024, nid 0x200044, nid 0x200064, …;",
		"the first: the contents table lists message 0x200004",
		"  ERROR   PAGE-TYPE  offset 0x4400  bid 0x80  NBT page has type bytes 0x00/0x00, want 0x81",
		"--format json lists each one",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n > 40 {
		t.Errorf("%d lines for 764 findings of two codes:\n%s", n, out)
	}
}

// Blocks no node uses, in a store that lost items, may be those items:
// the report says so instead of calling them harmless.
func TestBlockUnusedBesideLostItems(t *testing.T) {
	r := damagedReport()
	r.Findings = []pstcheck.Finding{{Code: finding.BlockUnused, Offset: 0x7EC0, BID: 0xA4, Detail: "743 blocks are used by no node"}}
	r.Capped = nil
	r.Items.Lost, r.Items.Total = 10, r.Items.Total+10
	if out := string(render(t, "text", one(r)())); !strings.Contains(out, "these blocks may be their data") {
		t.Errorf("unused blocks beside lost items are not tied to them:\n%s", out)
	}
	r.Items.Lost, r.Items.Total = 0, r.Items.Total-10
	if out := string(render(t, "text", one(r)())); strings.Contains(out, "may be their data") {
		t.Errorf("unused blocks tied to lost items in a store that lost none:\n%s", out)
	}
}

// A file this account may not read: on a Windows path the next step is
// an elevated Command Prompt, elsewhere the owner or sudo.
func TestPermissionNextStep(t *testing.T) {
	for path, want := range map[string]string{
		`C:\Users\bob\Documents\Outlook Files\bob.pst`: `Command Prompt opened with "Run as administrator"`,
		`\\fs01\home$\bob\bob.pst`:                     `Command Prompt opened with "Run as administrator"`,
		"/home/bob/bob.pst":                            "as the file's owner or with sudo",
	} {
		r := errorReport()
		r.Path = path
		if e := Explain(r); !strings.Contains(e.NextStep, want) || !strings.Contains(e.Cause, "not allowed to read it") {
			t.Errorf("%s: %+v, want the next step to say %q", path, e, want)
		}
	}
}

// TestOutsideLines: items no folder counts (messages whose index entries
// are gone) are named beside the folders, so that a store whose folders
// are all healthy does not read as if nothing were lost.
func TestOutsideLines(t *testing.T) {
	r := &pstcheck.Report{Folders: []pstcheck.Folder{{Path: "Top", Items: 3, Readable: 2, Lost: 1}},
		Items: pstcheck.ItemCounts{Total: 159, Readable: 2, Lost: 157}}
	if got, want := outsideLines(r), []string{"Outside any folder: 156 lost (no folder lists them any more; the findings name them)"}; !slices.Equal(got, want) {
		t.Errorf("outsideLines = %q, want %q", got, want)
	}
	r.Items = pstcheck.ItemCounts{Total: 3, Readable: 2, Lost: 1}
	if got := outsideLines(r); got != nil {
		t.Errorf("every item is in a folder, yet: %q", got)
	}
}

// Recovered messages the store counts once with the damaged items their
// folder counts (aspose's Outlook.pst cut at a third: 8 damaged items
// nothing names, 6 of them recovered as whole heaps) are said to be so.
func TestOutsideLinesCountedAsDamaged(t *testing.T) {
	r := &pstcheck.Report{Folders: []pstcheck.Folder{{Path: "Inbox", Items: 9, Damaged: 8, Lost: 1}},
		Items: pstcheck.ItemCounts{Total: 10, Damaged: 2, Lost: 1, Recovered: 7}}
	want := `Outside any folder: 7 recovered (no folder lists them any more; the findings name them); export and repair write those recovered to "Recovered items", and 6 of them may be items the folders above count as damaged`
	if got := outsideLines(r); !slices.Equal(got, []string{want}) {
		t.Errorf("outsideLines = %q, want %q", got, want)
	}
}

// Recovered items no folder lists, placed by the folders' listings found
// among the unused blocks, are said to go to folders of those names: the
// fullest four by name, the rest counted.
func TestOutsideLinesPlaced(t *testing.T) {
	r := &pstcheck.Report{Items: pstcheck.ItemCounts{Total: 2158, Recovered: 2158},
		RecoveredFolders: []pstcheck.PlacedFolder{{NID: 0x8162, Name: "Sent", Recovered: 20}, {NID: 0x81C2, Name: "Drafts", Recovered: 41},
			{NID: 0x81E2, Name: "Deleted Items", Recovered: 440}, {NID: 0x8222, Name: "Calendar", Recovered: 791},
			{NID: 0x8242, Name: "All documents", Recovered: 830}}}
	want := `Outside any folder: 2,158 recovered (no folder lists them any more; the findings name them); export and repair write those recovered to "Recovered items", 2,122 of them into the folders their surviving listings name ("All documents" 830, "Calendar" 791, "Deleted Items" 440, "Drafts" 41, 1 more)`
	if got := outsideLines(r); !slices.Equal(got, []string{want}) {
		t.Errorf("outsideLines = %q, want %q", got, want)
	}
}
