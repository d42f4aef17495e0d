package ltp_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/testkit"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// The LTP tests read two kinds of input: a small store written for them
// by the project's writer (pstwrite), whose message carries exactly the
// property types a property context can hold and whose tables have rows
// in the heap and in a subnode; and heaps built byte by byte for the edge
// cases no writer produces. Damaged variants of the store are made with
// pstmut, which keeps every block checksum valid: only the LTP layer can
// see the damage, as on a file Outlook wrote wrongly.

// Property IDs of the test message (the 0x66xx range is free for tests:
// no named property, nothing the writer adds).
const (
	idInt16     = 0x6601
	idInt32     = 0x6602
	idBool      = 0x6603
	idInt64     = 0x6604
	idDouble    = 0x6605
	idTime      = 0x6606
	idGUID      = 0x6607
	idString8   = 0x6608
	idBinary    = 0x6609
	idMVString  = 0x660A
	idMVInt32   = 0x660B
	idLarge     = 0x660C // too large for the heap: stored in a subnode
	idEmpty     = 0x660D // an empty string: HNID 0
	idSubject   = 0x0037
	idName      = 0x3001 // PidTagDisplayName, a recipient table column
	idRecipType = 0x0C15 // PidTagRecipientType
)

// The test message's values.
var (
	valGUID  = [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	valLarge = bytes.Repeat([]byte("large value "), 2000) // 24,000 bytes
	subject  = "Hello, heap"
)

func testProps() []pstwrite.Property {
	le16 := binary.LittleEndian.AppendUint16
	le32 := binary.LittleEndian.AppendUint32
	le64 := binary.LittleEndian.AppendUint64
	return []pstwrite.Property{
		{ID: idInt16, Type: ltp.TypeInt16, Data: le16(nil, 0x1234)},
		pstwrite.Int32(idInt32, -5),
		pstwrite.Bool(idBool, true),
		pstwrite.Int64(idInt64, 0x0102030405060708),
		pstwrite.Double(idDouble, math.Pi),
		{ID: idTime, Type: ltp.TypeTime, Data: le64(nil, 0x01D0000000000000)},
		{ID: idGUID, Type: ltp.TypeGUID, Data: valGUID[:]},
		{ID: idString8, Type: ltp.TypeString8, Data: []byte("ansi")},
		pstwrite.Binary(idBinary, []byte{0xDE, 0xAD, 0xBE, 0xEF}),
		pstwrite.MultiString(idMVString, "one", "two"),
		{ID: idMVInt32, Type: 0x1003, Data: le32(le32(le32(nil, 1), 2), 3)},
		pstwrite.Binary(idLarge, valLarge),
		pstwrite.String(idEmpty, ""),
		pstwrite.String(idSubject, subject),
	}
}

// store is the written test store and the NIDs the tests look at.
type store struct {
	b []byte
	// msg is the message holding testProps, with two recipients: the
	// first with a display name, the second without.
	msg uint32
	// many is a folder of manyItems messages: its contents table's row
	// matrix is too large for the heap and lives in a subnode of several
	// blocks.
	many uint32
}

const manyItems = 200

var (
	fixtureOnce sync.Once
	fixture     store
	fixtureErr  error
)

// testStore returns the test store, written once per test binary.
func testStore(t *testing.T) store {
	t.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = writeStore() })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixture
}

func writeStore() (store, error) {
	var buf pstwrite.Buffer
	w, err := pstwrite.New(&buf, pstwrite.Options{Verbatim: true, Trim: true})
	if err != nil {
		return store{}, err
	}
	one, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "LTP"})
	many, _ := w.AddFolder(w.IPMSubtree(), pstwrite.Folder{Name: "Many"})
	err = w.AddMessage(one, &pstwrite.Message{Props: testProps(), Recipients: [][]pstwrite.Property{
		{pstwrite.String(idName, "Ann"), pstwrite.Int32(idRecipType, 1), pstwrite.Int64(idInt64, 7),
			pstwrite.Bool(idBool, true), {ID: idGUID, Type: ltp.TypeGUID, Data: valGUID[:]}},
		{pstwrite.Int32(idRecipType, 2)},
	}})
	for i := 0; i < manyItems && err == nil; i++ {
		err = w.AddMessage(many, &pstwrite.Message{Props: []pstwrite.Property{
			pstwrite.String(idSubject, fmt.Sprintf("message %d", i))}})
	}
	if err != nil {
		return store{}, err
	}
	if err := w.Close(); err != nil {
		return store{}, err
	}
	s := store{b: buf.Bytes(), many: uint32(many)}
	f, err := pstmut.Open(s.b)
	if err != nil {
		return store{}, err
	}
	for _, n := range f.NBT {
		if n.Parent == uint32(one) && n.NID&0x1F == ndb.NIDTypeMessage {
			s.msg = n.NID
		}
	}
	if s.msg == 0 {
		return store{}, errors.New("the test message is not in the NBT")
	}
	return s, nil
}

