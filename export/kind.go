package export

import "strings"

// The kinds KindOf returns.
const (
	KindMail    = "mail"    // written as EML (or into an mbox)
	KindContact = "contact" // written as vCard
	KindEvent   = "event"   // written as iCalendar
)

// KindOf says how an item of the message class is exported. Message classes
// compare case-insensitively, and a class matches its derived classes
// ("IPM.Contact" matches "IPM.Contact.MyForm", not "IPM.Contacts"):
//
//   - KindContact: IPM.Contact.
//   - KindEvent: IPM.Appointment, IPM.Schedule.Meeting.Request and
//     IPM.Schedule.Meeting.Canceled (a cancellation is written with
//     STATUS:CANCELLED).
//   - KindMail: everything else, including IPM.DistList (the item model
//     carries no members, and vCard 3.0 has no standard form for a group, so
//     the list's mail form keeps more of it), meeting responses
//     (IPM.Schedule.Meeting.Resp.*: replies whose text matters more than the
//     event they answer), tasks, notes, journal entries and reports.
func KindOf(class string) string {
	switch {
	case classIs(class, "IPM.Contact"):
		return KindContact
	case classIs(class, "IPM.Appointment"),
		classIs(class, "IPM.Schedule.Meeting.Request"),
		classIs(class, "IPM.Schedule.Meeting.Canceled"):
		return KindEvent
	}
	return KindMail
}

// classIs reports whether class is base or derived from it.
func classIs(class, base string) bool {
	class = strings.TrimSpace(class)
	if len(class) < len(base) || !strings.EqualFold(class[:len(base)], base) {
		return false
	}
	return len(class) == len(base) || class[len(base)] == '.'
}
