package export

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// Contact properties (MS-OXOCNTC, IDs from MS-OXPROPS).
const (
	psetidAddress = "00062004-0000-0000-C000-000000000046"

	pidGeneration        = 0x3A05
	pidGivenName         = 0x3A06
	pidSurname           = 0x3A11
	pidCompanyName       = 0x3A16
	pidTitle             = 0x3A17
	pidDepartment        = 0x3A18
	pidBirthday          = 0x3A42
	pidMiddleName        = 0x3A44
	pidDisplayNamePrefix = 0x3A45
	pidNickname          = 0x3A4F
	pidPersonalHomePage  = 0x3A50
	pidBusinessHomePage  = 0x3A51

	lidEmail1, lidEmail2, lidEmail3 = 0x8083, 0x8093, 0x80A3
	lidHomeAddress                  = 0x801A
	lidWorkAddress                  = 0x801B
	lidOtherAddress                 = 0x801C
	lidPostalAddressID              = 0x8022
	lidWorkStreet, lidWorkCity      = 0x8045, 0x8046
	lidWorkState, lidWorkPostalCode = 0x8047, 0x8048
	lidWorkCountry, lidWorkPOBox    = 0x8049, 0x804A
)

// contactPhones are the telephone numbers of a contact, in the order they
// are written, with the kind phoneTypes turns into TEL types.
var contactPhones = []struct {
	kind string
	id   uint16
}{
	{"primary", 0x3A1A},     // PidTagPrimaryTelephoneNumber
	{"work", 0x3A08},        // PidTagBusinessTelephoneNumber
	{"work", 0x3A1B},        // PidTagBusiness2TelephoneNumber
	{"company", 0x3A57},     // PidTagCompanyMainTelephoneNumber
	{"home", 0x3A09},        // PidTagHomeTelephoneNumber
	{"home", 0x3A2F},        // PidTagHome2TelephoneNumber
	{"cell", 0x3A1C},        // PidTagMobileTelephoneNumber
	{"work fax", 0x3A24},    // PidTagBusinessFaxNumber
	{"home fax", 0x3A25},    // PidTagHomeFaxNumber
	{"fax", 0x3A23},         // PidTagPrimaryFaxNumber (Outlook's "other fax")
	{"pager", 0x3A21},       // PidTagPagerTelephoneNumber
	{"car", 0x3A1E},         // PidTagCarTelephoneNumber
	{"isdn", 0x3A2D},        // PidTagIsdnNumber
	{"assistant", 0x3A2E},   // PidTagAssistantTelephoneNumber
	{"callback", 0x3A02},    // PidTagCallbackTelephoneNumber
	{"radio", 0x3A1D},       // PidTagRadioTelephoneNumber
	{"telex", 0x3A2C},       // PidTagTelexNumber
	{"tty", 0x3A4B},         // PidTagTtytddPhoneNumber
	{"other voice", 0x3A1F}, // PidTagOtherTelephoneNumber
}

// addressParts are the property IDs of one structured address: street,
// city, state or province, postal code, country, post office box.
type addressParts struct{ street, city, region, postal, country, pobox uint16 }

var (
	homeAddress  = addressParts{0x3A5D, 0x3A59, 0x3A5C, 0x3A5B, 0x3A5A, 0x3A5E} // PidTagHomeAddress*
	otherAddress = addressParts{0x3A63, 0x3A5F, 0x3A62, 0x3A61, 0x3A60, 0x3A64} // PidTagOtherAddress*
	// mailingAddress is the copy of the address PidLidPostalAddressId
	// chooses (PidTagStreetAddress, PidTagLocality, ...).
	mailingAddress = addressParts{0x3A29, 0x3A27, 0x3A28, 0x3A2A, 0x3A26, 0x3A2B}
)

