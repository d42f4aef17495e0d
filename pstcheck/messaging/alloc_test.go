package messaging

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Checking a message allocates nothing once the checker's memory has been
// sized by the messages before: an allocation or two per message is what
// made scans of hundreds of thousands of items slow and large. Every
// message of enron.pst (bodies, recipients, attachments, embedded
// messages) is checked once to size the memory, then again, counted.
func TestCheckMessageAllocatesNothing(t *testing.T) {
	path := samples.GoPst("enron.pst")
	if path == "" {
		t.Skip("go-pst samples not downloaded")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	res := ndb.Scan(context.Background(), bytes.NewReader(b), int64(len(b)), &c, ndb.Options{})
	var nids []uint32
	for _, n := range res.NBT.All() {
		if n.NID&0x1F == ndb.NIDTypeMessage {
			nids = append(nids, n.NID)
		}
	}
	chk := &checker{res: res}
	checkAll := func() {
		for _, nid := range nids {
			if err := chk.message(nid); err != nil {
				t.Fatalf("message 0x%X: %v", nid, err)
			}
		}
	}
	checkAll()
	if n := testing.AllocsPerRun(2, checkAll); n > 0 {
		t.Errorf("checking %d messages allocates %.0f times", len(nids), n)
	}
}
