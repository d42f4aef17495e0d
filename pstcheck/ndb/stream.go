package ndb

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// DataReader streams a node's data, the data tree rooted at one BID, from
// the file to its reader: block by block, in order, decoded, so that an
// attachment of any size passes through a buffer of a few blocks and is
// never held whole. Every block is verified again as it is read (its
// trailer's size and BID, signature and CRC, in 4K files its inflated
// size) besides the block pass's verdict on it, and the tree's internal
// blocks are checked as the node pass checks them: a block that fails, or
// a file that changed since the scan, ends the stream with a *ReadError,
// so that what was read before it cannot pass for the whole value.
type DataReader struct {
	res  *Result
	root uint64
	size int64 // the bytes the tree holds: lcbTotal, or the root block's size
	read int64
	// levels are the internal blocks being walked (XXBLOCK above XBLOCK):
	// their child BIDs, still encoded as stored, and the next to visit.
	levels [2]xLevel
	depth  int // levels in use
	cur    []byte
	// run holds blocks read ahead: the extents of data blocks that lie
	// one after the other in the file, read with one system call (runAt
	// is the file offset of run[0]). It comes from runBuffers and goes
	// back at the end of the stream.
	run   []byte
	runAt int64
	inf   blockInflater
	err   error
}

// readAhead is the most a DataReader reads at once: data blocks that
// follow one another in the file, as an attachment's mostly do.
const readAhead = 256 << 10

var runBuffers = sync.Pool{New: func() any { b := make([]byte, readAhead); return &b }}

type xLevel struct {
	bid          uint64
	ents         []byte
	level, n, at int
}

// OpenData opens the data tree rooted at bid for streaming. It reads and
// verifies the root block, which says how many bytes the tree holds.
func (res *Result) OpenData(bid uint64) (*DataReader, error) {
	d := &DataReader{res: res, root: bid}
	e, b, err := d.block(bid)
	if err != nil {
		return nil, err
	}
	if !IsInternal(e.BID) {
		d.size = int64(len(b))
		d.read, d.cur = d.size, b
		d.res.Decode(e.BID, 0, d.cur)
		return d, nil
	}
	if err := d.push(e, b, 0); err != nil {
		return nil, err
	}
	d.size = int64(binary.LittleEndian.Uint32(b[4:]))
	return d, nil
}

// Size is the number of bytes the stream holds (as its tree says: a
// stream that ends short or runs long is an error).
func (d *DataReader) Size() int64 { return d.size }

// Read reads the next bytes of the data.
func (d *DataReader) Read(p []byte) (int, error) {
	for len(d.cur) == 0 {
		if err := d.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, d.cur)
	d.cur = d.cur[n:]
	d.releaseAtEnd()
	return n, nil
}

// WriteTo writes the rest of the data to w, a block at a time, without
// copying it through another buffer.
func (d *DataReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		for len(d.cur) == 0 {
			if err := d.next(); err == io.EOF {
				return total, nil
			} else if err != nil {
				return total, err
			}
		}
		n, err := w.Write(d.cur)
		total += int64(n)
		d.cur = d.cur[n:]
		d.releaseAtEnd()
		if err != nil {
			return total, err
		}
	}
}

// next moves to the next data block, or says io.EOF at the end.
func (d *DataReader) next() error {
	if d.err != nil {
		return d.err
	}
	if d.err = d.advance(); d.err != nil {
		d.release()
	}
	return d.err
}

// releaseAtEnd gives the read-ahead buffer back once the last byte the
// stream holds has been taken: most readers take exactly Size bytes and
// never ask for the end (io.ReadFull, io.CopyN), and a buffer not given
// back makes the next stream clear a new one.
func (d *DataReader) releaseAtEnd() {
	if len(d.cur) == 0 && d.read == d.size {
		d.release()
	}
}

// Close ends the stream early: its read-ahead buffer goes back for the
// next stream to use (else the next one clears a new 256 KiB). Reading
// after Close says io.ErrClosedPipe.
func (d *DataReader) Close() error {
	d.release()
	if d.err == nil {
		d.err = io.ErrClosedPipe
	}
	d.cur = nil
	return nil
}

// release gives the read-ahead buffer back, once the stream has ended.
func (d *DataReader) release() {
	if d.run != nil {
		b := d.run[:cap(d.run)]
		runBuffers.Put(&b)
		d.run, d.cur = nil, nil
	}
}

func (d *DataReader) advance() error {
	l := &d.res.Header.Layout
	for d.depth > 0 {
		top := &d.levels[d.depth-1]
		if top.at == top.n {
			d.depth--
			continue
		}
		child := l.uint(top.ents[top.at*l.BIDSize:])
		top.at++
		e, b, err := d.block(child)
		if err != nil {
			return err
		}
		if top.level == 2 {
			if !IsInternal(e.BID) {
				return d.treeError(top.bid, fmt.Sprintf("XXBLOCK lists data block 0x%X where an XBLOCK belongs", e.BID))
			}
			if err := d.push(e, b, d.depth); err != nil {
				return err
			}
			continue
		}
		if IsInternal(e.BID) {
			return d.treeError(top.bid, fmt.Sprintf("XBLOCK lists internal block 0x%X where a data block belongs", e.BID))
		}
		d.read += int64(len(b))
		if d.read > d.size {
			return d.treeError(d.root, fmt.Sprintf("its blocks hold more than the %d bytes it says", d.size))
		}
		d.cur = b
		d.res.Decode(e.BID, 0, d.cur)
		return nil
	}
	if d.read != d.size {
		return d.treeError(d.root, fmt.Sprintf("it says %d bytes, its blocks hold %d", d.size, d.read))
	}
	return io.EOF
}

