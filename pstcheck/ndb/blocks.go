package ndb

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// checkBlocks is the block pass (CheckBlocks): every block the BBT lists,
// in file-offset order, read with large sequential reads so that the pass
// runs near the speed of reading the file.
func (s *Scanner) checkBlocks(ctx context.Context) {
	l := &s.h.Layout
	bbt := s.res.BBT
	s.res.BlockDamage = make([]BlockState, len(bbt))
	order := make([]int32, len(bbt))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(bbt[a].IB, bbt[b].IB) })

	fixed := s.fixedPages()
	pages := append(append([]pageRef(nil), s.pages...), fixed...)
	slices.SortFunc(pages, func(a, b pageRef) int { return cmp.Compare(a.IB, b.IB) })
	s.pages = append(s.pages, fixed...)

	chunk := ChunkSize
	if chunk < 1<<16 {
		chunk = 1 << 16
	}
	// A small file needs no buffer larger than itself: clearing 4 MB for
	// a 40 KB file would be most of its scan (fuzzing scans thousands).
	if int64(chunk) > s.limit {
		chunk = int(max(s.limit, 1<<16))
	}
	buf := make([]byte, 0, chunk)
	var bufStart int64
	var prevEnd int64
	var prevBID uint64
	pi := 0
	var inflater blockInflater
	var failed []failedBlock

	for n, idx := range order {
		if n%4096 == 0 && ctx.Err() != nil {
			return
		}
		e := &bbt[idx]
		bad := func(code finding.Code, detail string) {
			s.res.BlockDamage[idx] = blockState(code)
			s.report(finding.Finding{Code: code, Offset: int64(e.IB), BID: e.BID, Detail: detail})
		}
		if e.CB == 0 || int(e.CB) > l.MaxBlockData {
			bad(finding.BlockSize, fmt.Sprintf("block size %d (the format allows 1 to %d)", e.CB, l.MaxBlockData))
			continue
		}
		ext := l.BlockExtent(int(e.CB))
		ib := int64(e.IB)
		if e.IB%uint64(l.BlockAlign) != 0 {
			bad(finding.BlockAlign, fmt.Sprintf("block offset 0x%X is not a multiple of %d", e.IB, l.BlockAlign))
			continue
		}
		if e.IB < uint64(l.FirstAMap) || e.IB > uint64(s.limit) || uint64(s.limit)-e.IB < uint64(ext) {
			bad(finding.BlockRange, fmt.Sprintf("block at 0x%X+%d lies outside the data section (0x%X-0x%X)", e.IB, ext, l.FirstAMap, s.limit))
			continue
		}
		if ib < prevEnd {
			bad(finding.BlockOverlap, fmt.Sprintf("block at 0x%X overlaps block 0x%X, which runs to 0x%X", e.IB, prevBID, prevEnd))
			continue
		}
		for pi < len(pages) && pages[pi].IB+l.PageSize <= ib {
			pi++
		}
		if pi < len(pages) && pages[pi].IB < ib+ext {
			bad(finding.BlockOverlap, fmt.Sprintf("block at 0x%X+%d overlaps the %s page at 0x%X", e.IB, ext, pageTypeName(pages[pi].Type), pages[pi].IB))
			continue
		}

		if ib < bufStart || ib+ext > bufStart+int64(len(buf)) {
			want := int64(chunk)
			if s.limit-ib < want {
				want = s.limit - ib
			}
			buf = buf[:want]
			got, err := s.r.ReadAt(buf, ib)
			buf = buf[:got]
			bufStart = ib
			s.progress.Add(int64(got))
			if int64(got) < ext {
				if err == nil {
					err = io.ErrUnexpectedEOF
				}
				s.res.BlockDamage[idx] = blockState(finding.FileRead)
				s.report(finding.Finding{Code: finding.FileRead, Offset: ib, BID: e.BID, Detail: "reading the block: " + err.Error()})
				continue
			}
		}
		extent := buf[ib-bufStart : ib-bufStart+ext]
		s.res.BytesVerified += ext
		code, detail := l.verifyBlock(e, extent, &inflater)
		if code == "" {
			// Only a block that proves it is there owns its extent: an
			// entry pointing at another block's place must not cost that
			// block (see ownerOf).
			prevEnd, prevBID = ib+ext, e.BID
			continue
		}
		// Reported after the pass: a block further on may prove these
		// bytes are its own.
		s.res.BlockDamage[idx] = blockState(code)
		failed = append(failed, failedBlock{idx, code, detail})
	}
	s.reportFailed(order, failed)
}

type failedBlock struct {
	idx    int32
	code   finding.Code
	detail string
}

