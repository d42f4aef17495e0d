package report

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in report/testdata")

// goldenDir holds the package's golden reports.
const goldenDir = "testdata"

// accounted fills what the engine derives from a report's folders: each
// folder's expected count, the store's item accounting and its scale.
func accounted(r *pstcheck.Report) *pstcheck.Report {
	r.Items = pstcheck.ItemCounts{Complete: true}
	for i := range r.Folders {
		f := &r.Folders[i]
		f.Expected = f.Items
		r.Items.Readable += f.Readable
		r.Items.Damaged += f.Damaged
	}
	r.Items.Total = r.Items.Readable + r.Items.Damaged
	r.Damage.Salvage = r.Items.Readable
	r.Scale = pstcheck.NewScale(r.Folders, pstcheck.Guidance{})
	return r
}

func healthyReport() *pstcheck.Report {
	return accounted(&pstcheck.Report{
		Path:    "/mail/archive.pst",
		Size:    271360,
		Format:  pstcheck.FormatANSI,
		Content: pstcheck.ContentPST,
		Verdict: pstcheck.Healthy,
		Action:  pstcheck.ActionNone,
		Findings: []pstcheck.Finding{
			{Code: finding.MapFreeSpace, Offset: finding.NoOffset, Detail: "21312 bytes (32.5% of the file) are free; compacting the file would reclaim them"},
			{Code: finding.MapFreeSpace, Offset: 0x4400, Detail: "12.50 KB free in 3 regions"},
		},
		Folders: []pstcheck.Folder{
			{NID: 0x122, Path: "Top of Personal Folders", Items: 0, Readable: 0},
			{NID: 0x8022, Path: "Top of Personal Folders/Archive 2009", Items: 57, Readable: 57},
		},
		Stats: pstcheck.Stats{
			Version: 14, Crypt: "none", Pages: 9, Blocks: 214, Nodes: 131,
			BytesVerified: 250112, FreeBytes: 12800,
			Duration: 42 * time.Millisecond, BlockPass: 17 * time.Millisecond,
		},
	})
}

func damagedReport() *pstcheck.Report {
	return accounted(&pstcheck.Report{
		Path:    `C:\x\enron.pst`,
		Size:    30377984,
		Format:  pstcheck.FormatUnicode,
		Content: pstcheck.ContentPST,
		Verdict: pstcheck.Damaged,
		Action:  pstcheck.ActionExport,
		Damage:  pstcheck.Damage{Blocks: 14},
		Findings: []pstcheck.Finding{
			{Code: finding.BlockCRC, Offset: 0x1A2B40, BID: 0x4C8, Detail: "stored CRC 0x1F2E3D4C, computed 0x00000000 over 8,176 bytes"},
			{Code: finding.RootAMapInvalid, Offset: 0xF8, Detail: "fAMapValid is 0: the file was not closed cleanly"},
			{Code: finding.BlockCRC, Offset: 0x2C0000, BID: 0x51C, Detail: "stored CRC 0x9ABCDEF0, computed 0x12345678 over 3,012 bytes"},
			{Code: finding.BlockUnused, Offset: 0x2C2000, BID: 0x6A4, Detail: "512-byte block, no node uses it"},
			{Code: finding.NodeBlockDamaged, Offset: finding.NoOffset, BID: 0x4C8, NID: 0x200024, FolderNID: 0x8022,
				Folder: "Top of Personal Folders/Inbox", Detail: "message body uses block 0x4C8"},
			{Code: finding.NodeBlockDamaged, Offset: finding.NoOffset, BID: 0x51C, NID: 0x200044, FolderNID: 0x8042,
				Detail: "the attachment table of this message uses block 0x51C, which fails its checksum; the attachments after the first one cannot be read"},
			{Code: finding.NodeBlockDamaged, Offset: finding.NoOffset, NID: 0x200064, FolderNID: 0x8062,
				Folder: "Top of Personal Folders/Junk\x1b[31mE-mail\u202e", Detail: "subject\tline \x07unreadable"},
			{Code: finding.MapFreeSpace, Offset: finding.NoOffset, Detail: "3200768 bytes (11.0% of the file) are free; compacting the file would reclaim them"},
		},
		Capped: map[pstcheck.Code]int{finding.BlockCRC: 12, finding.BlockUnused: 40},
		Folders: []pstcheck.Folder{
			{NID: 0x122, Path: "Top of Personal Folders"},
			{NID: 0x8022, Path: "Top of Personal Folders/Inbox", Items: 120, Readable: 119, Damaged: 1},
			{NID: 0x8042, Path: "Top of Personal Folders/Sent Items", Items: 45, Readable: 44, Damaged: 1},
			{NID: 0x8062, Path: "Top of Personal Folders/Junk\x1b[31mE-mail\u202e", Items: 3, Readable: 2, Damaged: 1},
			{NID: 0x8082, Path: "Top of Personal Folders/Deleted Items", Items: 1204, Readable: 1204},
		},
		Stats: pstcheck.Stats{
			Version: 23, Crypt: "compressible", Pages: 87, Blocks: 4321, Nodes: 2468,
			BytesVerified: 30000000, FreeBytes: 1258291,
			Duration: 1534 * time.Millisecond, BlockPass: 1203*time.Millisecond + 500*time.Microsecond,
		},
	})
}

