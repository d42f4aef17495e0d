package pstcheck

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"

	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Options tune a scan. The zero value is a full scan with no progress.
type Options struct {
	// Progress receives progress; nil means none.
	Progress Progress
	// Findings, when set, receives every finding as it is found (before the
	// per-code cap applies), for streaming consumers.
	Findings finding.Sink
	// Name labels the file in progress output and in Report.Path.
	Name string
	// Parallelism is how many goroutines one scan may keep busy; 0 means
	// GOMAXPROCS. A batch that scans several files at once sets 1, so
	// that files, not passes, share the processors.
	Parallelism int
	// MaxFindingsPerCode caps how many findings of one code the report
	// keeps (the rest are counted in Report.Capped). 0 means 1000.
	MaxFindingsPerCode int
	// Guidance is what folders and the store are measured against;
	// thresholds left zero are Outlook's (DefaultGuidance).
	Guidance Guidance
}

// Check verifies the PST/OST file whose bytes r holds, size bytes long, and
// returns its report. It never writes to r's file and never panics on bad
// input: every problem, including read errors, becomes a finding.
func Check(ctx context.Context, r io.ReaderAt, size int64, opts Options) *Report {
	return check(ctx, r, size, opts)
}

func check(ctx context.Context, r io.ReaderAt, size int64, opts Options) *Report {
	rep, _, _ := scan(ctx, r, size, opts, false)
	return rep
}

// scan runs every pass and returns the report with what the NDB and
// messaging layers learned (nil when the header is unusable), for callers
// that go on to read items: keepItems keeps every item the messaging
// layer found, not just the counts.
func scan(ctx context.Context, r io.ReaderAt, size int64, opts Options, keepItems bool) (*Report, *ndb.Result, *messaging.Result) {
	start := time.Now()
	progress := opts.Progress
	if progress == nil {
		progress = NoProgress{}
	}
	progress.Start(opts.Name, size)
	defer progress.Done()

	rep := &Report{Path: opts.Name, Size: size, Stats: Stats{FreeBytes: -1}}
	limit := opts.MaxFindingsPerCode
	if limit <= 0 {
		limit = 1000
	}
	c := newCapped(limit, opts.Findings)
	// A copy that lacks bytes inside it, or holds bytes added, is read as
	// it was, the missing bytes as zeros and the added ones passed over
	// (ndb.FindGaps); rep.Size stays the file's own.
	if gaps, ok := ndb.FindGaps(r, size); ok {
		r, rep.gaps = ndb.GapReader(r, gaps), gaps
		for _, g := range gaps {
			size += g.Lacking()
			if g.Added {
				c.Report(finding.Finding{Code: finding.RootFileAdded, Offset: g.Offset,
					Detail: fmt.Sprintf("%d bytes were added at offset 0x%X: what follows lies %d bytes after its place; read as if they were not there", g.Size, g.Offset, g.Size)})
				continue
			}
			where, at := fmt.Sprintf("at offset 0x%X", g.Offset), g.Offset
			if g.BeforeData {
				at = g.Offset + g.Size
				where = fmt.Sprintf("before offset 0x%X, where the data section begins (where exactly cannot be told: nothing the store reads lies between the header and it)", at)
			}
			c.Report(finding.Finding{Code: finding.RootFileGap, Offset: at,
				Detail: fmt.Sprintf("%d bytes are missing %s: what follows lies %d bytes before its place; read as if those bytes were zeros", g.Size, where, g.Size)})
		}
	}
	par := opts.Parallelism
	if par <= 0 {
		par = runtime.GOMAXPROCS(0)
	}
	res := ndb.Scan(ctx, r, size, c, ndb.Options{Progress: progress, Workers: par, FileSize: rep.Size})
	var m *messaging.Result
	if res != nil && ctx.Err() == nil {
		// The allocation pass and the layers above only read what the
		// earlier passes left: they run side by side, each into its own
		// buffer, reported in pass order.
		progress.Phase("maps, folders")
		maps, upper := newCapped(limit, nil), newCapped(limit, nil)
		// Made before the allocation pass writes its figures into res.
		tolerant := res.Tolerant(nil)
		if par > 1 {
			var wg sync.WaitGroup
			wg.Go(func() { res.CheckMaps(maps) })
			m = messaging.Check(ctx, res, upper, messaging.Options{Workers: par, KeepItems: keepItems, Tolerant: tolerant})
			wg.Wait()
		} else {
			res.CheckMaps(maps)
			m = messaging.Check(ctx, res, upper, messaging.Options{Workers: 1, KeepItems: keepItems, Tolerant: tolerant})
		}
		// Blocks that an old index page alone names, written over since,
		// are no item's when no item lost its node.
		res.SettleStale(ctx.Err() == nil && m.NoNodeLost(), c)
		// Only a damaged store is looked at for a zeroed end (which a
		// sound one never has): the look goes over every block's entry.
		if c.hasErrors() || maps.hasErrors() {
			if start, written, ok := res.ZeroedTail(); ok {
				rep.zeroed = size - start
				c.Report(finding.Finding{Code: finding.RootFileZeroed, Offset: start,
					Detail: fmt.Sprintf("the last %d bytes, from offset 0x%X to the end, are zeros, and so is what the store had written at 0x%X (its last page or block, or space its allocation map marks in use)", size-start, start, written)})
			}
		}
		c.absorb(maps)
		c.absorb(upper)
		c.into(rep)
		attribute(rep, res, m)
	}
	if res != nil {
		res.SettleStale(false, c) // settled above, unless cancelled: then reported
		h := res.Header
		rep.Format = Format(h.Kind.String())
		rep.Content = contentOf(h, m, opts.Name)
		if m != nil {
			// Outlook asks for a PST's password, not an OST's or a PAB's.
			rep.Password, rep.Outbox = m.Password && rep.Content != ContentOST && rep.Content != ContentPAB, m.Outbox
		}
		rep.Stats.Version = h.Version
		rep.Stats.Crypt = h.CryptName()
		rep.Stats.Pages = res.Pages
		rep.Stats.Blocks = res.BBT.Len()
		if res.Rebuild != nil {
			rep.Stats.Blocks -= res.Rebuild.StaleEntries // not blocks of the store
		}
		rep.Stats.Nodes = res.NBT.Len()
		rep.Stats.BytesVerified = res.BytesVerified
		rep.Stats.FreeBytes = res.FreeBytes
		rep.Stats.BlockPass = res.BlockPass
		checkStoreSize(rep, c)
		checkScale(rep, c, opts.Guidance)
	} else if kind, content, ok := ndb.HeaderStart(r, size); ok {
		// Cut off inside its header: what is left of it still says
		// whether it was a PST or an OST, which is what the advice needs
		// (an OST's mail is on the server).
		rep.Format, rep.Content = Format(kind.String()), Content(content)
	} else if c.counts[finding.FileRead] == 0 {
		// No store at all: what is the file instead, for the advice?
		rep.OtherFormat = identifyOther(r, size, opts.Name)
	}
	if err := ctx.Err(); err != nil {
		c.Report(finding.Finding{Code: finding.FileRead, Offset: finding.NoOffset, Detail: "scan interrupted: " + err.Error()})
	}
	c.into(rep)
	judge(rep, res)
	rep.Stats.Duration = time.Since(start)
	return rep, res, m
}

