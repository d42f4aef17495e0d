package messaging

import "strings"

// cp1252 maps Windows-1252's 0x80-0x9F to Unicode; the rest of the code
// page is ISO 8859-1. ANSI stores written by Western-language Outlook use
// it; where a store says nothing of its code page this is the safe guess.
var cp1252 = [32]rune{
	'\u20AC', '\uFFFD', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
	'\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\uFFFD', '\u017D', '\uFFFD',
	'\uFFFD', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
	'\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\uFFFD', '\u017E', '\u0178',
}

// DecodeCP1252 decodes Windows-1252 bytes.
func DecodeCP1252(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		switch {
		case c < 0x80 || c >= 0xA0:
			s.WriteRune(rune(c))
		default:
			s.WriteRune(cp1252[c-0x80])
		}
	}
	return s.String()
}
