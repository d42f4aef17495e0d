package export

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/internal/testkit"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("é", 150) + ".pdf" // 304 bytes
	for _, c := range []struct{ in, want string }{
		{"report.eml", "report.eml"},
		{"../../x", "_.._x"},
		{"..", "unnamed"},
		{".", "unnamed"},
		{"", "unnamed"},
		{"   ", "unnamed"},
		{"/etc/passwd", "_etc_passwd"},
		{`C:\Windows\x`, "C__Windows_x"},
		{"con", "_con"},
		{"CON.txt", "_CON.txt"},
		{"Con .tar.gz", "_Con .tar.gz"},
		{"nul", "_nul"},
		{"com1.eml", "_com1.eml"},
		{"LPT9", "_LPT9"},
		{"COM¹", "_COM¹"},
		{"conin$", "_conin$"},
		{"console", "console"},
		{"com10", "com10"},
		{"a\x00b", "a_b"},
		{"tab\there\nnewline\x7f", "tab_here_newline_"},
		{"trailing. ", "trailing"},
		{"dots...", "dots"},
		{".hidden", "hidden"},
		{" . .x", "x"},
		{"\u202Etxt.exe", "_txt.exe"},
		{"a\u200Fb\u2066c\uFEFFd", "a_b_c_d"},
		{`what? "quotes" <angle> a|b *star* :colon`, "what_ _quotes_ _angle_ a_b _star_ _colon"},
		{"inval\xffid", "inval_id"},
		{"e\u0301", "é"}, // NFC
		{"日本語.txt", "日本語.txt"},
	} {
		if got := SafeName(c.in, 0); got != c.want {
			t.Errorf("SafeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}

	got := SafeName(long, 120)
	if len(got) > 120 || !utf8.ValidString(got) || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "éé") {
		t.Errorf("SafeName(300-byte name) = %q (%d bytes)", got, len(got))
	}
	if got := SafeName(strings.Repeat("x", 300), 0); len(got) != DefaultMaxName {
		t.Errorf("default limit: %d bytes", len(got))
	}
	if got := SafeName(strings.Repeat("a", 50)+"."+strings.Repeat("b", 40), 30); len(got) > 30 {
		t.Errorf("long extension: %q", got)
	}
	if got := SafeName(strings.Repeat("a. ", 60)+"z", 20); strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") || len(got) > 20 {
		t.Errorf("cut leaving dots: %q", got)
	}
	if got := SafeName("abcdefghijklmnopqrstuvwxyz", 3); len(got) != minMaxName {
		t.Errorf("tiny limit: %q", got)
	}

	// Properties over hostile inputs: never a separator, never reserved,
	// never empty, never hidden, within the limit, idempotent.
	for _, in := range []string{"../../x", "/etc/passwd", `C:\Windows\x`, "con", "CON.txt", "a\x00b",
		"trailing. ", "\u202Etxt.exe", long, ".", "..", "", "aux.", "nul .txt", strings.Repeat("/", 200)} {
		for _, max := range []int{0, 16, 40, 255} {
			s := SafeName(in, max)
			limit := max
			if limit == 0 {
				limit = DefaultMaxName
			}
			if s == "" || len(s) > limit || strings.ContainsAny(s, `/\:*?"<>|`) || strings.HasPrefix(s, ".") ||
				strings.HasSuffix(s, ".") || strings.HasSuffix(s, " ") || reservedName(s) || !utf8.ValidString(s) ||
				!filepath.IsLocal(s) || filepath.Base(s) != s {
				t.Errorf("SafeName(%q, %d) = %q is not safe", in, max, s)
			}
			if again := SafeName(s, max); again != s {
				t.Errorf("SafeName is not idempotent on %q: %q", s, again)
			}
		}
	}
}

func TestNamer(t *testing.T) {
	var n Namer
	for _, c := range []struct{ in, want string }{
		{"a.eml", "a.eml"},
		{"A.EML", "A (2).EML"},
		{"a.eml", "a (3).eml"},
		{"Straße.eml", "Straße.eml"},
		{"STRASSE.eml", "STRASSE (2).eml"}, // folds to the same name
		{"e\u0301.eml", "é.eml"},
		{"é.eml", "é (2).eml"},
		{"con", "_con"},
		{"CON", "_CON (2)"},
		{"a (2).eml", "a (2) (2).eml"},
	} {
		if got := n.Unique(c.in); got != c.want {
			t.Errorf("Unique(%q) = %q, want %q", c.in, got, c.want)
		}
	}

	m := Namer{MaxLen: 20}
	m.Reserve("manifest.json")
	if got := m.Unique("Manifest.JSON"); got != "Manifest (2).JSON" {
		t.Errorf("reserved name: %q", got)
	}
	first := m.Unique(strings.Repeat("x", 40) + ".eml")
	second := m.Unique(strings.Repeat("x", 40) + ".eml")
	if len(first) > 20 || len(second) > 20 || first == second || !strings.HasSuffix(second, " (2).eml") {
		t.Errorf("long names: %q %q", first, second)
	}

	taken := Namer{Taken: func(s string) bool { return s == "b.eml" || s == "b (2).eml" }}
	if got := taken.Unique("b.eml"); got != "b (3).eml" {
		t.Errorf("Taken: %q", got)
	}
}

func TestWithin(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "a", "file"), nil, 0o644)
	for _, rel := range []string{"a", "a/b/new.eml", "new/deeper/x.eml", "a/file", "x/../y"} {
		p, err := Within(root, filepath.FromSlash(rel))
		if err != nil || p != filepath.Join(root, filepath.FromSlash(rel)) {
			t.Errorf("Within(%q) = %q, %v", rel, p, err)
		}
	}
	for _, rel := range []string{"../x", "../../etc/passwd", "a/../../x", "/etc/passwd", "..", filepath.Join(root, "a")} {
		if _, err := Within(root, filepath.FromSlash(rel)); !errors.Is(err, ErrEscape) {
			t.Errorf("Within(%q): %v, want ErrEscape", rel, err)
		}
	}
	if runtime.GOOS == "windows" {
		if _, err := Within(root, `C:\Windows\x`); !errors.Is(err, ErrEscape) {
			t.Errorf("volume path: %v", err)
		}
	}
	if _, err := Within(root, "a/file/x"); err == nil {
		t.Error("a file used as a folder: no error")
	}

	outside := t.TempDir()
	testkit.NeedSymlink(t, outside, filepath.Join(root, "link"))
	testkit.NeedSymlink(t, filepath.Join(root, "a"), filepath.Join(root, "a", "b", "inside"))
	testkit.NeedSymlink(t, filepath.Join(outside, "f"), filepath.Join(root, "a", "dangling"))
	for _, rel := range []string{"link", "link/x.eml", "a/b/inside/x", "a/dangling"} {
		if _, err := Within(root, filepath.FromSlash(rel)); !errors.Is(err, ErrLink) {
			t.Errorf("Within(%q): %v, want ErrLink", rel, err)
		}
	}
	// The root itself may be a link.
	linkRoot := filepath.Join(t.TempDir(), "root")
	testkit.NeedSymlink(t, root, linkRoot)
	if _, err := Within(linkRoot, "a/b/x"); err != nil {
		t.Errorf("root through a link: %v", err)
	}
}
