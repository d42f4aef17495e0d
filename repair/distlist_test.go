package repair

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/gentest"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
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
	if n := membersNamingContacts(t, repairTo(t, src[0])); n != 1 {
		t.Errorf("%d members name a contact of the new store, want 1", n)
	}
}

// A list names a contact of a folder written after the list's: in the
// new store it names that contact too, not its address alone (the lists
// were written at the end of their folder, before the contacts of the
// folders after it).
func TestRepairDistListMemberInLaterFolder(t *testing.T) {
	src := filepath.Join(t.TempDir(), "lists-first.pst")
	key := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	gentest.WriteWith(t, src, pstwrite.Options{RecordKey: key}, func(w *pstwrite.Writer) error {
		contacts := pstwrite.Folder{Name: "Contacts", Class: "IPF.Contact"}
		lists, err := w.AddFolder(w.IPMSubtree(), contacts)
		if err != nil {
			return err
		}
		contacts.Name = "People"
		people, err := w.AddFolder(w.IPMSubtree(), contacts)
		if err != nil {
			return err
		}
		contact := &pstwrite.Message{Props: []pstwrite.Property{
			pstwrite.String(propMessageClass, "IPM.Contact"), pstwrite.String(0x0037, "Ann")}}
		if err := w.AddMessage(people, contact); err != nil {
			return err
		}
		// A WrappedEntryId (MS-OXOCNTC 2.2.2.2.4.1.1): flags, its provider
		// UID, the type (a contact's entry ID), then the contact's entry
		// ID (flags, the store's record key, its NID).
		member := append([]byte{0, 0, 0, 0, 0xC0, 0x91, 0xAD, 0xD3, 0x51, 0x9D, 0xCF, 0x11, 0xA4, 0xA9, 0x00, 0xAA, 0x00, 0x47, 0xFA, 0xA4, 0xC3, 0, 0, 0, 0}, key[:]...)
		member = binary.LittleEndian.AppendUint32(member, w.LastMessage())
		var ids [3]uint16
		for i, lid := range []uint32{lidDistListMembers, lidDistListOneOffs, lidDistListSum} {
			if ids[i], err = w.NamedProperty(pstwrite.PropertyName{GUID: pstwrite.MustParseGUID(psetidAddress), LID: lid}); err != nil {
				return err
			}
		}
		return w.AddMessage(lists, &pstwrite.Message{Props: []pstwrite.Property{
			pstwrite.String(propMessageClass, "IPM.DistList"), pstwrite.String(0x0037, "Team"),
			pstwrite.MultiBinary(ids[0], member),
			pstwrite.MultiBinary(ids[1], []byte("one-off entry of Ann")),
			pstwrite.Int32(ids[2], int32(ndb.CRC(member)))}})
	})
	if old, _, store := listMembers(t, src); len(wrappedNIDs(old, store)) != 1 {
		t.Fatal("the list written names no contact of its store")
	}
	if n := membersNamingContacts(t, repairTo(t, src)); n != 1 {
		t.Errorf("%d members name a contact of the new store, want 1", n)
	}
}

// repairTo repairs the store at src into a new file and returns its path.
func repairTo(t *testing.T, src string) string {
	t.Helper()
	s, err := pstcheck.OpenStore(context.Background(), src, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dst := filepath.Join(t.TempDir(), "new.pst")
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Run(context.Background(), s, f, Options{}); err != nil {
		t.Fatal(err)
	}
	return dst
}

// membersNamingContacts checks the first list of the store at path (its
// checksum, and that each member naming a message of the store names a
// contact) and returns how many of its members name a contact of it.
func membersNamingContacts(t *testing.T, path string) int {
	t.Helper()
	got, sum, store := listMembers(t, path)
	if ndb.CRC(bytes.Join(got, nil)) != sum {
		t.Errorf("the new list's checksum 0x%08X is not the CRC of its members", sum)
	}
	nids := wrappedNIDs(got, store)
	n, err := pstcheck.OpenStore(context.Background(), path, pstcheck.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	for _, nid := range nids {
		if m, err := n.Reader.Message(nid); err != nil || n.Reader.String(m.Props, propMessageClass) != "IPM.Contact" {
			t.Errorf("a member names 0x%X of the new store, which is no contact (%v)", nid, err)
		}
	}
	return len(nids)
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
