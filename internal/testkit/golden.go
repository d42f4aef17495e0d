package testkit

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Golden compares got with the golden file at path or, with update set
// (each package's -update flag), rewrites it. A difference is shown by its
// first lines, and says how to accept it.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run the test with -update if the change is intended):\n%s", path, LineDiff(want, got))
	}
}

// LineDiff shows the first ten lines where two outputs differ.
func LineDiff(want, got []byte) string {
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	var out bytes.Buffer
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var a, b []byte
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if !bytes.Equal(a, b) {
			out.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + string(a) + "\n  got:  " + string(b) + "\n")
			shown++
		}
	}
	return out.String()
}