func unreadableReport() *pstcheck.Report {
	return &pstcheck.Report{
		Path:    "/tmp/notapst.pst",
		Size:    4096,
		Verdict: pstcheck.Unreadable,
		Action:  pstcheck.ActionRestore,
		Findings: []pstcheck.Finding{
			{Code: finding.HeaderMagic, Offset: 0, Detail: "the file starts with 50 4B 03 04 (a ZIP archive?), not !BDN"},
		},
		Stats: pstcheck.Stats{FreeBytes: -1, Duration: 300 * time.Microsecond},
	}
}

func errorReport() *pstcheck.Report {
	return &pstcheck.Report{
		Path:    "/tmp/locked & <odd>.ost",
		Size:    -1, // as pstcheck.FailureReport has it when the system says no size
		Verdict: pstcheck.Failed,
		Failure: &pstcheck.Failure{Kind: pstcheck.FailPermission, Detail: "permission denied"},
		Stats:   pstcheck.Stats{FreeBytes: -1},
	}
}

// mixedReport is a damaged file with three folders, one of them damaged
// and with a path too long for the text report's table.
func mixedReport() *pstcheck.Report {
	const long = "Top of Outlook data file/Projects/2019/Customer correspondence/Northwind Traders/" +
		"Contracts and amendments/Signed"
	return accounted(&pstcheck.Report{
		Path:    `D:\Mail\2019.pst`,
		Size:    52428800,
		Format:  pstcheck.FormatUnicode,
		Content: pstcheck.ContentPST,
		Verdict: pstcheck.Damaged,
		Action:  pstcheck.ActionExport,
		Damage:  pstcheck.Damage{Blocks: 1},
		Findings: []pstcheck.Finding{
			{Code: finding.BlockCRC, Offset: 0x3F0000, BID: 0x7A8, Detail: "stored CRC 0x0BADF00D, computed 0x00000000 over 8,176 bytes"},
			{Code: finding.NodeBlockDamaged, Offset: finding.NoOffset, BID: 0x7A8, NID: 0x2000A4, FolderNID: 0x80A2,
				Folder: long, Detail: "message body uses block 0x7A8"},
		},
		Capped: map[pstcheck.Code]int{finding.NodeBlockDamaged: 5},
		Folders: []pstcheck.Folder{
			{NID: 0x122, Path: "Top of Outlook data file"},
			{NID: 0x8022, Path: "Top of Outlook data file/Inbox", Items: 4207, Readable: 4207},
			{NID: 0x80A2, Path: long, Items: 2345, Readable: 2339, Damaged: 6},
		},
		Stats: pstcheck.Stats{
			Version: 23, Crypt: "compressible", Pages: 140, Blocks: 9120, Nodes: 6802,
			BytesVerified: 51380224, FreeBytes: 1048576,
			Duration: 2100 * time.Millisecond, BlockPass: 1800 * time.Millisecond,
		},
	})
}

// allHealthyReport is a healthy file with a few folders and only info
// findings.
func allHealthyReport() *pstcheck.Report {
	r := healthyReport()
	r.Folders = []pstcheck.Folder{
		{NID: 0x122, Path: "Top of Personal Folders"},
		{NID: 0x8022, Path: "Top of Personal Folders/Inbox", Items: 3120, Readable: 3120},
		{NID: 0x8042, Path: "Top of Personal Folders/Sent Items", Items: 1033, Readable: 1033},
		{NID: 0x8062, Path: "Top of Personal Folders/Archive 2009", Items: 57, Readable: 57},
	}
	return accounted(r)
}

// nearLimitReport is a healthy ANSI file with a STORE-NEAR-LIMIT warning.
func nearLimitReport() *pstcheck.Report {
	return accounted(&pstcheck.Report{
		Path:    `\\fs01\home$\bob\Outlook\big.pst`,
		Size:    1990000000,
		Format:  pstcheck.FormatANSI,
		Content: pstcheck.ContentPST,
		Verdict: pstcheck.Healthy,
		Action:  pstcheck.ActionNone,
		Findings: []pstcheck.Finding{
			{Code: finding.StoreNearLimit, Offset: finding.NoOffset, Detail: "ansi file of 1.85 GiB is 96% of the 1.93 GiB limit"},
			{Code: finding.MapFreeSpace, Offset: finding.NoOffset, Detail: "1048576 bytes (0.1% of the file) are free; compacting the file would reclaim them"},
		},
		Folders: []pstcheck.Folder{
			{NID: 0x122, Path: "Top of Personal Folders"},
			{NID: 0x8022, Path: "Top of Personal Folders/Inbox", Items: 48113, Readable: 48113},
		},
		Stats: pstcheck.Stats{
			Version: 14, Crypt: "compressible", Pages: 2210, Blocks: 301377, Nodes: 96502,
			BytesVerified: 1980000000, FreeBytes: 1048576,
			Duration: 61 * time.Second, BlockPass: 48 * time.Second,
		},
	})
}

