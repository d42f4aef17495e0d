// Package gopst is an independent second reader of a PST/OST's folder tree,
// built on github.com/mooijtech/go-pst/v6 (v6.0.2), used to cross-check
// pstcheck's own messaging layer.
//
// go-pst verifies nothing. On damaged input it panics, or recurses until
// the runtime dies of a fatal out-of-memory or stack overflow (a folder
// cycle, an XXBLOCK that lists itself): recover() cannot catch those, they
// end the process. It also cannot serve ANSI files (folder names fail,
// String8 properties are dropped), panics on 4K-page OSTs, has no decoder
// for cyclic ("high") encryption, rejects two-level subnode trees
// (SIBLOCKs), truncates BIDs to 32 bits, and reads with a great many tiny
// preads. So go-pst may read a file only where it is sound:
//
//  1. pstcheck scans the file first (pstcheck.ScanFile) and Inspect
//     gathers what the report does not say (SIBLOCK use, the largest BID);
//  2. Eligible decides from both whether go-pst may touch the file;
//  3. only then Folders opens it with go-pst, in a goroutine that recovers
//     panics and under a deadline.
//
// The eligibility check is what protects against the faults recover()
// cannot contain: never call Folders on a file Eligible rejects.
package gopst

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"time"

	pst "github.com/mooijtech/go-pst/v6/pkg"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// Structure holds facts about a file's node database that a
// pstcheck.Report does not carry but eligibility needs.
type Structure struct {
	// Kind is the NDB format the header names.
	Kind ndb.Kind
	// InternalBlocks counts the sound internal blocks (BID bit 1 set) of
	// the BBT; SIBlocks those of them that are SIBLOCKs (type byte 0x02,
	// level 0x01): go-pst's GetLocalDescriptors rejects them, so a node
	// whose subnode tree uses one cannot be read through go-pst.
	InternalBlocks, SIBlocks int
	// XXBlocks counts the XXBLOCKs (type 0x01, level 0x02), for the log:
	// go-pst follows them, and the engine has validated their depth.
	XXBlocks int
	// MaxBID is the largest BID in the BBT. go-pst keeps Unicode BIDs in
	// 32 bits (GetIdentifierFromBytes), so a larger BID would alias.
	MaxBID uint64
}

// discard is a finding sink that keeps nothing.
type discard struct{}

func (discard) Report(finding.Finding) {}

// Inspect runs the engine's NDB passes over path (read-only) and reports
// the structure facts eligibility needs. It is a second full NDB scan of
// the file (pstcheck.ScanFile does not hand out its ndb.Result); that is
// acceptable for a cross-check, not for production paths.
//
// SIBLOCKs are found by reading the first two bytes of every internal
// block the block pass verified, straight from the file: internal blocks
// are never encoded (bCryptMethod applies to data blocks only), and in the
// formats go-pst may read (Unicode, not 4K) they are never compressed.
func Inspect(ctx context.Context, path string) (*Structure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	res := ndb.Scan(ctx, f, st.Size(), discard{}, ndb.Options{})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res == nil {
		return nil, errors.New("the header is unusable")
	}
	s := &Structure{Kind: res.Header.Kind}
	var b [2]byte
	for i, e := range res.BBT.All() {
		if e.BID > s.MaxBID {
			s.MaxBID = e.BID
		}
		if !ndb.IsInternal(e.BID) || res.BBT.State(i) != 0 || e.CB < 2 {
			continue
		}
		if _, err := f.ReadAt(b[:], int64(e.IB)); err != nil {
			return nil, fmt.Errorf("reading internal block 0x%X: %w", e.BID, err)
		}
		s.InternalBlocks++
		switch {
		case b[0] == 0x02 && b[1] == 0x01:
			s.SIBlocks++
		case b[0] == 0x01 && b[1] == 0x02:
			s.XXBlocks++
		}
	}
	return s, nil
}

// treeCodes are findings of any severity that bar go-pst: each names a
// loop or malformed tree its unguarded recursion could follow.
var treeCodes = []finding.Code{
	finding.BTreeCycle, finding.BTreeLevel, finding.BTreeKeyOrder, finding.BTreeEntries,
	finding.NodeDataTree, finding.NodeSubnodeTree, finding.NodeTreeCycle, finding.NodeParent,
	finding.FolderCycle, finding.FolderMissing, finding.FolderOrphan,
}

