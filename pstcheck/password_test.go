package pstcheck_test

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// A PST whose message store keeps a password's CRC-32 is said to have one;
// an OST, which keeps 0xFFFFFFFF there, and a PST keeping 0 are not.
func TestPasswordOfCorpus(t *testing.T) {
	want := map[string]bool{
		"java-libpst__passworded.pst":                                true,
		"aspose-email-dotnet__passwordprotectedPST.pst":              true,
		"pstsdk__test_ansi.pst":                                      true,
		"aspose-email-dotnet__SampleOstFile.ost":                     false,
		"npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost": false,
		"aspose-email-dotnet__Outlook.pst":                           false,
	}
	paths := samples.CorpusNamed(slices.Collect(maps.Keys(want))...)
	if len(paths) == 0 {
		t.Skip("the corpus is not here")
	}
	for _, p := range paths {
		if got := pstcheck.ScanFile(context.Background(), p, pstcheck.Options{}).Password; got != want[filepath.Base(p)] {
			t.Errorf("%s: password %v", filepath.Base(p), got)
		}
	}
}