// batchRun is a batch of six files in scan order: a healthy file with only
// info findings, a healthy file near its size limit, a file that could not
// be opened, two damaged files with folder maps and an unreadable one.
func batchRun() Run {
	return Run{
		Version: "1.2.3-test",
		Reports: []*pstcheck.Report{healthyReport(), nearLimitReport(), errorReport(), damagedReport(),
			unreadableReport(), mixedReport()},
	}
}

// folderRun mixes files with damaged, healthy and no folders.
func folderRun() Run {
	return Run{
		Version: "1.2.3-test",
		Reports: []*pstcheck.Report{healthyReport(), damagedReport(), unreadableReport(), mixedReport(), errorReport()},
	}
}

func testRun() Run {
	return Run{
		Version: "1.2.3-test",
		Reports: []*pstcheck.Report{healthyReport(), damagedReport(), unreadableReport(), errorReport()},
	}
}

func render(t *testing.T, format string, run Run) []byte {
	t.Helper()
	return renderWith(t, New, format, run)
}

// renderFolders renders run in folder mode (NewFolders).
func renderFolders(t *testing.T, format string, run Run) []byte {
	t.Helper()
	return renderWith(t, NewFolders, format, run)
}

func renderWith(t *testing.T, newWriter func(string) (Writer, error), format string, run Run) []byte {
	t.Helper()
	w, err := newWriter(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, run); err != nil {
		t.Fatalf("%s: Write: %v", format, err)
	}
	return buf.Bytes()
}

// one is a run of a single report.
func one(r *pstcheck.Report) func() Run {
	return func() Run { return Run{Version: "1.2.3-test", Reports: []*pstcheck.Report{r}} }
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		file      string
		format    string
		newWriter func(string) (Writer, error)
		run       func() Run
	}{
		{"run.txt", "text", New, testRun},
		{"run.json", "json", New, testRun},
		{"run.csv", "csv", New, testRun},
		{"single.txt", "text", New, one(damagedReport())},
		{"folders.txt", "text", New, one(mixedReport())},
		{"folders-healthy.txt", "text", New, one(allHealthyReport())},
		{"folders.csv", "csv", NewFolders, folderRun},
		{"batch.txt", "text", New, batchRun},
		{"batch.jsonl", "jsonl", New, batchRun},
		{"batch.csv", "csv", New, batchRun},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got := renderWith(t, tc.newWriter, tc.format, tc.run())
			testkit.Golden(t, filepath.Join(goldenDir, tc.file), got, *update)
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, format := range Formats() {
		for _, newWriter := range []func(string) (Writer, error){New, NewFolders} {
			w, err := newWriter(format)
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(failWriter{}, folderRun()); err == nil {
				t.Errorf("%s (%T): Write to a failing writer returned nil", format, w)
			}
		}
	}
}

func TestNew(t *testing.T) {
	if got, want := Formats(), []string{"text", "json", "csv", "jsonl"}; !slices.Equal(got, want) {
		t.Errorf("Formats() = %v, want %v", got, want)
	}
	for _, f := range append(Formats(), "JSON", " csv ", "JSONL") {
		if _, err := New(f); err != nil {
			t.Errorf("New(%q): %v", f, err)
		}
	}
	for _, f := range []string{"xml", "", "ndjson", "json lines"} {
		w, err := New(f)
		if err == nil || w != nil {
			t.Errorf("New(%q) = %v, %v; want an error", f, w, err)
			continue
		}
		if !strings.Contains(err.Error(), "text, json, csv, jsonl") {
			t.Errorf("New(%q) error %q does not list the valid formats", f, err)
		}
	}
	// Formats returns a copy.
	Formats()[0] = "xml"
	if _, err := New("text"); err != nil {
		t.Error("Formats() exposed its internal slice")
	}
}

func TestSummarize(t *testing.T) {
	reports := append(testRun().Reports, nil, &pstcheck.Report{Verdict: "bogus"}, damagedReport())
	got := Summarize(reports)
	want := Summary{Files: 6, Healthy: 1, Damaged: 2, Unreadable: 1, Errors: 2}
	if got != want {
		t.Errorf("Summarize = %+v, want %+v", got, want)
	}
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v", got)
	}
}

func TestProblemCodes(t *testing.T) {
	got := problemCodes(damagedReport())
	want := []string{"BLOCK-CRC", "NODE-BLOCK-DAMAGED", "ROOT-AMAP-INVALID"}
	if !slices.Equal(got, want) {
		t.Errorf("problemCodes = %v, want %v", got, want)
	}
	// A capped-only code counts; a zero cap entry does not.
	r := &pstcheck.Report{Capped: map[pstcheck.Code]int{finding.PageCRC: 3, finding.BlockBID: 0, finding.BlockUnused: 9}}
	if got := problemCodes(r); !slices.Equal(got, []string{"PAGE-CRC"}) {
		t.Errorf("problemCodes(capped only) = %v", got)
	}
}

// A lost name-to-ID map is said once in the cause.
func TestNameMapCauseOnce(t *testing.T) {
	r := damagedReport()
	r.Damage.NameMap = true
	if n := strings.Count(Explain(r).Cause, "name-to-ID map"); n != 1 {
		t.Errorf("cause names the map %d times: %q", n, Explain(r).Cause)
	}
}

