package repair

import (
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// An OST whose root folder's node is lost has its mailbox's folders under
// "(unreachable)": its IPM subtree is still the one under the mailbox's
// root, whose folders go under the new store's own, as export keeps their
// paths (an audit: the OST with its root folder's NBT leaf zeroed had
// every folder written under Recovered items).
func TestIPMSubtreeFoundUnreachable(t *testing.T) {
	folders := []pstcheck.Folder{
		{NID: 0x2022, Path: "(unreachable)/Root - Public/IPM_SUBTREE", Unreachable: true},
		{NID: 0x20A2, Path: "(unreachable)/Root - Mailbox", Unreachable: true},
		{NID: 0x2142, Path: "(unreachable)/Root - Mailbox/IPM_SUBTREE", Unreachable: true},
		{NID: 0x2162, Path: "(unreachable)/Root - Mailbox/IPM_SUBTREE/Deleted Items", Unreachable: true, Items: 10},
		{NID: 0x2182, Path: "(unreachable)/Root - Mailbox/IPM_SUBTREE/Inbox", Unreachable: true, Items: 12},
	}
	var sp specialFolders
	sp.findSpecial(folders, true)
	if sp.ipm != 0x2142 || sp.wastebasket != 0x2162 || !sp.ipmByName {
		t.Errorf("IPM subtree 0x%X (%q), wastebasket 0x%X; want 0x2142, 0x2162", sp.ipm, sp.ipmFound, sp.wastebasket)
	}
	// The mailbox's root lost as well (an audit: SampleOstFile.ost with
	// 1 MiB zeroed at a quarter of it was repaired under Recovered items).
	folders = []pstcheck.Folder{
		{NID: 0x2142, Path: "(unreachable)/IPM_SUBTREE", Unreachable: true},
		{NID: 0x2162, Path: "(unreachable)/IPM_SUBTREE/Deleted Items", Unreachable: true, Items: 10},
		{NID: 0x2182, Path: "(unreachable)/IPM_SUBTREE/Inbox", Unreachable: true, Items: 12},
		{NID: 0x21A2, Path: "(unreachable)/Finder", Unreachable: true},
	}
	sp = specialFolders{}
	sp.findSpecial(folders, true)
	if sp.ipm != 0x2142 || sp.wastebasket != 0x2162 || !sp.ipmByName {
		t.Errorf("mailbox root lost: IPM subtree 0x%X (%q), wastebasket 0x%X; want 0x2142, 0x2162", sp.ipm, sp.ipmFound, sp.wastebasket)
	}
}

// A PST whose message store lost the entry naming its IPM subtree keeps
// its mail under Top of Personal Folders, the top folder holding the
// most: a folder a user named IPM_SUBTREE, reachable or not, is no
// subtree (the names are an OST's).
func TestIPMSubtreeOfPSTNotByName(t *testing.T) {
	folders := []pstcheck.Folder{
		{NID: 0x8022, Path: "Top of Personal Folders"},
		{NID: 0x8062, Path: "Top of Personal Folders/Inbox", Items: 500},
		{NID: 0x8102, Path: "(unreachable)/IPM_SUBTREE", Unreachable: true, Items: 1},
		{NID: 0x8122, Path: "Top of Personal Folders/Archive/IPM_SUBTREE", Items: 2},
	}
	var sp specialFolders
	sp.findSpecial(folders, false)
	if sp.ipm != 0x8022 || sp.ipmFound != "Top of Personal Folders" || sp.ipmByName {
		t.Errorf("IPM subtree 0x%X (%q), want 0x8022", sp.ipm, sp.ipmFound)
	}
}

// A top-level folder the hierarchy reaches that a user named
// "(unreachable)" is a folder like any other: where the IPM subtree is not
// known it may hold the most mail, and the mailbox's IPM subtree under it
// is no lost one.
func TestTopFolderNamedUnreachable(t *testing.T) {
	folders := []pstcheck.Folder{
		{NID: 0x8022, Path: "Top of Personal Folders"},
		{NID: 0x8062, Path: "Top of Personal Folders/Inbox", Items: 5},
		{NID: 0x8102, Path: "(unreachable)"},
		{NID: 0x8122, Path: "(unreachable)/Root - Mailbox/IPM_SUBTREE"},
		{NID: 0x8142, Path: "(unreachable)/Root - Mailbox/IPM_SUBTREE/Inbox", Items: 50},
	}
	var sp specialFolders
	sp.findSpecial(folders, true)
	if sp.ipm != 0x8102 || sp.ipmByName {
		t.Errorf("IPM subtree 0x%X (%q, by name %v), want 0x8102, the top folder holding the most", sp.ipm, sp.ipmFound, sp.ipmByName)
	}
}
