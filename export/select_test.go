package export

import (
	"errors"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// asScanned gives folders as a scan shows them, each saved where its path
// says (a folder no walk reached under "Recovered items").
func asScanned(paths ...string) []NamedFolder {
	out := make([]NamedFolder, len(paths))
	for i, p := range paths {
		out[i] = NamedFolder{p, pstcheck.ExportPath(p)}
	}
	return out
}

func TestMatchFolders(t *testing.T) {
	paths := asScanned("", "Top of Personal Folders", "Top of Personal Folders/Inbox",
		"Top of Personal Folders/Inbox/Projects", "Top of Personal Folders/Sent Items",
		"Top of Personal Folders/Deleted Items", "Top of Personal Folders/Calendar")
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
	paths := asScanned("Recovered items", "(unreachable)/(folder 0x8142)", "(unreachable)/Top of Personal Folders/Drafts")
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

// TestMatchReachableFolderNamedUnreachable: a folder the hierarchy reaches
// whose name is "(unreachable)" is shown and saved as "(unreachable)/X":
// --folders names it so, and not by the Recovered items path a folder no
// walk reached would take.
func TestMatchReachableFolderNamedUnreachable(t *testing.T) {
	paths := []NamedFolder{{"(unreachable)", "(unreachable)"}, {"(unreachable)/X", "(unreachable)/X"}}
	for _, typed := range []string{"(unreachable)/X", "(unreachable)", `(Unreachable)\x`} {
		if err := MatchFolders(paths, []string{typed}, 3); err != nil {
			t.Errorf("%q: %v", typed, err)
		}
		if !FolderWanted("(unreachable)/X", []string{typed}) {
			t.Errorf("%q does not want the items of the folder it names", typed)
		}
	}
	if err := MatchFolders(paths, []string{"Recovered items/X"}, 3); err == nil {
		t.Error(`"Recovered items/X" matched a folder saved as "(unreachable)/X"`)
	}
}