// The cause counts damaged folders in words that agree with the count.
func TestFolderCauseAgrees(t *testing.T) {
	for n, want := range map[int]string{1: "the properties or tables of 1 folder are damaged",
		3: "the properties or tables of 3 folders are damaged"} {
		r := damagedReport()
		r.Damage.FolderNodes = n
		if c := Explain(r).Cause; !strings.Contains(c, want) {
			t.Errorf("%d damaged folders: cause %q, want it to say %q", n, c, want)
		}
	}
}

// TestOSTNothingToSaveOffersNoExport: an OST of which no item can be read
// is not advised to be exported or repaired (both would write nothing),
// only rebuilt by Outlook; one with items to save is.
func TestOSTNothingToSaveOffersNoExport(t *testing.T) {
	r := damagedReport()
	r.Content, r.Action = pstcheck.ContentOST, pstcheck.ActionRecreateOST
	r.Items = pstcheck.ItemCounts{Total: 156, Lost: 156}
	r.Damage.Salvage = 0
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	if strings.Contains(adv, "pstcheck export") || strings.Contains(adv, "pstcheck repair") || strings.Contains(e.NextStep, "export") {
		t.Errorf("advises saving items when none can be read:\n%s\n%s", e.NextStep, adv)
	}
	if !strings.Contains(adv, "rename the .ost") {
		t.Errorf("does not say how to rebuild the OST:\n%s", adv)
	}
	r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 156, Readable: 150, Lost: 6}, 150
	if adv := strings.Join(Explain(r).Advice, "\n"); !strings.Contains(adv, "pstcheck export") || !strings.Contains(adv, "pstcheck repair") {
		t.Errorf("an OST with 150 readable items is not advised to be exported first:\n%s", adv)
	}
}

// An OST copied badly (cut off here) is still an OST to rebuild, but the
// advice first says that the OST it came from may be whole: scan that
// one before renaming anything.
func TestOSTCopyFaultAdvice(t *testing.T) {
	r := damagedReport()
	r.Content, r.Action = pstcheck.ContentOST, pstcheck.ActionRecreateOST
	r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 86, Readable: 61, Recovered: 25}, 86
	r.Damage.MissingBytes = 2 << 20
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	if !strings.HasPrefix(e.NextStep, "if this file is a copy, scan the OST it came from first") ||
		!strings.Contains(adv, "ends 2.00 MiB early") || !strings.Contains(adv, "rename the .ost") || !strings.HasPrefix(adv, "An OST is a local cache") {
		t.Errorf("next step %q, advice:\n%s", e.NextStep, adv)
	}
	r.Damage.MissingBytes = 0
	if e := Explain(r); strings.Contains(e.NextStep, "copy") || strings.Contains(strings.Join(e.Advice, "\n"), "early") {
		t.Errorf("an OST that is whole is told of a bad copy: %q %q", e.NextStep, e.Advice)
	}
}

// A copy that lacks bytes inside it is told where and how many, never
// "cut off" unless its end is missing too, and advised to be copied again
// (with a tool that fills bad sectors with zeros), its items exported
// meanwhile.
func TestGapAdvice(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 2178, Readable: 2175, Damaged: 3}, 2175
	r.Damage.GapBytes, r.Damage.GapOffset, r.Damage.Gaps = 8192, 0x6E6600, 2
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	for _, want := range []string{"lacks 8.00 KiB in 2 places, the first at offset 0x6E6600", "each hole", "ddrescue", "pstcheck export"} {
		if !strings.Contains(adv, want) {
			t.Errorf("advice lacks %q:\n%s", want, adv)
		}
	}
	if !strings.Contains(e.Cause, "missing inside the file in 2 places") || strings.Contains(e.Cause, "cut off") || strings.Contains(adv, "ends") {
		t.Errorf("cause %q, advice:\n%s", e.Cause, adv)
	}
	r.Damage.MissingBytes = 4096
	if e := Explain(r); !strings.Contains(e.Cause, "cut off") || !strings.Contains(strings.Join(e.Advice, "\n"), "also ends 4.00 KiB early") {
		t.Errorf("a copy with holes and a cut-off end: cause %q, advice %q", e.Cause, e.Advice)
	}
	// Bytes missing from before the data section, where nothing the
	// store reads lies: told before where it begins, not at a place.
	r.Damage.MissingBytes, r.Damage.GapBytes, r.Damage.GapOffset, r.Damage.Gaps, r.Damage.GapBeforeData = 0, 65536, 0x22000, 1, true
	if e := Explain(r); !strings.Contains(e.Cause, "missing inside the file before offset 0x22000, where the data section begins") {
		t.Errorf("bytes missing before the data section: cause %q", e.Cause)
	}
}

