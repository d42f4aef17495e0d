package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// CodesMarkdown writes the finding catalog as a Markdown table: the
// table of codes in docs/codes.md is this output, checked by a test.
func CodesMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| code | severity | layer | meaning |\n|---|---|---|---|\n")
	for _, e := range finding.Catalog() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", e.Code, e.Severity, e.Layer, strings.ReplaceAll(e.Description, "|", `\|`))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CodesText writes the catalog for a terminal: one code a line.
func CodesText(w io.Writer) error {
	var b strings.Builder
	for _, e := range finding.Catalog() {
		fmt.Fprintf(&b, "%-20s %-8s %-10s %s\n", e.Code, e.Severity, e.Layer, e.Description)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
