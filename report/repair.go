package report

import (
	"fmt"
	"strings"

	"github.com/pstcheck/pstcheck/internal/units"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/repair"
)

// RepairResult is what a repair did, for its summary.
type RepairResult struct {
	Source, Target string
	Items          pstcheck.ItemCounts // the source store's accounting
	Saved, Partial int                 // written whole; damaged, written with what could be read
	Salvaged       int                 // lost, written from the blocks that still hold them
	Failed         int                 // found readable, yet not read
	IncludeDamaged bool                // damaged and lost items were written too
	Folders        int
	Size           int64
	// Associated and AssociatedSkipped count the folders' hidden items
	// (views, rules, the category list) written and left out.
	Associated, AssociatedSkipped int
	// Listed are the lines naming the first items not written whole;
	// ListedTotal counts them all, which ListFile names.
	Listed      []string
	ListedTotal int
	ListFile    string
	// MovedFrom and MovedTo name the folder whose contents the new store's
	// top folder holds ("" when nothing moved): an OST's mailbox where
	// MovedMailbox says so.
	MovedFrom, MovedTo string
	MovedMailbox       bool
	// Placed are the folders recovered items went into by their listings
	// found among the unused blocks (pstcheck.Report.RecoveredFolders).
	Placed []pstcheck.PlacedFolder
	// CountedOnly counts the lost items only their folders' item counts
	// still count: the list cannot name them.
	CountedOnly int
	// NotCreated says no item could be written, so Target was not made:
	// a store of folders alone would pass for the repaired one.
	NotCreated bool
	// SourcePassword says Source has a PST password, which the new store
	// does not keep.
	SourcePassword bool
}

// RepairSummary is the summary a repair prints: how many of the store's
// items the new store holds, what became of the others, each named.
func RepairSummary(r RepairResult) []string {
	it := r.Items
	w := writtenOf(it, r.Saved, r.Partial, r.Salvaged, r.Failed, "with the category \"pstcheck: damaged\"", "read")
	line := fmt.Sprintf("Wrote %s of %s from %s to %s (%s, %s)", thousands(int64(w.count)),
		plural(it.Total, "item"), r.Source, r.Target, plural(r.Folders, "folder"), units.Size(r.Size, 2))
	switch {
	case r.NotCreated && it.Total == 0:
		line = fmt.Sprintf("No item of %s could be found, so %s was not created", r.Source, r.Target)
	case r.NotCreated:
		line = fmt.Sprintf("No item of the %s of %s could be written, so %s was not created", plural(it.Total, "item"), r.Source, r.Target)
	}
	if len(w.parts) > 0 {
		line += ": " + strings.Join(w.parts, ", ")
	}
	out := append([]string{line + "."}, w.also...)
	if !r.NotCreated { // what the new store holds
		out = append(out, newStoreSummary(r)...)
	}
	if len(w.not) > 0 {
		out = append(out, "Not written: "+strings.Join(w.not, ", ")+".")
		if !r.IncludeDamaged {
			out = append(out, includeDamagedAdvice(it)...)
		}
	}
	out = append(out, namesMore("The list", r.ListedTotal-it.Damaged-it.Lost-r.Failed)...)
	if r.ListedTotal > 0 {
		head := "Each item not written whole, and why, is listed in " + r.ListFile + butUnnamed(r.CountedOnly, w.lostLeft)
		if len(r.Listed) < r.ListedTotal {
			head += fmt.Sprintf("; the first %d of %s:", len(r.Listed), thousands(int64(r.ListedTotal)))
		} else {
			head += ":"
		}
		out = append(out, head)
	}
	for _, l := range r.Listed {
		out = append(out, "  "+l)
	}
	if !it.Complete {
		out = append(out, "Some of the store's listings are lost: it may have held more items than these.")
	}
	return out
}

// newStoreSummary says where a repair put what it wrote: the folders
// recovered items went into, the folders' hidden items, an OST's mailbox.
func newStoreSummary(r RepairResult) []string {
	out := placedSummary(r.Placed)
	if r.Associated+r.AssociatedSkipped > 0 {
		hidden := fmt.Sprintf("Also wrote %s (views, rules, the category list)", plural(r.Associated, "hidden item"))
		if n := r.AssociatedSkipped; n > 0 {
			were := "were"
			if n == 1 {
				were = "was"
			}
			hidden += fmt.Sprintf("; %s could not be read whole and %s left out: Outlook makes its own views and rules again",
				thousands(int64(n)), were)
		}
		out = append(out, hidden+".")
	}
	if r.MovedFrom != "" {
		// An OST's mailbox, or the top of a PST's folders found without
		// the message store that names it (a copy cut off or destroyed
		// there).
		whose := "The store's folders"
		if r.MovedMailbox {
			whose = "The mailbox's folders"
		}
		out = append(out, fmt.Sprintf("%s (%q) are under %q in the new store, where Outlook shows them.", whose, r.MovedFrom, r.MovedTo))
	}
	if r.SourcePassword && !r.NotCreated {
		out = append(out, "The original store has a PST password; the new one has none, and Outlook opens it without asking. To set one: in Outlook, File > Account Settings > Account Settings > Data Files, select the new store, then Settings > Change Password.")
	}
	return out
}

// RepairListLine is the line naming an item a repair did not write whole,
// and why: in the summary and in the list beside the new store.
func RepairListLine(s repair.Skipped) string {
	what := "skipped"
	switch {
	case s.Salvaged:
		what = "salvaged"
	case s.Written:
		what = "written with what could be read"
	}
	item := fmt.Sprintf("item 0x%X %q", s.NID, s.Subject)
	if s.NID == 0 { // known by its block alone (the reason names it)
		item = fmt.Sprintf("item %q", s.Subject)
	}
	folder := s.Folder
	if folder == "" {
		folder = "(root)"
	}
	return fmt.Sprintf("%s: %s %s: %s", folder, item, what, s.Reason)
}
