package report

import (
	"encoding/json"
	"io"
	"time"
	"unicode/utf8"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// jsonWriter writes `--format json`: one 2-space indented object, as
// the README's output contract specifies. The types below fix the field order; pointer
// fields are the ones that are null when the value is unknown. Arrays are
// never null.
type jsonWriter struct{}

type jsonRun struct {
	Version string      `json:"version"`
	Files   []jsonFile  `json:"files"`
	Summary jsonSummary `json:"summary"`
}

type jsonSummary struct {
	Files      int `json:"files"`
	Healthy    int `json:"healthy"`
	Damaged    int `json:"damaged"`
	Unreadable int `json:"unreadable"`
	Errors     int `json:"errors"`
}

// jsonFile is one FILE object. A `--format jsonl` writer would emit these
// one per line.
type jsonFile struct {
	Path string `json:"path"`
	// PathBytes are the path's bytes, where they are not UTF-8 (a Linux
	// file name in Latin-1): JSON strings carry only UTF-8, so path has
	// U+FFFD in their place, and a program that opens the file needs these
	// (base64; absent for a UTF-8 path).
	PathBytes []byte  `json:"path_bytes,omitempty"`
	Size      *int64  `json:"size"`    // null when negative (unknown)
	Format    *string `json:"format"`  // "ansi"|"unicode"|"unicode4k"|null
	Content   *string `json:"content"` // "pst"|"ost"|"pab"|null
	// OtherFormat is what a file holding no mail store is instead
	// (pstcheck.OtherFormat: "zip", "email", "web", ...); absent otherwise.
	OtherFormat *string `json:"other_format,omitempty"`
	// Location is "network" or "synced" (pstcheck.Location); absent for a
	// local disk or where it is not known.
	Location *string `json:"location,omitempty"`
	// Password is true where the store has a PST password; absent otherwise.
	Password bool           `json:"password,omitempty"`
	Verdict  string         `json:"verdict"`
	Action   *string        `json:"action"` // null when none is known (a file not checked)
	Cause    string         `json:"cause"`
	NextStep string         `json:"next_step"`
	Advice   []string       `json:"advice"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Infos    int            `json:"infos"`
	Problems []jsonProblem  `json:"problems"`
	Capped   map[string]int `json:"capped"` // encoding/json sorts the keys
	Folders  []jsonFolder   `json:"folders"`
	Stats    jsonStats      `json:"stats"`
	// Items is what became of every item the store held; null when the
	// folders could not be walked (no header, or not a store).
	Items *pstcheck.ItemCounts `json:"items"`
	// RecoveredFolders are the folders under "Recovered items" that
	// recovered items no folder lists go to, named as the listings found
	// among the blocks no node uses name them (empty: none).
	RecoveredFolders []jsonRecoveredFolder `json:"recovered_folders"`
	// IndexRebuild is set when the index was damaged and rebuilt.
	IndexRebuild *jsonRebuild `json:"index_rebuild"`
	// Scale is the store's size and shape against Outlook's limits and
	// guidance; null when the format is unknown.
	Scale *jsonScale `json:"scale"`
}

type jsonRebuild struct {
	NBTPages        int `json:"nbt_pages"`
	BBTPages        int `json:"bbt_pages"`
	ChangedPages    int `json:"changed_pages"`
	Nodes           int `json:"nodes"`
	Blocks          int `json:"blocks"`
	TrailerBlocks   int `json:"trailer_blocks"`
	StaleEntries    int `json:"stale_entries"`
	StaleNodes      int `json:"stale_nodes"`
	Items           int `json:"items"`
	ItemsFromBlocks int `json:"items_from_blocks"`
}

type jsonRecoveredFolder struct {
	NID       uint32 `json:"nid"`
	Name      string `json:"name"`
	Recovered int    `json:"recovered"`
}

type jsonProblem struct {
	Code      string  `json:"code"`
	Severity  string  `json:"severity"`
	Layer     string  `json:"layer"`
	Offset    *int64  `json:"offset"`
	BID       *uint64 `json:"bid"`
	NID       *uint32 `json:"nid"`
	Folder    *string `json:"folder"`
	FolderNID *uint32 `json:"folder_nid"`
	Detail    string  `json:"detail"`
}

type jsonFolder struct {
	NID       uint32 `json:"nid"`
	Path      string `json:"path"`
	Items     int    `json:"items"`
	Readable  int    `json:"readable"`
	Damaged   int    `json:"damaged"`
	Lost      int    `json:"lost"`
	Recovered int    `json:"recovered"`
	Expected  *int   `json:"expected"` // null when neither listing nor count survives
	Size      int64  `json:"size"`     // message sizes of the items read whole (PidTagMessageSize)
	// StructureDamaged: the folder's own node, properties or tables are
	// damaged, whatever its items' state.
	StructureDamaged bool `json:"structure_damaged"`
}

type jsonStats struct {
	Version       *uint16 `json:"version"`
	Crypt         *string `json:"crypt"`
	Pages         int     `json:"pages"`
	Blocks        int     `json:"blocks"`
	Nodes         int     `json:"nodes"`
	BytesVerified int64   `json:"bytes_verified"`
	FreeBytes     *int64  `json:"free_bytes"`
	DurationMS    float64 `json:"duration_ms"`
	BlockPassMS   float64 `json:"block_pass_ms"`
}

func (jsonWriter) Write(w io.Writer, run Run) error {
	reports := run.reports()
	out := jsonRun{
		Version: run.Version,
		Files:   make([]jsonFile, 0, len(reports)),
	}
	for _, r := range reports {
		out.Files = append(out.Files, newJSONFile(r))
	}
	s := Summarize(reports)
	out.Summary = jsonSummary{
		Files:      s.Files,
		Healthy:    s.Healthy,
		Damaged:    s.Damaged,
		Unreadable: s.Unreadable,
		Errors:     s.Errors,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // paths and details are not HTML: keep & < > readable
	return enc.Encode(out)
}

// notUTF8 returns s's bytes when they are not UTF-8, else nil.
func notUTF8(s string) []byte {
	if utf8.ValidString(s) {
		return nil
	}
	return []byte(s)
}

// newJSONFile converts one report to its FILE object.
func newJSONFile(r *pstcheck.Report) jsonFile {
	e := Explain(r)
	f := jsonFile{
		Path:        r.Path,
		PathBytes:   notUTF8(r.Path),
		Size:        nonNegative(r.Size),
		Format:      nonEmpty(string(r.Format)),
		Content:     nonEmpty(string(r.Content)),
		OtherFormat: nonEmpty(string(r.OtherFormat)),
		Location:    nonEmpty(string(r.Location)),
		Password:    r.Password,
		Verdict:     string(r.Verdict),
		Action:      nonEmpty(string(r.Action)),
		Cause:       e.Cause,
		NextStep:    e.NextStep,
		Advice:      append(make([]string, 0, len(e.Advice)), e.Advice...),
		Errors:      r.Count(severityError),
		Warnings:    r.Count(severityWarning),
		Infos:       r.Count(severityInfo),
		Problems:    make([]jsonProblem, 0, len(r.Findings)),
		Capped:      make(map[string]int, len(r.Capped)),
		Folders:     make([]jsonFolder, 0, len(r.Folders)),
		Stats: jsonStats{
			Version:       nonZero(r.Stats.Version),
			Crypt:         nonEmpty(r.Stats.Crypt),
			Pages:         r.Stats.Pages,
			Blocks:        r.Stats.Blocks,
			Nodes:         r.Stats.Nodes,
			BytesVerified: r.Stats.BytesVerified,
			FreeBytes:     nonNegative(r.Stats.FreeBytes),
			DurationMS:    milliseconds(r.Stats.Duration),
			BlockPassMS:   milliseconds(r.Stats.BlockPass),
		},
	}
	for _, p := range r.Findings {
		f.Problems = append(f.Problems, jsonProblem{
			Code:      string(p.Code),
			Severity:  string(p.Severity()),
			Layer:     string(p.Layer()),
			Offset:    nonNegative(p.Offset), // finding.NoOffset is -1
			BID:       nonZero(p.BID),
			NID:       nonZero(p.NID),
			Folder:    nonEmpty(p.Folder),
			FolderNID: nonZero(p.FolderNID),
			Detail:    p.Detail,
		})
	}
	for c, n := range r.Capped {
		if n > 0 {
			f.Capped[string(c)] = n
		}
	}
	for _, d := range r.Folders {
		jf := jsonFolder{
			NID:       d.NID,
			Path:      d.Path,
			Items:     d.Items,
			Readable:  d.Readable,
			Damaged:   d.Damaged,
			Lost:      d.Lost,
			Recovered: d.Recovered,
			Size:      d.Size,

			StructureDamaged: d.StructureDamaged,
		}
		if d.Expected >= 0 {
			jf.Expected = &d.Expected
		}
		f.Folders = append(f.Folders, jf)
	}
	if itemsCounted(r) {
		it := r.Items
		f.Items = &it
	}
	f.RecoveredFolders = make([]jsonRecoveredFolder, 0, len(r.RecoveredFolders))
	for _, rf := range r.RecoveredFolders {
		f.RecoveredFolders = append(f.RecoveredFolders, jsonRecoveredFolder(rf))
	}
	if rb := r.Rebuild; rb != nil {
		f.IndexRebuild = &jsonRebuild{NBTPages: rb.NBTPages, BBTPages: rb.BBTPages, ChangedPages: rb.ChangedPages, Nodes: rb.Nodes,
			Blocks: rb.Blocks, TrailerBlocks: rb.TrailerBlocks, StaleEntries: rb.StaleEntries, StaleNodes: rb.StaleNodes, Items: rb.Items,
			ItemsFromBlocks: rb.ItemsFromBlocks}
	}
	f.Scale = newJSONScale(r)
	return f
}

// jsonScale is a store's size against its format's limit, what compacting
// would reclaim, and its folders against Outlook's guidance.
type jsonScale struct {
	SizeLimit       int64  `json:"size_limit"`        // the format's: Outlook refuses new items past it
	SizeWarn        int64  `json:"size_warn"`         // where Outlook starts warning
	LegacySizeLimit *int64 `json:"legacy_size_limit"` // Outlook 2003/2007's, for Unicode files; null for ANSI
	Reclaimable     *int64 `json:"reclaimable"`       // free space in the allocation maps; null unknown
	// Folders, Guidance and the largest folders are null when the folders
	// could not be walked.
	Folders        *int               `json:"folders"`
	Guidance       *jsonGuidance      `json:"guidance"`
	LargestByItems []jsonFolderWeight `json:"largest_by_items"`
	LargestBySize  []jsonFolderWeight `json:"largest_by_size"`
}

type jsonGuidance struct {
	FolderItems       int `json:"folder_items"`
	FolderItemsLegacy int `json:"folder_items_legacy"`
	Folders           int `json:"folders"`
}

type jsonFolderWeight struct {
	NID   uint32 `json:"nid"`
	Path  string `json:"path"`
	Items int    `json:"items"`
	Size  int64  `json:"size"`
}

func newJSONScale(r *pstcheck.Report) *jsonScale {
	limit, warn := pstcheck.SizeLimit(r.Format)
	if limit <= 0 {
		return nil
	}
	s := &jsonScale{SizeLimit: limit, SizeWarn: warn, Reclaimable: nonNegative(r.Stats.FreeBytes)}
	if r.Format != pstcheck.FormatANSI {
		legacy := int64(pstcheck.UnicodeLegacyLimit)
		s.LegacySizeLimit = &legacy
	}
	sc := r.Scale
	if sc == nil {
		return s
	}
	s.Folders = &sc.Folders
	s.Guidance = &jsonGuidance{FolderItems: sc.Guidance.FolderItems, FolderItemsLegacy: sc.Guidance.FolderItemsLegacy, Folders: sc.Guidance.Folders}
	weights := func(folders []pstcheck.Folder) []jsonFolderWeight {
		out := make([]jsonFolderWeight, 0, len(folders))
		for _, f := range folders {
			out = append(out, jsonFolderWeight{NID: f.NID, Path: f.Path, Items: f.Items, Size: f.Size})
		}
		return out
	}
	s.LargestByItems, s.LargestBySize = weights(sc.ByItems), weights(sc.BySize)
	return s
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonZero[T uint16 | uint32 | uint64](v T) *T {
	if v == 0 {
		return nil
	}
	return &v
}

func nonNegative(v int64) *int64 {
	if v < 0 {
		return nil
	}
	return &v
}

func milliseconds(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
