package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// csvWriter writes `--format csv`: a header row, then one row per file.
//
// A table is a list of columns over some row type; the file table's rows
// are reports. Another row type (say one row per folder) is another column
// list over its own row type, written by the same writeCSV.
type csvWriter struct{}

// csvColumn is one column of a CSV table whose rows are of type T.
type csvColumn[T any] struct {
	name  string
	value func(T) string
}

// csvFileColumns are the columns of the file table. Append new columns at
// the end: scripts may address columns by position.
var csvFileColumns = []csvColumn[*pstcheck.Report]{
	{"path", func(r *pstcheck.Report) string { return r.Path }},
	{"size", func(r *pstcheck.Report) string {
		if r.Size < 0 {
			return ""
		}
		return strconv.FormatInt(r.Size, 10)
	}},
	{"format", func(r *pstcheck.Report) string { return string(r.Format) }},
	{"content", func(r *pstcheck.Report) string { return string(r.Content) }},
	{"verdict", func(r *pstcheck.Report) string { return string(r.Verdict) }},
	{"action", func(r *pstcheck.Report) string { return string(r.Action) }},
	{"errors", func(r *pstcheck.Report) string { return strconv.Itoa(r.Count(severityError)) }},
	{"warnings", func(r *pstcheck.Report) string { return strconv.Itoa(r.Count(severityWarning)) }},
	{"infos", func(r *pstcheck.Report) string { return strconv.Itoa(r.Count(severityInfo)) }},
	{"codes", func(r *pstcheck.Report) string { return strings.Join(problemCodes(r), ";") }},
	{"cause", func(r *pstcheck.Report) string { return Explain(r).Cause }},
	{"next_step", func(r *pstcheck.Report) string { return Explain(r).NextStep }},
	// The store's shape (oversize.go): folders, the folder with the most
	// items, and what compacting would reclaim; empty when unknown.
	{"folders", func(r *pstcheck.Report) string {
		if r.Scale == nil {
			return ""
		}
		return strconv.Itoa(r.Scale.Folders)
	}},
	{"largest_folder", func(r *pstcheck.Report) string {
		if r.Scale == nil || len(r.Scale.ByItems) == 0 {
			return ""
		}
		return r.Scale.ByItems[0].Path
	}},
	{"largest_folder_items", func(r *pstcheck.Report) string {
		if r.Scale == nil {
			return ""
		}
		if len(r.Scale.ByItems) == 0 {
			return "0"
		}
		return strconv.Itoa(r.Scale.ByItems[0].Items)
	}},
	{"reclaimable", func(r *pstcheck.Report) string {
		if r.Stats.FreeBytes < 0 {
			return ""
		}
		return strconv.FormatInt(r.Stats.FreeBytes, 10)
	}},
	// The item accounting, as the text report's summary gives it; empty
	// where no item was counted. items_complete false: items is a lower
	// bound ("at least").
	itemsColumn("items", func(it pstcheck.ItemCounts) int { return it.Total }),
	itemsColumn("readable", func(it pstcheck.ItemCounts) int { return it.Readable }),
	itemsColumn("damaged", func(it pstcheck.ItemCounts) int { return it.Damaged }),
	itemsColumn("lost", func(it pstcheck.ItemCounts) int { return it.Lost }),
	itemsColumn("recovered", func(it pstcheck.ItemCounts) int { return it.Recovered }),
	{"items_complete", func(r *pstcheck.Report) string {
		if !itemsCounted(r) {
			return ""
		}
		return strconv.FormatBool(r.Items.Complete)
	}},
}

// itemsColumn is a column of the file table giving one of a file's item
// counts, empty where no item was counted.
func itemsColumn(name string, count func(pstcheck.ItemCounts) int) csvColumn[*pstcheck.Report] {
	return csvColumn[*pstcheck.Report]{name, func(r *pstcheck.Report) string {
		if !itemsCounted(r) {
			return ""
		}
		return strconv.Itoa(count(r.Items))
	}}
}

