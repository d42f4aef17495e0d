package export

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// DefaultMaxName is the length limit of one file or folder name, in bytes of
// UTF-8, when none is given. Linux allows 255 bytes per name; 120 leaves room
// for the " (2)" of unique names and keeps a folder tree a few levels deep
// within the 260 characters of a classic Windows path.
const DefaultMaxName = 120

// minMaxName is the smallest limit SafeName accepts: room for "unnamed" or a
// short stem with an extension.
const minMaxName = 16

// maxExt is the longest suffix (dot included) SafeName keeps as an extension.
const maxExt = 16

// ErrEscape reports a path that would leave the output folder.
var ErrEscape = errors.New("path leaves the output folder")

// ErrLink reports a symbolic link (or another non-regular entry, such as a
// Windows junction) inside the output folder where a folder or file is to be
// written.
var ErrLink = errors.New("path goes through a symbolic link or special file")

// SafeName returns name made usable as one file or folder name on Windows,
// macOS and Linux, at most maxLen bytes of UTF-8 (DefaultMaxName when
// maxLen <= 0; never less than 16):
//
//   - the name is put in Unicode NFC form; invalid UTF-8 becomes '_';
//   - path separators and the characters Windows forbids (/ \ : * ? " < > |),
//     control characters (C0, DEL, C1), bidirectional controls (such as the
//     U+202E RIGHT-TO-LEFT OVERRIDE of "\u202Etxt.exe"), line and paragraph
//     separators, the byte-order mark and Unicode noncharacters become '_';
//   - leading dots and spaces are removed (no hidden files, no "." or ".."),
//     and so are trailing dots and spaces, which Windows drops;
//   - a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, COM¹²³,
//     LPT¹²³, CONIN$, CONOUT$), with or without an extension, any case, gets
//     a leading '_': "con.txt" becomes "_con.txt";
//   - a name too long is cut at a rune boundary, keeping its extension (a
//     final ".xxx" of at most 16 bytes without spaces);
//   - an empty result is "unnamed".
//
// The result never contains a path separator, so it can never name anything
// outside the folder it is joined to.
func SafeName(name string, maxLen int) string {
	if maxLen <= 0 {
		maxLen = DefaultMaxName
	}
	if maxLen < minMaxName {
		maxLen = minMaxName
	}
	if !plainASCII(name) {
		name = strings.ToValidUTF8(name, "_")
		name = norm.NFC.String(name)
		var b strings.Builder
		b.Grow(len(name))
		for _, r := range name {
			if unsafeRune(r) {
				b.WriteByte('_')
			} else {
				b.WriteRune(r)
			}
		}
		name = b.String()
	}
	s := strings.TrimLeft(name, ". ")
	s = strings.TrimRight(s, ". ")
	if s == "" {
		s = "unnamed"
	}
	if reservedName(s) {
		s = "_" + s
	}
	return truncName(s, maxLen)
}

// plainASCII reports whether name is printable ASCII without a character
// unsafeRune refuses: valid, in NFC form and safe as it is (most names are).
func plainASCII(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || strings.IndexByte(`/\:*?"<>|`, c) >= 0 {
			return false
		}
	}
	return true
}

// unsafeRune reports whether r must not appear in a file name.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return true
	case strings.ContainsRune(`/\:*?"<>|`, r):
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, // bidi marks
		r >= 0x202a && r <= 0x202e, // bidi embeddings and overrides
		r >= 0x2066 && r <= 0x2069, // bidi isolates
		r == 0x2028, r == 0x2029,   // line and paragraph separators
		r == 0xfeff,                // byte-order mark
		r >= 0xfff9 && r <= 0xfffb, // interlinear annotations
		r >= 0xfdd0 && r <= 0xfdef, // noncharacters
		r&0xfffe == 0xfffe:         // U+xFFFE, U+xFFFF noncharacters
		return true
	}
	return false
}