// A copy that holds bytes added inside it is told where and how many, not
// that it is incomplete or cut off, advised to be copied again and kept
// from scanpst, its items saved meanwhile.
func TestAddedAdvice(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 2178, Readable: 2178}, 2178
	r.Damage.AddedBytes, r.Damage.AddedOffset, r.Damage.Added = 4096, 0xDD0200, 1
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	for _, want := range []string{"holds 4.00 KiB that were never part of the store at offset 0xDD0200", "wrote a piece twice", "pstcheck export", "pstcheck repair", "Do not run scanpst"} {
		if !strings.Contains(adv, want) {
			t.Errorf("advice lacks %q:\n%s", want, adv)
		}
	}
	if !strings.Contains(e.Cause, "4.00 KiB were added inside the file at offset 0xDD0200") || strings.Contains(e.Cause, "missing") ||
		strings.Contains(e.NextStep, "incomplete") || !strings.Contains(e.NextStep, "copy the file again") {
		t.Errorf("cause %q, next step %q", e.Cause, e.NextStep)
	}
	r.Damage.AddedBytes, r.Damage.Added = 8192, 2
	if e := Explain(r); !strings.Contains(e.Cause, "in 2 places, the first at offset 0xDD0200") {
		t.Errorf("two runs added: cause %q", e.Cause)
	}
	// A piece written twice, then the copy stopped.
	r.Damage.MissingBytes = 4096
	if e := Explain(r); !strings.Contains(e.Cause, "cut off") || !strings.Contains(e.NextStep, "incomplete") ||
		!strings.Contains(strings.Join(e.Advice, "\n"), "also ends 4.00 KiB early") {
		t.Errorf("bytes added and a cut-off end: cause %q, next step %q, advice %q", e.Cause, e.NextStep, e.Advice)
	}
}

// A file whose end is zeros where the store had written is told how much,
// advised to be copied again if it is a copy (a crash while the file grew
// leaves the same), its items saved meanwhile and kept from scanpst; it
// is not called cut off or incomplete.
func TestZeroedEndAdvice(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 336, Recovered: 302, Damaged: 20, Lost: 14}, 302
	r.Damage.ZeroedBytes = 14483968
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	for _, want := range []string{"The last 13.81 MiB of this file are zeros", "set the file's size first", "crash or power loss",
		"If this is a copy", "pstcheck export", "pstcheck repair", "Do not run scanpst on it"} {
		if !strings.Contains(adv, want) {
			t.Errorf("advice lacks %q:\n%s", want, adv)
		}
	}
	if !strings.HasPrefix(e.Cause, "the last 13.81 MiB of the file are zeros") || strings.Contains(e.Cause, "cut off") ||
		strings.Contains(e.NextStep, "incomplete") || !strings.Contains(e.NextStep, "if it is a copy, copy the file again") ||
		strings.Contains(adv, "an incomplete copy") {
		t.Errorf("cause %q, next step %q, advice:\n%s", e.Cause, e.NextStep, adv)
	}
	// Cut off as well: both are said.
	r.Damage.MissingBytes = 4096
	if e := Explain(r); !strings.Contains(e.Cause, "cut off") || !strings.Contains(e.Cause, "are zeros") || !strings.Contains(e.NextStep, "incomplete") {
		t.Errorf("a zeroed end and a cut-off one: cause %q, next step %q", e.Cause, e.NextStep)
	}
}

// An empty store whose header is destroyed (every folder read, none
// holding an item) is not said to have items that cannot be read: there is
// nothing to save, and the advice says what to do either way.
func TestEmptyStoreHeaderLostAdvice(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items = pstcheck.ItemCounts{Complete: true}
	r.Damage = pstcheck.Damage{HeaderLost: true}
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	if strings.Contains(e.NextStep+adv, "can be read whole any more") || !strings.HasPrefix(e.NextStep, "nothing to save") ||
		!strings.Contains(adv, "Outlook and scanpst cannot open it") || !strings.Contains(adv, "restore it from a backup") {
		t.Errorf("next step %q, advice:\n%s", e.NextStep, adv)
	}
}

// A store whose index lost entries, with more blocks linked to nothing
// than the scan searches (BLOCK-UNUSED-LIMIT), is not told that no item
// can be read from it, nor that its count is the store's: the advice says
// how many were left unsearched, whatever the action.
func TestUnsearchedBlocksAdvice(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items = pstcheck.ItemCounts{Total: 511523, Lost: 511523}
	r.Damage = pstcheck.Damage{IndexPages: 1, Unsearched: 4001755, Searched: 2097152}
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	if strings.Contains(e.NextStep, "no item can be") || strings.Contains(adv, "can be read whole any more") {
		t.Errorf("a store searched in part is said to hold no readable item: %q\n%s", e.NextStep, adv)
	}
	for _, want := range []string{"searched the newest 2,097,152", "left 4,001,755 older ones unsearched", "lower bound"} {
		if !strings.Contains(adv, want) {
			t.Errorf("advice lacks %q:\n%s", want, adv)
		}
	}
	r.Action = pstcheck.ActionExport
	r.Items = pstcheck.ItemCounts{Total: 511523, Recovered: 15184, Lost: 496339}
	r.Damage.Salvage = 15184
	if adv := strings.Join(Explain(r).Advice, "\n"); !strings.Contains(adv, "left 4,001,755 older ones unsearched") {
		t.Errorf("an export advice does not say what was left unsearched:\n%s", adv)
	}
}

