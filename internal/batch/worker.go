package batch

// Batch scans run each file in a child process, so that one file's
// failure (a panic, a fatal out-of-memory, a hang) cannot touch another
// file's result: recover() catches a panic but not a fatal runtime error,
// and a runaway scan would starve the others of memory. The child is this
// same executable started with PSTCHECK_WORKER=1 in its environment; it
// reads file paths on stdin and answers with JSON lines on stdout:
//
//	{"phase": "blocks"}          the engine's current pass
//	{"progress": 4194304}        bytes verified since the last message
//	{"report": {...}}            the file's pstcheck.Report, last
//
// A child that exits, is killed for using too much memory or makes no
// progress for too long costs only the file it was scanning, which is
// reported with the verdict "error"; a new child takes the next file.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
)

// Environment of a worker process.
const (
	envWorker = "PSTCHECK_WORKER"        // "1": run as a worker
	envMemory = "PSTCHECK_WORKER_MEMORY" // the worker's heap limit in bytes
	envProcs  = "PSTCHECK_WORKER_PROCS"  // goroutines one scan may keep busy
	// envFault makes a worker fail on purpose for files whose path contains
	// a given text ("panic:TEXT", "exit:TEXT", "oom:TEXT", "hang:TEXT"), so
	// tests can show that the other files' results survive.
	envFault = "PSTCHECK_WORKER_FAULT"
)

// silence is how long a worker's scan may go without a new phase or
// progress before it is taken to hang and is stopped; each gigabyte of the
// file adds silencePerGB, since one pass over a large file (the messages
// of a 50 GB store) reports no bytes while it works.
var (
	silence      = 60 * time.Second
	silencePerGB = 10 * time.Second
)

type workerMessage struct {
	Phase    string           `json:"phase,omitempty"`
	Progress int64            `json:"progress,omitempty"`
	Report   *pstcheck.Report `json:"report,omitempty"`
	Fatal    string           `json:"fatal,omitempty"`
}

// IsWorker reports whether this process was started as a worker: its
// main must then call ServeWorker and exit with what it returns.
func IsWorker() bool { return os.Getenv(envWorker) == "1" }

// ServeWorker is the main of a worker process: it scans the paths it reads
// on in and answers on out.
func ServeWorker(in io.Reader, out io.Writer) int {
	procs, _ := strconv.Atoi(os.Getenv(envProcs))
	if procs > 0 {
		// The batch runs --jobs workers side by side: each keeps to its
		// share of the processors, garbage collection included.
		runtime.GOMAXPROCS(procs)
	}
	// A scan's live heap is its metadata, bounded and freed at the end of
	// each file: collect less often (the memory limit still applies), so
	// the collector does not take the processor another job needs.
	debug.SetGCPercent(400)
	var mu sync.Mutex
	enc := json.NewEncoder(out)
	send := func(m workerMessage) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(m)
	}
	if limit, err := strconv.ParseInt(os.Getenv(envMemory), 10, 64); err == nil && limit > 0 {
		watchMemory(limit, send)
	}
	lines := bufio.NewScanner(in)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		var raw []byte // a file name need not be UTF-8: sent as its bytes
		if err := json.Unmarshal(lines.Bytes(), &raw); err != nil {
			return 2
		}
		path := string(raw)
		injectFault(path)
		p := &workerProgress{send: send}
		rep := pstcheck.ScanFile(context.Background(), path, pstcheck.Options{Progress: p, Parallelism: procs})
		p.flush()
		send(workerMessage{Report: rep})
	}
	return 0
}

// watchMemory keeps the worker's heap under limit: the runtime is asked
// to collect harder as it nears it, and past it (plus a margin for what a
// collection cannot free at once) the worker says so and exits.
func watchMemory(limit int64, send func(workerMessage)) {
	debug.SetMemoryLimit(limit)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		for range time.Tick(50 * time.Millisecond) {
			metrics.Read(sample)
			if used := sample[0].Value.Uint64(); used > uint64(limit)+uint64(limit)/4 {
				send(workerMessage{Fatal: fmt.Sprintf("out of memory: the scan used %d MB (limit %d MB)", used>>20, limit>>20)})
				os.Exit(3)
			}
		}
	}()
}

func injectFault(path string) {
	kind, text, ok := strings.Cut(os.Getenv(envFault), ":")
	if !ok || text == "" || !strings.Contains(path, text) {
		return
	}
	switch kind {
	case "panic":
		panic("injected fault for " + path)
	case "exit":
		os.Exit(7)
	case "oom":
		var hoard [][]byte
		for {
			hoard = append(hoard, make([]byte, 16<<20))
			for i := 0; i < len(hoard[len(hoard)-1]); i += 4096 {
				hoard[len(hoard)-1][i] = 1
			}
		}
	case "hang":
		select {}
	}
}

// workerProgress batches progress into a message per 4 MB.
type workerProgress struct {
	send    func(workerMessage)
	pending int64
}

