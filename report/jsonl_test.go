package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// jsonEntries returns the "files" entries of the JSON report of run, each
// decoded generically.
func jsonEntries(t *testing.T, run Run) []any {
	t.Helper()
	var out struct{ Files []any }
	if err := json.Unmarshal(render(t, "json", run), &out); err != nil {
		t.Fatal(err)
	}
	return out.Files
}

func TestNewStream(t *testing.T) {
	for _, name := range []string{"jsonl", "JSONL", " jsonl "} {
		s, ok := NewStream(name)
		if !ok || s == nil {
			t.Errorf("NewStream(%q) = %v, %v; want the jsonl streamer", name, s, ok)
		}
	}
	for _, name := range []string{"text", "json", "csv", "", "xml"} {
		if s, ok := NewStream(name); ok || s != nil {
			t.Errorf("NewStream(%q) = %v, %v; want nil, false", name, s, ok)
		}
	}
	// In folder mode jsonl is unchanged.
	a, err := New("jsonl")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewFolders("jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		t.Errorf("NewFolders(jsonl) is %T, New(jsonl) %T", b, a)
	}
}

// Each WriteFile call writes exactly one line, which is the JSON report's
// entry for the file.
func TestStreamWriteFile(t *testing.T) {
	s, ok := NewStream("jsonl")
	if !ok {
		t.Fatal("no jsonl streamer")
	}
	run := batchRun()
	want := jsonEntries(t, run)
	var all bytes.Buffer
	for i, r := range run.Reports {
		var buf bytes.Buffer
		if err := s.WriteFile(&buf, run.Version, r); err != nil {
			t.Fatal(err)
		}
		line := buf.String()
		if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
			t.Fatalf("%s: WriteFile wrote %q, want one line", r.Path, line)
		}
		var got any
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("%s: line does not parse: %v\n%s", r.Path, err, line)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%s: line differs from the JSON report's entry:\n got %v\nwant %v", r.Path, got, want[i])
		}
		all.Write(buf.Bytes())
	}
	// The batch writer writes the same lines in the run's order.
	if batch := render(t, "jsonl", run); !bytes.Equal(batch, all.Bytes()) {
		t.Errorf("jsonl Writer differs from streaming each file:\n%s\n%s", batch, all.Bytes())
	}
	if err := s.WriteFile(&all, run.Version, nil); err == nil {
		t.Error("WriteFile(nil) returned nil")
	}
}

// Each WriteFile is a single Write, so that lines sharing an append-mode
// file are never interleaved.
func TestStreamWriteFileOneWrite(t *testing.T) {
	s, _ := NewStream("jsonl")
	var w countingWriter
	if err := s.WriteFile(&w, "v", damagedReport()); err != nil {
		t.Fatal(err)
	}
	if w.calls != 1 {
		t.Errorf("WriteFile made %d Write calls, want 1", w.calls)
	}
}

type countingWriter struct{ calls int }

func (w *countingWriter) Write(p []byte) (int, error) { w.calls++; return len(p), nil }

func TestJSONL(t *testing.T) {
	run := batchRun()
	run.Reports = append(run.Reports, nil) // skipped, as by every writer
	out := render(t, "jsonl", run)
	want := jsonEntries(t, run)
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var got map[string]any
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatalf("line %d does not parse: %v", n+1, err)
		}
		// Exactly a FILE object: no run-level "version" or "summary".
		requireKeys(t, "jsonl FILE", got, contractFile)
		if n < len(want) && !reflect.DeepEqual(any(got), want[n]) {
			t.Errorf("line %d differs from the JSON entry", n+1)
		}
		n++
	}
	if n != len(want) || n != 6 {
		t.Errorf("%d lines, want %d", n, len(want))
	}
	// HTML characters are kept, as in the JSON report.
	if !bytes.Contains(out, []byte(`"/tmp/locked & <odd>.ost"`)) {
		t.Error("jsonl escapes & < >")
	}
	// An empty run is empty output.
	if out := render(t, "jsonl", Run{Version: "v"}); len(out) != 0 {
		t.Errorf("empty run: %q", out)
	}
}