// push enters an internal block found at depth: an XXBLOCK (level 2) or
// an XBLOCK (level 1) at the root, an XBLOCK under an XXBLOCK.
func (d *DataReader) push(e BBTEntry, b []byte, depth int) error {
	l := &d.res.Header.Layout
	if len(b) < 8 || b[0] != 1 {
		return d.treeError(e.BID, "malformed data tree block")
	}
	level, n := int(b[1]), int(binary.LittleEndian.Uint16(b[2:]))
	if want := 2 - depth; level != 1 && (level != 2 || want != 2) {
		return d.treeError(e.BID, fmt.Sprintf("block at level %d where level %d belongs", level, want))
	}
	if n == 0 || 8+n*l.BIDSize > len(b) {
		return d.treeError(e.BID, "data tree block too short for its entries")
	}
	lv := &d.levels[depth]
	// The block's bytes lie in the extent buffer, which the next block
	// overwrites: its entries are kept apart.
	lv.ents = append(lv.ents[:0], b[8:8+n*l.BIDSize]...)
	lv.bid, lv.level, lv.n, lv.at = e.BID, level, n, 0
	d.depth = depth + 1
	return nil
}

// block reads and verifies the block bid: the block pass must have found
// it sound, and it must verify again now (the bytes read are the ones
// returned). Its data is returned, inflated in 4K files, not yet decoded.
func (d *DataReader) block(bid uint64) (BBTEntry, []byte, error) {
	res := d.res
	l := &res.Header.Layout
	e, err := d.entry(bid)
	if err != nil {
		return e, nil, err
	}
	ext := l.BlockExtent(int(e.CB))
	ib := int64(e.IB)
	if d.run == nil || ib < d.runAt || ib+ext > d.runAt+int64(len(d.run)) {
		if err := d.readRun(e, ext); err != nil {
			return e, nil, err
		}
	}
	buf := d.run[ib-d.runAt : ib-d.runAt+ext]
	if code, detail := l.verifyBlock(&e, buf, &d.inf); code != "" && !d.res.stillTolerated(e.BID, l.problemState(&e, buf, &d.inf)) {
		return e, nil, &ReadError{BID: e.BID, Offset: ib, Code: code,
			Detail: fmt.Sprintf("block 0x%X no longer verifies (%s): the file changed since it was scanned", e.BID, detail)}
	}
	data := buf[:e.CB]
	if l.Kind == Unicode4K && e.Inflated != e.CB {
		out, err := d.inf.inflate(data, int(e.Inflated))
		if err != nil || len(out) != int(e.Inflated) {
			return e, nil, &ReadError{BID: e.BID, Offset: ib, Code: finding.BlockInflate, Detail: "block does not inflate"}
		}
		data = out
	}
	res.noteRead(e.BID)
	return e, data, nil
}

// entry finds bid in the BBT, sound by the block pass's verdict.
func (d *DataReader) entry(bid uint64) (BBTEntry, error) {
	e, err := d.res.soundBlock(bid)
	if err == nil && (e.CB == 0 || int(e.CB) > d.res.Header.Layout.MaxBlockData) {
		err = &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.BlockSize, Detail: fmt.Sprintf("block 0x%X has size %d", e.BID, e.CB)}
	}
	return e, err
}

// readRun reads block e (of extent ext) and, when it is a data block the
// XBLOCK being walked lists, the sound data blocks it lists next that
// follow it in the file, up to readAhead bytes.
func (d *DataReader) readRun(e BBTEntry, ext int64) error {
	l := &d.res.Header.Layout
	end := int64(e.IB) + ext
	if top := d.top(); top != nil && top.level == 1 && !IsInternal(e.BID) {
		for k := top.at; k < top.n; k++ {
			n, err := d.entry(l.uint(top.ents[k*l.BIDSize:]))
			if err != nil || IsInternal(n.BID) || int64(n.IB) != end {
				break
			}
			x := l.BlockExtent(int(n.CB))
			if end+x-int64(e.IB) > readAhead {
				break
			}
			end += x
		}
	}
	if d.run == nil {
		d.run = *runBuffers.Get().(*[]byte)
	}
	n := end - int64(e.IB)
	if int64(cap(d.run)) < n {
		d.run = make([]byte, n) // a block larger than readAhead: none is
	}
	d.run, d.runAt = d.run[:n], int64(e.IB)
	if err := readFull(d.res.s.r, d.run, d.runAt); err != nil {
		d.run = d.run[:0]
		return &ReadError{BID: e.BID, Offset: int64(e.IB), Code: finding.FileRead, Detail: finding.ErrorText(err)}
	}
	return nil
}

// top is the internal block being walked, nil at the root.
func (d *DataReader) top() *xLevel {
	if d.depth == 0 {
		return nil
	}
	return &d.levels[d.depth-1]
}

func (d *DataReader) treeError(bid uint64, what string) error {
	off := int64(-1)
	if i := d.res.s.block(bid); i >= 0 {
		off = int64(d.res.BBT.IB(i))
	}
	return &ReadError{BID: bid &^ bidReserved, Offset: off, Code: finding.NodeDataTree, Detail: fmt.Sprintf("data tree 0x%X: %s", bid&^bidReserved, what)}
}
