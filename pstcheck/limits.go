package pstcheck

import (
	"fmt"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Outlook's default store size limits (design.md §1; registry values
// MaxFileSize/WarnFileSize and MaxLargeFileSize/WarnLargeFileSize).
const (
	ANSIMaxSize        = 0x7BB04400   // 2,075,149,312 bytes (1.93 GB)
	ANSIWarnSize       = 0x74404400   // 1,950,368,768 bytes
	UnicodeMaxSize     = 0xC800 << 20 // 50 GB, Outlook 2010 and later
	UnicodeWarnSize    = 0xBE00 << 20 // 47.5 GB
	UnicodeLegacyLimit = 20 << 30     // 20 GB, Outlook 2003/2007
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
			Detail: fmt.Sprintf("%s file of %s is %.0f%% of the %s limit", rep.Format, humanBytes(rep.Size), pct, humanBytes(limit))})
	case rep.Size >= warn:
		sink.Report(finding.Finding{Code: finding.StoreNearLimit, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%s file of %s is %.0f%% of the %s limit", rep.Format, humanBytes(rep.Size), pct, humanBytes(limit))})
	}
	if rep.Format != FormatANSI && rep.Size >= UnicodeLegacyLimit {
		sink.Report(finding.Finding{Code: finding.StoreLegacyLimit, Offset: finding.NoOffset,
			Detail: fmt.Sprintf("%s is over the 20 GB limit of Outlook 2003/2007", humanBytes(rep.Size))})
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