func (csvWriter) Write(w io.Writer, run Run) error {
	return writeCSV(w, csvFileColumns, run.reports())
}

// csvFolderWriter writes `--format csv --folders`: a header row, then one
// row per folder with damaged, lost or recovered items, or damage of its
// own, of every file, files in the run's order and each file's folders in
// the engine's order. A file that is not healthy but has no such folder
// (a copy cut off, a header destroyed, a file that could not be read) has
// one row of its own, the folder's columns empty: a sheet sorted by
// verdict must not pass it over. A healthy file contributes no rows.
type csvFolderWriter struct{}

// csvFolderRow is one row of the folder table: a folder and the file that
// holds it, or (fileOnly) the file alone.
type csvFolderRow struct {
	file     *pstcheck.Report
	folder   pstcheck.Folder
	fileOnly bool
}

// folderColumn is a folder's column: empty on a file's own row.
func folderColumn(value func(csvFolderRow) string) func(csvFolderRow) string {
	return func(r csvFolderRow) string {
		if r.fileOnly {
			return ""
		}
		return value(r)
	}
}

// csvFolderColumns are the columns of the folder table. verdict and action
// are the file's. Append new columns at the end.
var csvFolderColumns = []csvColumn[csvFolderRow]{
	{"path", func(r csvFolderRow) string { return r.file.Path }},
	{"folder_nid", folderColumn(func(r csvFolderRow) string { return strconv.FormatUint(uint64(r.folder.NID), 10) })},
	{"folder", folderColumn(func(r csvFolderRow) string { return r.folder.Path })},
	{"items", folderColumn(func(r csvFolderRow) string { return strconv.Itoa(r.folder.Items) })},
	{"readable", folderColumn(func(r csvFolderRow) string { return strconv.Itoa(r.folder.Readable) })},
	{"damaged", folderColumn(func(r csvFolderRow) string { return strconv.Itoa(r.folder.Damaged) })},
	{"verdict", func(r csvFolderRow) string { return string(r.file.Verdict) }},
	{"action", func(r csvFolderRow) string { return string(r.file.Action) }},
	{"lost", folderColumn(func(r csvFolderRow) string { return strconv.Itoa(r.folder.Lost) })},
	{"recovered", folderColumn(func(r csvFolderRow) string { return strconv.Itoa(r.folder.Recovered) })},
	{"expected", folderColumn(func(r csvFolderRow) string {
		if r.folder.Expected < 0 {
			return ""
		}
		return strconv.Itoa(r.folder.Expected)
	})},
	{"size", folderColumn(func(r csvFolderRow) string { return strconv.FormatInt(r.folder.Size, 10) })},
	{"structure_damaged", folderColumn(func(r csvFolderRow) string { return strconv.FormatBool(r.folder.StructureDamaged) })},
}

func (csvFolderWriter) Write(w io.Writer, run Run) error {
	var rows []csvFolderRow
	for _, r := range run.reports() {
		n := len(rows)
		for _, f := range r.Folders {
			if folderHurt(f) {
				rows = append(rows, csvFolderRow{file: r, folder: f})
			}
		}
		if len(rows) == n && r.Verdict != pstcheck.Healthy {
			rows = append(rows, csvFolderRow{file: r, fileOnly: true})
		}
	}
	return writeCSV(w, csvFolderColumns, rows)
}

// writeCSV writes a header row of cols' names, then one row per element of
// rows.
func writeCSV[T any](w io.Writer, cols []csvColumn[T], rows []T) error {
	cw := csv.NewWriter(w)
	record := make([]string, len(cols))
	for i, c := range cols {
		record[i] = c.name
	}
	if err := cw.Write(record); err != nil {
		return err
	}
	for _, row := range rows {
		for i, c := range cols {
			record[i] = c.value(row)
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
