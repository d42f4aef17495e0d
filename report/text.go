package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
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
		writeDetails(b, r, false)
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
	for _, r := range sorted {
		if batchDetails(r) {
			b.WriteByte('\n')
			writeDetails(b, r, true)
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

// sentence cleans s and ends it with a full stop unless it already ends
// with punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(clean(s))
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
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

// folderHurt says whether a folder has anything but readable items.
func folderHurt(f pstcheck.Folder) bool { return f.Damaged+f.Lost+f.Recovered > 0 }

// writeDetails writes the details section of one file. In a batch the
// section also gives the cause and the next step, which a single file's
// report has on its first line.
func writeDetails(b *bufio.Writer, r *pstcheck.Report, batch bool) {
	errors, warnings, infos := r.Count(severityError), r.Count(severityWarning), r.Count(severityInfo)
	e := Explain(r)
	b.WriteString("== " + clean(r.Path) + "\n")
	b.WriteString(formatLine(r) + "\n")

	// A healthy file with nothing but information: keep it short.
	if r.Verdict == pstcheck.Healthy && errors == 0 && warnings == 0 && len(e.Advice) == 0 {
		for _, l := range folderLines(r.Folders) {
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

	fmt.Fprintf(b, "Verdict: %s, action: %s\n", clean(string(r.Verdict)), clean(string(r.Action)))
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
			// Advice is not wrapped: it holds command lines to copy.
			b.WriteString("  - " + clean(a) + "\n")
		}
	}
	for _, l := range folderLines(r.Folders) {
		b.WriteString(l + "\n")
	}
	if errors+warnings+infos > 0 {
		fmt.Fprintf(b, "Findings: %s, %s, %d info\n", plural(errors, "error"), plural(warnings, "warning"), infos)
	}
	capped := slices.Sorted(func(yield func(pstcheck.Code) bool) {
		for c, n := range r.Capped {
			if n > 0 && !yield(c) {
				return
			}
		}
	})
	for _, sev := range []pstcheck.Severity{severityError, severityWarning, severityInfo} {
		for _, f := range r.Findings {
			if f.Severity() == sev {
				for _, l := range findingLines(f) {
					b.WriteString(l + "\n")
				}
			}
		}
		for _, c := range capped {
			if (pstcheck.Finding{Code: c}).Severity() == sev {
				n := r.Capped[c]
				fmt.Fprintf(b, "  (%d more %s %s not listed)\n", n, clean(string(c)), pluralWord(n, "finding"))
			}
		}
	}
	if r.Verdict == pstcheck.Failed && r.Stats.BytesVerified == 0 && r.Stats.Blocks == 0 && r.Stats.Pages == 0 {
		return // nothing was scanned: a line of zeros says nothing
	}
	for _, l := range wrapParts(scanParts(r.Stats), ", ", "Scan: ", "      ", textWidth) {
		b.WriteString(l + "\n")
	}
}

// folderLines renders the folder damage map: a table of the folders with
// damaged, lost or recovered items, most damaged and lost items first, then
// one line tallying the healthy folders. The lost and recovered columns are
// shown when some folder has such items. No lines when there are no
// folders.
//
//	Damaged folders                       items  readable  damaged
//	  Top of Personal Folders/Inbox         120       119        1
//	12 other folders healthy (4,207 items)
func folderLines(folders []pstcheck.Folder) []string {
	if len(folders) == 0 {
		return nil
	}
	var damaged []pstcheck.Folder
	healthy, healthyItems := 0, int64(0)
	lost, recovered := false, false
	for _, f := range folders {
		if folderHurt(f) {
			damaged = append(damaged, f)
			lost, recovered = lost || f.Lost > 0, recovered || f.Recovered > 0
			continue
		}
		healthy++
		healthyItems += int64(f.Items)
	}
	items := plural64(healthyItems, "item")
	if len(damaged) == 0 {
		if healthy == 1 {
			return []string{"The one folder is healthy (" + items + ")"}
		}
		return []string{"All " + plural(healthy, "folder") + " healthy (" + items + ")"}
	}
	slices.SortStableFunc(damaged, func(a, b pstcheck.Folder) int {
		if a.Damaged+a.Lost != b.Damaged+b.Lost {
			return cmp.Compare(b.Damaged+b.Lost, a.Damaged+a.Lost)
		}
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return cmp.Compare(a.NID, b.NID)
	})

	const indent = "  "
	heads := []string{"items", "readable", "damaged"}
	if lost {
		heads = append(heads, "lost")
	}
	if recovered {
		heads = append(heads, "recovered")
	}
	cells := make([][]string, len(damaged)) // the numbers of each row
	widths := make([]int, len(heads))
	for i, h := range heads {
		widths[i] = len(h)
	}
	names := make([]string, len(damaged))
	nameWidth := 0
	for i, f := range damaged {
		names[i] = folderName(f)
		nameWidth = max(nameWidth, utf8.RuneCountInString(names[i]))
		cells[i] = []string{thousands(int64(f.Items)), thousands(int64(f.Readable)), thousands(int64(f.Damaged))}
		if lost {
			cells[i] = append(cells[i], thousands(int64(f.Lost)))
		}
		if recovered {
			cells[i] = append(cells[i], thousands(int64(f.Recovered)))
		}
		for j, c := range cells[i] {
			widths[j] = max(widths[j], len(c))
		}
	}
	numbers := 0 // columns taken by the numbers and the gaps before them
	for _, w := range widths {
		numbers += 2 + w
	}
	// The first column holds the heading, or the indented folder paths;
	// paths are shortened so that a line fits in textWidth.
	const heading = "Damaged folders"
	first := max(len(heading), len(indent)+min(nameWidth, textWidth-numbers-len(indent)))
	row := func(name string, nums []string) string {
		var b strings.Builder
		b.WriteString(name)
		b.WriteString(strings.Repeat(" ", max(0, first-utf8.RuneCountInString(name))))
		for j, n := range nums {
			b.WriteString("  ")
			b.WriteString(strings.Repeat(" ", widths[j]-len(n)))
			b.WriteString(n)
		}
		return b.String()
	}
	lines := []string{row(heading, heads)}
	for i := range damaged {
		lines = append(lines, row(indent+shorten(names[i], first-len(indent)), cells[i]))
	}
	if healthy == 0 {
		return append(lines, "No healthy folders")
	}
	return append(lines, plural(healthy, "other folder")+" healthy ("+items+")")
}

// folderName is a folder's path as shown in the text report: cleaned, or
// its NID when the path is unknown.
func folderName(f pstcheck.Folder) string {
	if f.Path == "" {
		return fmt.Sprintf("(folder 0x%X)", f.NID)
	}
	return clean(f.Path)
}

// shorten cuts s to at most n runes by replacing its middle with "…",
// keeping a little more of the end (the folder's own name) than of the
// start.
func shorten(s string, n int) string {
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	if n < 1 {
		return ""
	}
	head := (n - 1) / 2
	tail := n - 1 - head
	return string(runes[:head]) + "…" + string(runes[len(runes)-tail:])
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
	detail := strings.Join(strings.Fields(clean(f.Detail)), " ")
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
	return fmt.Sprintf("damaged; rebuilt from %s: %s and %s added, %s read through them.",
		rebuildSources(rb), plural(rb.Nodes, "node"), plural(rb.Blocks, "block"), plural(rb.Items, "item"))
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

// wrapParts joins parts with sep into lines of at most width runes where
// it can, breaking only between parts. The first line starts with first,
// the others with rest.
func wrapParts(parts []string, sep, first, rest string, width int) []string {
	var lines []string
	line := first
	for i, p := range parts {
		switch {
		case i == 0:
			line += p
		case utf8.RuneCountInString(line+sep+p) > width:
			lines = append(lines, line+strings.TrimRight(sep, " "))
			line = rest + p
		default:
			line += sep + p
		}
	}
	return append(lines, line)
}

// wrap breaks text at spaces into lines of at most width runes where it
// can (a single long word, such as a path, is never broken). The first
// line starts with first, the others with rest.
func wrap(text, first, rest string, width int) []string {
	var lines []string
	line, prefix := "", first
	for _, word := range strings.Fields(text) {
		if line != "" && utf8.RuneCountInString(prefix+line+" "+word) > width {
			lines = append(lines, prefix+line)
			line, prefix = "", rest
		}
		if line == "" {
			line = word
		} else {
			line += " " + word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, prefix+line)
	}
	return lines
}

// clean makes s safe to print on a terminal: control characters,
// bidirectional overrides and invalid UTF-8 are shown as escapes.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if unsafeRune(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case r == utf8.RuneError:
			b.WriteString(s[i : i+n]) // a literal U+FFFD is harmless
		case unsafeRune(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02X`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return true // invalid UTF-8, or a literal U+FFFD (checked again by clean)
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
		return true // bidirectional embeddings, overrides and isolates
	}
	return false
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// plural formats a count and a noun: "1 file", "3 files", "1,234 blocks".
func plural(n int, noun string) string { return plural64(int64(n), noun) }

func plural64(n int64, noun string) string {
	return thousands(n) + " " + pluralWord(n, noun)
}

func pluralWord[T int | int64](n T, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// thousands formats n with comma separators: 1234567 -> "1,234,567".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