// reportFailed reports the blocks that failed verification. A failing
// entry whose extent overlaps a block that verified points at that block's
// place (a damaged BBT entry): it is reported as the overlap it is, and
// the sound block keeps its bytes.
func (s *Scanner) reportFailed(order []int32, failed []failedBlock) {
	l := &s.h.Layout
	bbt := s.res.BBT
	pos := make(map[int32]int, len(failed))
	for n, idx := range order {
		if bbt[idx].IB != 0 && s.res.BlockDamage[idx] != 0 {
			pos[idx] = n
		}
	}
	for _, f := range failed {
		e := &bbt[f.idx]
		lo, hi := int64(e.IB), int64(e.IB)+l.BlockExtent(int(e.CB))
		n := pos[f.idx]
		owner := uint64(0)
		for k := n - 1; k >= 0 && owner == 0; k-- { // earlier blocks running into this one
			o := &bbt[order[k]]
			if int64(o.IB)+l.BlockExtent(int(o.CB)) <= lo-int64(l.MaxBlockData)-int64(l.BlockAlign) {
				break
			}
			if s.res.BlockDamage[order[k]] == 0 && int64(o.IB)+l.BlockExtent(int(o.CB)) > lo {
				owner = o.BID
			}
		}
		for k := n + 1; k < len(order) && owner == 0 && int64(bbt[order[k]].IB) < hi; k++ {
			if s.res.BlockDamage[order[k]] == 0 {
				owner = bbt[order[k]].BID
			}
		}
		if owner != 0 {
			f.code = finding.BlockOverlap
			f.detail = fmt.Sprintf("block at 0x%X+%d overlaps block 0x%X, which verifies there: this entry points at another block's place", e.IB, hi-lo, owner)
			s.res.BlockDamage[f.idx] = blockState(f.code)
		}
		s.report(finding.Finding{Code: f.code, Offset: int64(e.IB), BID: e.BID, Detail: f.detail})
	}
}

// verifyBlock checks one block's trailer and checksum against its BBT
// entry (and, in 4K files, that a compressed block inflates to its size).
// It returns the most telling problem, with every mismatch in the detail,
// so that one damaged block gives one finding.
func (l *Layout) verifyBlock(e *BBTEntry, extent []byte, inf *blockInflater) (finding.Code, string) {
	t := l.ParseBlockTrailer(extent)
	var code finding.Code
	var why []string
	add := func(c finding.Code, s string) {
		if code == "" {
			code = c
		}
		why = append(why, s)
	}
	if t.CB != e.CB {
		add(finding.BlockTrailerSize, fmt.Sprintf("trailer cb %d, BBT cb %d", t.CB, e.CB))
	}
	if t.BID != e.BID {
		add(finding.BlockBID, fmt.Sprintf("trailer BID 0x%X, BBT BID 0x%X", t.BID, e.BID))
	}
	if sig := Signature(e.IB, e.BID); t.Sig != sig {
		add(finding.BlockSignature, fmt.Sprintf("signature 0x%04X, want 0x%04X", t.Sig, sig))
	}
	if crc := CRC(extent[:e.CB]); crc != t.CRC {
		add(finding.BlockCRC, fmt.Sprintf("CRC stored 0x%08X, computed 0x%08X", t.CRC, crc))
	}
	if code == "" && l.Kind == Unicode4K && e.Inflated != e.CB {
		if n, err := inf.inflatedSize(extent[:e.CB], int(e.Inflated)); err != nil || n != int(e.Inflated) {
			msg := fmt.Sprintf("inflates to %d bytes, want %d", n, e.Inflated)
			if err != nil {
				msg = fmt.Sprintf("does not inflate (%v), want %d bytes", err, e.Inflated)
			}
			add(finding.BlockInflate, msg)
		}
	}
	if code == "" {
		return "", ""
	}
	return code, "block " + strings.Join(why, "; ")
}

// blockInflater reuses one zlib reader and buffer across blocks.
type blockInflater struct {
	zr  io.ReadCloser
	src bytes.Reader
	out []byte
}

// inflatedSize inflates a compressed 4K block, reading at most want+1
// bytes so that a hostile stream cannot grow memory.
func (z *blockInflater) inflatedSize(data []byte, want int) (int, error) {
	out, err := z.inflate(data, want)
	return len(out), err
}

func (z *blockInflater) inflate(data []byte, want int) ([]byte, error) {
	z.src.Reset(data)
	if z.zr == nil {
		zr, err := zlib.NewReader(&z.src)
		if err != nil {
			return nil, err
		}
		z.zr = zr
	} else if err := z.zr.(zlib.Resetter).Reset(&z.src, nil); err != nil {
		return nil, err
	}
	if cap(z.out) < want+1 {
		z.out = make([]byte, want+1)
	}
	out := z.out[:want+1]
	n, err := io.ReadFull(z.zr, out)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return out[:n], err
}

func pageTypeName(t uint8) string {
	switch t {
	case PageBBT:
		return "BBT"
	case PageNBT:
		return "NBT"
	case PageFMap:
		return "FMap"
	case PagePMap:
		return "PMap"
	case PageAMap:
		return "AMap"
	case PageFPMap:
		return "FPMap"
	case PageDList:
		return "DList"
	}
	return fmt.Sprintf("0x%02X", t)
}
