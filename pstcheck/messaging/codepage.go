package messaging

import (
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// An ANSI store keeps strings (folder names among them) in the Windows
// code page of the machine that wrote it, and says so nowhere directly.
// Its messages do: PidTagMessageCodepage, or failing that the locale of
// PidTagMessageLocaleId, or the Internet code page PidTagInternetCPID.
// The store's code page is the one most of its messages name.
const (
	propMessageCodepage = 0x3FFD
	propInternetCPID    = 0x3FDE
	propMessageLocaleID = 0x3FF1
)

// windowsCodepage maps a code page a message names to the Windows ANSI
// code page its strings in the store were written in: Internet code pages
// for Japanese (ISO-2022-JP, EUC-JP) and others come back to their Windows
// counterpart. 0: not an ANSI code page.
func windowsCodepage(cp uint32) uint32 {
	switch cp {
	case 874, 932, 936, 949, 950, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258:
		return cp
	case 50220, 50221, 50222, 51932, 20932:
		return 932
	case 51936, 52936, 54936:
		return 936
	case 51949, 50225:
		return 949
	case 20000, 10002:
		return 950
	case 28591, 20127, 65001, 1200:
		return 1252
	case 28592:
		return 1250
	case 28595, 20866, 21866:
		return 1251
	case 28597:
		return 1253
	case 28599:
		return 1254
	case 28598, 38598:
		return 1255
	case 28596:
		return 1256
	case 28594, 28603:
		return 1257
	}
	return 0
}

// localeCodepage maps a Windows locale ID (its primary language) to that
// language's ANSI code page.
func localeCodepage(lcid uint32) uint32 {
	switch lcid & 0x3FF {
	case 0x11:
		return 932 // Japanese
	case 0x12:
		return 949 // Korean
	case 0x04:
		if lcid == 0x0404 || lcid == 0x0C04 || lcid == 0x1404 {
			return 950 // Chinese (traditional)
		}
		return 936
	case 0x19, 0x02, 0x22, 0x23, 0x1C1A, 0x2F:
		return 1251 // Cyrillic
	case 0x05, 0x15, 0x0E, 0x1B, 0x24, 0x1A, 0x18, 0x1C:
		return 1250 // Central European
	case 0x08:
		return 1253 // Greek
	case 0x1F:
		return 1254 // Turkish
	case 0x0D:
		return 1255 // Hebrew
	case 0x01, 0x29, 0x20:
		return 1256 // Arabic script
	case 0x25, 0x26, 0x27:
		return 1257 // Baltic
	case 0x2A:
		return 1258 // Vietnamese
	case 0x1E:
		return 874 // Thai
	}
	return 0
}

// decoderFor returns the decoding of a Windows ANSI code page, nil when it
// is not one this package knows.
func decoderFor(cp uint32) *encoding.Decoder {
	var e encoding.Encoding
	switch cp {
	case 874:
		e = charmap.Windows874
	case 932:
		e = japanese.ShiftJIS
	case 936:
		e = simplifiedchinese.GBK
	case 949:
		e = korean.EUCKR
	case 950:
		e = traditionalchinese.Big5
	case 1250:
		e = charmap.Windows1250
	case 1251:
		e = charmap.Windows1251
	case 1252:
		e = charmap.Windows1252
	case 1253:
		e = charmap.Windows1253
	case 1254:
		e = charmap.Windows1254
	case 1255:
		e = charmap.Windows1255
	case 1256:
		e = charmap.Windows1256
	case 1257:
		e = charmap.Windows1257
	case 1258:
		e = charmap.Windows1258
	default:
		return nil
	}
	return e.NewDecoder()
}

// DecodeCodepage decodes bytes of Windows ANSI code page cp; false when
// the code page is not one this package knows.
func DecodeCodepage(cp uint32, b []byte) (string, bool) {
	d := decoderFor(cp)
	if d == nil {
		return "", false
	}
	out, err := d.Bytes(b)
	if err != nil {
		return string(b), true
	}
	return string(out), true
}

// DecodeANSI decodes bytes of Windows code page cp (as 1252 when the page
// is unknown).
func DecodeANSI(cp uint32, b []byte) string {
	if s, ok := DecodeCodepage(cp, b); ok {
		return s
	}
	s, _ := DecodeCodepage(1252, b)
	return s
}

// storeCodepage finds the Windows code page of an ANSI store from what
// its first messages say (see codepage.go); 1252 when none says. Where no
// message node says (its index entries lost), the first message heaps no
// node uses say instead; known is false when none says either, and items
// are then not recovered from their blocks alone (their 8-bit strings
// might be read in the wrong code page).
func (w *walker) storeCodepage() (cp uint32, known bool) {
	votes := map[uint32]int{}
	seen := 0
	for _, n := range w.res.NBT.All() {
		if n.NID&0x1F != ndb.NIDTypeMessage || w.res.NodeDamaged[n.NID] {
			continue
		}
		if seen++; seen > 32 {
			break
		}
		w.chk.mem.reset()
		data, subs, err := w.node(n.NID)
		if err != nil {
			continue
		}
		pc, err := ltp.OpenPC(w.chk.mem.objects(), data, w.res.Decoder(), subnodeSet(subs))
		if err != nil {
			continue
		}
		if cp := codepageOf(pc); cp != 0 {
			votes[cp]++
		}
	}
	if len(votes) == 0 {
		for _, bid := range w.res.Unlinked[:min(256, len(w.res.Unlinked))] {
			pc, ok := w.peekHeap(bid)
			if !ok {
				continue
			}
			if _, ok := pc.Get(propMessageClass); !ok {
				continue
			}
			if cp := codepageOf(pc); cp != 0 {
				votes[cp]++
				break
			}
		}
	}
	best := uint32(1252)
	for cp, n := range votes {
		if n > votes[best] || (n == votes[best] && cp < best) {
			best = cp
		}
	}
	return best, len(votes) > 0
}

// codepageOf is the Windows code page a message's properties say its
// 8-bit strings are in; 0 when they say none.
func codepageOf(pc *ltp.PC) uint32 {
	cp := uint32(0)
	if p, ok := pc.Get(propMessageCodepage); ok && p.Type == ltp.TypeInt32 {
		cp = windowsCodepage(p.Value)
	}
	if p, ok := pc.Get(propMessageLocaleID); ok && cp == 0 && p.Type == ltp.TypeInt32 {
		cp = localeCodepage(p.Value)
	}
	if p, ok := pc.Get(propInternetCPID); ok && cp == 0 && p.Type == ltp.TypeInt32 {
		cp = windowsCodepage(p.Value)
	}
	return cp
}