// A store whose lost items' remains survive, none of them told to be an
// item's own with certainty (an audit: the node index destroyed and 16
// sectors zeroed, each of 1,994 heaps whole), is not told that no item can
// be read, but that none can be saved whole.
func TestNothingSavedWholeAdvice(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items = pstcheck.ItemCounts{Total: 1994, Lost: 1994, Salvageable: 1994}
	r.Damage = pstcheck.Damage{IndexPages: 1}
	e := Explain(r)
	adv := strings.Join(e.Advice, "\n")
	if strings.Contains(e.NextStep, "can be read") || strings.Contains(adv, "can be read whole any more") ||
		!strings.Contains(e.NextStep, "no item can be saved whole") || !strings.Contains(adv, "cannot be put together with certainty") {
		t.Errorf("next step %q, advice:\n%s", e.NextStep, adv)
	}
}

// Damaged items --include-damaged writes in part are offered where no item
// can be saved whole, as the export's own summary offers them (an audit:
// 32-bit.pst with 4 KiB zeroed every 16 KiB was told "no item can be read
// from it", and its export wrote its one damaged calendar item with the
// flag); an OST's advice offers them too.
func TestNothingSavedWholeOffersDamaged(t *testing.T) {
	for _, action := range []pstcheck.Action{pstcheck.ActionRestore, pstcheck.ActionRecreateOST} {
		r := damagedReport()
		r.Action = action
		r.Items = pstcheck.ItemCounts{Total: 7, Damaged: 4, Lost: 3, Salvageable: 3}
		r.Damage = pstcheck.Damage{IndexPages: 1}
		e := Explain(r)
		adv := strings.Join(e.Advice, "\n")
		if strings.Contains(e.NextStep, "can be read from it") || !strings.Contains(adv, "--include-damaged writes what can be read of 4 damaged items and what is left of 3 lost items") {
			t.Errorf("%s: next step %q, advice:\n%s", action, e.NextStep, adv)
		}
		r.Items = pstcheck.ItemCounts{Total: 1, Damaged: 1}
		e = Explain(r)
		adv = strings.Join(e.Advice, "\n")
		if strings.Contains(e.NextStep, "can be read from it") || !strings.Contains(adv, "--include-damaged writes what can be read of 1 damaged item,") {
			t.Errorf("%s, one damaged item: next step %q, advice:\n%s", action, e.NextStep, adv)
		}
	}
}

// An OST cut off inside its header is still a cache: made anew from the
// server, not restored from a backup, and scanpst not named.
func TestOSTCutInHeaderAdvice(t *testing.T) {
	r := &pstcheck.Report{Path: "/tmp/a.ost", Size: 512, Format: pstcheck.FormatUnicode, Content: pstcheck.ContentOST,
		Verdict: pstcheck.Unreadable, Action: pstcheck.ActionRecreateOST,
		Findings: []finding.Finding{{Code: finding.HeaderTruncated, Offset: 512, Detail: "the file is 512 bytes long; a unicode header needs 564"}}}
	e := Explain(r)
	all := e.NextStep + "\n" + strings.Join(e.Advice, "\n")
	if !strings.Contains(e.NextStep, "rebuild the OST") || !strings.Contains(all, "the server still has the mail") ||
		strings.Contains(all, "scanpst") || strings.Contains(all, "backup") {
		t.Errorf("next step %q, advice:\n%s", e.NextStep, strings.Join(e.Advice, "\n"))
	}
}

// Items whole but for their named properties (the store's name map lost)
// are saved, but not whole: the count of what an export saves says so
// (an audit: one bit of test.ost's name map changed, "it saves all 18
// items" of 18 contacts without their addresses).
func TestSavesWithoutNamedPropertiesSaidSo(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionExport
	for _, c := range []struct {
		names int
		want  string
	}{{18, "it saves all 18 items, all without their named properties"}, {5, "it saves all 18 items, 5 of them without their named properties"}, {0, "it saves all 18 items)"}} {
		r.Items = pstcheck.ItemCounts{Total: 18, Readable: 18 - c.names, Damaged: c.names, NamesLost: c.names, Complete: true}
		r.Damage = pstcheck.Damage{Blocks: 1, NameMap: true, Salvage: 18}
		if e := Explain(r); !strings.Contains(e.NextStep, c.want) {
			t.Errorf("%d without named properties: next step %q", c.names, e.NextStep)
		}
	}
}

// A copy cut off whose header is destroyed knows only at least how much
// is missing (what its last pages tell), and says so.
func TestCutOffHeaderLostSaysAtLeast(t *testing.T) {
	r := damagedReport()
	r.Action = pstcheck.ActionRestore
	r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 2178, Recovered: 2178}, 2178
	r.Damage.MissingBytes, r.Damage.HeaderLost = 26, true
	e := Explain(r)
	if !strings.Contains(e.Cause, "cut off: at least 26 B are missing from its end") || !strings.Contains(e.NextStep, "copy the file again") ||
		!strings.Contains(strings.Join(e.Advice, "\n"), "ends at least 26 B early") {
		t.Errorf("cause %q, next step %q, advice %q", e.Cause, e.NextStep, e.Advice)
	}
}