func (p *workerProgress) Start(string, int64) {}
func (p *workerProgress) Done()               {}
func (p *workerProgress) Phase(name string)   { p.flush(); p.send(workerMessage{Phase: name}) }
func (p *workerProgress) Add(n int64) {
	if p.pending += n; p.pending >= 4<<20 {
		p.flush()
	}
}
func (p *workerProgress) flush() {
	if p.pending > 0 {
		p.send(workerMessage{Progress: p.pending})
		p.pending = 0
	}
}

// workerPool scans files in worker processes.
type workerPool struct {
	exe    string
	env    []string
	stderr io.Writer
}

// newWorkerPool prepares workers, each allowed memory bytes of heap. It
// fails when this executable cannot be found; the caller then scans in
// process.
func newWorkerPool(memory int64) (*workerPool, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	// In a batch, files share the processors (--jobs of them at once), so
	// each scan keeps one busy: a lone file's scan uses them all instead.
	env := append(os.Environ(), envWorker+"=1",
		envMemory+"="+strconv.FormatInt(memory, 10),
		envProcs+"=1")
	return &workerPool{exe: exe, env: env, stderr: io.Discard}, nil
}

// worker is one running worker process.
type worker struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	msgs chan workerMessage
	// stderr keeps the end of what the worker wrote there, to say why it
	// died.
	stderr *tailBuffer
}

func (p *workerPool) start() (*worker, error) {
	cmd := exec.Command(p.exe)
	cmd.Env = p.env
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	w := &worker{cmd: cmd, in: in, msgs: make(chan workerMessage, 16), stderr: &tailBuffer{max: 4096}}
	cmd.Stderr = w.stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		defer close(w.msgs)
		dec := json.NewDecoder(out)
		for {
			var m workerMessage
			if err := dec.Decode(&m); err != nil {
				return
			}
			w.msgs <- m
		}
	}()
	return w, nil
}

// stop ends the worker and returns how it ended.
func (w *worker) stop() string {
	_ = w.in.Close()
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		return exitDescription(err, w.stderr.String())
	case <-time.After(2 * time.Second):
		_ = w.cmd.Process.Kill()
		return exitDescription(<-done, w.stderr.String())
	}
}

func exitDescription(err error, stderr string) string {
	msg := "it exited"
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ee.Exited() {
			msg = fmt.Sprintf("it exited with status %d", ee.ExitCode())
		} else {
			msg = "it was stopped (" + ee.ProcessState.String() + ")"
		}
	}
	if why := crashLine(stderr); why != "" {
		msg += ": " + why
	}
	return msg
}

// crashLine picks from a worker's stderr the line that says why it died:
// a Go panic or fatal error, else the last line.
func crashLine(stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(lines[len(lines)-1])
}

// scan sends one path to the worker and waits for its report. An error
// means the worker failed: it must be stopped and replaced.
func (w *worker) scan(ctx context.Context, path string, size int64, prog pstcheck.Progress) (*pstcheck.Report, string) {
	// As bytes (base64 in JSON): a JSON string would turn a name that is
	// not UTF-8 into another (U+FFFD for each stray byte), which does not
	// exist.
	line, _ := json.Marshal([]byte(path))
	if _, err := w.in.Write(append(line, '\n')); err != nil {
		return nil, "the scanner could not be started: " + err.Error()
	}
	patience := silence + time.Duration(size>>30)*silencePerGB
	timer := time.NewTimer(patience)
	defer timer.Stop()
	for {
		select {
		case m, ok := <-w.msgs:
			if !ok {
				return nil, "the scanner stopped on this file (" + w.stop() + ")"
			}
			timer.Reset(patience)
			switch {
			case m.Report != nil:
				m.Report.Path = path // as named, not as JSON carried it back
				return m.Report, ""
			case m.Fatal != "":
				why := m.Fatal
				w.stop()
				return nil, "the scanner stopped on this file: " + why
			case m.Phase != "":
				prog.Phase(m.Phase)
			case m.Progress > 0:
				prog.Add(m.Progress)
			}
		case <-timer.C:
			_ = w.cmd.Process.Kill()
			w.stop()
			return nil, fmt.Sprintf("the scanner made no progress on this file for %s and was stopped", patience)
		case <-ctx.Done():
			_ = w.cmd.Process.Kill()
			w.stop()
			return nil, "the scan was interrupted"
		}
	}
}

// scannerFailure is the report of a file whose scan did not finish.
func scannerFailure(path, why string) *pstcheck.Report {
	return pstcheck.FailureReport(path, finding.ScanAborted, why, pstcheck.FailScanner, why)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = t.b[len(t.b)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// defaultWorkerMemory is each worker's heap limit: three quarters of the
// machine's memory shared among the jobs, at least 512 MB, unless
// PSTCHECK_WORKER_MEMORY (bytes) says otherwise. A scan needs about 32
// bytes per block (1 GB for a 50 GB file), far below it.
func defaultWorkerMemory(jobs int) int64 {
	if n, err := strconv.ParseInt(os.Getenv(envMemory), 10, 64); err == nil && n > 0 {
		return n
	}
	total := physicalMemory()
	if total <= 0 {
		total = 8 << 30
	}
	return max(total*3/4/int64(max(jobs, 1)), 512<<20)
}
