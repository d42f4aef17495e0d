package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/internal/units"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// textWriter writes the default format, for people.
//
// A single file gets one line (verdict, path, cause, next step), then a
// details section when it has findings, advice or a damaged folder.
//
// A batch (more than one file) gets a table of the files sorted worst
// first and the run's totals (table.go), then a details section for each
// file that is not healthy or has warnings, in the table's order. A
// healthy file with only info findings gets its table row alone.
//
// Strings that come from the scanned file or the file system (paths,
// folder names, details) are passed through clean, so that a hostile folder
// name cannot send escape sequences to the terminal.
type textWriter struct{}

const (
	// textWidth is the terminal width the layout aims at.
	textWidth = 100
	// shortInfoLimit caps the info findings listed for a healthy file that
	// has nothing but info findings.
	shortInfoLimit = 5
	// findingIndent is the indent of a finding's continuation lines: under
	// its code.
	findingIndent = "          "
)

func (textWriter) Write(w io.Writer, run Run) error {
	reports := run.reports()
	b := bufio.NewWriter(w) // keeps the first write error; Flush returns it
	if len(reports) > 1 {
		writeBatch(b, reports)
	} else {
		for _, r := range reports {
			writeSingle(b, r)
		}
	}
	return b.Flush()
}

// writeSingle writes the report of a run of one file.
func writeSingle(b *bufio.Writer, r *pstcheck.Report) {
	b.WriteString(fileLine(r))
	b.WriteByte('\n')
	if hasDetails(r) {
		b.WriteByte('\n')
		writeDetails(b, r, nil)
	}
}

// writeBatch writes the report of a run of several files: the table, the
// totals, then the details of the files that need a look.
func writeBatch(b *bufio.Writer, reports []*pstcheck.Report) {
	sorted := worstFirst(reports)
	for _, l := range tableLines(sorted) {
		b.WriteString(l + "\n")
	}
	b.WriteByte('\n')
	for _, l := range totalsLines(reports) {
		b.WriteString(l + "\n")
	}
	shown := map[string]bool{} // advice the same for every file, shown once
	for _, r := range sorted {
		if batchDetails(r) {
			b.WriteByte('\n')
			writeDetails(b, r, shown)
		}
	}
}

// fileLine is the one line that leads the output for each file:
// verdict, path, cause, next step.
func fileLine(r *pstcheck.Report) string {
	e := Explain(r)
	line := fmt.Sprintf("%-11s %s — %s", verdictLabel(r.Verdict), clean(r.Path), sentence(e.Cause))
	if e.NextStep != "" {
		line += " Next: " + sentence(e.NextStep)
	}
	return line
}

func verdictLabel(v pstcheck.Verdict) string {
	switch v {
	case pstcheck.Healthy:
		return "HEALTHY"
	case pstcheck.Damaged:
		return "DAMAGED"
	case pstcheck.Unreadable:
		return "UNREADABLE"
	case pstcheck.Failed:
		return "ERROR"
	case "":
		return "UNKNOWN"
	}
	return strings.ToUpper(clean(string(v)))
}

func defaultCause(v pstcheck.Verdict) string {
	switch v {
	case pstcheck.Healthy:
		return "no problems found"
	case pstcheck.Damaged:
		return "damage found"
	case pstcheck.Unreadable:
		return "not a readable PST or OST file"
	case pstcheck.Failed:
		return "the file could not be read"
	}
	return "no verdict"
}

func hasDetails(r *pstcheck.Report) bool {
	if len(r.Findings) > 0 || len(Explain(r).Advice) > 0 {
		return true
	}
	for _, n := range r.Capped {
		if n > 0 {
			return true
		}
	}
	// A damaged folder is always shown; a healthy file with nothing else
	// to say keeps its one line.
	return slices.ContainsFunc(r.Folders, folderHurt)
}

