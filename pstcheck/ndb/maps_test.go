package ndb_test

import (
	"testing"

	"github.com/pstcheck/pstcheck/internal/pstmut"
	"github.com/pstcheck/pstcheck/pstcheck/finding"
	"github.com/pstcheck/pstcheck/pstcheck/ndb"
)

// checkMaps runs every pass and the allocation pass over f.
func checkMaps(t *testing.T, f *pstmut.File) (*ndb.Result, findings) {
	t.Helper()
	res, fs := scan(f)
	if res == nil {
		t.Fatalf("no result:%s", fs)
	}
	res.CheckMaps(finding.SinkFunc(func(x finding.Finding) { fs = append(fs, x) }))
	return res, fs
}

// On a sound file the allocation maps mark every page and block in use
// and count the free space; only the free space is reported, as a note.
func TestCheckMapsSound(t *testing.T) {
	for _, name := range []string{ansiSample, unicodeSample} {
		f := sample(t, name)
		res, fs := checkMaps(t, f)
		for _, x := range fs {
			if x.Severity() != finding.SeverityInfo {
				t.Errorf("%s:%s", name, findings{x})
			}
		}
		if res.FreeBytes <= 0 {
			t.Errorf("%s: %d free bytes", name, res.FreeBytes)
		}
		fs.mustHave(t, finding.MapFreeSpace, -1)
	}
	// 32-bit.pst's header agrees with its maps to the byte.
	f := sample(t, ansiSample)
	if res, _ := checkMaps(t, f); uint64(res.FreeBytes) != f.H.AMapFree {
		t.Errorf("%d free bytes, the header says %d", res.FreeBytes, f.H.AMapFree)
	}
}

// Each kind of map damage gives its finding at the map page or at the
// page or block the map fails.
func TestCheckMapsDamage(t *testing.T) {
	for _, c := range []struct {
		name   string
		file   string
		damage func(t *testing.T, f *pstmut.File) int64 // returns the offset reported
		code   finding.Code
	}{
		{"AMap page CRC", ansiSample, func(t *testing.T, f *pstmut.File) int64 {
			f.FlipByte(f.L.FirstAMap + 100)
			return f.L.FirstAMap
		}, finding.AMapPage},
		{"AMap page type", unicodeSample, func(t *testing.T, f *pstmut.File) int64 {
			off := f.AMaps()[1]
			f.SetPageType(off, ndb.PagePMap, ndb.PagePMap)
			return off
		}, finding.AMapPage},
		{"AMap page BID", unicodeSample, func(t *testing.T, f *pstmut.File) int64 {
			f.SetPageBID(f.L.FirstAMap, 0x4600)
			return f.L.FirstAMap
		}, finding.AMapPage},
		{"block marked free", unicodeSample, func(t *testing.T, f *pstmut.File) int64 {
			_, b := ownDataBlock(t, f)
			f.SetAMapBit(int64(b.IB), false)
			return int64(b.IB)
		}, finding.AMapUnmarked},
		{"B-tree page marked free", ansiSample, func(t *testing.T, f *pstmut.File) int64 {
			root := f.Root(ndb.PageNBT).Off
			f.SetAMapBit(root+f.L.PageSize-f.L.AMapUnit, false) // the page's last unit
			return root
		}, finding.AMapUnmarked},
		{"free space the header miscounts", ansiSample, func(t *testing.T, f *pstmut.File) int64 {
			f.SetRoot(f.HF.AMapFree, f.H.AMapFree+64)
			return finding.NoOffset
		}, finding.AMapFree},
		{"PMap page", unicodeSample, func(t *testing.T, f *pstmut.File) int64 {
			f.FlipByte(f.L.FirstAMap + f.L.PageSize + 7)
			return f.L.FirstAMap + f.L.PageSize
		}, finding.PMapPage},
		{"DList page", unicodeSample, func(t *testing.T, f *pstmut.File) int64 {
			f.FlipByte(f.L.DListOffset + 20)
			return f.L.DListOffset
		}, finding.DListPage},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := sample(t, c.file)
			off := c.damage(t, f)
			res, fs := checkMaps(t, f)
			fs.mustHave(t, c.code, off)
			if c.code == finding.AMapPage && res.FreeBytes != -1 {
				t.Errorf("%d free bytes counted with an AMap unreadable", res.FreeBytes)
			}
		})
	}
}

// While the header says the maps are not valid (Outlook is rebuilding
// them), a block they mark free is not damage.
func TestCheckMapsNotValid(t *testing.T) {
	f := sample(t, unicodeSample)
	_, b := ownDataBlock(t, f)
	f.SetAMapBit(int64(b.IB), false)
	f.SetHeaderByte(f.HF.AMapValid, 0)
	_, fs := checkMaps(t, f)
	if len(fs.with(finding.AMapUnmarked)) > 0 {
		t.Errorf("maps not valid, yet:%s", fs)
	}
	fs.mustHave(t, finding.RootAMapInvalid, f.HF.Root)
}
