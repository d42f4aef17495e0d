package pstcheck

import (
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Finding and its helpers are defined in the finding package so that every
// layer of the engine can report without importing this one.
type (
	Finding  = finding.Finding
	Code     = finding.Code
	Severity = finding.Severity
)

// Verdict is the one-word outcome of a file's scan.
type Verdict string

const (
	// Healthy: no error findings (warnings and info allowed).
	Healthy Verdict = "healthy"
	// Damaged: at least one error finding.
	Damaged Verdict = "damaged"
	// Unreadable: not a PST/OST, or the header is destroyed.
	Unreadable Verdict = "unreadable"
	// Failed: the file could not be opened or read (JSON "error").
	Failed Verdict = "error"
)

// Action is what the user should do next; "" where none is known (a
// file that could not be read: JSON null).
type Action string

const (
	ActionNone        Action = "none"
	ActionScanpst     Action = "scanpst"
	ActionExport      Action = "export"
	ActionRecreateOST Action = "recreate-ost"
	ActionRestore     Action = "restore"
)

// Format of the file's node database.
type Format string

const (
	FormatUnknown   Format = ""
	FormatANSI      Format = "ansi"
	FormatUnicode   Format = "unicode"
	FormatUnicode4K Format = "unicode4k"
)

// Content says what kind of store the header claims; when the header is
// destroyed, what the rest of the file shows (contentOf).
type Content string

const (
	ContentUnknown Content = ""
	ContentPST     Content = "pst"
	ContentOST     Content = "ost"
	ContentPAB     Content = "pab"
)

// OSTMailboxRoot is the folder an OST mirrors an Exchange mailbox under
// ("Root - Mailbox/IPM_SUBTREE" holds its folders); a PST has none.
const OSTMailboxRoot = "Root - Mailbox"

// Folder is what became of one folder's items (filled by the messaging
// layer).
type Folder struct {
	NID  uint32
	Path string
	// Items is every normal (non-FAI) item the folder holds or held:
	// Readable + Damaged + Lost + Recovered.
	Items     int
	Readable  int // listed and readable whole
	Damaged   int // present, but not readable whole
	Lost      int // known to exist (its listing or the folder's count), its node gone
	Recovered int // readable, found without its listing or its node
	// Size totals the message sizes (PidTagMessageSize, as Outlook's
	// Folder Size dialog adds them up) of the items read whole.
	Size int64
	// Expected is what the folder's contents table lists or, that table
	// lost, its item count says; -1 when neither survives.
	Expected int
	// StructureDamaged: the folder's own node, properties or tables
	// (hierarchy, contents, hidden contents) have error findings. Its items
	// may all be readable still (found through the index), but Outlook
	// reads the folder through those tables.
	StructureDamaged bool
	// Unreachable says the hierarchy does not reach the folder: its Path
	// starts with messaging.UnreachablePrefix, and its items are saved
	// under RecoveredFolder (ExportPath). A folder the hierarchy reaches
	// may have a name that looks the same.
	Unreachable bool
}

// ItemCounts says what became of every item a store held. It is written
// as it is in the JSON report ("items") and the export's manifest
// ("store").
type ItemCounts struct {
	Total     int `json:"total"` // Readable + Damaged + Lost + Recovered
	Readable  int `json:"readable"`
	Damaged   int `json:"damaged"`
	Lost      int `json:"lost"`
	Recovered int `json:"recovered"`
	// NamesLost are the damaged items that are whole but for their named
	// properties (the store's name-to-ID map is lost): export writes them,
	// marked.
	NamesLost int `json:"names_lost"`
	// Unreadable are the damaged items of which nothing can be read (their
	// property heap fails even read leniently): --include-damaged writes
	// nothing of them.
	Unreadable int `json:"unreadable"`
	// Salvageable are the lost items whose properties survive in a block
	// no index entry leads to any more (a lost item's listing matches it,
	// or it is a message no entry links to): export and repair write what
	// is left of them, marked, with --include-damaged.
	Salvageable int `json:"salvageable"`
	// Versions are the salvageable messages no entry links to that the
	// count takes for versions of items it counts already (damaged items
	// nothing names; where every listing survives, any item), not for
	// lost items: export and repair write them apart.
	Versions int `json:"versions"`
	// MaybeOlder are the salvageable items that read whole, but are not
	// taken for the items: a newer block no index entry leads to fails,
	// and may hold their last version.
	MaybeOlder int `json:"maybe_older"`
	// Complete is false when items may be gone without a trace (a folder
	// whose listing and count are both lost, or a hierarchy not read
	// whole): Total is then a lower bound.
	Complete bool `json:"complete"`
	// NamesAsItIs says the NamesLost items' named properties are read
	// all the same, named through the name-to-ID map read as it is (its
	// blocks' one fault their checksum): any name may be wrong, so they
	// stay damaged, and export writes them with those properties.
	NamesAsItIs bool `json:"names_as_is"`
}

// PlacedFolder is a folder recovered items no folder lists are
// placed in: its NID, its name as its parent's hierarchy row gives it, and
// how many such items it gets.
type PlacedFolder struct {
	NID       uint32
	Name      string
	Recovered int
}

// IndexRebuild says what rebuilding a damaged index found.
type IndexRebuild struct {
	// NBTPages and BBTPages are the leaf pages found outside the live
	// trees whose entries were taken; ChangedPages the leaf pages of the
	// trees whose checksum fails, whose entries were weighed against the
	// blocks' trailers; Nodes and Blocks the entries added, TrailerBlocks
	// of them blocks found by their trailers alone.
	NBTPages, BBTPages, ChangedPages, Nodes, Blocks, TrailerBlocks int
	// StaleEntries are entries of those pages left out: old copies of
	// pages, naming blocks written over since that no item uses.
	// StaleNodes are their node entries left out where the BBT was read
	// whole: they name blocks it does not list (the node changed, moved or
	// went since).
	StaleEntries, StaleNodes int
	// Items are the items (readable or recovered) read through the rebuilt
	// index: without it they would be lost. ItemsFromBlocks are those
	// whose node is lost, recovered from the blocks that hold them.
	Items, ItemsFromBlocks int
}

// Stats are figures about the scan itself.
type Stats struct {
	Version       uint16 // header wVer
	Crypt         string // "none", "compressible", "high" or "" when unknown
	Pages         int    // B-tree pages verified
	Blocks        int    // blocks listed in the BBT
	Nodes         int    // NBT entries
	BytesVerified int64  // page and block bytes whose checksums were verified
	FreeBytes     int64  // free space counted in the allocation maps; -1 unknown
	Duration      time.Duration
	BlockPass     time.Duration // time spent in the block pass
}

// Report is the result of scanning one file.
type Report struct {
	Path    string
	Size    int64
	Format  Format
	Content Content
	// OtherFormat is what a file that holds no mail store is instead,
	// where its first bytes tell (a ZIP, a single message, a web page).
	OtherFormat OtherFormat
	// Location is where the file lies, where that bears on its health
	// (a network share, a synced folder); set by ScanFile.
	Location Location
	// Password says the store has a PST password: Outlook asks for it
	// before it opens the store, but the data is not encrypted with it
	// (MS-PST, PST Password Security: only its CRC-32 is kept), and pstcheck reads the
	// store without it.
	Password bool
	// Outbox is the NID of the folder the store sends mail from, as its
	// message store names it (0: none named: a store no account sends
	// from, or an OST).
	Outbox  uint32
	Verdict Verdict
	Action  Action
	// Damage sums up what was found; report/ says it in words (cause,
	// next step, advice).
	Damage Damage
	// Failure says why the file could not be checked (verdict "error").
	Failure *Failure
	// Findings are every finding kept, in the order the passes found them.
	Findings []Finding
	// Capped counts findings of a code beyond Options.MaxFindingsPerCode.
	Capped map[Code]int
	// Folders is the per-folder summary (messaging layer); nil until built.
	Folders []Folder
	// Items totals the folders; zero when the folders could not be walked.
	Items ItemCounts
	// RecoveredFolders are the folders the recovered items no folder
	// lists go to, under RecoveredFolder, as the listings found among the
	// blocks no node uses tell (messaging.UnlinkedMessage.Folder), with
	// how many go to each; by NID.
	RecoveredFolders []PlacedFolder
	// Rebuild is set when the index was damaged and rebuilt.
	Rebuild *IndexRebuild
	// gaps are the runs of bytes missing inside the file (ROOT-EOF-GAP),
	// which the scan read the file around.
	gaps []ndb.Gap
	// zeroed is how many bytes the file ends in zeros where the store had
	// written (ROOT-EOF-ZEROED), 0 when it does not.
	zeroed int64
	// Scale is the store's shape against Outlook's guidance (scale.go);
	// nil when the folders could not be walked.
	Scale *Scale
	Stats Stats
}

// Count returns how many findings of severity s the report holds,
// including capped ones.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity() == s {
			n++
		}
	}
	for c, k := range r.Capped {
		if finding.Lookup(c).Severity == s {
			n += k
		}
	}
	return n
}

