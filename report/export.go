package report

import (
	"fmt"
	"strings"

	"github.com/pstcheck/pstcheck/internal/fsfault"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// ExportResult is what an export run did, for its summary.
type ExportResult struct {
	Source, Dir, Format string
	// Items is what became of every item of the exported folders, as the
	// scan counted it.
	Items pstcheck.ItemCounts
	// Saved are the items written whole (readable and recovered ones),
	// Partial the damaged items written with what could be read of them,
	// Salvaged the lost items written from the blocks that still hold
	// them (both with --include-damaged), Unchanged the files an earlier
	// run left complete, KeptEarlier the files an earlier run wrote that
	// this one did not (left in DIR, not in the manifest).
	Saved, Partial, Salvaged, Unchanged, KeptEarlier int
	// Failed are readable items that could not be written.
	Failed int
	// IncludeDamaged says the run wrote damaged and lost items too.
	IncludeDamaged bool
	// Placed are the folders recovered items went into by their listings
	// found among the unused blocks (pstcheck.Report.RecoveredFolders).
	Placed []pstcheck.PlacedFolder
	// CountedOnly counts the lost items only their folders' item counts
	// still count: the manifest cannot name them.
	CountedOnly int
	// Named counts the items the manifest names as not written whole.
	Named int
}

// ExportSummary is the summary an export prints: how many of the store's
// items were saved, what became of the others, and where they are named.
func ExportSummary(r ExportResult) []string {
	it := r.Items
	w := writtenOf(it, r.Saved, r.Partial, r.Salvaged, r.Failed, "marked X-Pstcheck-Damaged", "written")
	line := fmt.Sprintf("Exported %s of %s from %s to %s (%s)", thousands(int64(w.count)),
		plural(it.Total, "item"), r.Source, r.Dir, r.Format)
	if len(w.parts) > 0 {
		line += ": " + strings.Join(w.parts, ", ")
	}
	if r.Unchanged > 0 {
		line += fmt.Sprintf("; %s already there from an earlier run", thousands(int64(r.Unchanged)))
	}
	out := append([]string{line + "."}, w.also...)
	out = append(out, placedSummary(r.Placed)...)
	if len(w.not) > 0 {
		out = append(out, "Not exported: "+strings.Join(w.not, ", ")+"; manifest.json names each with its folder, subject and reason"+butUnnamed(r.CountedOnly, w.lostLeft)+".")
		if !r.IncludeDamaged {
			out = append(out, includeDamagedAdvice(it)...)
		}
	}
	out = append(out, namesMore("manifest.json", r.Named-it.Damaged-it.Lost-r.Failed)...)
	if !it.Complete {
		out = append(out, "Some of the store's listings are lost: it may have held more items than these.")
	}
	if n := r.KeptEarlier; n > 0 {
		out = append(out, fmt.Sprintf("%s still holds %s an earlier export wrote and this one did not: kept, not deleted; manifest.json does not list %s.",
			r.Dir, plural(n, "file"), them(n)))
	}
	return out
}

// namesMore says that the list of items not written whole names extra
// more than the damaged, lost and failed items counted, and why: a
// message known only by a block no index entry leads to may be an item a
// folder counts lost or damaged (a version of it), and a damaged item
// nothing names may be a recovered one: each is named, counted once (none
// when extra is not positive).
func namesMore(list string, extra int) []string {
	if extra <= 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s names %s more than the count: each may be counted already under another name (a message known only by a block no index entry leads to may be an item a folder counts lost or damaged, a version of it, or a message attached to an item counted; a damaged item nothing names may be one recovered).",
		list, plural(extra, "item"))}
}

// recoveredWords says what n recovered items are.
func recoveredWords(n int) string {
	return "recovered without " + their(n) + " folder's listing or index entry"
}

// salvagedWords says what n salvaged lost items hold.
func salvagedWords(n int) string {
	if n == 1 {
		return "written from the blocks that still hold it (its properties; recipients, attachments and long bodies only where its blocks could be told apart)"
	}
	return "written from the blocks that still hold them (their properties; recipients, attachments and long bodies only where their blocks could be told apart)"
}

// their is the possessive of n items.
func their(n int) string {
	if n == 1 {
		return "its"
	}
	return "their"
}