// writeDetails writes the details section of one file. In a batch (shown
// not nil: the advice lines shown for earlier files) the section also gives
// the cause and the next step, which a single file's report has on its
// first line.
func writeDetails(b *bufio.Writer, r *pstcheck.Report, shown map[string]bool) {
	batch := shown != nil
	errors, warnings, infos := r.Count(severityError), r.Count(severityWarning), r.Count(severityInfo)
	e := Explain(r)
	b.WriteString("== " + clean(r.Path) + "\n")
	b.WriteString(formatLine(r) + "\n")

	// A healthy file with nothing but information: keep it short.
	if r.Verdict == pstcheck.Healthy && errors == 0 && warnings == 0 && len(e.Advice) == 0 {
		for _, l := range append(folderLines(r.Folders), outsideLines(r)...) {
			b.WriteString(l + "\n")
		}
		for _, l := range scaleLines(r) {
			b.WriteString(l + "\n")
		}
		var listed []pstcheck.Finding
		for _, f := range r.Findings {
			if f.Severity() == severityInfo && len(listed) < shortInfoLimit {
				listed = append(listed, f)
			}
		}
		for _, f := range listed {
			for _, l := range findingLines(f) {
				b.WriteString(l + "\n")
			}
		}
		if more := infos - len(listed); more > 0 {
			fmt.Fprintf(b, "  (%d more info %s not listed)\n", more, pluralWord(more, "finding"))
		}
		return
	}

	fmt.Fprintf(b, "Verdict: %s, action: %s\n", clean(string(r.Verdict)), cmp.Or(clean(string(r.Action)), "-"))
	if batch {
		for _, l := range wrap(sentence(e.Cause), "Cause: ", "       ", textWidth) {
			b.WriteString(l + "\n")
		}
		if e.NextStep != "" {
			for _, l := range wrap(sentence(e.NextStep), "Next:  ", "       ", textWidth) {
				b.WriteString(l + "\n")
			}
		}
	}
	if rb := r.Rebuild; rb != nil {
		for _, l := range wrap(rebuildLine(rb), "Index: ", "       ", textWidth) {
			b.WriteString(l + "\n")
		}
	}
	if len(e.Advice) > 0 {
		b.WriteString("Advice:\n")
		for _, a := range e.Advice {
			if batch && onceInBatch(a) {
				if shown[a] {
					continue
				}
				shown[a] = true
			}
			// Advice is not wrapped: it holds command lines to copy.
			b.WriteString("  - " + clean(a) + "\n")
		}
	}
	for _, l := range append(folderLines(r.Folders), outsideLines(r)...) {
		b.WriteString(l + "\n")
	}
	for _, l := range scaleLines(r) {
		b.WriteString(l + "\n")
	}
	if errors+warnings+infos > 0 {
		fmt.Fprintf(b, "Findings: %s, %s, %d info\n", plural(errors, "error"), plural(warnings, "warning"), infos)
	}
	for _, l := range findingsLines(r) {
		b.WriteString(l + "\n")
	}
	if r.Verdict == pstcheck.Failed && r.Stats.BytesVerified == 0 && r.Stats.Blocks == 0 && r.Stats.Pages == 0 {
		return // nothing was scanned: a line of zeros says nothing
	}
	for _, l := range wrapParts(scanParts(r.Stats), ", ", "Scan: ", "      ", textWidth) {
		b.WriteString(l + "\n")
	}
}

// formatLine describes the file: "Unicode PST (wVer 23), compressible
// encryption, 27.63 MiB".
func formatLine(r *pstcheck.Report) string {
	format := map[pstcheck.Format]string{
		pstcheck.FormatANSI:      "ANSI",
		pstcheck.FormatUnicode:   "Unicode",
		pstcheck.FormatUnicode4K: "Unicode 4K-page",
	}[r.Format]
	if format == "" {
		format = clean(string(r.Format))
	}
	content := map[pstcheck.Content]string{
		pstcheck.ContentPST: "PST",
		pstcheck.ContentOST: "OST",
		pstcheck.ContentPAB: "PAB",
	}[r.Content]
	if content == "" {
		content = strings.ToUpper(clean(string(r.Content)))
	}
	var s string
	switch {
	case format != "" && content != "":
		s = format + " " + content
	case format != "":
		s = format + " store"
	case content != "":
		s = content + " of unknown format"
	default:
		s = "Unknown format"
	}
	if r.Stats.Version != 0 {
		s += fmt.Sprintf(" (wVer %d)", r.Stats.Version)
	}
	switch r.Stats.Crypt {
	case "":
	case "none":
		s += ", no encryption"
	default:
		s += ", " + clean(r.Stats.Crypt) + " encryption"
	}
	if r.Password {
		// Not a lock on the data: say so where it is named.
		s += ", password-protected (Outlook asks for it; pstcheck reads the store without it)"
	}
	if n := knownSize(r); n >= 0 {
		s += ", " + units.Size(n, 2)
	}
	return s
}

