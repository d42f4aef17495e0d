package export

import "github.com/pstcheck/pstcheck/pstcheck/messaging"

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
//   - KindContact: IPM.Contact, and IPM.DistList (a distribution list,
//     written as a vCard group).
//   - KindEvent: IPM.Appointment.
//   - KindMail: everything else, including meeting requests, cancellations
//     and responses (IPM.Schedule.Meeting.*: mail that sits in mail
//     folders, written with the invitation or answer as a text/calendar
//     part), tasks, notes, journal entries and reports.
func KindOf(class string) string {
	switch {
	case messaging.IsClass(class, "IPM.Contact"), messaging.IsClass(class, "IPM.DistList"):
		return KindContact
	case messaging.IsClass(class, "IPM.Appointment"):
		return KindEvent
	}
	return KindMail
}
