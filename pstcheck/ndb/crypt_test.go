package ndb_test

import (
	"bytes"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Encode must undo Decode for every byte value, for each method a writer
// may use, so that a writer's blocks read back as they were given.
func TestEncodeInvertsDecode(t *testing.T) {
	plain := make([]byte, 600)
	for i := range plain {
		plain[i] = byte(i * 7)
	}
	for _, method := range []uint8{0, 1, 2} {
		b := bytes.Clone(plain)
		ndb.Encode(method, 0x1234C, b)
		if method != 0 && bytes.Equal(b, plain) {
			t.Errorf("method %d: encoding changed nothing", method)
		}
		ndb.Decode(method, 0x1234C, b)
		if !bytes.Equal(b, plain) {
			t.Errorf("method %d: decode(encode(x)) != x", method)
		}
	}
}

// A reader decodes only the parts of a block it looks at: decoding the
// bytes at each offset on their own gives what decoding the whole block
// gives, for each method (the cyclic key runs on with the offset).
func TestDecodeAtPieces(t *testing.T) {
	plain := make([]byte, 70_000) // past 65,536: the cyclic key's 16 bits wrap
	for i := range plain {
		plain[i] = byte(i*31 + i>>8)
	}
	for _, method := range []uint8{0, 1, 2} {
		for _, bid := range []uint64{4, 0x1234C, 0xFFFF_FFFC, 0x1_0000_0008} {
			whole := bytes.Clone(plain)
			ndb.Encode(method, bid, whole)
			ndb.Decode(method, bid, whole)
			pieces := bytes.Clone(plain)
			ndb.Encode(method, bid, pieces)
			for _, cut := range [][2]int{{0, 12}, {12, 300}, {300, 301}, {301, 65_600}, {65_600, len(plain)}} {
				ndb.DecodeAt(method, bid, cut[0], pieces[cut[0]:cut[1]])
			}
			if !bytes.Equal(whole, plain) || !bytes.Equal(pieces, plain) {
				t.Errorf("method %d BID 0x%X: decoding in pieces differs from decoding whole", method, bid)
			}
		}
	}
}

// The samples' data blocks, decoded with the file's method, start as a
// heap-on-node does (bSig 0xEC), and encoding them again gives the bytes
// stored.
func TestDecodeSampleBlocks(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		f := sample(t, name)
		res, _ := scan(f)
		heaps := 0
		for _, n := range res.NBT.All() {
			if k := n.NID & 0x1F; k != ndb.NIDTypeFolder && k != ndb.NIDTypeMessage {
				continue
			}
			stored, err := res.ReadBlocks(n.Data, nil)
			if err != nil {
				t.Fatalf("%s node 0x%X: %v", name, n.NID, err)
			}
			for i, b := range stored {
				plain := bytes.Clone(b.Data)
				res.Decode(b.BID, 0, plain)
				if i == 0 && (len(plain) < 3 || plain[2] != 0xEC) {
					t.Errorf("%s node 0x%X: the first block does not decode to a heap", name, n.NID)
				}
				ndb.Encode(res.Crypt(), b.BID, plain)
				if !bytes.Equal(plain, b.Data) {
					t.Errorf("%s block 0x%X: Encode(Decode(x)) != x", name, b.BID)
				}
			}
			heaps++
		}
		if heaps == 0 {
			t.Errorf("%s: no heap", name)
		}
	}
}

// A store whose data blocks are encoded with another method (as Outlook
// writes with "high" encryption, or none) reads the same: the header
// names the method, and every node's data decodes to what the original
// file's did.
func TestReencodedStore(t *testing.T) {
	orig := sample(t, unicodeSample)
	origRes, _ := scan(orig)
	for _, method := range []uint8{0, 2} {
		f := orig.Clone()
		reencode(f, method)
		res, fs := scan(f)
		if len(fs) > 0 || res.Crypt() != method {
			t.Fatalf("method %d: crypt %d, findings:%s", method, res.Crypt(), fs)
		}
		for _, n := range res.NBT.All() {
			if n.Data == 0 {
				continue
			}
			got, err := res.ReadData(n.Data)
			want, werr := origRes.ReadData(n.Data)
			if err != nil || werr != nil || !bytes.Equal(bytes.Join(got, nil), bytes.Join(want, nil)) {
				t.Fatalf("method %d node 0x%X: data differs (%v, %v)", method, n.NID, err, werr)
			}
		}
	}
}
