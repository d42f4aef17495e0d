package messaging

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"
)

func TestDecodeUTF16(t *testing.T) {
	for _, s := range []string{"", "abc", "héllo wörld", "日本語", "emoji 😀 ok", "\x00\x01",
		"plain ASCII text, longer than a word", "ascii then é", "é then ascii text", "abcd😀efgh\x7f\u0080"} {
		u := utf16.Encode([]rune(s))
		b := make([]byte, 2*len(u))
		for i, x := range u {
			binary.LittleEndian.PutUint16(b[2*i:], x)
		}
		if got := decodeUTF16(b); got != s {
			t.Errorf("%q -> %q", s, got)
		}
	}
	if got := decodeUTF16([]byte{'a', 0, 'b', 0, 'c', 0, 'd', 0, 'e', 0, 0x00, 0xD8, 'a', 0, 'b'}); got != "abcde\uFFFDa" {
		t.Errorf("lone surrogate and odd byte after ASCII: %q", got)
	}
	if got := decodeUTF16([]byte{0x00, 0xD8, 'a', 0}); got != "\uFFFDa" {
		t.Errorf("lone surrogate: %q", got)
	}
}
