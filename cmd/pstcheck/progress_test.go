package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

func TestNewProgress(t *testing.T) {
	for _, tt := range []struct {
		tty, noProgress, want bool
	}{
		{true, false, true},
		{true, true, false},
		{false, false, false},
		{false, true, false},
	} {
		ios, _, _ := testIO(tt.tty)
		if got := newProgress(ios, tt.noProgress) != nil; got != tt.want {
			t.Errorf("tty=%v no-progress=%v: bar = %v, want %v", tt.tty, tt.noProgress, got, tt.want)
		}
	}
	if newProgress(&IOStreams{ErrOut: &bytes.Buffer{}}, false) != nil {
		t.Error("bar shown with no IsStderrTTY")
	}
}

// The engine's progress interface, used for several files one after the
// other: each file gets its own bar, named after it, cleared at the end.
func TestBarProgressSequential(t *testing.T) {
	var buf bytes.Buffer
	p := &barProgress{w: &buf}
	for _, f := range []struct {
		path string
		size int64
	}{{"/mail/one.pst", 1 << 20}, {"/mail/two.ost", 4096}, {"/mail/empty.pst", 0}} {
		p.Start(f.path, f.size)
		p.Phase("blocks")
		p.Add(f.size / 2)
		p.Add(f.size / 2)
		p.Done()
		if p.bar != nil || p.active != 0 {
			t.Fatalf("%s: bar still open after Done", f.path)
		}
	}
	out := buf.String()
	for _, want := range []string{"one.pst", "two.ost", "empty.pst"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q", want, out)
		}
	}
	if !strings.HasSuffix(out, "\r") {
		t.Errorf("bar not cleared at the end: %q", out)
	}
	// Progress after Done, or without Start, is ignored.
	p.Add(10)
	p.Phase("late")
	p.Done()
}

// Files scanned at the same time share one bar whose total grows; each
// file's bytes are capped at its size, and the engine's own Start and Done
// do not unbalance it.
func TestBarProgressOverlapping(t *testing.T) {
	var buf bytes.Buffer
	p := &barProgress{w: &buf}
	a, endA := p.File("/x/a.pst", 1000)
	b, endB := p.File("/x/b.ost", 3000)
	a.Start("/x/a.pst", 1000) // the engine may announce the file too
	b.Phase("blocks")
	if st := p.bar.State(); st.Max != 4000 || st.Description != "b.ost: blocks" {
		t.Errorf("state = %+v, want max 4000 described as b.ost: blocks", st)
	}
	a.Add(1500) // more than a's size
	b.Add(500)
	if got := p.bar.State().CurrentBytes; got != 1500 {
		t.Errorf("bytes = %v, want 1500 (a capped at 1000)", got)
	}
	a.Done()
	endA()
	if p.bar == nil {
		t.Fatal("bar closed while b is still being scanned")
	}
	b.Add(2500)
	endB()
	endB() // ending twice is harmless
	if p.bar != nil || p.active != 0 {
		t.Fatalf("bar still open: active=%d", p.active)
	}
}

// Concurrent use (run with -race).
func TestBarProgressConcurrent(t *testing.T) {
	var buf bytes.Buffer
	p := &barProgress{w: &buf}
	var wg sync.WaitGroup
	for _, name := range []string{"a.pst", "b.pst", "c.ost", "d.pst"} {
		wg.Go(func() {
			prog, end := p.File(name, 1000)
			defer end()
			prog.Phase("header")
			for range 20 {
				prog.Add(100)
			}
		})
	}
	wg.Wait()
	if p.bar != nil || p.active != 0 {
		t.Fatalf("bar still open: active=%d", p.active)
	}
}