// Eligible says whether go-pst may read the file rep describes, and if not
// why. It requires, from pstcheck's scan: a healthy verdict with no error
// finding at all, a PST or OST in Unicode format (not ANSI, not the 4K-page
// format), no or compressible encryption (not "high"/cyclic), no tree or
// cycle finding of any severity; and from Inspect (s, required): no SIBLOCK
// and no BID beyond 32 bits.
func Eligible(rep *pstcheck.Report, s *Structure) (bool, string) {
	if why := reportBars(rep); why != "" {
		return false, why
	}
	if why := structureBars(s); why != "" {
		return false, why
	}
	return true, ""
}

// reportBars says what in pstcheck's report bars go-pst, "" when nothing.
func reportBars(rep *pstcheck.Report) string {
	if rep == nil {
		return "no scan report"
	}
	switch rep.Format {
	case pstcheck.FormatUnicode:
	case pstcheck.FormatANSI:
		return "ANSI format: go-pst cannot read its folder names and drops String8 properties"
	case pstcheck.FormatUnicode4K:
		return "4K-page (unicode4k) format: go-pst panics on it"
	default:
		return fmt.Sprintf("format %q unknown", rep.Format)
	}
	if rep.Verdict != pstcheck.Healthy {
		return fmt.Sprintf("verdict %s", rep.Verdict)
	}
	if n := rep.Count(finding.SeverityError); n > 0 {
		return fmt.Sprintf("%d error findings", n)
	}
	for _, c := range treeCodes {
		if rep.Has(c) {
			return fmt.Sprintf("tree finding %s", c)
		}
	}
	switch rep.Content {
	case pstcheck.ContentPST, pstcheck.ContentOST:
	default:
		return fmt.Sprintf("content %q is not a PST or OST mail store", rep.Content)
	}
	switch rep.Stats.Crypt {
	case "none", "compressible":
	case "high":
		return "cyclic (high) encryption: go-pst has no decoder for it"
	default:
		return fmt.Sprintf("encryption %q unknown", rep.Stats.Crypt)
	}
	return ""
}

// structureBars says what in Inspect's findings bars go-pst.
func structureBars(s *Structure) string {
	switch {
	case s == nil:
		return "structure not inspected (SIBLOCK use unknown)"
	case s.Kind != ndb.Unicode:
		return fmt.Sprintf("Inspect saw format %q", s.Kind)
	case s.SIBlocks > 0:
		return fmt.Sprintf("%d SIBLOCK subnode trees: go-pst cannot read two-level subnode trees", s.SIBlocks)
	case s.MaxBID >= 1<<32:
		return fmt.Sprintf("BID 0x%X exceeds 32 bits: go-pst truncates BIDs", s.MaxBID)
	}
	return ""
}

// Assess scans path with pstcheck, inspects its structure and decides
// eligibility: the one call to make before Folders. The structure is
// inspected (a second NDB scan) only when the report allows go-pst.
func Assess(ctx context.Context, path string) (rep *pstcheck.Report, s *Structure, ok bool, reason string) {
	rep = pstcheck.ScanFile(ctx, path, pstcheck.Options{})
	if why := reportBars(rep); why != "" {
		return rep, nil, false, why
	}
	s, err := Inspect(ctx, path)
	if err != nil {
		return rep, nil, false, "inspecting the structure: " + err.Error()
	}
	ok, reason = Eligible(rep, s)
	return rep, s, ok, reason
}

// Folder is one folder as go-pst reads it.
type Folder struct {
	// Path follows pstcheck's convention: the root folder is "(root)", its
	// subfolders are named bare ("Top of Personal Folders") and deeper ones
	// joined with "/" ("Top of Personal Folders/Inbox"). go-pst itself has
	// no paths: it names the root folder "ROOT_FOLDER" and every other
	// folder by the PidTagDisplayName cell of its parent's hierarchy table
	// row (RowName). Path uses instead PidTagDisplayName from the folder's
	// own property context, read through go-pst (the object's own name, as
	// pstcheck reads it); RowName is kept to compare the two sources.
	Path string
	// Name is the folder's PidTagDisplayName from its own property
	// context ("" when absent); RowName the one in its parent's hierarchy
	// table row, which is all go-pst's Folder.Name gives ("" when the row
	// has no such cell; "ROOT_FOLDER" for the root).
	Name, RowName string
	// Items is the number of rows of the folder's contents table (normal
	// messages; FAI items are in another table go-pst does not read), as
	// go-pst's GetMessageTableContext reads it: counted from the size of
	// the row matrix, independently of PidTagContentCount. Search folders
	// count 0 (go-pst's GetMessageIterator serves them no messages; their
	// results live in a search contents table neither reader counts).
	Items int
	// Size totals the PidTagMessageSize cells of the contents table's rows,
	// as go-pst reads them: the same figure pstcheck's Folder.Size takes
	// from each message's own property context.
	Size int64
	// NID is the folder's node ID.
	NID uint32
	// ContentCount is PidTagContentCount from the parent's hierarchy table
	// row (go-pst's Folder.MessageCount; 0 for the root, which has no
	// parent row): what go-pst's own GetMessageIterator relies on.
	ContentCount int
	// Unflagged marks a folder go-pst's own GetSubFolders/WalkFolders
	// would not reach: some ancestor's hierarchy table row lacks
	// PidTagSubfolders or says false, and go-pst then does not read that
	// ancestor's hierarchy table. Folders reads every normal folder's
	// hierarchy table (by setting HasSubFolders before GetSubFolders), so
	// such subfolders are listed, and marked.
	Unflagged bool
}