// reservedName reports whether Windows treats s as a device name: the part
// before the first dot, without trailing spaces, is one of the reserved names.
func reservedName(s string) bool {
	base, _, _ := strings.Cut(s, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT") {
		switch base[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// splitExt splits s into stem and extension (".eml"); the extension is empty
// unless s has a final dot after its first byte followed by 1 to 15 bytes
// without spaces or dots.
func splitExt(s string) (stem, ext string) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || len(s)-i > maxExt || len(s)-i < 2 || strings.ContainsRune(s[i:], ' ') {
		return s, ""
	}
	return s[:i], s[i:]
}

// truncName cuts s to at most maxLen bytes at a rune boundary, keeping the
// extension when there is room for it, and trims the dots and spaces a cut
// may leave at the end.
func truncName(s string, maxLen int) string {
	if len(s) <= maxLen {
		return s
	}
	stem, ext := splitExt(s)
	if len(ext) < maxLen/2 {
		if st := strings.TrimRight(cutRunes(stem, maxLen-len(ext)), ". "); st != "" {
			return st + ext
		}
	}
	if st := strings.TrimRight(cutRunes(s, maxLen), ". "); st != "" {
		return st
	}
	return "unnamed"
}

// cutRunes returns the longest prefix of s of at most n bytes that ends at a
// rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// A Namer hands out names unique within one folder. Names are compared as
// Windows and macOS compare them: case-insensitively (Unicode case folding,
// which is stricter than either) and after NFC normalisation. The second
// "a.eml" becomes "a (2).eml", the next "a (3).eml". The zero Namer is ready
// to use; a Namer is not safe for concurrent use.
type Namer struct {
	// MaxLen is the length limit of a name in bytes (DefaultMaxName if 0);
	// the " (n)" suffix stays within it.
	MaxLen int
	// Taken, when set, reports whether a candidate name not yet handed out is
	// unavailable all the same (for example, a file that is not ours exists
	// with that name); the Namer then tries the next one.
	Taken func(name string) bool

	// used holds the names handed out, folded, by a 64-bit hash: a
	// folder of a million messages costs megabytes, not a copy of every
	// name. Two names that share a hash (once in billions of names)
	// only make the second one numbered.
	used hashSet
	fold cases.Caser
	init bool
}

func (n *Namer) key(name string) uint64 {
	// FNV-1a of the folded name; folding ASCII is lowering it.
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 0x80 {
			if !n.init {
				n.fold = cases.Fold()
				n.init = true
			}
			f := fnv.New64a()
			f.Write([]byte(n.fold.String(norm.NFC.String(name))))
			return f.Sum64()
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// Reserve marks name as used, so Unique never returns it (for example,
// "manifest.json" in the top folder). It reports whether name was free.
func (n *Namer) Reserve(name string) bool {
	k := n.key(name)
	if n.used.has(k) {
		return false
	}
	n.used.add(k)
	return true
}

// Unique returns SafeName(name) or, when that is used already, the first free
// "stem (k)ext" for k = 2, 3, ...; the name returned is marked used.
func (n *Namer) Unique(name string) string {
	maxLen := n.MaxLen
	if maxLen <= 0 {
		maxLen = DefaultMaxName
	}
	if maxLen < minMaxName {
		maxLen = minMaxName
	}
	name = SafeName(name, maxLen)
	stem, ext := splitExt(name)
	for k := 1; ; k++ {
		cand := name
		if k > 1 {
			suffix := " (" + strconv.Itoa(k) + ")"
			st, e := stem, ext
			if len(suffix)+len(e) > maxLen/2 {
				e = ""
				st = name
			}
			st = strings.TrimRight(cutRunes(st, maxLen-len(suffix)-len(e)), ". ")
			cand = st + suffix + e
		}
		if n.used.has(n.key(cand)) {
			continue
		}
		if n.Taken != nil && n.Taken(cand) {
			continue
		}
		n.Reserve(cand)
		return cand
	}
}

// Within joins root and the relative path rel and returns the result after
// checking that it stays inside root: rel must be local (not absolute, no
// volume name, no ".." that climbs out, not empty; see filepath.IsLocal), and
// no component of rel that exists below root may be a symbolic link or other
// special file (ErrLink), so a link planted in the output folder cannot
// redirect a write elsewhere. Components that do not exist yet are fine.
// root itself may be a link. The check is not atomic; the Tree also writes
// through an os.Root, which refuses escapes at the time of use.
func Within(root, rel string) (string, error) {
	if rel == "" || rel == "." {
		return root, nil
	}
	if !filepath.IsLocal(rel) {
		return "", fmt.Errorf("%w: %q", ErrEscape, rel)
	}
	p := filepath.Join(root, rel)
	r, err := filepath.Rel(root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		return "", fmt.Errorf("%w: %q", ErrEscape, rel)
	}
	parts := strings.Split(r, string(filepath.Separator))
	cur := root
	for i, c := range parts {
		cur = filepath.Join(cur, c)
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		switch t, last := fi.Mode().Type(), i == len(parts)-1; {
		case t == fs.ModeDir, t == 0 && last:
		case t == 0:
			return "", fmt.Errorf("%q is a file, not a folder", filepath.Join(parts[:i+1]...))
		default:
			return "", fmt.Errorf("%w: %q", ErrLink, filepath.Join(parts[:i+1]...))
		}
	}
	return p, nil
}
