package repair

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// listMembers returns the members' entry IDs and the checksum of the
// first distribution list of the store at path, and the store's provider
// UID.
func listMembers(t *testing.T, path string) (members [][]byte, sum uint32, store []byte) {
	t.Helper()
	s, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := s.Reader
	mid, _ := r.Named(psetidAddress, lidDistListMembers)
	sid, _ := r.Named(psetidAddress, lidDistListSum)
	for it := range s.Items(nil) {
		m, err := r.Message(it.NID)
		if err != nil || !messaging.IsClass(r.String(m.Props, propMessageClass), "IPM.DistList") {
			continue
		}
		v, _ := m.Props.Get(mid)
		c, _ := m.Props.Get(sid)
		members, _ = messaging.Multiple(v.Data)
		_, _, key := storeIdentity(r)
		return members, c.Inline, key
	}
	t.Fatalf("%s: no distribution list", path)
	return nil, 0, nil
}

// A list's member that is a contact of the store names it in the new
// store (its provider UID and the contact's new NID), and the list's
// checksum, the store's CRC of its members' entry IDs one after the other,
// holds for the new members as it did for the old.
func TestRepairDistListMembers(t *testing.T) {
	src := samples.CorpusNamed("java-libpst__dist-list.pst")
	if len(src) == 0 {
		t.Skip("corpus not present")
	}
	old, oldSum, oldStore := listMembers(t, src[0])
	if n := len(wrappedNIDs(old, oldStore)); n != 1 {
		t.Fatalf("%d members of the original list name a contact of its store, want 1", n)
	}
	if ndb.CRC(bytes.Join(old, nil)) != oldSum {
		t.Fatalf("the original list's checksum 0x%08X is not the CRC of its members", oldSum)
	}
	s, err := pstcheck.OpenStore(context.Background(), src[0], pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "new.pst")
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), s, f, Options{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s.Close()
	got, sum, store := listMembers(t, dst)
	if ndb.CRC(bytes.Join(got, nil)) != sum {
		t.Errorf("the new list's checksum 0x%08X is not the CRC of its members", sum)
	}
	nids := wrappedNIDs(got, store)
	n, err := pstcheck.OpenStore(context.Background(), dst, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, nid := range nids {
		if m, err := n.Reader.Message(nid); err != nil || n.Reader.String(m.Props, propMessageClass) != "IPM.Contact" {
			t.Errorf("a member names 0x%X of the new store, which is no contact (%v)", nid, err)
		}
	}
	if len(nids) != 1 {
		t.Errorf("%d members name a contact of the new store, want 1 (of %d)", len(nids), len(got))
	}
}

// wrappedNIDs are the NIDs of store the members' wrapped entry IDs name.
func wrappedNIDs(members [][]byte, store []byte) []uint32 {
	var out []uint32
	for _, e := range members {
		if nid, ok := messaging.WrappedNID(e, store); ok {
			out = append(out, nid)
		}
	}
	return out
}