// Lost items only a folder's item count still counts (its listing lost,
// nothing else of them left) are named nowhere: an audit found export say
// its manifest names each of 56 lost items where it named 2, and repair
// say so of its list. Both now say how many are not named
// (Store.CountedOnly).
func TestUnnamedLostSaidSo(t *testing.T) {
	it := pstcheck.ItemCounts{Total: 200, Readable: 136, Recovered: 1, Damaged: 7, Lost: 56}
	exp := strings.Join(ExportSummary(ExportResult{Source: "b.pst", Dir: "out", Format: "eml", Items: it, Saved: 137, CountedOnly: 54}), "\n")
	if !strings.Contains(exp, "but 54 lost that only their folders' item counts still count") {
		t.Errorf("export summary:\n%s", exp)
	}
	if exp := strings.Join(ExportSummary(ExportResult{Items: it, Saved: 137}), "\n"); strings.Contains(exp, "but") {
		t.Errorf("every item named, yet:\n%s", exp)
	}
	rep := strings.Join(RepairSummary(RepairResult{Source: "b.pst", Target: "r.pst", Items: it, Saved: 137, ListedTotal: 9, ListFile: "r-not-written.txt", CountedOnly: 54}), "\n")
	if !strings.Contains(rep, "listed in r-not-written.txt but 54 lost") {
		t.Errorf("repair summary:\n%s", rep)
	}
}

// Heaps no node uses that the count takes for versions of items it counts
// already (enron.pst cut at half: 14 heaps, 20 damaged items nothing
// names, none lost counted; SampleOstFile.ost cut at a tenth: 8 such heaps
// beside 24 lost items counted by their rows alone) are said to be so,
// and an export that writes them counts them apart from the store's
// items, so that what it says it wrote and did not write adds up.
func TestSalvageBeyondLostSaidSo(t *testing.T) {
	for _, c := range []struct {
		it   pstcheck.ItemCounts
		want string
	}{
		{pstcheck.ItemCounts{Total: 322, Recovered: 302, Damaged: 20, Salvageable: 14, Versions: 14}, "14 of them may be versions of items counted above, or messages attached to them"},
		{pstcheck.ItemCounts{Total: 66, Readable: 5, Damaged: 37, Lost: 24, Salvageable: 8, Versions: 8}, "8 of them may be versions of items counted above, or messages attached to them"},
		{pstcheck.ItemCounts{Total: 17, Readable: 1, Recovered: 12, Damaged: 3, Lost: 1, Salvageable: 2, Versions: 1}, "1 of them may be a version of an item counted above, or a message attached to one"},
		{pstcheck.ItemCounts{Total: 10, Readable: 5, Lost: 5, Salvageable: 5}, ""},
	} {
		adv := strings.Join(includeDamagedAdvice(c.it), "\n")
		if said := strings.Contains(adv, "may be"); said != (c.want != "") || !strings.Contains(adv, c.want) {
			t.Errorf("%+v: %s", c.it, adv)
		}
	}
	for _, c := range []struct {
		it   pstcheck.ItemCounts
		want []string
	}{
		{pstcheck.ItemCounts{Total: 322, Recovered: 302, Damaged: 20, Salvageable: 14, Versions: 14},
			[]string{"Exported 308 of 322 items", "Also written, marked X-Pstcheck-Damaged: 14 messages known only by a block", "Not exported: 14 damaged;"}},
		{pstcheck.ItemCounts{Total: 66, Readable: 5, Damaged: 37, Lost: 24, Salvageable: 8, Versions: 8},
			[]string{"Exported 11 of 66 items", "Also written, marked X-Pstcheck-Damaged: 8 messages known only by a block", "Not exported: 31 damaged, 24 lost"}},
	} {
		out := strings.Join(ExportSummary(ExportResult{Source: "s.pst", Dir: "out", Format: "eml", Items: c.it, Saved: c.it.Readable + c.it.Recovered, Partial: 6, Salvaged: c.it.Salvageable, IncludeDamaged: true}), "\n")
		for _, want := range c.want {
			if !strings.Contains(out, want) {
				t.Errorf("the export's summary does not say %q:\n%s", want, out)
			}
		}
	}
}

// A cut-off copy ending at a file size limit (FAT32's 4 GiB less a byte, a
// 2 GiB one) is told to stop there, and to be copied where the limit does
// not hold; a copy cut one byte short of a limit is an interrupted copy.
func TestCutAtFileSizeLimit(t *testing.T) {
	for _, c := range []struct {
		size      int64
		cause     string // "": no limit named
		nextStep  string
		adviceHas string
	}{
		{1<<32 - 1, "cut off at FAT32's 4 GiB file limit", "to a drive formatted NTFS or exFAT", "(as many USB sticks and memory cards are)"},
		{1<<31 - 1, "cut off at a 2 GiB file limit", "with another copying program or to a drive formatted NTFS or exFAT", "some programs, network shares and older file systems"},
		{1<<32 - 2, "", "incomplete", "interrupted"},
		{1 << 32, "", "incomplete", "interrupted"},
	} {
		r := damagedReport()
		r.Action, r.Size = pstcheck.ActionRestore, c.size
		r.Items, r.Damage.Salvage = pstcheck.ItemCounts{Total: 10, Readable: 10}, 10
		r.Damage.MissingBytes = 300 << 20
		if c.size%2 == 1 { // a copy with holes too is told of the limit as well
			r.Damage.GapBytes, r.Damage.GapOffset, r.Damage.Gaps = 4096, 0x10000, 1
		}
		e := Explain(r)
		adv := strings.Join(e.Advice, "\n")
		limit := c.cause != ""
		if limit != strings.Contains(e.Cause, "limit") || limit && !strings.Contains(e.Cause, c.cause) ||
			!strings.Contains(e.NextStep, c.nextStep) || !strings.Contains(adv, c.adviceHas) {
			t.Errorf("%d bytes: cause %q, next %q, advice:\n%s", c.size, e.Cause, e.NextStep, adv)
		}
	}
}