// DefaultTimeout bounds Folders when ctx has no deadline.
const DefaultTimeout = 30 * time.Second

// maxDepth bounds the folder walk; Outlook nests far less deep.
const maxDepth = 300

// Folders opens path with go-pst and walks its folder tree, returning
// every folder with its item count, parents before children.
//
// Call it only on a file Eligible accepts. Faults are contained as far as
// Go allows: the work runs in its own goroutine, which recovers panics and
// turns them into errors; the call returns an error once ctx is done or,
// when ctx has no deadline, after DefaultTimeout. On a timeout the
// goroutine cannot be stopped: it leaks until go-pst returns (the file is
// closed under it, so its next read fails). The walk itself is this
// package's (iterative, with a visited set and a depth limit), but go-pst's
// internals recurse without guard, and a fatal out-of-memory or stack
// overflow there kills the process whatever recover() does: that is why
// eligibility must be checked first.
func Folders(ctx context.Context, path string) ([]Folder, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var closeOnce sync.Once
	closeFile := func() { closeOnce.Do(func() { f.Close() }) }

	type result struct {
		folders []Folder
		err     error
	}
	done := make(chan result, 1) // buffered: a late goroutine never blocks
	fn := walkFn
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("go-pst panicked: %v\n%s", p, debug.Stack())}
			}
			closeFile()
			done <- r
		}()
		r.folders, r.err = fn(ctx, f)
	}()
	select {
	case r := <-done:
		return r.folders, r.err
	case <-ctx.Done():
		closeFile()
		return nil, fmt.Errorf("go-pst did not finish: %w", ctx.Err())
	}
}

// walkFn is walk, replaceable by tests of the fault containment.
var walkFn = walk

// walk does Folders' work; it runs in the guarded goroutine.
func walk(ctx context.Context, f *os.File) ([]Folder, error) {
	file, err := pst.New(f)
	if err != nil {
		return nil, fmt.Errorf("go-pst cannot open the file: %w", err)
	}
	defer file.Cleanup()
	root, err := file.GetRootFolder()
	if err != nil {
		return nil, fmt.Errorf("go-pst cannot read the root folder: %w", err)
	}
	type item struct {
		folder    pst.Folder
		path      string
		depth     int
		unflagged bool
	}
	var out []Folder
	seen := map[pst.Identifier]bool{}
	stack := []item{{folder: root, path: "(root)"}}
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		id := it.folder.Identifier
		if seen[id] {
			return nil, fmt.Errorf("folder 0x%X is reached twice (%q): the folder tree loops", uint32(id), it.path)
		}
		seen[id] = true
		if it.depth > maxDepth {
			return nil, fmt.Errorf("folders nest deeper than %d at %q", maxDepth, it.path)
		}
		name, err := displayName(file, id)
		if err != nil {
			return nil, fmt.Errorf("folder %q (0x%X): %w", it.path, uint32(id), err)
		}
		path := it.path
		if it.depth > 0 {
			path += name
		}
		items, size, err := countItems(&it.folder)
		if err != nil {
			return nil, fmt.Errorf("folder %q (0x%X): %w", path, uint32(id), err)
		}
		out = append(out, Folder{Path: path, Name: name, RowName: it.folder.Name, Items: items, Size: size, NID: uint32(id),
			ContentCount: int(it.folder.MessageCount), Unflagged: it.unflagged})
		subs, err := subfolders(it.folder)
		if err != nil {
			return nil, fmt.Errorf("subfolders of %q (0x%X): %w", path, uint32(id), err)
		}
		prefix := path + "/"
		if it.depth == 0 {
			prefix = ""
		}
		for i := len(subs) - 1; i >= 0; i-- {
			stack = append(stack, item{folder: subs[i], path: prefix, depth: it.depth + 1,
				unflagged: it.unflagged || !it.folder.HasSubFolders})
		}
	}
	return out, nil
}

