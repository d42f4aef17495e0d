// Package gentest writes generated stores for tests. It is apart from
// testkit, which the engine's own tests import: the writer imports the
// engine.
package gentest

import (
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/synth"
	"github.com/pstcheck/pstcheck/pstcheck/pstwrite"
)

// Store writes a store of the given shape with the project's
// writer (as cmd/pstgen does) to path, named name, and returns what was
// written.
func Store(t testing.TB, path, name string, shape synth.Shape, seed uint64) *synth.Result {
	t.Helper()
	var gen *synth.Result
	Write(t, path, name, func(w *pstwrite.Writer) (err error) {
		gen, err = synth.Generate(w, shape, seed)
		return err
	})
	return gen
}

// Write writes to path a store named name that fill fills with the
// project's writer.
func Write(t testing.TB, path, name string, fill func(w *pstwrite.Writer) error) {
	t.Helper()
	WriteWith(t, path, pstwrite.Options{DisplayName: name}, fill)
}

// WriteWith is Write with the writer's options given.
func WriteWith(t testing.TB, path string, opts pstwrite.Options, fill func(w *pstwrite.Writer) error) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pstwrite.New(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := fill(w); err != nil {
		w.Abort()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
