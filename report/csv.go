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
	{"cause", func(r *pstcheck.Report) string { return r.Cause }},
	{"next_step", func(r *pstcheck.Report) string { return r.NextStep }},
}

func (csvWriter) Write(w io.Writer, run Run) error {
	return writeCSV(w, csvFileColumns, run.reports())
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
