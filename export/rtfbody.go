package export

import (
	"github.com/pstcheck/pstcheck/export/rtf"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// RTFBody decodes a PidTagRtfCompressed value: the RTF, and when the RTF
// encapsulates HTML (Outlook's form of an HTML mail), that HTML in UTF-8.
func RTFBody(compressed []byte) (rtfText, html []byte, err error) {
	rtfText, err = rtf.Decompress(compressed)
	if err != nil && err != rtf.ErrRawSizeMismatch {
		return nil, nil, err
	}
	if h, _, ok := rtf.ToHTMLWith(rtfText, decodeCodepage); ok {
		html = h
	}
	return rtfText, html, nil
}

// decodeCodepage serves the RTF converter the Windows code pages the
// messaging layer knows.
func decodeCodepage(cp int, b []byte) (string, bool) {
	if cp < 0 {
		return "", false
	}
	return messaging.DecodeCodepage(uint32(cp), b)
}
