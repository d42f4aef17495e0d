package pstcheck_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// TestContentOfDestroyedHeader: a header destroyed takes with it the
// word for what the store is, and an OST read as a PST is advised to be
// repaired in place instead of rebuilt from the server. What the rest
// shows decides: 4 KiB pages and an Exchange mailbox's root folder are an
// OST's, and so is the name .ost; a PST with none of those stays unknown.
func TestContentOfDestroyedHeader(t *testing.T) {
	corpus := func(name string) string {
		if p := samples.CorpusNamed(name); len(p) == 1 {
			return p[0]
		}
		return ""
	}
	for _, c := range []struct {
		file, name string
		want       pstcheck.Content
	}{
		{corpus("npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"), "copy.bin", pstcheck.ContentOST}, // 4 KiB pages
		{corpus("aspose-email-dotnet__SampleOstFile.ost"), "copy.bin", pstcheck.ContentOST},                     // Root - Mailbox
		{samples.GoPst("support.pst"), "support.pst", pstcheck.ContentUnknown},
		{samples.GoPst("support.pst"), "support.OST", pstcheck.ContentOST},
	} {
		if c.file == "" {
			continue // sample not present
		}
		b, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		clear(b[:512])
		rep := pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{Name: c.name})
		if rep.Content != c.want || rep.Damage.HeaderLost != true {
			t.Errorf("%s as %s, header zeroed: content %q (header lost %v), want %q", c.file, c.name, rep.Content, rep.Damage.HeaderLost, c.want)
		}
		if c.want == pstcheck.ContentOST && rep.Action != pstcheck.ActionRecreateOST {
			t.Errorf("%s as %s: action %q, want %q", c.file, c.name, rep.Action, pstcheck.ActionRecreateOST)
		}
	}
}
