package pstcheck

import (
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// The folders the cause counts as damaged are those the report lists so;
// search folders, listed or not, are counted apart (an audit: Outlook.pst
// with 1 MiB zeroed said 9 folders were damaged and listed 7: the other
// two were search folders).
func TestDamagedFoldersCountedAsListed(t *testing.T) {
	rep := &Report{
		Findings: []finding.Finding{
			{Code: finding.NodeBlockDamaged, NID: 0x12D, Detail: "hierarchy table 0x12D"},
			{Code: finding.NodeBlockDamaged, NID: 0x8082, Detail: "folder 0x8082"},
			{Code: finding.NodeBlockMissing, NID: 0x808E, Detail: "contents table 0x808E"},
			{Code: finding.NodeBlockDamaged, NID: 0x723, Detail: "search folder 0x723"},
			{Code: finding.NodeBlockMissing, NID: 0x80023, Detail: "search folder 0x80023"},
			{Code: finding.NodeBlockMissing, NID: 0x8122, Detail: "folder 0x8122, which no walk reached"},
		},
		Folders: []Folder{{NID: 0x122}, {NID: 0x8082}, {NID: 0x80A2}, {NID: 0x723}},
	}
	d := summarize(rep, nil)
	if d.FolderNodes != 2 || d.SearchFolderNodes != 2 || d.Other != 1 {
		t.Errorf("folders %d, search folders %d, other %d; want 2, 2, 1", d.FolderNodes, d.SearchFolderNodes, d.Other)
	}
	if !rep.Folders[0].StructureDamaged || !rep.Folders[1].StructureDamaged || rep.Folders[2].StructureDamaged || !rep.Folders[3].StructureDamaged {
		t.Errorf("folders marked damaged: %+v", rep.Folders)
	}
}
