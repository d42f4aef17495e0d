// Package report renders the results of a pstcheck scan for people and for
// scripts. There is one Writer interface and one file per format (text.go
// with table.go, json.go, csv.go, jsonl.go); the formats are pinned by
// golden files in report/testdata/. New returns a format's writer;
// NewFolders the same format in folder mode (CSV rows per damaged folder);
// NewStream a writer that reports each file as it finishes (jsonl).
//
// The JSON, JSON Lines and CSV formats are part of the output contract of
// the README: they may only grow by adding fields or columns.
package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Run is what one invocation of `pstcheck scan` produced.
type Run struct {
	Version string // pstcheck version string
	Reports []*pstcheck.Report
}

// Writer renders a Run in one format.
type Writer interface {
	Write(w io.Writer, run Run) error
}

// StreamWriter renders one file's report at a time, as each file finishes,
// for formats that need no view of the whole run (jsonl). Each call writes
// one complete record; version is the pstcheck version string, for formats
// that record it.
type StreamWriter interface {
	WriteFile(w io.Writer, version string, r *pstcheck.Report) error
}

// formats maps each format name to its constructor, in help order.
var formats = []struct {
	name string
	new  func() Writer
}{
	{"text", func() Writer { return textWriter{} }},
	{"json", func() Writer { return jsonWriter{} }},
	{"csv", func() Writer { return csvWriter{} }},
	{"jsonl", func() Writer { return jsonlWriter{} }},
}

// New returns the writer for a format name: "text", "json", "csv" or
// "jsonl".
// Names are matched case-insensitively; any other name is an error that
// lists the valid ones.
func New(format string) (Writer, error) {
	name := formatName(format)
	for _, f := range formats {
		if f.name == name {
			return f.new(), nil
		}
	}
	return nil, fmt.Errorf("unknown report format %q (valid formats: %s)", format, strings.Join(Formats(), ", "))
}

// NewFolders returns the writer for a format name in folder mode (`pstcheck
// scan --folders`): for "csv", one row per damaged folder of every file
// instead of one row per file (columns path, folder_nid, folder, items,
// readable, damaged, verdict, action), and one, its folder columns empty,
// for a file that is not healthy without one. The text, JSON and JSON Lines
// formats always show the folder map, so for them NewFolders is New. Names
// and errors are as for New.
func NewFolders(format string) (Writer, error) {
	w, err := New(format)
	if _, ok := w.(csvWriter); ok {
		return csvFolderWriter{}, nil
	}
	return w, err
}

// NewStream returns the streaming writer for a format name, and true, when
// the format can be written one file at a time: only "jsonl" (names are
// matched as by New). For any other format it returns nil and false, and
// the caller collects the reports and uses New's Writer at the end.
func NewStream(format string) (StreamWriter, bool) {
	if formatName(format) == "jsonl" {
		return jsonlWriter{}, true
	}
	return nil, false
}

// formatName normalizes a format name as given on the command line.
func formatName(format string) string { return strings.ToLower(strings.TrimSpace(format)) }

// Formats lists the format names New accepts, in help order.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// Summary totals the files of a run by verdict.
type Summary struct {
	Files      int // files scanned
	Healthy    int // verdict "healthy"
	Damaged    int // verdict "damaged"
	Unreadable int // verdict "unreadable"
	Errors     int // verdict "error" (the file could not be opened or read)
}

// Summarize totals reports by verdict. Nil reports are skipped. A report
// with a verdict outside the four known ones is counted as an error, so
// that Healthy+Damaged+Unreadable+Errors always equals Files and an
// unexpected verdict never passes for healthy.
func Summarize(reports []*pstcheck.Report) Summary {
	var s Summary
	for _, r := range reports {
		if r == nil {
			continue
		}
		s.Files++
		switch r.Verdict {
		case pstcheck.Healthy:
			s.Healthy++
		case pstcheck.Damaged:
			s.Damaged++
		case pstcheck.Unreadable:
			s.Unreadable++
		default:
			s.Errors++
		}
	}
	return s
}

// reports returns run's non-nil reports, in order.
func (run Run) reports() []*pstcheck.Report {
	out := make([]*pstcheck.Report, 0, len(run.Reports))
	for _, r := range run.Reports {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}

// problemCodes returns the distinct codes of r's error and warning
// findings, capped ones included, sorted.
func problemCodes(r *pstcheck.Report) []string {
	seen := map[string]bool{}
	add := func(c pstcheck.Code) {
		if s := finding.Lookup(c).Severity; s == severityError || s == severityWarning {
			seen[string(c)] = true
		}
	}
	for _, f := range r.Findings {
		add(f.Code)
	}
	for c, n := range r.Capped {
		if n > 0 {
			add(c)
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

const (
	severityError   = finding.SeverityError
	severityWarning = finding.SeverityWarning
	severityInfo    = finding.SeverityInfo
)
