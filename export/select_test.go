package export

import (
	"errors"
	"slices"
	"testing"
)

func TestMatchFolders(t *testing.T) {
	paths := []string{"", "Top of Personal Folders", "Top of Personal Folders/Inbox",
		"Top of Personal Folders/Inbox/Projects", "Top of Personal Folders/Sent Items",
		"Top of Personal Folders/Deleted Items", "Top of Personal Folders/Calendar"}
	if err := MatchFolders(paths, []string{`top of personal folders\inbox`, "Top of Personal Folders/Calendar/"}, 5); err != nil {
		t.Errorf("paths that match, in another case and with backslashes: %v", err)
	}
	err := MatchFolders(paths, []string{"Inbox"}, 3)
	var fe *FolderMatchError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a FolderMatchError", err)
	}
	if !slices.Equal(fe.Unmatched, []string{"Inbox"}) || len(fe.Nearest) != 3 || fe.Nearest[0] != "Top of Personal Folders/Inbox" {
		t.Errorf("got %+v, want Inbox unmatched and Top of Personal Folders/Inbox nearest", fe)
	}
	err = MatchFolders(paths, []string{"Top of Personal Folders/Sent Item"}, 2)
	if !errors.As(err, &fe) || fe.Nearest[0] != "Top of Personal Folders/Sent Items" {
		t.Errorf("a typo: got %v, want Sent Items first", err)
	}
}

// TestMatchUnreachableFolders: a folder no walk reached is shown by the
// scan as "(unreachable)/X" and its items go under "Recovered items/X":
// --folders takes either, in any case.
func TestMatchUnreachableFolders(t *testing.T) {
	paths := []string{"Recovered items", "(unreachable)/(folder 0x8142)", "(unreachable)/Top of Personal Folders/Drafts"}
	for _, typed := range []string{"(unreachable)/(folder 0x8142)", "(UNREACHABLE)/(folder 0x8142)", `Recovered items\(folder 0x8142)`,
		"(unreachable)/Top of Personal Folders", "recovered items/top of personal folders/drafts/"} {
		if err := MatchFolders(paths, []string{typed}, 3); err != nil {
			t.Errorf("%q: %v", typed, err)
		}
	}
	if !FolderWanted("Recovered items/(folder 0x8142)", []string{"(unreachable)/(folder 0x8142)"}) {
		t.Error(`"(unreachable)/(folder 0x8142)" does not want the items of "Recovered items/(folder 0x8142)"`)
	}
	if FolderWanted("Recovered items/(folder 0x8142)", []string{"(unreachable)/(folder 0x81)"}) {
		t.Error("a prefix of a folder's name wants it")
	}
}