func (c *Converter) contact(m *messaging.Message) *Contact {
	r, p := c.r, m.Props
	ct := &Contact{
		UID:         c.contactUID(m.NID, m.Heap),
		DisplayName: r.String(p, pidDisplayName),
		GivenName:   r.String(p, pidGivenName),
		Surname:     r.String(p, pidSurname),
		MiddleName:  r.String(p, pidMiddleName),
		Prefix:      r.String(p, pidDisplayNamePrefix),
		Suffix:      r.String(p, pidGeneration),
		Nickname:    r.String(p, pidNickname),
		Company:     r.String(p, pidCompanyName),
		Department:  r.String(p, pidDepartment),
		Title:       r.String(p, pidTitle),
		Notes:       r.String(p, pidBody),
		Birthday:    messaging.Time(p, pidBirthday),
	}
	for _, lid := range []uint32{lidEmail1, lidEmail2, lidEmail3} {
		if e := c.namedString(p, psetidAddress, lid); e != "" {
			ct.Emails = append(ct.Emails, e)
		}
	}
	// The primary number is usually one of the others too: it then marks
	// that one preferred rather than being written twice.
	var primary string
	for _, ph := range contactPhones {
		n := strings.TrimSpace(r.String(p, ph.id))
		switch {
		case n == "":
		case ph.kind == "primary":
			primary = n
		default:
			kind := ph.kind
			if n == primary {
				kind += " primary"
				primary = ""
			}
			ct.Phones = append(ct.Phones, Phone{Kind: kind, Number: n})
		}
	}
	if primary != "" {
		ct.Phones = append([]Phone{{Kind: "primary", Number: primary}}, ct.Phones...)
	}
	for _, id := range []uint16{pidBusinessHomePage, pidPersonalHomePage} {
		if u := strings.TrimSpace(r.String(p, id)); u != "" {
			ct.URLs = append(ct.URLs, u)
		}
	}

	mailing := 0
	if v, ok := c.named(p, psetidAddress, lidPostalAddressID); ok {
		mailing = int(v.Inline)
	}
	work := PostalAddress{Kind: "work",
		Street:     c.namedString(p, psetidAddress, lidWorkStreet),
		City:       c.namedString(p, psetidAddress, lidWorkCity),
		Region:     c.namedString(p, psetidAddress, lidWorkState),
		PostalCode: c.namedString(p, psetidAddress, lidWorkPostalCode),
		Country:    c.namedString(p, psetidAddress, lidWorkCountry),
		POBox:      c.namedString(p, psetidAddress, lidWorkPOBox),
		Label:      c.namedString(p, psetidAddress, lidWorkAddress)}
	home := c.address(p, "home", homeAddress, lidHomeAddress)
	other := c.address(p, "other", otherAddress, lidOtherAddress)
	for i, a := range []*PostalAddress{&home, &work, &other} {
		a.Preferred = mailing == i+1 // 1 home, 2 work, 3 other
		if a.Preferred && a.parts() == "" {
			// Only the mailing copy of this address has its parts.
			m := c.address(p, a.Kind, mailingAddress, 0)
			a.POBox, a.Street, a.City, a.Region, a.PostalCode, a.Country = m.POBox, m.Street, m.City, m.Region, m.PostalCode, m.Country
		}
		if a.parts() != "" || strings.TrimSpace(a.Label) != "" {
			ct.Addresses = append(ct.Addresses, *a)
		}
	}
	return ct
}

// address reads one structured address and its block (lid, 0 for none).
func (c *Converter) address(p messaging.Props, kind string, ids addressParts, lid uint32) PostalAddress {
	r := c.r
	a := PostalAddress{Kind: kind, Street: r.String(p, ids.street), City: r.String(p, ids.city),
		Region: r.String(p, ids.region), PostalCode: r.String(p, ids.postal), Country: r.String(p, ids.country),
		POBox: r.String(p, ids.pobox)}
	if lid != 0 {
		a.Label = c.namedString(p, psetidAddress, lid)
	}
	return a
}

// parts is the address's parts joined, "" when it has none.
func (a PostalAddress) parts() string {
	return strings.TrimSpace(a.POBox + a.Street + a.City + a.Region + a.PostalCode + a.Country)
}

// contactUID is the UID of a contact of this store: a name-based UUID of
// the store's record key and the NID, so that exporting the same store
// again gives the same UID, and a distribution list of the store can name
// a member by the entry ID it keeps (which holds the same two). A contact
// recovered without its NID is named by the block holding its properties.
func (c *Converter) contactUID(nid uint32, heap uint64) string {
	return storeUUID(c.store, nid, heap)
}

func storeUUID(store []byte, nid uint32, heap uint64) string {
	h := sha256.New()
	h.Write([]byte("pstcheck contact\x00"))
	h.Write(store)
	h.Write(binary.LittleEndian.AppendUint32(nil, nid))
	if nid == 0 && heap != 0 {
		h.Write(binary.LittleEndian.AppendUint64(nil, heap))
	}
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0F | 0x50 // the version and variant of a name-based UUID (RFC 4122)
	u[8] = u[8]&0x3F | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
