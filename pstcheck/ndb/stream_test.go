package ndb_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Streaming a node's data gives the bytes ReadData gives, for the data
// and every subnode of every node of every sample the scan finds sound.
func TestOpenDataMatchesReadData(t *testing.T) {
	for _, path := range testkit.Samples(t, nil) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, _ := scanBytes(data)
		if res == nil || res.Header == nil {
			continue
		}
		trees := 0
		check := func(bid uint64) {
			want, werr := res.ReadData(bid)
			d, err := res.OpenData(bid)
			if werr != nil {
				if err == nil {
					_, err = io.ReadAll(d)
				}
				if err == nil {
					t.Errorf("%s: tree 0x%X: ReadData fails (%v), the stream reads", path, bid, werr)
				}
				return
			}
			if err != nil {
				t.Errorf("%s: tree 0x%X: %v", path, bid, err)
				return
			}
			got, err := io.ReadAll(d)
			if err != nil || !bytes.Equal(got, bytes.Join(want, nil)) || d.Size() != int64(len(got)) {
				t.Errorf("%s: tree 0x%X: streamed %d bytes (size %d, %v), want %d", path, bid, len(got), d.Size(), err, len(bytes.Join(want, nil)))
			}
			trees++
		}
		for _, n := range res.NBT.All() {
			if res.NodeDamaged[n.NID] {
				continue
			}
			if n.Data != 0 {
				check(n.Data)
			}
			subs, err := res.Subnodes(n.Sub, nil)
			if err != nil {
				continue
			}
			for _, s := range subs {
				check(s.Data)
			}
		}
		if trees == 0 {
			t.Errorf("%s: no data tree streamed", path)
		}
	}
}

// A block that no longer verifies when it is streamed (the file changed
// after the scan) ends the stream with an error naming the block, after
// the blocks before it.
func TestOpenDataVerifiesEveryBlock(t *testing.T) {
	path := testkit.GoPst(t, "enron.pst")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := scanBytes(data)
	// The largest multi-block tree of the store.
	var root uint64
	var size int64
	for _, n := range res.NBT.All() {
		subs, err := res.Subnodes(n.Sub, nil)
		if err != nil {
			continue
		}
		for _, s := range subs {
			if d, err := res.OpenData(s.Data); err == nil && ndb.IsInternal(s.Data) && d.Size() > size {
				root, size = s.Data, d.Size()
			}
		}
	}
	if root == 0 {
		t.Fatal("no multi-block tree in enron.pst")
	}
	blocks, err := res.ReadBlocks(root, nil)
	if err != nil || len(blocks) < 2 {
		t.Fatalf("tree 0x%X: %d blocks, %v", root, len(blocks), err)
	}
	last := blocks[len(blocks)-1].BID
	ib := res.BlockOffset(last)
	data[ib+3] ^= 0x55 // after the scan: the scan's verdict still says sound
	d, err := res.OpenData(root)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(d)
	var re *ndb.ReadError
	if !errors.As(err, &re) || re.BID != last || re.Code != finding.BlockCRC {
		t.Fatalf("changed block 0x%X: stream ended with %v (%#v), want a CRC error on it", last, err, re)
	}
	if int64(len(got)) >= size {
		t.Errorf("read %d of %d bytes although the last block is bad", len(got), size)
	}
}

// A stream closed before its end reads no more: Close hands its buffer to
// the next stream, which must not see the closed one's bytes change
// under it.
func TestDataReaderClose(t *testing.T) {
	path := testkit.Samples(t, nil)[0]
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := scanBytes(data)
	for _, n := range res.NBT.All() {
		if res.NodeDamaged[n.NID] || n.Data == 0 {
			continue
		}
		d, err := res.OpenData(n.Data)
		if err != nil {
			continue
		}
		d.Close()
		if k, err := d.Read(make([]byte, 1)); k != 0 || err == nil {
			t.Fatalf("%s: node 0x%X: read %d bytes after Close (%v)", path, n.NID, k, err)
		}
		return
	}
	t.Fatalf("%s: no data tree opened", path)
}
