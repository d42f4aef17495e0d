package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// The findings list of the text report. Heavy damage gives hundreds of
// findings of a few codes (a zeroed region: one per block, page and
// message); listed one by one they bury the rest. So each code with more
// than collapseAbove findings is one entry: how many, where the first few
// are, and the first one's detail as an example. JSON lists every finding.

const (
	collapseAbove = 3 // findings of one code listed one by one
	firstPlaces   = 4 // locations named in a collapsed entry
)

// findingsLines lists a report's findings, errors first, each code's
// findings in the order found.
func findingsLines(r *pstcheck.Report) []string {
	var lines, also []string
	collapsed := false
	for _, sev := range []pstcheck.Severity{severityError, severityWarning, severityInfo} {
		var codes []pstcheck.Code
		byCode := map[pstcheck.Code][]pstcheck.Finding{}
		for _, f := range r.Findings {
			if f.Severity() != sev {
				continue
			}
			if _, ok := byCode[f.Code]; !ok {
				codes = append(codes, f.Code)
			}
			byCode[f.Code] = append(byCode[f.Code], f)
		}
		// Codes whose findings were all capped away still get a line.
		for _, c := range slices.Sorted(maps.Keys(r.Capped)) {
			if _, ok := byCode[c]; !ok && r.Capped[c] > 0 && (pstcheck.Finding{Code: c}).Severity() == sev {
				codes = append(codes, c)
			}
		}
		if sev == severityInfo && r.Verdict == pstcheck.Damaged {
			// Next to damage, notes on free space and leaked blocks are
			// noise: named, not listed; but unused blocks beside lost
			// items may be those items.
			var named []string
			kept := codes[:0]
			for _, c := range codes {
				if c == finding.BlockUnused && lostSomething(r) {
					kept = append(kept, c)
				} else {
					named = append(named, clean(string(c)))
				}
			}
			codes = kept
			if len(named) > 0 {
				also = wrap("also "+strings.Join(named, ", ")+" (details in --format json)",
					fmt.Sprintf("  %-7s ", "INFO"), findingIndent, textWidth)
			}
		}
		for _, c := range codes {
			fs, total := byCode[c], len(byCode[c])+r.Capped[c]
			if total <= collapseAbove {
				for _, f := range fs {
					lines = append(lines, findingLines(f)...)
					if f.Code == finding.BlockUnused && lostSomething(r) {
						lines = append(lines, wrap("The store has lost items or listings: these blocks may be their data. Keep this file as it is until the export is done: scanpst and compacting discard them.",
							findingIndent, findingIndent, textWidth)...)
					}
				}
				continue
			}
			collapsed = true
			lines = append(lines, collapsedLines(c, fs, total)...)
		}
	}
	lines = append(lines, also...)
	if collapsed {
		lines = append(lines, "  (findings of one code are summed up; --format json lists each one)")
	}
	return lines
}

// collapsedLines is one entry for total findings of code c, of which fs
// are kept: "ERROR BLOCK-CB  433 findings, at offset 0x10BB400, ...;
// the first: <detail>".
func collapsedLines(c pstcheck.Code, fs []pstcheck.Finding, total int) []string {
	head := fmt.Sprintf("  %-7s %s  ", strings.ToUpper(string(pstcheck.Finding{Code: c}.Severity())), clean(string(c)))
	var places []string
	for _, f := range fs {
		if p := place(f); p != "" && len(places) < firstPlaces && !slices.Contains(places, p) {
			places = append(places, p)
		}
	}
	text := plural(total, "finding")
	if len(places) > 0 {
		text += ", at " + strings.Join(places, ", ")
		if total > len(places) {
			text += ", …"
		}
	}
	if len(fs) > 0 {
		if d := detailText(fs[0].Detail); d != "" {
			text += "; the first: " + d
		}
	}
	return wrap(text, head, findingIndent, textWidth)
}

// place names where a finding is, shortly: its offset, else its node or
// block, else its folder.
func place(f pstcheck.Finding) string {
	switch {
	case f.Offset >= 0:
		return fmt.Sprintf("0x%X", f.Offset)
	case f.NID != 0:
		return fmt.Sprintf("nid 0x%X", f.NID)
	case f.BID != 0:
		return fmt.Sprintf("bid 0x%X", f.BID)
	case f.Folder != "":
		return clean(f.Folder)
	}
	return ""
}

// lostSomething says whether a store lost items or the listings that name
// them: blocks no node uses may then be their data.
func lostSomething(r *pstcheck.Report) bool { return r.Items.Lost > 0 || !r.Items.Complete }
