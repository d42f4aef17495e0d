package testkit

import (
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
)

// GoPst returns the path of one of go-pst's sample files, skipping the
// test when the module is not downloaded.
func GoPst(t testing.TB, name string) string {
	t.Helper()
	p := samples.GoPst(name)
	if p == "" {
		t.Skipf("go-pst sample %s not found (go mod download)", name)
	}
	return p
}

// BenchFile returns the file a benchmark reads: $PSTCHECK_BENCH_FILE (a
// pstgen archive, say) when set, else go-pst's enron.pst, skipping the
// benchmark when there is neither.
func BenchFile(b testing.TB) string {
	b.Helper()
	if p := os.Getenv("PSTCHECK_BENCH_FILE"); p != "" {
		return p
	}
	return GoPst(b, "enron.pst")
}

// OpenBenchFile opens BenchFile for the benchmark, closed when it ends,
// and returns it with its size.
func OpenBenchFile(b testing.TB) (*os.File, int64) {
	b.Helper()
	f, err := os.Open(BenchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	st, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	return f, st.Size()
}

// Samples returns go-pst's sample files and those of the shared corpus that
// keep says yes to (nil: all), skipping the test when there are none.
func Samples(t testing.TB, keep func(path string) bool) []string {
	t.Helper()
	files := samples.GoPstAll()
	for _, p := range samples.CorpusFiles(false) {
		if keep == nil || keep(p) {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Skip("no sample files (run go mod download)")
	}
	return files
}
