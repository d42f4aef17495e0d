package rtf

import (
	"strconv"
	"unicode/utf8"
)

// A Decoder converts bytes of an RTF text run in Windows code page cp to
// UTF-8. It reports false when it does not know the code page; the package
// then falls back to its own behaviour (see [ToHTMLWith], [ToTextWith]).
//
// The runs passed in are whole runs of consecutive \'hh escapes and plain
// bytes in one code page, so multi-byte (DBCS) characters arrive intact.
type Decoder func(cp int, b []byte) (string, bool)

// Code pages the package decodes by itself.
const (
	cpSymbol  = 42 // CP_SYMBOL: fonts with \fcharset2
	cp1252    = 1252
	cpLatin1  = 28591
	cpASCII   = 20127
	cpUTF8    = 65001
	cpDefault = cp1252
)

// cp1252High maps bytes 0x80-0x9F of Windows-1252; the five bytes Windows
// leaves undefined map to the C1 control of the same value, as WHATWG does.
// Bytes 0xA0-0xFF equal their Latin-1 code points.
var cp1252High = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

// builtinDecode converts b in code page cp to UTF-8, appending to dst. It
// reports false, appending nothing, when cp is not built in and b is not
// plain ASCII.
func builtinDecode(dst []byte, cp int, b []byte) ([]byte, bool) {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return append(dst, b...), true
	}
	switch cp {
	case cp1252:
		for _, c := range b {
			switch {
			case c < 0x80:
				dst = append(dst, c)
			case c < 0xA0:
				dst = utf8.AppendRune(dst, cp1252High[c-0x80])
			default:
				dst = utf8.AppendRune(dst, rune(c))
			}
		}
		return dst, true
	case cpLatin1:
		for _, c := range b {
			dst = utf8.AppendRune(dst, rune(c))
		}
		return dst, true
	case cpASCII:
		for _, c := range b {
			if c < 0x80 {
				dst = append(dst, c)
			} else {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			}
		}
		return dst, true
	case cpUTF8:
		for len(b) > 0 {
			r, n := utf8.DecodeRune(b)
			dst = utf8.AppendRune(dst, r) // invalid bytes become U+FFFD
			b = b[n:]
		}
		return dst, true
	case cpSymbol:
		// Bytes 0x80-0xFF map into the private use area at U+F080-U+F0FF,
		// where symbol fonts keep their glyphs (as CP_SYMBOL does); ASCII is
		// kept as it is, which reads better than U+F020-U+F07F.
		for _, c := range b {
			if c < 0x80 {
				dst = append(dst, c)
			} else {
				dst = utf8.AppendRune(dst, 0xF000+rune(c))
			}
		}
		return dst, true
	}
	return dst, false
}

// charsetCodePage maps an RTF \fcharsetN value to a Windows code page. 0 is
// the code page of the default charset (\ansicpg), returned for
// DEFAULT_CHARSET and unknown values.
func charsetCodePage(charset int) int {
	switch charset {
	case 0: // ANSI_CHARSET
		return cp1252
	case 2: // SYMBOL_CHARSET
		return cpSymbol
	case 77: // MAC_CHARSET
		return 10000
	case 78:
		return 10001
	case 79:
		return 10003
	case 80:
		return 10008
	case 81:
		return 10002
	case 83:
		return 10005
	case 84:
		return 10004
	case 85:
		return 10006
	case 86:
		return 10081
	case 87:
		return 10021
	case 88:
		return 10029
	case 89:
		return 10007
	case 128: // SHIFTJIS_CHARSET
		return 932
	case 129: // HANGUL_CHARSET
		return 949
	case 130: // JOHAB_CHARSET
		return 1361
	case 134: // GB2312_CHARSET
		return 936
	case 136: // CHINESEBIG5_CHARSET
		return 950
	case 161: // GREEK_CHARSET
		return 1253
	case 162: // TURKISH_CHARSET
		return 1254
	case 163: // VIETNAMESE_CHARSET
		return 1258
	case 177: // HEBREW_CHARSET
		return 1255
	case 178: // ARABIC_CHARSET
		return 1256
	case 186: // BALTIC_CHARSET
		return 1257
	case 204: // RUSSIAN_CHARSET
		return 1251
	case 222: // THAI_CHARSET
		return 874
	case 238: // EASTEUROPE_CHARSET
		return 1250
	case 254: // PC437_CHARSET
		return 437
	case 255: // OEM_CHARSET
		return 850
	}
	return 0
}

// CodePageCharset returns the IANA/WHATWG charset label for a Windows code
// page, for use in a Content-Type header or with a charset library, or
// "cpN" for code pages without a common label.
func CodePageCharset(cp int) string {
	switch cp {
	case cpUTF8:
		return "utf-8"
	case cpASCII:
		return "us-ascii"
	case cpLatin1:
		return "iso-8859-1"
	case 874:
		return "windows-874"
	case 932:
		return "shift_jis"
	case 936:
		return "gbk"
	case 949:
		return "euc-kr"
	case 950:
		return "big5"
	case 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258:
		return "windows-" + strconv.Itoa(cp)
	case 437:
		return "ibm437"
	case 850:
		return "ibm850"
	case 866:
		return "ibm866"
	case 10000:
		return "macintosh"
	case 10007:
		return "x-mac-cyrillic"
	case 20866:
		return "koi8-r"
	case 21866:
		return "koi8-u"
	case 28592, 28593, 28594, 28595, 28596, 28597, 28598, 28599:
		return "iso-8859-" + strconv.Itoa(cp-28590)
	case 28603:
		return "iso-8859-13"
	case 28605:
		return "iso-8859-15"
	case 50220:
		return "iso-2022-jp"
	case 51932:
		return "euc-jp"
	case 54936:
		return "gb18030"
	}
	return "cp" + strconv.Itoa(cp)
}