// A file on a network share or in a folder OneDrive syncs is told to be
// kept elsewhere, healthy or not (a healthy one is at the same risk); a
// file that is no data file at all is not.
func TestLocationAdvice(t *testing.T) {
	for _, c := range []struct {
		r    *pstcheck.Report
		loc  pstcheck.Location
		want string
	}{
		{healthyReport(), pstcheck.LocationNetwork, "This file is on a network share. Outlook does not support data files used over a network"},
		{damagedReport(), pstcheck.LocationSynced, "This file lies in a OneDrive folder. Where OneDrive syncs it,"},
		{healthyReport(), pstcheck.LocationLocal, ""},
	} {
		c.r.Location = c.loc
		e := Explain(c.r)
		if c.r.Verdict == pstcheck.Healthy && (c.loc != pstcheck.LocationLocal) != strings.Contains(e.NextStep, "move the file") {
			t.Errorf("%s, %q: next step %q", c.r.Verdict, c.loc, e.NextStep)
		}
		adv := strings.Join(e.Advice, "\n")
		if c.want == "" && (strings.Contains(adv, "network") || strings.Contains(adv, "OneDrive")) || !strings.Contains(adv, c.want) {
			t.Errorf("%s, %q: advice\n%s", c.r.Verdict, c.loc, adv)
		}
	}
	r := damagedReport()
	r.Verdict, r.OtherFormat, r.Location = pstcheck.Unreadable, pstcheck.OtherZIP, pstcheck.LocationNetwork
	if adv := strings.Join(Explain(r).Advice, "\n"); strings.Contains(adv, "network") {
		t.Errorf("a ZIP on a share is told of the share:\n%s", adv)
	}
}

// The Outbox the store names, holding damaged items, is told what that does
// to sending; another folder's damage, or a store naming no Outbox, is not.
func TestOutboxAdvice(t *testing.T) {
	for _, c := range []struct {
		outbox uint32
		want   string
	}{
		{0x8042, "The Outbox holds 1 damaged or lost item: Outlook sends what waits there"},
		{0x8099, ""},
		{0, ""},
	} {
		r := damagedReport()
		r.Outbox = c.outbox
		adv := strings.Join(Explain(r).Advice, "\n")
		if c.want == "" && strings.Contains(adv, "Outbox") || !strings.Contains(adv, c.want) {
			t.Errorf("Outbox 0x%X: advice\n%s", c.outbox, adv)
		}
	}
}

// An OST renamed .pst (Outlook still will not open it as a data file) is
// told so, and offered a PST written from it; a PST named .ost is told to
// be renamed back; a store named as its kind is told neither.
func TestNameOfOtherKind(t *testing.T) {
	for _, c := range []struct {
		path    string
		content pstcheck.Content
		advice  string
		next    string
	}{
		{`C:\x\mail.pst`, pstcheck.ContentOST, "This is an OST, the offline cache of a server mailbox, named .pst", "write a PST from it (pstcheck repair)"},
		{`C:\x\mail.OST`, pstcheck.ContentPST, "This is a PST named .ost: rename it to end in .pst", "rename it to end in .pst"},
		{`C:\x\mail.ost`, pstcheck.ContentOST, "", "nothing to do"},
		{`C:\x\mail.pst`, pstcheck.ContentPST, "", "nothing to do"},
	} {
		r := healthyReport()
		r.Path, r.Content = c.path, c.content
		e := Explain(r)
		adv := strings.Join(e.Advice, "\n")
		if c.advice == "" && strings.Contains(adv, "named .") || !strings.Contains(adv, c.advice) || !strings.Contains(e.NextStep, c.next) {
			t.Errorf("%s holding a %s: next %q, advice\n%s", c.path, c.content, e.NextStep, adv)
		}
	}
	// A damaged one is promised nothing a rename cannot give, and the
	// OST the damage advice renames is the account's, not this file.
	r := damagedReport()
	r.Path = `C:\x\mail.ost`
	if adv := strings.Join(Explain(r).Advice, "\n"); !strings.Contains(adv, "Outlook opens a PST by that name only") || strings.Contains(adv, "and Outlook opens it") {
		t.Errorf("a damaged PST named .ost:\n%s", adv)
	}
	r = damagedReport()
	r.Path, r.Content, r.Action = `C:\x\mail.pst`, pstcheck.ContentOST, pstcheck.ActionRecreateOST
	if adv := strings.Join(Explain(r).Advice, "\n"); !strings.Contains(adv, "The .ost to rename is the one Outlook uses for the account, not this file.") {
		t.Errorf("a damaged OST named .pst:\n%s", adv)
	}
}
