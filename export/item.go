// Package export writes the readable items of a PST/OST to standard
// formats: one RFC 5322 message (.eml) per mail item in a folder tree
// mirroring the store, or one mbox file (mboxrd) per folder; contacts as
// vCard and calendar items as iCalendar. Names are made safe on Windows,
// macOS and Linux and can never leave the output folder. A manifest lists
// every item, exported or skipped with the reason.
//
// The engine (pstcheck/messaging) reads items from validated structures;
// this package only formats them.
package export

import "time"

// Address is a mail address with its display name.
type Address struct {
	Name  string
	Email string // SMTP address when known, else whatever the store has (e.g. an X.500 DN)
}

// Item is one message-like item of a store, decoded.
type Item struct {
	NID uint32
	// Heap, for an item recovered without its NID (0), is the block that
	// holds its properties: what names it in the file instead (identity).
	Heap uint64
	// Folder is the folder's path as the manifest shows it, "Top of
	// Personal Folders/Inbox" (FolderPath of Folders, when the caller
	// knows them).
	Folder string
	// Folders are the folders from the top of the store to the item's,
	// by identity: when set, they decide the item's folder in the export,
	// so that folders of the same name stay apart.
	Folders []FolderRef
	Class   string // PidTagMessageClass: IPM.Note, IPM.Contact, IPM.Appointment, ...

	Subject string
	// From is the author: the person the message was sent for
	// (PidTagSentRepresenting*), else its sender.
	From Address
	// Sender is the delegate who sent the message on From's behalf
	// (PidTagSender*), zero unless that is someone else.
	Sender Address
	To, Cc []Address
	Bcc    []Address
	Date   time.Time // sent (client submit) time, else delivery, creation or last modification time; zero if none
	// MessageID is the Internet Message-ID, with angle brackets; for an
	// item whose store has none, the Converter makes one up from the
	// store and the NID (or Heap), in the domain pstcheck.invalid.
	MessageID string
	InReplyTo string
	// Headers are the original Internet headers (PidTagTransportMessageHeaders)
	// of a received message, "" when the store has none.
	Headers string

	Body        string // plain-text body
	HTML        []byte // HTML body as stored
	HTMLCharset string // charset of HTML ("" = utf-8 or as declared inside)
	RTF         []byte // decompressed RTF body, when the store has one
	// BodyStream and HTMLStream, when set, are a large plain-text body
	// (UTF-8, not empty) and HTML body (as stored) kept in the store:
	// they take the place of Body and HTML, and are read only when the
	// item is written (for mail; contacts and events hold theirs).
	BodyStream, HTMLStream *Source

	Attachments []Attachment

	Contact *Contact // for IPM.Contact items
	Event   *Event   // for IPM.Appointment / IPM.Schedule.Meeting items

	// Damage, when set, says what is wrong with an item written although
	// damaged (--include-damaged); the EML carries it as X-Pstcheck-Damaged.
	Damage string
	// Recovered says the item was found without its folder's listing.
	Recovered bool
	// Salvaged says the item is lost (its node is gone) and written from
	// the blocks that still hold it: the manifest keeps it "lost".
	Salvaged bool
}

// Attachment is a file attached to an item, or an embedded message.
type Attachment struct {
	Filename  string // as stored (may be hostile: made safe by the writers)
	MimeType  string // PidTagAttachMimeTag, "" if none
	ContentID string // for inline images referenced by the HTML body
	Data      []byte
	// Stream, when set, gives the bytes instead of Data: kept in the
	// store, read as the item is written, never held whole.
	Stream   *Source
	Embedded *Item // an attached message (written as message/rfc822)
}

// Contact holds the fields of a contact item, or of a distribution list,
// a vCard carries.
type Contact struct {
	// UID identifies the contact for good: the same store and item give
	// the same UID, so a re-export updates an address book instead of
	// duplicating it, and a distribution list can name its members.
	UID                                         string
	DisplayName, GivenName, Surname, MiddleName string
	Prefix, Suffix                              string // PidTagDisplayNamePrefix ("Mr."), PidTagGeneration ("Jr.")
	Nickname                                    string
	Company, Department, Title                  string
	Emails                                      []string
	Phones                                      []Phone
	Addresses                                   []PostalAddress
	URLs                                        []string
	Notes                                       string
	Birthday                                    time.Time
	// Group marks a distribution list (IPM.DistList); Members are its
	// members.
	Group   bool
	Members []Member
}

// Phone is a telephone number with its kind ("work", "home fax", "cell",
// "primary", ...: words phoneTypes turns into vCard TEL types).
type Phone struct{ Kind, Number string }

// PostalAddress is one postal address of a contact, in parts.
type PostalAddress struct {
	Kind                                             string // "work", "home" or "other"
	Preferred                                        bool   // the contact's mailing address (PidLidPostalAddressId)
	POBox, Street, City, Region, PostalCode, Country string
	// Label is the address as one block of text, as Outlook shows it.
	Label string
}

// Member is a member of a distribution list: a contact of the same store
// (UID set: the UID of that contact's vCard) or an address.
type Member struct{ UID, Name, Email string }

// Event holds the fields of a calendar item an iCalendar VEVENT carries.
type Event struct {
	Start, End time.Time
	AllDay     bool
	Location   string
	Organizer  Address
	Attendees  []Address
	UID        string // global object ID as hex, "" if none
	// ReminderSet says Outlook reminds of the event (PidLidReminderSet),
	// ReminderMinutes how long before its start (PidLidReminderDelta).
	ReminderSet     bool
	ReminderMinutes int
	// Recurrence is the series of a recurring event (PidLidAppointmentRecur),
	// nil for a single one; TimeZone is the zone its times are kept in.
	Recurrence *Recurrence
	TimeZone   *TimeZone
	// RecurrenceProblem says why the series of a recurring event could not
	// be read: the event is then written as its first occurrence, saying
	// so.
	RecurrenceProblem string
}