// them is the object pronoun of n items.
func them(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// writtenParts says what an export or repair wrote of a store's items,
// the readable ones (when not all are), those recovered, those written
// without their named properties or in part, and the lost ones written
// from what is left of them; marked says how the damaged ones are marked.
func writtenParts(it pstcheck.ItemCounts, partial, salvaged int, marked string) []string {
	var parts []string
	if it.Readable > 0 && it.Readable != it.Total {
		parts = append(parts, thousands(int64(it.Readable))+" readable")
	}
	if it.Recovered > 0 {
		parts = append(parts, thousands(int64(it.Recovered))+" "+recoveredWords(it.Recovered))
	}
	if n := min(partial, it.NamesLost); n > 0 {
		what := " without " + their(n) + " named properties (the store's name map is lost), "
		if it.NamesAsItIs {
			what = " with " + their(n) + " named properties named through the store's damaged name map, any of those names possibly wrong, "
		}
		parts = append(parts, thousands(int64(n))+what+marked)
	}
	if n := partial - min(partial, it.NamesLost); n > 0 {
		parts = append(parts, thousands(int64(n))+" damaged, written with what could be read of "+them(n)+", "+marked)
	}
	if salvaged > 0 {
		parts = append(parts, thousands(int64(salvaged))+" lost, "+salvagedWords(salvaged)+", "+marked)
	}
	return parts
}

// written is what an export or repair wrote of a store's items, for its
// summary: how many of the count (count), what they were (writtenParts),
// the heaps taken for versions of items counted, written beside them
// (also: salvagedAs), what was not written (notSaved), and how many lost
// items were not (lostLeft).
type written struct {
	count       int
	parts, also []string
	not         []string
	lostLeft    int
}

// writtenOf is written for saved items written whole, partial damaged ones
// written in part, salvaged lost items' remains and failed readable ones;
// marked says how the damaged ones are marked, failedWhat what could not
// be done to the failed ones.
func writtenOf(it pstcheck.ItemCounts, saved, partial, salvaged, failed int, marked, failedWhat string) written {
	lost, versions := salvagedAs(it, salvaged)
	return written{count: saved + partial + lost, parts: writtenParts(it, partial, lost, marked),
		also: versionsWritten(versions, marked), not: notSaved(it, partial, lost, failed, failedWhat), lostLeft: it.Lost - lost}
}

// salvagedAs splits the lost items' remains an export or repair wrote
// (salvaged) into those of the lost items counted and the rest: heaps no
// entry links to that the count takes for versions of items it counts
// already (ItemCounts.Versions), written all the same.
func salvagedAs(it pstcheck.ItemCounts, salvaged int) (lost, versions int) {
	versions = min(salvaged, it.Versions)
	return salvaged - versions, versions
}

// versionsWritten says what was written of the heaps salvagedAs takes for
// versions of items counted, beside them.
func versionsWritten(versions int, marked string) []string {
	if versions <= 0 {
		return nil
	}
	which := "each of which"
	if versions == 1 {
		which = "which"
	}
	return []string{fmt.Sprintf("Also written, %s: %s known only by a block no index entry leads to, %s, %s may be a version of an item counted above, or a message attached to one.",
		marked, plural(versions, "message"), salvagedWords(versions), which)}
}

// notSaved names the items an export or repair did not save at all: the
// damaged ones not written, the lost ones not salvaged, and failed
// ones (found readable, yet they could not be read or written:
// failedWhat).
func notSaved(it pstcheck.ItemCounts, partial, salvaged, failed int, failedWhat string) []string {
	var not []string
	if n := it.Damaged - partial; n > 0 {
		not = append(not, thousands(int64(n))+" damaged")
	}
	if n := it.Lost - salvaged; n > 0 {
		not = append(not, thousands(int64(n))+" lost (their data or the index entries leading to it are gone)")
	}
	if failed > 0 {
		not = append(not, plural(failed, "item")+" that could not be "+failedWhat)
	}
	return not
}

// butUnnamed is what follows a list said to name each item not written:
// the lost items only their folders' item counts still count, of which
// nothing else is left to name them by ("" when none). They are counted
// before the store's count weighs the messages known only by a block
// against them, and those written may be some of them, so no more are
// said than the lost items not written (lostLeft).
func butUnnamed(countedOnly, lostLeft int) string {
	n := min(countedOnly, lostLeft)
	if n <= 0 {
		return ""
	}
	return " but " + thousands(int64(n)) + " lost that only their folders' item counts still count, with nothing left to name them by (a message it names as known only by a block may be one of them)"
}

// WriteFailure is an export or repair stopped by an error writing its
// output.
type WriteFailure struct {
	Target  string // the export's folder, or the repair's new file
	Written int    // items already in place when it stopped
	Resumes bool   // running the same command again goes on from there (export)
	Err     error
}

// WriteFailureText says why the output could not be written, what is kept,
// and what to do.
func WriteFailureText(f WriteFailure) []string {
	var cause, step, alt string
	switch fsfault.Of(f.Err) {
	case fsfault.Permission:
		cause = "this account is not allowed to write there"
		step = "choose a folder you can write to with --to, or run as an account that may write to " + f.Target
	case fsfault.NotFolder:
		cause = "it, or a folder on its path, is a file"
		step = "give --to a folder (it is made if it does not exist)"
	case fsfault.Full:
		cause = "the disk is full"
		step = "free space on that disk"
		alt = " (or give --to a place on a disk with room, and start over there)"
	case fsfault.ReadOnly:
		cause = "the disk is read-only"
		step = "give --to a place on a writable disk"
	default:
		step = "check " + f.Target + " and its disk"
	}
	head := "cannot write to " + f.Target
	if cause != "" {
		head += ": " + cause
	}
	out := []string{head + " (" + f.Err.Error() + ")."}
	switch {
	case f.Resumes && f.Written > 0:
		out = append(out, fmt.Sprintf("%s were written before it stopped and are kept.", plural(f.Written, "item")))
		step += "; then run the same command again: it resumes where it stopped, writing nothing twice"
	case f.Resumes:
		step += "; then run the same command again"
	default:
		step += "; then run the same command again (nothing was written: " + f.Target + " appears only when complete)"
	}
	return append(out, "Next: "+step+alt+".")
}

// ExportInterrupted says what an export stopped by Ctrl-C left.
func ExportInterrupted(written int, dir string) string {
	return fmt.Sprintf("%s written to %s; run the same command again to resume", plural(written, "item"), dir)
}

// RepairInterrupted says what a repair stopped by Ctrl-C left.
func RepairInterrupted(target string) string {
	return target + " was not written (nothing is left behind); run the same command again to repair"
}

// CannotOpen says why a store could not be opened for export or repair,
// and what to do.
func CannotOpen(path string, r *pstcheck.Report) []string {
	e := Explain(r)
	out := []string{path + ": " + e.Cause}
	if e.NextStep != "" {
		out = append(out, "Next: "+e.NextStep)
	}
	return out
}