// edit returns a copy of the store's bytes to damage.
func (s store) edit(t *testing.T) *pstmut.File {
	t.Helper()
	f, err := pstmut.Open(s.b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// nodeData is what the LTP layer is given for one node or subnode: its
// data blocks, still encoded, its subnodes and the store to read them.
type nodeData struct {
	res    *ndb.Result
	blocks []ndb.Block
	subs   map[uint32]ndb.Subnode
}

// scan runs the NDB passes over b, which must be sound at that layer.
func scan(t *testing.T, b []byte) *ndb.Result {
	t.Helper()
	var errs []finding.Finding
	sink := finding.SinkFunc(func(f finding.Finding) {
		if f.Severity() == finding.SeverityError {
			errs = append(errs, f)
		}
	})
	res := ndb.Scan(context.Background(), bytes.NewReader(b), int64(len(b)), sink, ndb.Options{})
	if res == nil || len(errs) > 0 {
		t.Fatalf("the NDB layer is not sound: %v", errs)
	}
	return res
}

// sampleFiles are the real stores: go-pst's samples and, when present,
// the shared corpus.
func sampleFiles(t *testing.T) []string { return testkit.Samples(t, nil) }

// eachSampleNode calls check with every top-level node of every sample
// store that keep says yes to, read as the LTP layer is given it; a store
// with no such node fails the test.
func eachSampleNode(t *testing.T, keep func(nid uint32) bool, check func(path string, nid uint32, n nodeData)) {
	t.Helper()
	for _, p := range sampleFiles(t) {
		res := scanSample(t, p)
		seen := 0
		for _, e := range res.NBT.All() {
			if keep(e.NID) {
				check(p, e.NID, readTree(t, res, e.Data, e.Sub))
				seen++
			}
		}
		if seen == 0 {
			t.Errorf("%s: no node to check", p)
		}
	}
}

var (
	samplesMu   sync.Mutex
	sampleScans = map[string]*ndb.Result{}
)

// scanSample scans the sample store at path, once per test binary: its
// Result only reads (into fresh memory), so the tests can share it.
func scanSample(t *testing.T, path string) *ndb.Result {
	t.Helper()
	samplesMu.Lock()
	defer samplesMu.Unlock()
	if res, ok := sampleScans[path]; ok {
		return res
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res := scan(t, b)
	sampleScans[path] = res
	return res
}

// ofType says yes to the NIDs of the given types.
func ofType(types ...uint32) func(nid uint32) bool {
	return func(nid uint32) bool { return slices.Contains(types, nid&0x1F) }
}

// readNode reads top-level node nid of b.
func readNode(t *testing.T, b []byte, nid uint32) nodeData {
	t.Helper()
	res := scan(t, b)
	n, ok := res.Node(nid)
	if !ok {
		t.Fatalf("node 0x%X is not in the NBT", nid)
	}
	return readTree(t, res, n.Data, n.Sub)
}

// readSubnode reads subnode sub of node nid of b.
func readSubnode(t *testing.T, b []byte, nid, sub uint32) nodeData {
	t.Helper()
	top := readNode(t, b, nid)
	s, ok := top.subs[sub]
	if !ok {
		t.Fatalf("node 0x%X has no subnode 0x%X", nid, sub)
	}
	return readTree(t, top.res, s.Data, s.Sub)
}

// readTree reads the node whose data and subnode trees are rooted at
// data and sub.
func readTree(t *testing.T, res *ndb.Result, data, sub uint64) nodeData {
	t.Helper()
	blocks, err := res.ReadBlocks(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	subs, err := res.Subnodes(sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	return nodeData{res: res, blocks: blocks, subs: subs}
}

// subnodeSet says which subnodes exist, as the messaging layer tells it.
func (n nodeData) subnodeSet() ltp.SubnodeSet { return subnodes(n.subs) }

// subnodes is a node's subnode set as the LTP layer asks about it.
type subnodes map[uint32]ndb.Subnode

func (s subnodes) Has(nid uint32) bool { _, ok := s[nid]; return ok }

// rowReader reads a row matrix subnode's blocks, decoded.
func (n nodeData) rowReader() ltp.RowReader {
	return func(nid uint32) ([]ndb.Block, error) {
		blocks, err := n.res.ReadBlocks(n.subs[nid].Data, nil)
		for _, b := range blocks {
			n.res.Decode(b.BID, 0, b.Data)
		}
		return blocks, err
	}
}

// openPC and openTC open the node as the messaging layer does.
func (n nodeData) openPC() (*ltp.PC, error) {
	return ltp.OpenPC(nil, n.blocks, n.res.Decode, n.subnodeSet())
}

func (n nodeData) openTC() (*ltp.TC, error) {
	return ltp.OpenTC(nil, n.blocks, n.res.Decode, n.subnodeSet(), n.rowReader())
}

// wantCode fails unless err is an *ltp.Error with code.
func wantCode(t *testing.T, err error, code finding.Code) {
	t.Helper()
	var e *ltp.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want a %s error", err, code)
	}
	if e.Code != code {
		t.Fatalf("got %s (%s), want %s", e.Code, e.Detail, code)
	}
}

// ---- hand-made heaps ----

// plain is the decoder of hand-made heaps: they are stored unencoded.
func plain(uint64, int, []byte) {}

// hid names allocation index (1-based) of heap page page.
func hid(page, index int) ltp.HID { return ltp.HID(uint32(page)<<16 | uint32(index)<<5) }

// heapPage lays out heap page i as MS-PST 2.3.1 does: its header (HNHDR
// on page 0, naming client and root; HNBITMAPHDR on pages 8, 136, ...;
// else HNPAGEHDR), the items one after the other, then the page map
// (cAlloc, cFree, the items' offsets) at an even offset the header's
// first two bytes give.
func heapPage(i int, client byte, root ltp.HID, items ...[]byte) []byte {
	hdr := 2
	switch {
	case i == 0:
		hdr = 12
	case i >= 8 && (i-8)%128 == 0:
		hdr = 66
	}
	p := make([]byte, hdr)
	if i == 0 {
		p[2], p[3] = 0xEC, client
		binary.LittleEndian.PutUint32(p[4:], uint32(root))
	}
	offs := []uint16{uint16(hdr)}
	for _, it := range items {
		p = append(p, it...)
		offs = append(offs, uint16(len(p)))
	}
	if len(p)%2 == 1 {
		p = append(p, 0)
	}
	binary.LittleEndian.PutUint16(p, uint16(len(p)))
	p = binary.LittleEndian.AppendUint16(p, uint16(len(items)))
	p = binary.LittleEndian.AppendUint16(p, 0)
	for _, o := range offs {
		p = binary.LittleEndian.AppendUint16(p, o)
	}
	return p
}

// blocks wraps heap pages as the data blocks of one node.
func blocks(pages ...[]byte) []ndb.Block {
	out := make([]ndb.Block, len(pages))
	for i, p := range pages {
		out[i] = ndb.Block{BID: uint64(4 * (i + 1)), Data: p}
	}
	return out
}

// bthHeader is a BTHHEADER item.
func bthHeader(keySize, entSize, levels int, root ltp.HID) []byte {
	b := []byte{ltp.ClientBTH, byte(keySize), byte(entSize), byte(levels)}
	return binary.LittleEndian.AppendUint32(b, uint32(root))
}

// records concatenates 2-byte keys and their data: a BTH item.
func records(recs ...[]byte) []byte { return bytes.Join(recs, nil) }

// rec2 is a record of a 2-byte key and data.
func rec2(key uint16, data ...byte) []byte {
	return append(binary.LittleEndian.AppendUint16(nil, key), data...)
}
