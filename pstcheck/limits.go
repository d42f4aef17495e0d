package pstcheck

import (
	"fmt"

	"github.com/pstcheck/pstcheck/internal/units"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Outlook's default store size limits (registry values MaxFileSize and
// WarnFileSize for ANSI files, MaxLargeFileSize and WarnLargeFileSize, in
// MiB, for Unicode ones).
const (
	ANSIMaxSize        = 0x7BB04400   // 2,075,149,312 bytes (1.93 GiB)
	ANSIWarnSize       = 0x74404400   // 1,950,368,768 bytes (1.82 GiB)
	UnicodeMaxSize     = 0xC800 << 20 // 51,200 MiB = 50 GiB, Outlook 2010 and later
	UnicodeWarnSize    = 0xBE00 << 20 // 47.5 GiB
	UnicodeLegacyLimit = 20 << 30     // 20 GiB, Outlook 2003/2007
)

// SizeLimit returns the size at which Outlook refuses new items for a
// format, and the size at which it starts warning.
func SizeLimit(f Format) (limit, warn int64) {
	switch f {
	case FormatANSI:
		return ANSIMaxSize, ANSIWarnSize
	case FormatUnicode, FormatUnicode4K:
		return UnicodeMaxSize, UnicodeWarnSize
	}
	return 0, 0
}

// checkStoreSize compares the file's size with its format's limits.
func checkStoreSize(rep *Report, sink finding.Sink) {
	limit, warn := SizeLimit(rep.Format)
	if limit == 0 {
		return
	}
	pct := 100 * float64(rep.Size) / float64(limit)
	switch {
	case rep.Size >= limit:
		sink.Report(finding.Finding{Code: finding.StoreOverLimit, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%s file of %s is %.0f%% of the %s limit", rep.Format, units.Size(rep.Size, 2), pct, units.Size(limit, 2))})
	case rep.Size >= warn:
		sink.Report(finding.Finding{Code: finding.StoreNearLimit, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%s file of %s is %.0f%% of the %s limit", rep.Format, units.Size(rep.Size, 2), pct, units.Size(limit, 2))})
	}
	if rep.Format != FormatANSI && rep.Size >= UnicodeLegacyLimit {
		sink.Report(finding.Finding{Code: finding.StoreLegacyLimit, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%s is over the 20 GiB limit of Outlook 2003/2007", units.Size(rep.Size, 2))})
	}
}
