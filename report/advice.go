package report

import (
	"cmp"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/pstcheck/pstcheck/internal/units"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Words for people: what is wrong with a file (the cause), what to do next
// (one line) and the detailed advice, made from the facts the engine
// decided (verdict, action, damage, item accounting). Every format says
// the same: text shows all three, JSON has cause, next_step and advice,
// CSV cause and next_step.

// Explanation is a report in words.
type Explanation struct {
	Cause    string
	NextStep string
	Advice   []string
}

// scanpstWhere says where each Outlook version installs the Inbox Repair
// Tool. A batch report shows it once.
const scanpstWhere = `scanpst is SCANPST.EXE in C:\Program Files\Microsoft Office\root\Office16 (Outlook 2016 to 365; ` +
	`32-bit Office: C:\Program Files (x86)\...; Outlook 2016 MSI: Microsoft Office\Office16; 2013: Office15 ` +
	`or Microsoft Office 15\root\office15; 2010: Office14; 2007: Office12).`

// ExportCommand is the command line that saves a file's readable items
// beside it (pstcheck export).
func ExportCommand(path string) string {
	dir := strings.TrimSuffix(path, filepath.Ext(path)) + "-export"
	return fmt.Sprintf(`pstcheck export "%s" --to "%s"`, path, dir)
}

// RepairCommand is the command line that writes a file's readable items
// into a new PST beside it (pstcheck repair).
func RepairCommand(path string) string {
	to := strings.TrimSuffix(path, filepath.Ext(path)) + "-repaired.pst"
	return fmt.Sprintf(`pstcheck repair "%s" --to "%s"`, path, to)
}

// ScanpstCommand is the unattended repair command line (Outlook 2016 build
// 1807 and later) for a file, keeping a backup beside it.
func ScanpstCommand(path string) string {
	return fmt.Sprintf(`SCANPST.EXE -file "%s" -force -silent -rescan 10 -log replace -backupfile "%s.bak"`, path, path)
}

// Explain puts a report into words.
func Explain(r *pstcheck.Report) Explanation {
	var e Explanation
	switch r.Verdict {
	case pstcheck.Failed:
		e = explainFailure(r)
	case pstcheck.Unreadable:
		e = explainUnreadable(r)
	case pstcheck.Healthy:
		e = explainHealthy(r)
	case pstcheck.Damaged:
		e = explainDamage(r)
	default:
		return Explanation{Cause: defaultCause(r.Verdict)}
	}
	if r.Verdict == pstcheck.Damaged {
		e.Advice = append(e.Advice, outboxAdvice(r)...)
	}
	// What the file's name and place call for, which a healthy file's
	// next step says too.
	adv, step := nameAdvice(r)
	if loc := locationAdvice(r.Location); loc != nil && r.OtherFormat == pstcheck.OtherNone {
		adv = append(adv, loc...)
		step = cmp.Or(step, "nothing to repair; move the file to a local disk outside synced folders (see the advice)")
	}
	e.Advice = append(e.Advice, adv...)
	if step != "" && r.Verdict == pstcheck.Healthy && e.NextStep == "nothing to do" {
		e.NextStep = step
	}
	return e
}

// outboxAdvice says what a damaged Outbox does to sending: Outlook sends
// what waits there, and an item it cannot read stops it, the server then
// answering with errors that name no file (a "503 valid RCPT command must
// precede DATA" has been traced to one).
func outboxAdvice(r *pstcheck.Report) []string {
	if r.Outbox == 0 {
		return nil
	}
	for _, f := range r.Folders {
		if f.NID != r.Outbox {
			continue
		}
		switch n := f.Damaged + f.Lost; {
		case n > 0:
			return []string{"The Outbox holds " + plural(n, "damaged or lost item") + ": Outlook sends what waits there, and an item it cannot read can stop it sending any mail, with errors that do not name this file (such as \"503 valid RCPT command must precede DATA\"). Once what the file holds is saved, delete from the Outbox in Outlook what will not send; a new PST written by pstcheck repair leaves damaged items out."}
		case f.StructureDamaged:
			return []string{"The Outbox folder's own node or tables are damaged: Outlook sends mail from that folder, and sending may fail, with errors that do not name this file, until the steps above are taken."}
		}
		return nil
	}
	return nil
}

// nameAdvice says what to do with a store named as the other kind is (an
// OST renamed .pst, hoping Outlook would open it so, or a PST named .ost),
// and the next step of a healthy one: Outlook goes by what it holds.
func nameAdvice(r *pstcheck.Report) (advice []string, step string) {
	switch ext := extOf(r.Path); {
	case r.Content == pstcheck.ContentOST && ext == ".pst":
		what := "This is an OST, the offline cache of a server mailbox, named .pst: renaming does not make it a PST, and Outlook opens it only as its own account's cache, not as a data file."
		if r.Verdict != pstcheck.Healthy {
			// The steps above rename the OST the account uses, not this.
			return []string{what + " The .ost to rename is the one Outlook uses for the account, not this file."}, ""
		}
		return []string{what + " To open its items as a PST, write a new one:", RepairCommand(r.Path)},
			"nothing to repair; to open its items in Outlook, write a PST from it (pstcheck repair)"
	case r.Content == pstcheck.ContentPST && ext == ".ost":
		if r.Verdict != pstcheck.Healthy {
			return []string{"This is a PST named .ost: Outlook opens a PST by that name only, so name what the steps above give .pst."}, ""
		}
		return []string{"This is a PST named .ost: rename it to end in .pst, and Outlook opens it (File > Open & Export > Open Outlook Data File)."},
			"nothing to repair; rename it to end in .pst to open it in Outlook"
	}
	return nil, ""
}

// extOf is the extension of a file's path, in lower case, whichever
// separators the path uses.
func extOf(p string) string { return strings.ToLower(path.Ext(strings.ReplaceAll(p, `\`, "/"))) }

// locationAdvice says why a data file must not stay where it lies, where
// that damages such files: whatever its state, as a healthy one is at the
// same risk.
func locationAdvice(l pstcheck.Location) []string {
	switch l {
	case pstcheck.LocationNetwork:
		return []string{"This file is on a network share. Outlook does not support data files used over a network: a connection that drops while Outlook writes to one damages it. Keep it (or the PST a repair writes) on a local disk and open it from there; copy it to the share only as a backup, with Outlook closed."}
	case pstcheck.LocationSynced:
		return []string{`This file lies in a OneDrive folder. Where OneDrive syncs it, a sync that copies or replaces the file while Outlook has it open can leave it damaged: keep Outlook data files in a folder that is not synced (such as C:\Users\NAME\AppData\Local\Microsoft\Outlook), and let OneDrive back up a copy made with Outlook closed.`}
	}
	return nil
}

func explainFailure(r *pstcheck.Report) Explanation {
	f := r.Failure
	if f == nil {
		f = &pstcheck.Failure{Kind: pstcheck.FailRead}
	}
	switch f.Kind {
	case pstcheck.FailNotFound:
		return Explanation{Cause: "the file could not be opened: it does not exist", NextStep: "check the path"}
	case pstcheck.FailLocked:
		return Explanation{Cause: "the file could not be opened: another program (usually Outlook) has it open",
			NextStep: "close Outlook (or anything holding the file) and scan again, or scan a copy"}
	case pstcheck.FailPermission:
		step := "run pstcheck as the file's owner or with sudo, or work on a copy you can read"
		if windowsPath(r.Path) {
			step = "run pstcheck from a Command Prompt opened with \"Run as administrator\", or as the file's owner, or work on a copy you can read"
		}
		return Explanation{Cause: "the file could not be opened: this account is not allowed to read it", NextStep: step}
	case pstcheck.FailNotRegular:
		return Explanation{Cause: "this is a " + f.Detail + ", not a data file: it was not opened",
			NextStep: "scan the .pst or .ost file itself"}
	case pstcheck.FailOpen:
		return Explanation{Cause: "the file could not be opened: " + f.Detail, NextStep: "check the path and permissions, or scan a copy"}
	case pstcheck.FailScanner:
		return Explanation{Cause: f.Detail,
			NextStep: "scan this file alone (pstcheck scan FILE) and report the problem with its output"}
	case pstcheck.FailFolder:
		return Explanation{Cause: "the folder could not be searched: " + f.Detail,
			NextStep: "check the folder's permissions, or scan the files in it directly"}
	}
	if r.Stats.Blocks == 0 && r.Stats.Pages == 0 {
		return Explanation{Cause: "the file could not be read", NextStep: "copy it to a local disk and scan the copy"}
	}
	return Explanation{Cause: "parts of the file could not be read (I/O error): the disk may be failing",
		NextStep: "copy the file to a healthy disk and scan the copy"}
}

// What the advice for an OST says of it, and how Outlook makes it anew.
const (
	ostCache   = "An OST is a local cache of a server mailbox (Exchange, Microsoft 365, Outlook.com, IMAP): the server still has the mail."
	ostRebuild = "rename the .ost (for example to .ost.old) and start Outlook: it downloads a fresh copy."
)

func explainUnreadable(r *pstcheck.Report) Explanation {
	if r.Content == pstcheck.ContentOST && r.Has(finding.HeaderTruncated) {
		return Explanation{Cause: "the file is cut off inside its header: nothing of the mail store is left",
			NextStep: "let Outlook rebuild the OST: nothing can be read from it, and the server has the mail; if this file is a copy, scan the OST it came from first",
			Advice: []string{ostCache,
				"This file ends inside its header: nothing of it can be read, so there is nothing to export. If it is a copy, the OST it came from may be whole: scan that one. What never reached the server (drafts, anything created offline) is lost with this file.",
				"Close Outlook, " + ostRebuild}}
	}
	if e, ok := explainOther(r); ok {
		return e
	}
	e := Explanation{Advice: []string{"Restore the file from a backup (your backup system, File History or Previous Versions); scanpst cannot repair a file it does not recognise."}}
	switch {
	case r.Has(finding.HeaderMagic):
		e.Cause = "this is not an Outlook data file (no PST signature), or its header is destroyed"
		e.NextStep = "check it is the right file; if it should be a PST/OST, restore it from a backup"
	case r.Has(finding.HeaderTruncated) && r.Size == 0:
		// A copy or download that failed at once, or a file emptied.
		e.Cause = "the file is empty (0 bytes): nothing of a mail store is in it"
		e.NextStep = "copy the file again from its source, or restore it from a backup"
	case r.Has(finding.HeaderTruncated):
		e.Cause = "the file is cut off inside its header: nothing of the mail store is left"
		e.NextStep = "restore it from a backup or copy it again from its source"
	default:
		e.Cause = "the header names a format version Outlook does not write: the header is destroyed"
		e.NextStep = "restore it from a backup"
	}
	return e
}

// explainOther says what a file that holds no mail store is instead, and
// what to do with it; false for a file nothing is known of. A file whose
// name does not end as its kind's do is told to be renamed first: Windows
// opens a file by its extension (Explorer offers Extract All for a .zip
// alone, and a .msg named .pst opens as a data file).
func explainOther(r *pstcheck.Report) (Explanation, bool) {
	ext := extOf(r.Path)
	rename := func(want string) string {
		if ext == want {
			return ""
		}
		return "rename it to end in " + want + ", then "
	}
	other := func(what, next, advice string) (Explanation, bool) {
		return Explanation{Cause: "this is " + what, NextStep: next, Advice: []string{advice}}, true
	}
	archive := func(what, how string) (Explanation, bool) {
		return other(what+", not an Outlook data file", "extract the file inside it, then scan that",
			"This file is "+what+", not a PST or OST: extract what it holds ("+how+") and scan the .pst or .ost inside. scanpst cannot open it.")
	}
	switch r.OtherFormat {
	case pstcheck.OtherZIP:
		return archive("a ZIP archive (a compressed folder)", rename(".zip")+"in Windows Explorer right-click it, Extract All")
	case pstcheck.Other7z:
		return archive("a 7-Zip archive", "with 7-Zip")
	case pstcheck.OtherRAR:
		return archive("a RAR archive", "with WinRAR or 7-Zip")
	case pstcheck.OtherGzip:
		return archive("a gzip-compressed file", "with 7-Zip, or gunzip")
	case pstcheck.OtherXZ:
		return archive("an xz-compressed file", "with 7-Zip, or unxz")
	case pstcheck.OtherOLM:
		return other("an Outlook for Mac archive (.olm), not an Outlook for Windows data file",
			"import it in Outlook for Mac (File > Import); Outlook for Windows and scanpst cannot open it",
			"Outlook for Mac exports its mail as an .olm archive, which Outlook for Windows cannot open: import it in Outlook for Mac (File > Import), or convert it to a PST with a tool made for that.")
	case pstcheck.OtherOLE:
		return other("a single Outlook item saved on its own (.msg), or another Office document of the same container format, not a mail store",
			"if it is a message, "+rename(".msg")+"open it in Outlook (double-click it) or drag it into a folder",
			"A .msg file holds one message, contact or appointment, not a mail store: "+upperFirst(rename(".msg"))+"Outlook opens it by double-click and takes it into a folder by drag and drop. Word and Excel 97-2003 documents share its container format.")
	case pstcheck.OtherDBX:
		return other("an Outlook Express mailbox (.dbx), not an Outlook data file",
			"import it with a program that reads Outlook Express mail; Outlook and scanpst cannot open it",
			"Outlook Express kept each folder in a .dbx file, which Outlook cannot open: import it with a mail program or converter that reads Outlook Express mail.")
	case pstcheck.OtherMbox:
		return other("an mbox mailbox (as Thunderbird, Apple Mail and pstcheck export write), not an Outlook data file",
			"open it in a mail program that reads mbox, such as Thunderbird; Outlook cannot import mbox",
			"An mbox file holds a folder's messages one after the other. Outlook cannot open or import it: open it in Thunderbird (with the ImportExportTools NG add-on) or another mail program that reads mbox.")
	case pstcheck.OtherEmail:
		return other("a single email message (.eml), not a mail store",
			rename(".eml")+"open it in a mail program (double-click it), or drag it into an Outlook folder",
			"An .eml file holds one message: "+upperFirst(rename(".eml"))+"Outlook opens it by double-click and takes it into a folder by drag and drop.")
	case pstcheck.OtherWeb:
		return other("a web page (HTML or XML), not an Outlook data file: probably a download that saved a sign-in or error page in its place",
			"download the file again (signed in, with the link still valid) and scan the new copy",
			"A download from a share, cloud storage or a link that had expired saves the page the server sent instead of the file. Open this one in a browser to read what the server said, then download the file again and scan the new copy.")
	case pstcheck.OtherZeros:
		return other("a file of zeros: its start, its end and the places between that were read hold nothing else, so no mail store is left in it",
			"copy the file again from its source, or restore it from a backup",
			"A copy, download or sync that set the file's size and stopped before writing anything leaves a file like this, and so does a disk that lost its contents. If this is a copy, the original may be whole: copy it again and scan the new copy; otherwise restore it from a backup (your backup system, File History or Previous Versions).")
	}
	return Explanation{}, false
}

// upperFirst is s with its first letter upper-case.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// explainHealthy turns warnings on a healthy file into its cause and next
// step: a file near its size limit needs action even when intact.
func explainHealthy(r *pstcheck.Report) Explanation {
	e := Explanation{Cause: "no problems found", NextStep: "nothing to do"}
	notes, step := scaleNotes(r)
	for _, f := range r.Findings {
		switch f.Code {
		case finding.RootAMapInvalid:
			notes = append(notes, "the file was not closed cleanly (Outlook rebuilds its allocation map on next open)")
		case finding.RootTrailingData:
			notes = append(notes, "there are extra bytes after the end of the store")
		}
	}
	if len(notes) > 0 {
		e.Cause = "no damage found, but " + strings.Join(notes, "; ")
	}
	if step != "" {
		e.NextStep = step
	}
	e.Advice = scaleAdvice(r)
	return e
}

func explainDamage(r *pstcheck.Report) Explanation {
	d, it := r.Damage, r.Items
	path := r.Path
	if path == "" {
		path = "FILE.pst"
	}
	e := Explanation{Cause: damageCause(r)}
	var saves string
	switch {
	case it.Total != d.Salvage:
		saves = "it saves " + thousands(int64(d.Salvage)) + " of " + itemTotal(it)
	case it.Complete && it.Total == 1:
		saves = "it saves the store's one item"
	case it.Complete:
		saves = "it saves all " + plural(it.Total, "item")
	case it.Total == 1:
		saves = "it saves the one item found; the store may have held more"
	default:
		saves = "it saves all " + plural(it.Total, "item") + " found; the store may have held more"
	}
	// Saved, but not whole: the name map they need is lost.
	switch n := it.NamesLost; {
	case n <= 0 || d.Salvage == 0:
	case n >= d.Salvage:
		saves += ", all " + namedProperties(it)
	default:
		saves += ", " + thousands(int64(n)) + " of them " + namedProperties(it)
	}
	switch r.Action {
	case pstcheck.ActionRecreateOST:
		// An OST copied badly says nothing of the OST it came from, which
		// may be whole and hold what never reached the server.
		intro := append([]string{ostCache}, copyFaults(r)...)
		switch {
		case d.Salvage == 0 && len(includeDamagedParts(it)) > 0:
			// Only what can be read of damaged items and the remains of
			// lost ones can be written.
			e.NextStep = "let Outlook rebuild the OST: no item can be saved whole from it, and the server has the mail"
			e.Advice = append(intro,
				salvageOnlyAdvice(it, path, "No item of this file can be saved whole. If something never reached the server (drafts, anything created offline),")...)
			e.Advice = append(e.Advice, "Then close Outlook, "+ostRebuild)
		case d.Salvage == 0:
			// Export and repair would write nothing: they are not offered.
			e.NextStep = "let Outlook rebuild the OST: no item can be read from it, and the server has the mail"
			e.Advice = append(intro,
				"No item can be read from this file, so there is nothing to export: what never reached the server (drafts, anything created offline) is lost with it.",
				"Close Outlook, "+ostRebuild)
		default:
			e.NextStep = "export anything that never reached the server (" + saves + "), then let Outlook rebuild the OST"
			e.Advice = append(intro,
				"Export first what exists only here: drafts, items in folders that do not sync, anything created offline ("+saves+"):",
				ExportCommand(path),
				"or keep them in Outlook: pstcheck repair writes them into a new PST, which Outlook opens as it is:",
				RepairCommand(path))
			e.Advice = append(e.Advice, includeDamagedAdvice(it)...)
			e.Advice = append(e.Advice, "Then close Outlook, "+ostRebuild)
		}
		if len(intro) > 1 {
			e.NextStep = "if this file is a copy, scan the OST it came from first (this copy was damaged in copying); otherwise " + e.NextStep
		}
	case pstcheck.ActionRestore:
		// incomplete: bytes are missing, at the end or inside.
		if incomplete := d.MissingBytes > 0 || d.GapBytes > 0; incomplete || d.AddedBytes > 0 || d.ZeroedBytes > 0 {
			switch limit := cutAtLimit(r); {
			case limit != nil:
				e.NextStep = "this copy stopped at " + limit.name + ": copy the file again " + limit.remedy
			case incomplete:
				e.NextStep = "this copy is incomplete: copy the file again from its source"
			case d.AddedBytes > 0:
				e.NextStep = "this copy holds bytes its source does not: copy the file again from its source"
			default:
				e.NextStep = "the end of this file is zeros: if it is a copy, copy the file again from its source"
			}
			e.Advice = copyFaults(r)
			if d.Salvage > 0 {
				e.Advice = append(e.Advice, "If there is no other copy, pstcheck export saves what this one still holds ("+saves+"):", ExportCommand(path),
					"or write them into a new PST, which Outlook opens as it is:", RepairCommand(path))
				e.Advice = append(e.Advice, includeDamagedAdvice(it)...)
			} else {
				e.Advice = append(e.Advice, "No item can be saved whole from this copy: if there is no other copy, restore the file from a backup.")
				e.Advice = append(e.Advice, salvageOnlyAdvice(it, path, "Without a backup,")...)
			}
			switch {
			case d.AddedBytes > 0:
				e.Advice = append(e.Advice, "Do not run scanpst on this copy: it does not pass over the added bytes, and it deletes what it cannot read.")
			case incomplete:
				e.Advice = append(e.Advice, "Do not run scanpst on an incomplete copy: it deletes what it cannot read.")
			default:
				e.Advice = append(e.Advice, "Do not run scanpst on it: it deletes what it cannot read, here everything the zeros replaced.")
			}
			break
		}
		if it.Complete && it.Total == 0 {
			// An empty store: nothing lost, and nothing to save.
			why := "its index is damaged"
			if d.HeaderLost {
				why = "its header is destroyed, so Outlook and scanpst cannot open it"
			}
			e.NextStep = "nothing to save: every folder was read and none holds an item; if the file should hold mail, restore it from a backup"
			e.Advice = []string{"Every folder of this file was read and none holds an item, but " + why + ". If it held nothing, remove it from Outlook (File > Account Settings > Data Files) and let Outlook create a new one. If it should hold mail, restore it from a backup (your backup system, File History or Previous Versions)."}
			break
		}
		// "No item can be read" is true only where every block was
		// searched and nothing of the lost items survives: what survives
		// may be whole yet not told to be theirs with certainty.
		none, noneWhole := "no item can be read from it", "No item of this file can be read whole any more"
		switch {
		case d.Unsearched > 0:
			none, noneWhole = "no item pstcheck searched for can be saved whole from it", "No item pstcheck found in this file can be saved whole"
		case len(includeDamagedParts(it)) > 0:
			none, noneWhole = "no item can be saved whole from it", "No item of this file can be saved whole: what survives of them is damaged or cannot be put together with certainty"
		}
		e.NextStep = "restore the file from a backup: " + none
		e.Advice = []string{noneWhole + "; scanpst would delete them all. Restore the file from a backup (your backup system, File History or Previous Versions)."}
		e.Advice = append(e.Advice, salvageOnlyAdvice(it, path, "Without a backup,")...)
	case pstcheck.ActionExport:
		lead := "scanpst deletes what it cannot read, so save the items first (" + saves + "):"
		switch {
		case d.HeaderLost:
			e.NextStep = "save the items with export, or repair them into a new PST (" + saves + "): Outlook and scanpst cannot open a file whose header is destroyed"
			lead = "The file's header is destroyed, so Outlook and scanpst cannot open it; pstcheck read what follows it. Save the items (" + saves + "):"
		case r.Rebuild != nil:
			e.NextStep = "export first (pstcheck rebuilds the damaged index; " + saves + "), then run scanpst"
		default:
			e.NextStep = "export the readable items (" + saves + "), then run scanpst"
		}
		e.Advice = append([]string{lead, ExportCommand(path), "or write them into a new PST, which Outlook opens as it is:", RepairCommand(path)},
			includeDamagedAdvice(it)...)
		if !d.HeaderLost { // scanpst cannot open a file whose header is destroyed
			e.Advice = append(e.Advice, scanpstAdvice(path)...)
		}
	default:
		e.NextStep = "close Outlook, copy the file, then run scanpst on it"
		e.Advice = append([]string{"No item is damaged: the damage is in the file's structure (index, maps, counts), which scanpst rebuilds without losing items."}, scanpstAdvice(path)...)
	}
	if d.Unsearched > 0 {
		e.Advice = append(e.Advice, "The file's index lost entries, and more blocks than pstcheck searches are linked to nothing: it searched the newest "+
			thousands(int64(d.Searched))+" for lost items and left "+thousands(int64(d.Unsearched))+" older ones unsearched, so the item count is a lower bound and items among those are neither counted nor saved. Keep this file as it is.")
	}
	if hw := hardwareAdvice(r); hw != nil {
		e.Advice = append(hw, e.Advice...)
		e.NextStep = "copy the file to a healthy disk (damage spread like this is the mark of failing hardware or a damaged file system), then " + e.NextStep
	}
	e.Advice = append(e.Advice, scaleAdvice(r)...)
	return e
}

// Bytes changed in place in at least changedMany blocks and pages, spread
// over at least half the file, are taken for failing hardware: a region
// cut or overwritten changes the blocks at its edges only.
const changedMany = 8

// hardwareAdvice warns, before anything else, when the damage is bytes
// changed in place all over the file: a disk that is failing, or memory
// errors while the file was written or copied, go on damaging what is
// left. Each run of bytes missing or added inside the file explains up to
// two such blocks or pages, those it cuts through (read with zeros in the
// bytes missing, or without those added): a copy that dropped 16 bad
// sectors is a bad copy, not a failing disk.
func hardwareAdvice(r *pstcheck.Report) []string {
	d := r.Damage
	if d.ChangedInPlace-2*(d.Gaps+d.Added) < changedMany || d.ChangedSpan*2 < r.Size {
		return nil
	}
	return []string{fmt.Sprintf("%s blocks and pages of the file have bytes changed where they lie (their checksums fail, their trailers are whole), spread over the whole file: "+
		"the mark of a failing disk, of memory errors while the file was written or copied, or of a file system that gave clusters of this file to another. Before anything else, copy the file to a healthy disk and work "+
		"from the copy, keep the original as it is, and check the disk (chkdsk /r on Windows, its SMART status) and the computer's memory.",
		thousands(int64(d.ChangedInPlace)))}
}

// salvageOnlyAdvice offers, when no item can be saved whole, to write
// what --include-damaged writes (includeDamagedParts); when says in what
// case ("Without a backup,").
func salvageOnlyAdvice(it pstcheck.ItemCounts, path, when string) []string {
	what := includeDamagedParts(it)
	if len(what) == 0 {
		return nil
	}
	return []string{when + " pstcheck export --include-damaged writes " + strings.Join(what, " and ") + ", marked as damaged:",
		ExportCommand(path) + " --include-damaged"}
}

// leftOfLost says what --include-damaged writes of the lost items whose
// properties survive (it.Salvageable), how many of them read whole, and
// how many may be versions of items counted instead (it.Versions).
func leftOfLost(it pstcheck.ItemCounts) string {
	out := "what is left of " + plural(it.Salvageable, "lost item") +
		" (what survives of " + them(it.Salvageable) + ": subject, sender, date and short bodies; recipients, attachments and long bodies where " + their(it.Salvageable) + " blocks can be told apart"
	if n := it.MaybeOlder; n > 0 {
		out += fmt.Sprintf("; %s of them read whole, but a newer block that fails may hold their last version", thousands(int64(n)))
	}
	if n := it.Versions; n > 0 {
		// Heaps no entry links to that the count takes for versions of
		// items it counts already, or for messages attached to them.
		if n == 1 {
			out += "; 1 of them may be a version of an item counted above, or a message attached to one"
		} else {
			out += fmt.Sprintf("; %s of them may be versions of items counted above, or messages attached to them", thousands(int64(n)))
		}
	}
	return out + ")"
}

// includeDamagedAdvice says what --include-damaged adds to an export or
// repair (includeDamagedParts).
func includeDamagedAdvice(it pstcheck.ItemCounts) []string {
	what := includeDamagedParts(it)
	if len(what) == 0 {
		return nil
	}
	return []string{"Add --include-damaged to write also " + strings.Join(what, " and ") + ", marked as damaged."}
}

// includeDamagedParts is what --include-damaged writes that an export or
// repair without it does not: what can be read of the damaged items, and
// what is left of the lost ones whose properties survive. Items whose
// only damage is their named properties are written anyway.
func includeDamagedParts(it pstcheck.ItemCounts) []string {
	var what []string
	if n := it.Damaged - it.NamesLost - it.Unreadable; n > 0 {
		what = append(what, "what can be read of "+plural(n, "damaged item"))
	}
	if it.Salvageable > 0 {
		what = append(what, leftOfLost(it))
	}
	return what
}

// copyFaults says how a copy went wrong: bytes added or missing inside it,
// its end cut off or zeroed; nothing for a file whose size and places are
// as its header says.
func copyFaults(r *pstcheck.Report) []string {
	d, limit := r.Damage, cutAtLimit(r)
	// stopped says why the copy ends where it does, at a size limit.
	stopped := func() string {
		return fmt.Sprintf("at %s bytes: %s, so the copy stopped there", thousands(r.Size), limit.what)
	}
	var out []string
	switch {
	case d.AddedBytes > 0:
		out = append(out,
			fmt.Sprintf("This copy holds %s that were never part of the store %s, and what followed was moved down to make room: a copy that wrote a piece twice (a transfer resumed at the wrong place) or a recovery tool that joined a wrong piece in. pstcheck passed over them and read the rest where it belongs. The original may be whole: copy it again and scan the new copy.", units.Size(d.AddedBytes, 2), places(d.Added, d.AddedOffset)))
	case d.GapBytes > 0:
		hole := "the hole"
		if d.Gaps > 1 {
			hole = "each hole"
		}
		out = append(out,
			fmt.Sprintf("This copy lacks %s %s, and what followed was moved up to fill %s: a copy that passed over what it could not read (dd with conv=noerror but without sync, some recovery tools). pstcheck read the rest where it belongs. The original may be whole: copy it again and scan the new copy; if its disk has unreadable sectors, copy it with a tool that fills them with zeros instead (ddrescue), which keeps everything else in its place.", units.Size(d.GapBytes, 2), placesAt(d.Gaps, d.GapOffset, d.GapBeforeData), hole))
	case limit != nil:
		out = append(out,
			fmt.Sprintf("This copy ends %s early, %s. The original may be whole: copy it again %s and scan the new copy.", missing(d), stopped(), limit.remedy))
	case d.MissingBytes > 0:
		out = append(out,
			fmt.Sprintf("This copy ends %s early: a copy that was interrupted, or a disk that filled up. The original may be whole: copy it again and scan the new copy.", missing(d)))
	}
	if d.MissingBytes > 0 && (d.AddedBytes > 0 || d.GapBytes > 0) {
		also := fmt.Sprintf("It also ends %s early", missing(d))
		if limit != nil {
			also += fmt.Sprintf(", %s; copy it again %s", stopped(), limit.remedy)
		}
		out = append(out, also+".")
	}
	if d.ZeroedBytes > 0 {
		out = append(out, fmt.Sprintf("The last %s of this file are zeros, where the store had written its data: a copy, download or sync that set the file's size first and stopped before the end leaves a file like this, and so does a crash or power loss while the file was growing. If this is a copy, the original may be whole: copy it again and scan the new copy.", units.Size(d.ZeroedBytes, 2)))
	}
	return out
}

// fileSizeLimit is a size no file can pass on some drives or through some
// programs: a copy of a larger store to them stops there, the file's
// last byte at the limit.
type fileSizeLimit struct {
	size   int64
	name   string // in "this copy stopped at NAME"
	what   string // what the limit is, and whose
	remedy string // where or how to copy instead
}

var fileSizeLimits = []fileSizeLimit{
	{1<<32 - 1, "FAT32's 4 GiB file limit",
		"4 GiB less one byte, the largest file a drive formatted FAT32 (as many USB sticks and memory cards are) can hold",
		"to a drive formatted NTFS or exFAT"},
	{1<<31 - 1, "a 2 GiB file limit",
		"2 GiB less one byte, the largest file some programs, network shares and older file systems can write",
		"with another copying program or to a drive formatted NTFS or exFAT"},
}

// cutAtLimit is the file size limit a cut-off file ends at (nil: none):
// its end is then where a copy to a drive or through a program that
// cannot hold more stopped, not where one was interrupted.
func cutAtLimit(r *pstcheck.Report) *fileSizeLimit {
	if r.Damage.MissingBytes <= 0 {
		return nil
	}
	for i := range fileSizeLimits {
		if r.Size == fileSizeLimits[i].size {
			return &fileSizeLimits[i]
		}
	}
	return nil
}

// missing says how much of the file is cut off: with its header
// destroyed, only at least how much (what the pages left tell).
func missing(d pstcheck.Damage) string {
	if d.HeaderLost {
		return "at least " + units.Size(d.MissingBytes, 2)
	}
	return units.Size(d.MissingBytes, 2)
}

// places says where n runs of bytes missing or added lie, the first at
// off.
func places(n int, off int64) string {
	return placesAt(n, off, false)
}

// placesAt is places for runs the first of which lies at off or, when
// before says so, somewhere before off, where the data section begins.
func placesAt(n int, off int64, before bool) string {
	at := fmt.Sprintf("at offset 0x%X", off)
	if before {
		at = fmt.Sprintf("before offset 0x%X, where the data section begins", off)
	}
	if n > 1 {
		return fmt.Sprintf("in %d places, the first %s", n, at)
	}
	return at
}

// each is " each" for several runs (what followed each moved), else "".
func each(n int) string {
	if n > 1 {
		return " each"
	}
	return ""
}

// damageCause says in one line what is wrong.
func damageCause(r *pstcheck.Report) string {
	d, it := r.Damage, r.Items
	var parts []string
	if d.MissingBytes > 0 {
		at := ""
		if l := cutAtLimit(r); l != nil {
			at = " at " + l.name
		}
		cut := "the file is cut off" + at + ": the last " + units.Size(d.MissingBytes, 2) + " are missing"
		if d.HeaderLost {
			cut = "the file is cut off" + at + ": " + missing(d) + " are missing from its end"
		}
		parts = append(parts, cut)
	}
	if d.ZeroedBytes > 0 {
		parts = append(parts, fmt.Sprintf("the last %s of the file are zeros", units.Size(d.ZeroedBytes, 2)))
	}
	switch {
	case d.GapBytes > 0:
		parts = append(parts, fmt.Sprintf("%s are missing inside the file %s, what followed%s moved up; pstcheck read it back in place", units.Size(d.GapBytes, 2), placesAt(d.Gaps, d.GapOffset, d.GapBeforeData), each(d.Gaps)))
	case d.AddedBytes > 0:
		parts = append(parts, fmt.Sprintf("%s were added inside the file %s, what followed%s moved down; pstcheck read it back in place", units.Size(d.AddedBytes, 2), places(d.Added, d.AddedOffset), each(d.Added)))
	}
	switch {
	case d.HeaderLost:
		parts = append(parts, "the header is destroyed")
	case d.Header:
		parts = append(parts, "the header is damaged")
	}
	switch {
	case r.Rebuild != nil && d.IndexPages == 0:
		parts = append(parts, "the index's roots are lost with the header; pstcheck rebuilt it from "+rebuildSources(r.Rebuild))
	case r.Rebuild != nil:
		parts = append(parts, fmt.Sprintf("the index is damaged (%s); pstcheck rebuilt it from %s",
			plural(d.IndexPages, "problem"), rebuildSources(r.Rebuild)))
	case d.IndexPages > 0:
		parts = append(parts, plural(d.IndexPages, "problem")+" in the B-tree index pages")
	}
	if d.Blocks > 0 {
		parts = append(parts, plural(d.Blocks, "damaged block"))
	}
	if it.Damaged+it.Lost+it.Recovered > 0 {
		parts = append(parts, itemsLine(it))
	}
	switch {
	case d.NameMap && it.NamesAsItIs:
		parts = append(parts, "the store's name-to-ID map is damaged: named fields (calendar times, locations, contact details) are named through it as it is, and any of those names may be wrong")
	case d.NameMap:
		parts = append(parts, "the store's name-to-ID map is lost: named fields (calendar times, locations, contact details) cannot be read")
	}
	switch {
	case d.FolderNodes > 0 && d.SearchFolderNodes > 0:
		parts = append(parts, fmt.Sprintf("the properties or tables of %s and %s are damaged", plural(d.FolderNodes, "folder"), plural(d.SearchFolderNodes, "search folder")))
	case d.FolderNodes > 0:
		parts = append(parts, fmt.Sprintf("the properties or tables of %s are damaged", plural(d.FolderNodes, "folder")))
	case d.SearchFolderNodes > 0:
		parts = append(parts, fmt.Sprintf("the properties or tables of %s are damaged", plural(d.SearchFolderNodes, "search folder")))
	}
	if d.Maps {
		parts = append(parts, "the allocation map is inconsistent")
	}
	if len(parts) == 0 {
		parts = append(parts, plural(max(d.Other, 1), "structural problem"))
	}
	return strings.Join(parts, "; ")
}

// rebuildSources says what a rebuilt index was made from: "162 surviving
// leaf pages and 298 blocks found by their trailers".
func rebuildSources(rb *pstcheck.IndexRebuild) string {
	var parts []string
	if n := rb.NBTPages + rb.BBTPages; n > 0 {
		parts = append(parts, plural(n, "surviving leaf page"))
	}
	if n := rb.ChangedPages; n == 1 {
		parts = append(parts, "the entries of 1 leaf page that fails its checksum")
	} else if n > 1 {
		parts = append(parts, "the entries of "+thousands(int64(n))+" leaf pages that fail their checksum")
	}
	if n := rb.TrailerBlocks; n == 1 {
		parts = append(parts, "1 block found by its trailer")
	} else if n > 1 {
		parts = append(parts, thousands(int64(n))+" blocks found by their trailers")
	}
	if len(parts) == 0 {
		return "nothing: no other copy of the lost index entries survives"
	}
	if len(parts) > 2 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	}
	return strings.Join(parts, " and ")
}

// itemTotal is "2,178 items", or "at least 2,178 items" when items may be
// gone without a trace.
func itemTotal(it pstcheck.ItemCounts) string {
	if it.Complete {
		return plural(it.Total, "item")
	}
	return "at least " + plural(it.Total, "item")
}

// itemsLine is what became of a store's items: "2,178 items: 1,342
// readable, 185 damaged, 651 lost".
func itemsLine(it pstcheck.ItemCounts) string {
	var parts []string
	for _, p := range []struct {
		n    int
		word string
	}{{it.Readable, "readable"}, {it.Recovered, "recovered"}, {it.Damaged, "damaged"}, {it.Lost, "lost"}} {
		if p.n > 0 {
			parts = append(parts, thousands(int64(p.n))+" "+p.word)
		}
	}
	return itemTotal(it) + ": " + strings.Join(parts, ", ")
}

func scanpstAdvice(path string) []string {
	adv := []string{"Close Outlook and copy the file first: scanpst repairs in place and deletes what it cannot read.", scanpstWhere}
	if windowsPath(path) {
		return append(adv, "Unattended (Outlook 2016 build 1807 and later), run until it reports no errors:", ScanpstCommand(path))
	}
	// scanpst runs only on Windows: a path of this system means nothing
	// there, so the command holds a placeholder for where the copy goes.
	return append(adv, "scanpst runs on Windows: copy the file to a PC with Outlook and run there, with the copy's path, until it reports no errors (Outlook 2016 build 1807 and later):",
		ScanpstCommand(`C:\path\to\`+baseName(path)))
}

// windowsPath says whether path is one scanpst can take as it is: a
// Windows path, with a drive letter or on a share. (The paths of a scan
// are absolute, so a scan run on Windows always has one; a report read
// elsewhere says the same.)
func windowsPath(path string) bool {
	if strings.HasPrefix(path, `\\`) {
		return true
	}
	return len(path) >= 3 && path[1] == ':' && (path[2] == '\\' || path[2] == '/') &&
		('A' <= path[0] && path[0] <= 'Z' || 'a' <= path[0] && path[0] <= 'z')
}

// baseName is the file name of a path written with either separator.
func baseName(path string) string {
	return path[strings.LastIndexAny(path, `/\`)+1:]
}

// onceInBatch says whether an advice line is the same for every file, so
// that a batch report shows it only the first time.
func onceInBatch(advice string) bool { return advice == scanpstWhere }

// namedProperties says what the items whose named properties the lost
// name-to-ID map leaves unsure are written with: without them, or with
// them named through the map read as it is (it.NamesAsItIs).
func namedProperties(it pstcheck.ItemCounts) string {
	if it.NamesAsItIs {
		return "with their named properties named through the damaged name map, any of those names possibly wrong"
	}
	return "without their named properties"
}