// Has reports whether a finding with code c was found.
func (r *Report) Has(c Code) bool {
	for _, f := range r.Findings {
		if f.Code == c {
			return true
		}
	}
	return r.Capped[c] > 0
}

// ExitStatus combines reports into the process exit status the README gives:
// 0 all healthy; bit 1 when a file is damaged or unreadable; bit 2 when a
// file could not be read. (Usage errors, also bit 2, are the CLI's.)
func ExitStatus(reports []*Report) int {
	code := 0
	for _, r := range reports {
		switch r.Verdict {
		case Damaged, Unreadable:
			code |= 1
		case Healthy:
		default: // "error", or a verdict this version does not know
			code |= 2
		}
	}
	return code
}

// Progress receives the scan's progress. Implementations must be cheap:
// Add is called from the block pass for every read.
type Progress interface {
	// Start announces a scan of a file of total bytes.
	Start(path string, total int64)
	// Phase names the pass now running.
	Phase(name string)
	// Add reports n more bytes verified.
	Add(n int64)
	// Done ends the file's scan.
	Done()
}

// NoProgress discards progress.
type NoProgress struct{}

func (NoProgress) Start(string, int64) {}
func (NoProgress) Phase(string)        {}
func (NoProgress) Add(int64)           {}
func (NoProgress) Done()               {}