// displayName reads PidTagDisplayName from a folder's own property
// context through go-pst ("" when the property is absent).
func displayName(file *pst.File, id pst.Identifier) (string, error) {
	node, err := file.GetNodeBTreeNode(id)
	if err != nil {
		return "", err
	}
	descriptors, err := file.GetLocalDescriptors(node)
	if err != nil {
		return "", err
	}
	block, err := file.GetBlockBTreeNode(node.DataIdentifier)
	if err != nil {
		return "", err
	}
	heap, err := file.GetHeapOnNode(block)
	if err != nil {
		return "", err
	}
	pc, err := file.GetPropertyContext(heap)
	if err != nil {
		return "", err
	}
	r, err := pc.GetPropertyReader(propDisplayName, descriptors)
	if errors.Is(err, pst.ErrPropertyNotFound) {
		return "", nil
	}
	if errors.Is(err, pst.ErrPropertyNoData) {
		return "", nil // an empty string: its HNID is 0
	}
	if err != nil {
		return "", err
	}
	return r.GetString()
}

// propDisplayName is PidTagDisplayName's property ID.
const propDisplayName = 0x3001

// subfolders lists a normal folder's subfolders whatever its parent's row
// says of PidTagSubfolders (go-pst's GetSubFolders returns none when the
// flag is false or absent). A normal folder without a hierarchy table, or
// with an empty one, has none. Search folders have no hierarchy table:
// their NID's index may be shared with a normal folder's, whose tables
// NID+11 would then name, so they are not probed.
func subfolders(folder pst.Folder) ([]pst.Folder, error) {
	if folder.Identifier.GetType() == pst.IdentifierTypeSearchFolder {
		return nil, nil
	}
	if _, err := folder.File.GetNodeBTreeNode(folder.Identifier + 11); errors.Is(err, pst.ErrBTreeNodeNotFound) {
		return nil, nil // no hierarchy table (NID type 0x0D = 0x02 + 11)
	}
	folder.HasSubFolders = true
	subs, err := folder.GetSubFolders()
	if errors.Is(err, pst.ErrTableContextNoRows) {
		return nil, nil
	}
	return subs, err
}

// countItems counts the rows of a folder's contents table and totals the
// PidTagMessageSize of the messages they name, each read by go-pst from
// the message's own property context.
func countItems(folder *pst.Folder) (int, int64, error) {
	if folder.Identifier.GetType() == pst.IdentifierTypeSearchFolder {
		return 0, 0, nil
	}
	tc, err := folder.GetMessageTableContext()
	if errors.Is(err, pst.ErrTableContextNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	var size int64
	for _, row := range tc.Properties {
		for _, p := range row { // the row's LTP row ID: the message's NID
			r, err := tc.GetPropertyReader(p)
			if err != nil {
				return 0, 0, err
			}
			nid, err := r.GetInteger32()
			if err != nil {
				return 0, 0, err
			}
			n, err := messageSize(folder.File, pst.Identifier(nid))
			if err != nil {
				return 0, 0, fmt.Errorf("message 0x%X: %w", uint32(nid), err)
			}
			size += n
		}
	}
	return len(tc.Properties), size, nil
}

// messageSize reads a message's PidTagMessageSize from its property
// context, as go-pst's GetMessage opens it (without decoding every other
// property); 0 when it has none.
func messageSize(file *pst.File, id pst.Identifier) (int64, error) {
	node, err := file.GetNodeBTreeNode(id)
	if err != nil {
		return 0, err
	}
	data, err := file.GetBlockBTreeNode(node.DataIdentifier)
	if err != nil {
		return 0, err
	}
	heap, err := file.GetHeapOnNode(data)
	if err != nil {
		return 0, err
	}
	local, err := file.GetLocalDescriptors(node)
	if err != nil {
		return 0, err
	}
	pc, err := file.GetPropertyContext(heap)
	if err != nil {
		return 0, err
	}
	r, err := pc.GetPropertyReader(0x0E08, local)
	if err != nil {
		return 0, nil // no PidTagMessageSize
	}
	n, err := r.GetInteger32()
	if err != nil {
		return 0, err
	}
	return int64(max(n, 0)), nil
}