// findingLines renders one finding: `SEVERITY CODE  offset 0x..  bid 0x..
// nid 0x..  folder X  detail`, leaving out unknown parts. What does not fit
// on the line goes on continuation lines under the code, the detail
// wrapped at spaces.
func findingLines(f pstcheck.Finding) []string {
	head := fmt.Sprintf("  %-7s %s", strings.ToUpper(string(f.Severity())), clean(string(f.Code)))
	var parts []string
	if f.Offset >= 0 {
		parts = append(parts, fmt.Sprintf("offset 0x%X", f.Offset))
	}
	if f.BID != 0 {
		parts = append(parts, fmt.Sprintf("bid 0x%X", f.BID))
	}
	if f.NID != 0 {
		parts = append(parts, fmt.Sprintf("nid 0x%X", f.NID))
	}
	switch {
	case f.Folder != "":
		parts = append(parts, "folder "+clean(f.Folder))
	case f.FolderNID != 0:
		parts = append(parts, fmt.Sprintf("folder 0x%X", f.FolderNID))
	}
	lines := []string{head}
	add := func(part string) {
		last := &lines[len(lines)-1]
		if utf8.RuneCountInString(*last)+2+utf8.RuneCountInString(part) <= textWidth {
			*last += "  " + part
			return
		}
		lines = append(lines, findingIndent+part)
	}
	for _, p := range parts {
		add(p)
	}
	detail := detailText(f.Detail)
	if detail == "" {
		return lines
	}
	if last := lines[len(lines)-1]; utf8.RuneCountInString(last)+2+utf8.RuneCountInString(detail) <= textWidth {
		lines[len(lines)-1] += "  " + detail
		return lines
	}
	return append(lines, wrap(detail, findingIndent, findingIndent, textWidth)...)
}

// rebuildLine says what rebuilding the index found.
func rebuildLine(rb *pstcheck.IndexRebuild) string {
	line := fmt.Sprintf("damaged; rebuilt from %s: %s and %s added, %s read through them.",
		rebuildSources(rb), plural(rb.Nodes, "node"), plural(rb.Blocks, "block"), plural(rb.Items, "item"))
	switch n := rb.ItemsFromBlocks; {
	case n == 1:
		line += " 1 item whose index entry is lost read whole from the blocks that hold it."
	case n > 1:
		line += " " + thousands(int64(n)) + " items whose index entry is lost read whole from the blocks that hold them."
	}
	switch n := rb.StaleEntries; {
	case n == 1:
		line += " 1 entry of those pages names a block that is not there and that no item uses (an old copy of a page): left out."
	case n > 1:
		line += " " + thousands(int64(n)) + " entries of those pages name blocks that are not there and that no item uses (old copies of pages): left out."
	}
	switch n := rb.StaleNodes; {
	case n == 1:
		line += " 1 node entry of those pages names a block the BBT, read whole, does not list (an old copy of a page): left out."
	case n > 1:
		line += " " + thousands(int64(n)) + " node entries of those pages name blocks the BBT, read whole, does not list (old copies of pages): left out."
	}
	return line
}

// scanParts sum up the scan itself.
func scanParts(s pstcheck.Stats) []string {
	parts := []string{
		plural(s.Blocks, "block"),
		plural(s.Pages, "page"),
		plural(s.Nodes, "node"),
		units.Size(s.BytesVerified, 2) + " verified",
	}
	if s.FreeBytes >= 0 {
		parts = append(parts, units.Size(s.FreeBytes, 2)+" free")
	}
	if s.Duration > 0 {
		took := humanDuration(s.Duration)
		if s.BlockPass > 0 {
			took += " (block pass " + humanDuration(s.BlockPass) + ")"
		}
		parts = append(parts, took)
	}
	return parts
}
