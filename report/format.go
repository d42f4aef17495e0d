package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Formatting for people: sentences, wrapping, counts with their nouns,
// durations, and strings made safe for a terminal.

// sentence cleans s and ends it with a full stop unless it already ends
// with punctuation.
func sentence(s string) string {
	s = strings.TrimSpace(clean(s))
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
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

// detailText is a finding's detail as the text report shows it: on one
// line, made safe to print (clean), with the byte counts and other
// numbers of five digits or more grouped ("14,483,968 bytes"), as the
// report's own figures are. Hexadecimal numbers, what lies between double
// quotes (a subject, a name, a file's path: the store's and the system's
// words) and a word holding a path separator (inPath) are left as they
// are.
func detailText(s string) string {
	return groupNumbers(strings.Join(strings.Fields(clean(s)), " "))
}

// groupNumbers groups the decimal numbers of five digits or more in s
// that stand alone (not part of a word or hexadecimal number, nor of a
// decimal fraction, nor of a word holding a path separator) and lie
// outside double quotes.
func groupNumbers(s string) string {
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); {
		c := s[i]
		if quoted && c == '\\' && i+1 < len(s) { // an escaped quote stays quoted
			b.WriteString(s[i : i+2])
			i += 2
			continue
		}
		if c == '"' {
			quoted = !quoted
		}
		if quoted || !isDigit(c) {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		run := s[i:j]
		alone := (i == 0 || !isWordByte(s[i-1]) && s[i-1] != '.') && (j == len(s) || !isWordByte(s[j]) && !(s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]))) && !inPath(s, i, j)
		if n, err := strconv.ParseInt(run, 10, 64); err == nil && alone && len(run) >= 5 && run[0] != '0' {
			b.WriteString(thousands(n))
		} else {
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// inPath says whether s[i:j] lies in a word holding a path separator:
// details quote file names unquoted ("cannot open: open /backup/20260101/x.pst"),
// and a comma in a path would name a file that does not exist.
func inPath(s string, i, j int) bool {
	start := strings.LastIndexByte(s[:i], ' ') + 1
	end := strings.IndexByte(s[j:], ' ')
	if end < 0 {
		end = len(s)
	} else {
		end += j
	}
	return strings.ContainsAny(s[start:end], `/\`)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordByte(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' || c >= 0x80
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
