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