// cappedFindings keeps findings, at most max of one code (the rest only
// counted), so a pass that finds damage everywhere cannot fill memory:
// the report's findings, and each side pass's own until its turn to be
// reported.
type cappedFindings struct {
	max    int
	kept   []Finding
	counts map[Code]int
	// stream, when set, receives every finding reported, before the cap.
	stream finding.Sink
}

func newCapped(max int, stream finding.Sink) *cappedFindings {
	return &cappedFindings{max: max, counts: map[Code]int{}, stream: stream}
}

func (c *cappedFindings) Report(f Finding) {
	if c.stream != nil {
		c.stream.Report(f)
	}
	c.counts[f.Code]++
	if c.counts[f.Code] <= c.max {
		c.kept = append(c.kept, f)
	}
}

// hasErrors tells whether an error finding was reported.
func (c *cappedFindings) hasErrors() bool {
	for code := range c.counts {
		if finding.Lookup(code).Severity == finding.SeverityError {
			return true
		}
	}
	return false
}

// absorb reports what b kept, in its order, and counts what b left out.
func (c *cappedFindings) absorb(b *cappedFindings) {
	for _, f := range b.kept {
		c.Report(f)
	}
	for code, n := range b.counts {
		if n > b.max {
			c.counts[code] += n - b.max
		}
	}
}

// into sets the report's findings and the counts of those left out.
func (c *cappedFindings) into(rep *Report) {
	rep.Findings = c.kept
	rep.Capped = nil
	for code, n := range c.counts {
		if n > c.max {
			if rep.Capped == nil {
				rep.Capped = map[Code]int{}
			}
			rep.Capped[code] = n - c.max
		}
	}
}

// contentOf says what the store holds: what its header says. A destroyed
// header (guessed from the pages after it) says nothing, and an OST taken
// for a PST would be advised to be repaired in place rather than rebuilt
// from the server: then a store of 4 KiB pages, which Outlook writes for
// OSTs alone, is an OST; one whose message store names the top of its
// folders, a child of the root folder, is a PST (an OST names none, its
// folders under the Exchange mailbox's root), whatever the file's name;
// one with a mailbox's root folder, or a file named .ost, is an OST;
// anything else stays unknown.
func contentOf(h *ndb.Header, m *messaging.Result, name string) Content {
	switch {
	case !h.Guessed:
		return Content(h.Content())
	case h.Kind == ndb.Unicode4K:
		return ContentOST
	}
	if m != nil {
		for _, f := range m.Folders {
			if f.NID == m.IPMSubtree && f.Parent == messaging.NIDRootFolder {
				return ContentPST
			}
		}
		if slices.ContainsFunc(m.Folders, func(f messaging.Folder) bool {
			return f.Path == OSTMailboxRoot || strings.HasPrefix(f.Path, OSTMailboxRoot+"/")
		}) {
			return ContentOST
		}
	}
	if strings.EqualFold(filepath.Ext(name), ".ost") {
		return ContentOST
	}
	return ContentUnknown
}
