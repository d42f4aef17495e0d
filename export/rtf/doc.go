// Package rtf decodes the RTF bodies of Outlook items: it decompresses
// PidTagRtfCompressed (MS-OXRTFCP) and extracts the HTML or plain text that
// the RTF encapsulates (MS-OXRTFEX), using only the standard library.
//
// # Decompression
//
// [Decompress] handles both COMPTYPE values of MS-OXRTFCP:
//
//   - "LZFu" (0x75465A4C), compressed: the 4096-byte circular dictionary is
//     preloaded with the specification's 207-byte initial string (the rest
//     is zero), control bytes are read least significant bit first, a
//     reference is a big-endian 12-bit offset and 4-bit length (plus 2), and
//     the reference whose offset equals the write position ends the stream.
//     The CRC (CRC-32 table, initial value 0, no final inversion) is checked
//     over the COMPSIZE-12 content bytes; bytes past COMPSIZE are ignored.
//   - "MELA" (0x414C454D), uncompressed: exactly the RAWSIZE bytes after the
//     16-byte header (or COMPSIZE-12 bytes for Exchange's streams that
//     overstate RAWSIZE by 12).
//
// Hostile input is safe: RAWSIZE never sizes an allocation beyond what the
// input can produce (and at most 64 MiB up front), output past RAWSIZE or
// [MaxDecompressedSize] is an error, truncation is an error, and every step
// consumes input, so decoding ends.
//
// # De-encapsulation and text extraction
//
// [ToHTML] returns the HTML of an RTF body written with \fromhtml1
// (recognised, as MS-OXRTFEX 2.2.3.1 has it, only within the first 10
// tokens of the document group and before any text; [Encapsulated] reports
// it), as MS-OXRTFEX 2.2.3.2 describes: the content of {\*\htmltag...} groups plus
// the text outside \htmlrtf...\htmlrtf0 regions (\htmlrtf state is saved and
// restored with groups). \{ \} \\, \'hh, \uN (with \ucN fallback skipping and
// UTF-16 surrogate pairs), \par (CRLF), \tab, \lquote \rquote \ldblquote
// \rdblquote \bullet \endash \emdash, \~ and \_ are decoded; other control
// words are ignored. {\*\mhtmltag...} groups (MHTML-rewritten tags) are
// skipped in favour of the \htmltag that follows them.
//
// [ToText] extracts plain text from \fromtext bodies (leaving out \htmlrtf
// regions) and from ordinary RTF. It skips the font, colour and style
// tables, \info, pictures, objects, headers and footers, footnotes, field
// instructions, list numbering text (\pntext, \listtext) and every
// {\*\...} destination; \par, \line, \row, \sect and \page become CRLF and
// \tab and \cell a tab.
//
// Text bytes are decoded in the code page in force: \ansicpgN (or \ansi,
// \mac, \pc, \pca) by default, the \fcharsetN or \cpgN of the current font
// (\fN, \deffN, reset by \plain) outside HTMLTAG groups. Windows-1252,
// ISO-8859-1, US-ASCII, UTF-8 (65001) and symbol fonts are built in; a
// [Decoder] can supply the others (for example from golang.org/x/text).
// Without one, ToHTML returns such HTML in its original code page and names
// it, and ToText replaces the undecodable bytes with U+FFFD.
//
// Both converters are linear in the input, never recurse, ignore groups
// nested deeper than 1024 levels, skip \binN data, stop at the brace that
// closes the document group, and never panic on malformed input.
//
// Not supported: general RTF-to-HTML conversion of RTF that does not
// encapsulate HTML, tables and lists beyond tab/newline separation, and
// embedded objects or pictures.
package rtf
