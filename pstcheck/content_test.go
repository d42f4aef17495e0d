package pstcheck_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
)

// TestContentOfDestroyedHeader: a header destroyed takes with it the
// word for what the store is, and an OST read as a PST is advised to be
// repaired in place instead of rebuilt from the server. What the rest
// shows decides: 4 KiB pages and an Exchange mailbox's root folder are an
// OST's; a message store naming the top of its folders, under the root
// folder, a PST's, whatever the file's name (a PST named .ost was advised
// to be recreated from a server it never came from). Where nothing tells
// (the message store's block destroyed too), the name .ost makes an OST,
// and a PST stays unknown.
func TestContentOfDestroyedHeader(t *testing.T) {
	corpus := func(name string) string {
		if p := samples.CorpusNamed(name); len(p) == 1 {
			return p[0]
		}
		return ""
	}
	for _, c := range []struct {
		file, name string
		noStore    bool // the message store's block zeroed too
		want       pstcheck.Content
	}{
		{corpus("npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost"), "copy.bin", false, pstcheck.ContentOST}, // 4 KiB pages
		{corpus("aspose-email-dotnet__SampleOstFile.ost"), "copy.bin", false, pstcheck.ContentOST},                     // Root - Mailbox
		{corpus("aspose-email-dotnet__SampleOstFile.ost"), "copy.pst", true, pstcheck.ContentOST},
		{samples.GoPst("support.pst"), "support.pst", false, pstcheck.ContentPST},
		{samples.GoPst("support.pst"), "support.OST", false, pstcheck.ContentPST},
		{samples.GoPst("support.pst"), "support.pst", true, pstcheck.ContentUnknown},
		{samples.GoPst("support.pst"), "support.OST", true, pstcheck.ContentOST},
	} {
		if c.file == "" {
			continue // sample not present
		}
		f, err := pstmut.Load(c.file)
		if err != nil {
			t.Fatal(err)
		}
		if c.noStore {
			blk := f.MustBlock(f.MustNode(0x21).Data)
			f.Zero(int64(blk.IB), int64(blk.CB))
		}
		b := f.B
		clear(b[:512])
		rep := pstcheck.Check(context.Background(), bytes.NewReader(b), int64(len(b)), pstcheck.Options{Name: c.name})
		if rep.Content != c.want || rep.Damage.HeaderLost != true {
			t.Errorf("%s as %s, header zeroed (message store too: %v): content %q (header lost %v), want %q", c.file, c.name, c.noStore, rep.Content, rep.Damage.HeaderLost, c.want)
		}
		if c.want == pstcheck.ContentOST && rep.Action != pstcheck.ActionRecreateOST {
			t.Errorf("%s as %s: action %q, want %q", c.file, c.name, rep.Action, pstcheck.ActionRecreateOST)
		}
	}
}
