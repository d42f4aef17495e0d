package report

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck"
)

func TestTextStartsWithOneLinePerFile(t *testing.T) {
	run := testRun()
	lines := strings.Split(string(render(t, "text", run)), "\n")
	for i, prefix := range []string{
		"HEALTHY     /mail/archive.pst — no problems found. Next: nothing to do.",
		`DAMAGED     C:\x\enron.pst — 2 blocks fail their checksums; 3 items use them. Next: export the healthy items, then run scanpst.`,
		"UNREADABLE  /tmp/notapst.pst — ",
		"ERROR       /tmp/locked & <odd>.ost — ",
	} {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], prefix)
		}
	}
	if got := lines[len(lines)-2]; got != "4 files: 1 healthy, 1 damaged, 1 unreadable, 1 error" {
		t.Errorf("totals line = %q", got)
	}
}

func TestTextSafeAndReadable(t *testing.T) {
	out := string(render(t, "text", testRun()))
	if strings.ContainsAny(out, "\x1b\x07\t\u202e") {
		t.Error("text output passes control or bidi characters from the file to the terminal")
	}
	if !strings.Contains(out, `Junk\x1B[31mE-mail\u202E`) {
		t.Error("hostile folder name is not shown escaped")
	}
	for i, l := range strings.Split(out, "\n") {
		// The per-file lines and advice (command lines to copy) are not wrapped.
		if i < 4 || strings.HasPrefix(l, "  - ") {
			continue
		}
		if n := utf8.RuneCountInString(l); n > textWidth {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	// Errors come before warnings, warnings before info.
	e, w, n := strings.Index(out, "  ERROR   "), strings.Index(out, "  WARNING "), strings.Index(out, "  INFO    BLOCK-UNUSED")
	if e < 0 || w < 0 || n < 0 || !(e < w && w < n) {
		t.Errorf("findings not grouped by severity: error@%d warning@%d info@%d", e, w, n)
	}
}

func TestTextHealthyShort(t *testing.T) {
	r := healthyReport()
	for range 10 {
		r.Findings = append(r.Findings, pstcheck.Finding{Code: "BLOCK-UNUSED", Offset: 0x8000, BID: 0x44, Detail: "leaked"})
	}
	out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}}))
	if strings.Contains(out, "Verdict:") || strings.Contains(out, "Scan:") {
		t.Errorf("healthy file with only info findings is not kept short:\n%s", out)
	}
	if strings.Count(out, "  INFO ") != shortInfoLimit || !strings.Contains(out, "(7 more info findings not listed)") {
		t.Errorf("short info list:\n%s", out)
	}
	if strings.Contains(out, "files:") {
		t.Error("totals line for a single file")
	}

	// Nothing to say: just the one line.
	r = healthyReport()
	r.Findings = nil
	if out := string(render(t, "text", Run{Reports: []*pstcheck.Report{r}})); strings.Count(out, "\n") != 1 {
		t.Errorf("healthy file without findings:\n%s", out)
	}
}

func TestHelpers(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 bytes", 1: "1 byte", 1023: "1,023 bytes", 1024: "1.00 KB", 30377984: "28.97 MB",
		1048575: "1.00 MB", 2075149312: "1.93 GB", 50 << 30: "50.00 GB",
	} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		300 * time.Microsecond: "300µs", 42 * time.Millisecond: "42ms", 1534 * time.Millisecond: "1.53s",
		125 * time.Second: "2m5s",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for in, want := range map[string]string{
		"plain": "plain", "a\x1bb": `a\x1Bb`, "bad\xffutf8": `bad\xFFutf8`, "rtl\u202eo": `rtl\u202Eo`,
		"ok \ufffd": "ok \ufffd", "tab\there": `tab\x09here`,
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
	got := wrap("aaa bbb ccc ddd", "> ", "  ", 9)
	if want := []string{"> aaa bbb", "  ccc ddd"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}
