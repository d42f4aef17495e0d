package messaging

import (
	"encoding/binary"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/ltp"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// maxDescribed bounds how many lost or damaged items are described from
// their contents-table rows, so a destroyed store cannot fill memory.
const maxDescribed = 100_000

// account totals what became of each folder's items, and says whether
// every item the store held is accounted for.
//
// An item is counted once, in the folder that lists it (or, unlisted, the
// folder its parent NID names): readable, damaged (its node exists but it
// cannot be read whole), lost (listed, its node gone) or recovered
// (readable, found without its listing). A folder whose listing is lost
// but whose count survives also counts as lost the items its count names
// beyond those found.
func (w *walker) account() {
	// A walk that did not reach the folder the store names as the top of
	// its mail, or any folder below the root (an older copy of the root's
	// hierarchy, read through a rebuilt index, may list none: every store
	// holds at least that one), has not seen them all.
	complete := w.seenFolder[NIDRootFolder] && len(w.seenFolder) > 1 && (w.ipmSubtree == 0 || w.seenFolder[w.ipmSubtree]) && !w.countMayBeOld
	for i := range w.out.Folders {
		f := &w.out.Folders[i]
		// The items were counted as they were checked (fold).
		if !f.Listed && f.Expected > f.Readable+f.Damaged+f.Recovered {
			extra := f.Expected - (f.Readable + f.Damaged + f.Recovered)
			f.Lost += extra
			w.out.Unmatched.Lost += extra
		}
		f.Items = f.Readable + f.Damaged + f.Lost + f.Recovered
		isSearch := f.NID&0x1F == ndb.NIDTypeSearchFolder
		if !isSearch && (f.Expected < 0 || !w.subfoldersListed[f.NID]) {
			complete = false
		}
	}
	w.out.Complete = complete
	w.describe()
}

// describe reads, for each listed item that is lost or damaged, its
// subject and date from its folder's contents-table row: often all that is
// left to name it by.
func (w *walker) describe() {
	want := map[uint32][]uint32{}
	n := 0
	for _, f := range w.out.Folders {
		if !f.Listed || f.Lost+f.Damaged == 0 {
			continue
		}
		for _, it := range w.out.Items[f.NID] {
			if (it.State == Lost || it.State == Damaged) && !it.FAI && n < maxDescribed {
				want[f.NID] = append(want[f.NID], it.NID)
				n++
			}
		}
	}
	for folder, nids := range want {
		w.chk.mem.reset()
		tc, ok := w.tableAgain(folder&^0x1F | ndb.NIDTypeContentsTable)
		if !ok {
			continue
		}
		row := make(map[uint32]int, len(tc.RowIDs))
		for r, id := range tc.RowIDs {
			row[id] = r
		}
		for _, nid := range nids {
			r, ok := row[nid]
			if !ok {
				continue
			}
			info := RowInfo{}
			info.Subject, _ = w.cellString(tc, r, propSubject)
			info.Subject = StripSubjectPrefix(info.Subject)
			info.Time, info.Modified = rowTime(tc, r)
			if w.out.Rows == nil {
				w.out.Rows = map[uint32]RowInfo{}
			}
			w.out.Rows[nid] = info
		}
	}
}

// rowTime is a row's delivery time, else its submit time, else its last
// modification time (zero when none is there), and its last modification
// time.
func rowTime(tc *ltp.TC, r int) (when, modified time.Time) {
	var delivered, submitted time.Time
	tc.RowCells(r, func(c ltp.Column, cell []byte) {
		if c.Type() != ltp.TypeTime || len(cell) != 8 {
			return
		}
		switch t := FileTime(binary.LittleEndian.Uint64(cell)); uint16(c.Tag >> 16) {
		case propDeliveryTime:
			delivered = t
		case propClientSubmitTime:
			submitted = t
		case propLastModified:
			modified = t
		}
	})
	for _, t := range []time.Time{delivered, submitted, modified} {
		if !t.IsZero() {
			return t, modified
		}
	}
	return time.Time{}, time.Time{}
}

// FileTime converts a FILETIME (100 ns ticks since 1601-01-01) to UTC;
// zero when it is not positive.
func FileTime(v uint64) time.Time {
	ft := int64(v)
	if ft <= 0 {
		return time.Time{}
	}
	const epochDiff = 116444736000000000
	return time.Unix(0, (ft-epochDiff)*100).UTC()
}

// StripSubjectPrefix removes the marker some stores put before a subject:
// 0x01 and a character giving the length of the prefix ("RE: ") that
// follows (MS-OXCMSG PidTagSubject).
func StripSubjectPrefix(s string) string {
	if len(s) >= 2 && s[0] == 0x01 {
		return s[2:]
	}
	return s
}
