package pstcheck_test

import (
	"path/filepath"
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/internal/samples"
	"github.com/pstcheck/pstcheck/pstcheck"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// The name-to-ID map's property context can open while a stream it keeps
// in a subnode cannot be read. The export names every named property from
// those streams, so without them a calendar item loses its times: the map
// counts as lost (STORE-NAMEMAP), and an item whose key fields are named
// properties (the corpus' Outlook.com OST has calendar items; enron.pst
// has none) is damaged, never readable without them.
func TestNameMapStreamUnreadable(t *testing.T) {
	paths := append(samples.GoPstAll(), samples.CorpusNamed("npm-pst-extractor-1.12.0__pstextractortest@outlook.com.ost", "aspose-email-dotnet__test.ost")...)
	tried := 0
	for _, path := range paths {
		f, err := pstmut.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		entries, ok := f.NodeHeap(0x61).Prop(0x0003) // PidTagNameidStreamEntry
		if !ok || pstmut.IsHID(entries.Value) {
			continue // kept in the map's heap: a damaged heap fails the map whole
		}
		tried++
		t.Run(filepath.Base(path), func(t *testing.T) {
			f.FlipByte(int64(f.MustBlock(f.Subnode(0x61, entries.Value).Data).IB) + 3)
			store := openBytes(t, f.B)
			if !store.Report.Has(finding.StoreNameMap) {
				t.Fatal("the map's entry stream cannot be read, and STORE-NAMEMAP is not reported")
			}
			named := 0
			for x := range store.Items(nil) {
				if x.NamesLost {
					named++
					if x.State == pstcheck.ItemReadable {
						t.Errorf("0x%X: readable although its named properties are lost", x.NID)
					}
				}
			}
			if filepath.Ext(path) == ".ost" && (named == 0 || store.Report.Items.NamesLost != named) {
				t.Errorf("%d items without their named properties; the accounting counts %d", named, store.Report.Items.NamesLost)
			}
			// One byte changed in a block whose trailer and place hold:
			// the map reads as it is, and the export names the named
			// properties through it (the items stay damaged); but not
			// where the block is compressed (4 KiB-page files), as a
			// changed byte spoils what follows it.
			names := 0
			for range store.Reader.PropertyNames() {
				names++
			}
			asItIs := f.L.Kind != ndb.Unicode4K
			if store.Report.Items.NamesAsItIs != (asItIs && named > 0) || asItIs != (names > 0) {
				t.Errorf("map read as it is: %v for %d items, naming %d properties; want it read so: %v", store.Report.Items.NamesAsItIs, named, names, asItIs)
			}
		})
	}
	if tried == 0 {
		t.Skip("no sample keeps its name map's entry stream in a subnode")
	}
}

// A map whose records do not read while every block of it verifies was
// written so: it is not read as it is, as a changed byte would be (its
// first record made to name a property set the map does not have).
func TestNameMapWrittenWrongNotReadAsItIs(t *testing.T) {
	f := loadCorpus(t, "aspose-email-dotnet__test.ost")
	entries, ok := f.NodeHeap(0x61).Prop(0x0003) // PidTagNameidStreamEntry
	if !ok || pstmut.IsHID(entries.Value) {
		t.Skip("the map's entry stream is not in a subnode")
	}
	f.EditDecoded(f.Subnode(0x61, entries.Value).Data, func(b []byte) {
		b[4], b[5] = 0xFE, 0x7F // wGuid far past the GUID stream
	})
	store := openBytes(t, f.B)
	if !store.Report.Has(finding.StoreNameMap) || store.Report.Items.NamesAsItIs || store.Report.Items.NamesLost == 0 {
		t.Errorf("items %+v: want the map lost, not read as it is", store.Report.Items)
	}
}
