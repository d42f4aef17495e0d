package export

import "github.com/pstcheck/pstcheck/pstcheck/messaging"

// Meeting requests, cancellations and responses (IPM.Schedule.Meeting.*)
// are mail: they sit in Inbox, Sent Items and Deleted Items, and a mail
// client that imports the folder must find them there. Outlook sends them
// with the invitation or answer as a text/calendar part (iTIP, RFC 5546;
// iMIP, RFC 6047), and so does the export.

// isMeeting reports whether class is a meeting message.
func isMeeting(class string) bool { return messaging.IsClass(class, "IPM.Schedule.Meeting") }

// meetingMethod is the iTIP method of a meeting message and, for a
// response, the answer (PARTSTAT) of the attendee who sent it; "" for
// other classes (and for a forward notification, which invites no one).
func meetingMethod(class string) (method, partstat string) {
	switch {
	case messaging.IsClass(class, "IPM.Schedule.Meeting.Request"):
		return "REQUEST", ""
	case messaging.IsClass(class, "IPM.Schedule.Meeting.Canceled"):
		return "CANCEL", ""
	case messaging.IsClass(class, "IPM.Schedule.Meeting.Resp.Pos"):
		return "REPLY", "ACCEPTED"
	case messaging.IsClass(class, "IPM.Schedule.Meeting.Resp.Neg"):
		return "REPLY", "DECLINED"
	case messaging.IsClass(class, "IPM.Schedule.Meeting.Resp.Tent"):
		return "REPLY", "TENTATIVE"
	}
	return "", ""
}

// calendarPart is the text/calendar part of a meeting message, nil for
// other items. The attachments are the message's own MIME parts, not
// repeated inside the calendar.
func calendarPart(it *Item) *entity {
	method, _ := meetingMethod(it.Class)
	if method == "" || it.Event == nil {
		return nil
	}
	e := textPart("calendar", "", calendar(it, method), nil)
	e.header[0] = fold("Content-Type: " + formatParams("text/calendar", [][2]string{{"charset", "utf-8"}, {"method", method}}))
	return &e
}

// replyPeople is who a response is from and to: the attendee who answers
// (From) with the answer, and the organizer it goes to (the first To
// recipient).
func replyPeople(it *Item) (organizer Address, attendee Address) {
	if len(it.To) > 0 {
		organizer = it.To[0]
	}
	return organizer, it.From
}
