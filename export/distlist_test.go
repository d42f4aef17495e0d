package export

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// PidLidDistributionListMembers and ...OneOffMembers of java-libpst's
// dist-list.pst "test dist list": a contact of the store (a wrapped entry
// ID: store record key a41d63db..., NID 0x200064) and two one-off
// addresses.
const (
	sampleMembers = "03000000100000003d000000a100000000000000c091add3519dcf11a4a900aa0047faa4c300000000a41d63dbc53b8e4ab8071e15e55750ce6400200000000000812b1fa4bea310199d6e00dd010f540200000180640069007300740020006e0061006d00650020003100000053004d0054005000000064006900730074003100400072006a006f0068006e0073006f006e002e00690064002e0061007500000000000000812b1fa4bea310199d6e00dd010f540200000180640069007300740020006e0061006d00650020003200000053004d0054005000000064006900730074003200400072006a006f0068006e0073006f006e002e00690064002e00610075000000"
	sampleOneOffs = "030000001000000080000000e400000000000000812b1fa4bea310199d6e00dd010f54020000018063006f006e00740061006300740020006e0061006d00650020003100000053004d0054005000000063006f006e0074006100630074003100400072006a006f0068006e0073006f006e002e00690064002e0061007500000000000000812b1fa4bea310199d6e00dd010f540200000180640069007300740020006e0061006d00650020003100000053004d0054005000000064006900730074003100400072006a006f0068006e0073006f006e002e00690064002e0061007500000000000000812b1fa4bea310199d6e00dd010f540200000180640069007300740020006e0061006d00650020003200000053004d0054005000000064006900730074003200400072006a006f0068006e0073006f006e002e00690064002e00610075000000"
	sampleStore   = "a41d63dbc53b8e4ab8071e15e55750ce"
)

func TestDistListMembers(t *testing.T) {
	members, _ := hex.DecodeString(sampleMembers)
	oneOffs, _ := hex.DecodeString(sampleOneOffs)
	store, _ := hex.DecodeString(sampleStore)
	m, o := multipleBinary(members), multipleBinary(oneOffs)
	if len(m) != 3 || len(o) != 3 {
		t.Fatalf("%d members, %d one-offs; want 3, 3", len(m), len(o))
	}
	if nid, ok := messaging.WrappedNID(m[0], store); !ok || nid != 0x200064 {
		t.Errorf("member 1: NID 0x%X, %v; want the contact 0x200064", nid, ok)
	}
	if _, ok := messaging.WrappedNID(m[0], bytes.Repeat([]byte{1}, 16)); ok {
		t.Error("a contact of another store is taken for one of this store")
	}
	var got []string
	for _, e := range o {
		name, email, ok := oneOff(e, 1252)
		got = append(got, name+" <"+email+"> "+map[bool]string{true: "ok"}[ok])
	}
	want := "contact name 1 <contact1@rjohnson.id.au> ok, dist name 1 <dist1@rjohnson.id.au> ok, dist name 2 <dist2@rjohnson.id.au> ok"
	if strings.Join(got, ", ") != want {
		t.Errorf("one-offs %q", got)
	}
	// Damaged values: nothing read past their end, no panic.
	for n := range members {
		multipleBinary(members[:n])
	}
	for n := range o[1] {
		if _, _, ok := oneOff(o[1][:n], 1252); ok && n < len(o[1])-2 {
			t.Errorf("a one-off cut to %d bytes decodes", n)
		}
	}
	if got := multipleBinary([]byte{0xFF, 0xFF, 0xFF, 0x7F}); got != nil {
		t.Errorf("a huge count gives %d values", len(got))
	}

	// The group: members by UID when they are contacts of the store,
	// else by address; their names in the NOTE.
	it := &Item{NID: 0x200024, Class: "IPM.DistList", Subject: "test dist list", Contact: &Contact{
		UID: "1fb39ec6-5b7d-50e9-9cdd-2ddedb0faef7", DisplayName: "test dist list", Group: true,
		Members: []Member{{UID: storeUUID(store, 0x200064, 0), Name: "contact name 1", Email: "contact1@rjohnson.id.au"},
			{Name: "dist name 1", Email: "dist1@rjohnson.id.au"}, {Name: "Exchange", Email: "/O=ORG/CN=X"}}}}
	var b bytes.Buffer
	if err := WriteVCard(&b, it); err != nil {
		t.Fatal(err)
	}
	lines := checkContentLines(t, b.Bytes())
	for _, w := range []string{
		"X-ADDRESSBOOKSERVER-KIND:group",
		"X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:" + storeUUID(store, 0x200064, 0),
		"X-ADDRESSBOOKSERVER-MEMBER:mailto:dist1@rjohnson.id.au",
		"X-ADDRESSBOOKSERVER-MEMBER:mailto:IMCEAEX-_O=ORG_CN=X@pstcheck.invalid",
		`NOTE:Members:\ncontact name 1 <contact1@rjohnson.id.au>\ndist name 1 <dist1@rjohnson.id.au>\nExchange </O=ORG/CN=X>`,
	} {
		if !contains(lines, w) {
			t.Errorf("group lacks %q:\n%s", w, b.String())
		}
	}
	golden(t, "distlist.vcf", b.Bytes())
}

// Every distribution-list value is untrusted: no panic on any bytes.
func FuzzDistListMembers(f *testing.F) {
	members, _ := hex.DecodeString(sampleMembers)
	oneOffs, _ := hex.DecodeString(sampleOneOffs)
	f.Add(members)
	f.Add(oneOffs)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, e := range multipleBinary(b) {
			oneOff(e, 932)
			messaging.WrappedNID(e, b[:min(len(b), 16)])
		}
	})
}
