package main

import (
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/schollz/progressbar/v3"
)

// newProgress returns the bar for a scan, or nil when progress is not to be
// shown: only a terminal stderr gets a bar, and --no-progress turns it off.
func newProgress(ios *IOStreams, noProgress bool) *barProgress {
	if noProgress || !ios.stderrTTY() {
		return nil
	}
	return &barProgress{w: ios.ErrOut}
}

// barProgress shows scan progress as one byte-counting bar on w, described
// by the file name and the engine's current phase. It is safe for
// concurrent use. Files started one after the other each get their own bar
// (cleared when the file is done); files whose scans overlap share one bar
// whose total grows as each starts.
type barProgress struct {
	w io.Writer

	mu     sync.Mutex
	bar    *progressbar.ProgressBar
	total  int64
	active int
	name   string

	// A batch has one bar for all its files: total bytes, and files done
	// out of files.
	batch       bool
	files, done int
}

// StartBatch turns p into one bar for files files of total bytes.
func (p *barProgress) StartBatch(files int, total int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.batch, p.files = true, files
	p.name = fmt.Sprintf("0/%d files", files)
	p.total = max(total, 1)
	p.bar = newBar(p.w, p.total, p.name)
}

// EndBatch clears the batch bar.
func (p *barProgress) EndBatch() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

// The bar's line is kept well inside an 80-column terminal: a line that
// fills the terminal wraps when Ctrl-C echoes "^C" after it, and the bar
// can then no longer clear itself. ANSI codes clear it to the line's end.
const (
	barWidth    = 20
	barNameRune = 28 // a longer file name is cut in the middle
)

// shortName cuts a file name for the bar's description.
func shortName(name string) string {
	r := []rune(name)
	if len(r) <= barNameRune {
		return name
	}
	half := (barNameRune - 1) / 2
	return string(r[:half]) + "…" + string(r[len(r)-(barNameRune-1-half):])
}

func newBar(w io.Writer, total int64, desc string) *progressbar.ProgressBar {
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionUseIECUnits(true), // the units of every size pstcheck shows (internal/units)
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func (p *barProgress) Start(path string, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.batch {
		return
	}
	total = max(total, 1) // progressbar refuses a zero maximum
	p.name = shortName(filepath.Base(path))
	p.active++
	if p.bar != nil {
		p.total += total
		p.bar.ChangeMax64(p.total)
		p.bar.Describe(p.name)
		return
	}
	p.total = total
	p.bar = newBar(p.w, total, p.name)
}

func (p *barProgress) Phase(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.batch {
		return
	}
	p.describe(p.name, name)
}

// describe names the file and phase on the bar; p.mu must be held.
func (p *barProgress) describe(file, phase string) {
	if p.bar != nil {
		p.bar.Describe(file + ": " + phase)
	}
}

func (p *barProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil && n > 0 {
		_ = p.bar.Add64(n)
	}
}

func (p *barProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.batch {
		p.done++
		p.name = fmt.Sprintf("%d/%d files", p.done, p.files)
		if p.bar != nil {
			p.bar.Describe(p.name)
		}
		return
	}
	p.active = max(p.active-1, 0)
	if p.active == 0 && p.bar != nil {
		_ = p.bar.Finish() // clears the line
		p.bar = nil
	}
}

// File announces one file of size bytes to the bar and returns the
// progress to give the engine for it, and the function that ends the
// file's part of the bar. The CLI, not the engine, starts and ends the
// file, so the engine's own Start and Done are ignored; the file's Adds are
// capped at its size so that one file cannot fill a shared bar.
func (p *barProgress) File(path string, size int64) (pstcheck.Progress, func()) {
	p.Start(path, size)
	return &fileProgress{p: p, name: shortName(filepath.Base(path)), left: max(size, 1)}, sync.OnceFunc(p.Done)
}

type fileProgress struct {
	p    *barProgress
	name string
	left int64 // guarded by p.mu
}

func (f *fileProgress) Start(string, int64) {}
func (f *fileProgress) Done()               {}

func (f *fileProgress) Phase(name string) {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	if !f.p.batch {
		f.p.describe(f.name, name)
	}
}

func (f *fileProgress) Add(n int64) {
	f.p.mu.Lock()
	n = min(n, f.left)
	f.left -= n
	f.p.mu.Unlock()
	f.p.Add(n)
}

// itemProgress counts items on a bar of their own (the export, an
// export.RunProgress), after the scan's bytes bar is done.
type itemProgress struct {
	p     *barProgress
	bar   *progressbar.ProgressBar
	doing string
}

func newItemProgress(p *barProgress) *itemProgress { return newNamedItemProgress(p, "exporting") }

// newNamedItemProgress is an item bar described by what is done to them
// ("repairing").
func newNamedItemProgress(p *barProgress, doing string) *itemProgress {
	return &itemProgress{p: p, doing: doing}
}

func (i *itemProgress) Start(items int) {
	if i.p == nil || items == 0 {
		return
	}
	i.bar = progressbar.NewOptions(items,
		progressbar.OptionSetWriter(i.p.w),
		progressbar.OptionSetDescription(i.doing),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("items"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetWidth(barWidth),
		progressbar.OptionUseANSICodes(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

func (i *itemProgress) Item() {
	if i.bar != nil {
		_ = i.bar.Add(1)
	}
}

func (i *itemProgress) Done() {
	if i.bar != nil {
		_ = i.bar.Finish()
	}
}
