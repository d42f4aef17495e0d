package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pstcheck/pstcheck/pstcheck"
)

// The field names the output contract (the README's JSON contract)
// promises, in order.
var (
	contractTop     = []string{"version", "files", "summary"}
	contractSummary = []string{"files", "healthy", "damaged", "unreadable", "errors"}
	contractFile    = []string{"path", "size", "format", "content", "verdict", "action", "cause", "next_step",
		"advice", "errors", "warnings", "infos", "problems", "capped", "folders", "stats", "items", "recovered_folders", "index_rebuild", "scale"}
	contractProblem = []string{"code", "severity", "layer", "offset", "bid", "nid", "folder", "folder_nid", "detail"}
	contractFolder  = []string{"nid", "path", "items", "readable", "damaged", "lost", "recovered", "expected", "size", "structure_damaged"}
	contractScale   = []string{"size_limit", "size_warn", "legacy_size_limit", "reclaimable", "folders", "guidance",
		"largest_by_items", "largest_by_size"}
	contractStats = []string{"version", "crypt", "pages", "blocks", "nodes", "bytes_verified", "free_bytes",
		"duration_ms", "block_pass_ms"}
)

func keys(m map[string]any) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

// requireKeys checks that m has exactly the contract's keys.
func requireKeys(t *testing.T, what string, m map[string]any, want []string) {
	t.Helper()
	if got := keys(m); !slices.Equal(got, sorted(want)) {
		t.Errorf("%s keys = %v, want %v", what, got, sorted(want))
	}
}

// fieldOrder returns the order in which an object's keys appear in the raw
// JSON of the object.
func fieldOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return order
}

func TestJSONContract(t *testing.T) {
	out := render(t, "json", testRun())
	if !bytes.HasSuffix(out, []byte("}\n")) || !bytes.HasPrefix(out, []byte("{\n  \"version\"")) {
		t.Errorf("not one 2-space indented object:\n%.80s", out)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	requireKeys(t, "top level", doc, contractTop)
	if got := fieldOrder(t, out); !slices.Equal(got, contractTop) {
		t.Errorf("top-level order %v, want %v", got, contractTop)
	}
	if doc["version"] != "1.2.3-test" {
		t.Errorf("version = %v", doc["version"])
	}
	summary := doc["summary"].(map[string]any)
	requireKeys(t, "summary", summary, contractSummary)
	wantSummary := map[string]any{"files": 4.0, "healthy": 1.0, "damaged": 1.0, "unreadable": 1.0, "errors": 1.0}
	if !reflect.DeepEqual(summary, wantSummary) {
		t.Errorf("summary = %v, want %v", summary, wantSummary)
	}

	var files []map[string]any
	for _, f := range doc["files"].([]any) {
		files = append(files, f.(map[string]any))
	}
	if len(files) != 4 {
		t.Fatalf("%d files, want 4", len(files))
	}
	var raw struct{ Files []json.RawMessage }
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		requireKeys(t, "file", f, contractFile)
		if got := fieldOrder(t, raw.Files[i]); !slices.Equal(got, contractFile) {
			t.Errorf("file field order %v, want %v", got, contractFile)
		}
		requireKeys(t, "stats", f["stats"].(map[string]any), contractStats)
		for _, arr := range []string{"advice", "problems", "folders"} {
			if _, ok := f[arr].([]any); !ok {
				t.Errorf("%s: %s = %#v, want an array", f["path"], arr, f[arr])
			}
		}
		if _, ok := f["capped"].(map[string]any); !ok {
			t.Errorf("%s: capped = %#v, want an object", f["path"], f["capped"])
		}
		for _, p := range f["problems"].([]any) {
			requireKeys(t, "problem", p.(map[string]any), contractProblem)
		}
		for _, d := range f["folders"].([]any) {
			requireKeys(t, "folder", d.(map[string]any), contractFolder)
		}
		if sc, ok := f["scale"].(map[string]any); ok {
			requireKeys(t, "scale", sc, contractScale)
		} else if f["format"] != nil {
			t.Errorf("%s: scale = %#v, want an object for a known format", f["path"], f["scale"])
		}
	}

	healthy, damaged, unreadable, failed := files[0], files[1], files[2], files[3]

	// Known values are typed JSON values.
	if healthy["format"] != "ansi" || healthy["content"] != "pst" || healthy["size"] != 271360.0 {
		t.Errorf("healthy format/content/size = %v/%v/%v", healthy["format"], healthy["content"], healthy["size"])
	}
	if got := healthy["stats"].(map[string]any); got["version"] != 14.0 || got["crypt"] != "none" ||
		got["free_bytes"] != 12800.0 || got["duration_ms"] != 42.0 || got["block_pass_ms"] != 17.0 {
		t.Errorf("healthy stats = %v", got)
	}
	if damaged["errors"] != 5.0+12 || damaged["warnings"] != 1.0 || damaged["infos"] != 2.0+40 {
		t.Errorf("damaged counts = %v/%v/%v", damaged["errors"], damaged["warnings"], damaged["infos"])
	}
	if got := damaged["capped"]; !reflect.DeepEqual(got, map[string]any{"BLOCK-CRC": 12.0, "BLOCK-UNUSED": 40.0}) {
		t.Errorf("damaged capped = %v", got)
	}
	if got := damaged["stats"].(map[string]any)["block_pass_ms"]; got != 1203.5 {
		t.Errorf("block_pass_ms = %v, want 1203.5", got)
	}
	problems := damaged["problems"].([]any)
	if len(problems) != len(damagedReport().Findings) {
		t.Fatalf("%d problems, want %d", len(problems), len(damagedReport().Findings))
	}
	first := problems[0].(map[string]any)
	wantFirst := map[string]any{"code": "BLOCK-CRC", "severity": "error", "layer": "block", "offset": float64(0x1A2B40),
		"bid": float64(0x4C8), "nid": nil, "folder": nil, "folder_nid": nil,
		"detail": "stored CRC 0x1F2E3D4C, computed 0x00000000 over 8,176 bytes"}
	if !reflect.DeepEqual(first, wantFirst) {
		t.Errorf("first problem = %v\nwant %v", first, wantFirst)
	}
	node := problems[4].(map[string]any)
	if node["offset"] != nil || node["nid"] != float64(0x200024) || node["folder"] != "Top of Personal Folders/Inbox" ||
		node["folder_nid"] != float64(0x8022) {
		t.Errorf("node problem = %v", node)
	}
	if noFolder := problems[5].(map[string]any); noFolder["folder"] != nil || noFolder["folder_nid"] != float64(0x8042) {
		t.Errorf("problem with folder NID only = %v", noFolder)
	}
	// JSON carries the file's strings as they are (escaped, not cleaned).
	if got := problems[6].(map[string]any)["folder"]; got != "Top of Personal Folders/Junk\x1b[31mE-mail\u202e" {
		t.Errorf("folder name = %q", got)
	}

	// Unknown values are null.
	for _, k := range []string{"format", "content"} {
		if v, ok := unreadable[k]; !ok || v != nil {
			t.Errorf("unreadable %s = %v, want null", k, v)
		}
	}
	for _, k := range []string{"version", "crypt", "free_bytes"} {
		if v := unreadable["stats"].(map[string]any)[k]; v != nil {
			t.Errorf("unreadable stats.%s = %v, want null", k, v)
		}
	}
	magic := unreadable["problems"].([]any)[0].(map[string]any)
	if magic["offset"] != 0.0 {
		t.Errorf("offset 0 is a known offset, got %v", magic["offset"])
	}
	for _, k := range []string{"bid", "nid", "folder", "folder_nid"} {
		if magic[k] != nil {
			t.Errorf("HDR-MAGIC %s = %v, want null", k, magic[k])
		}
	}
	if failed["verdict"] != "error" || failed["path"] != "/tmp/locked & <odd>.ost" {
		t.Errorf("error file verdict/path = %v/%v", failed["verdict"], failed["path"])
	}
	if !strings.Contains(string(out), `"/tmp/locked & <odd>.ost"`) {
		t.Error("JSON escapes HTML characters in paths")
	}

	// Strict round trip through the writer's own types.
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var back jsonRun
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Files[1].Problems[0].BID == nil || *back.Files[1].Problems[0].BID != 0x4C8 {
		t.Errorf("round trip lost the BID")
	}
}

func TestJSONEmptyRun(t *testing.T) {
	out := render(t, "json", Run{Version: "v"})
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if files, ok := doc["files"].([]any); !ok || len(files) != 0 {
		t.Errorf("files = %#v, want []", doc["files"])
	}
}

func TestJSONNegativeSize(t *testing.T) {
	r := errorReport()
	r.Size = -1
	f := newJSONFile(r)
	if f.Size != nil {
		t.Errorf("size -1 = %v, want null", *f.Size)
	}
}

// items is null only where nothing was counted: a store whose folders
// cannot be walked (its root folder lost with the node index) still has
// the items found by their blocks, outside any folder, counted.
func TestJSONItemsOutsideFolders(t *testing.T) {
	if f := newJSONFile(errorReport()); f.Items != nil {
		t.Errorf("a file not read: items %+v, want null", *f.Items)
	}
	r := errorReport()
	r.Verdict, r.Failure = pstcheck.Damaged, nil
	r.Items = pstcheck.ItemCounts{Total: 400, Recovered: 17, Lost: 383}
	f := newJSONFile(r)
	if f.Items == nil || *f.Items != r.Items {
		t.Errorf("items outside any folder: %v, want %+v", f.Items, r.Items)
	}
}

// Every folder is listed, healthy or not, in the engine's order (the text
// report sorts by damage; JSON does not); a file without folders has [].
func TestJSONFolders(t *testing.T) {
	var doc struct {
		Files []struct {
			Folders []jsonFolder `json:"folders"`
		} `json:"files"`
	}
	run := folderRun()
	if err := json.Unmarshal(render(t, "json", run), &doc); err != nil {
		t.Fatal(err)
	}
	for i, r := range run.Reports {
		got := doc.Files[i].Folders
		if got == nil {
			t.Errorf("%s: folders is null, want an array", r.Path)
		}
		if len(got) != len(r.Folders) {
			t.Errorf("%s: %d folders, want %d", r.Path, len(got), len(r.Folders))
			continue
		}
		for j, f := range r.Folders {
			want := jsonFolder{NID: f.NID, Path: f.Path, Items: f.Items, Readable: f.Readable, Damaged: f.Damaged}
			if got[j].Expected == nil || *got[j].Expected != f.Expected {
				t.Errorf("%s: folder %d expects %v, want %d", r.Path, j, got[j].Expected, f.Expected)
			}
			got[j].Expected = nil
			if got[j] != want {
				t.Errorf("%s: folder %d = %+v, want %+v", r.Path, j, got[j], want)
			}
		}
	}
	if out := render(t, "json", Run{Reports: []*pstcheck.Report{errorReport()}}); !bytes.Contains(out, []byte(`"folders": [],`)) {
		t.Errorf("a file without folders does not have \"folders\": []:\n%s", out)
	}
}

// A path whose bytes are not UTF-8 (a Linux name in Latin-1) reaches JSON
// as U+FFFD in their place; path_bytes carries the bytes themselves, so
// that a program can open the file. A UTF-8 path has none.
func TestJSONPathNotUTF8(t *testing.T) {
	latin1, utf8 := healthyReport(), healthyReport()
	latin1.Path, utf8.Path = "/mail/M\xfcller.pst", "/mail/Müller.pst"
	out := render(t, "json", Run{Version: "1", Reports: []*pstcheck.Report{latin1, utf8}})
	var doc struct {
		Files []struct {
			Path      string  `json:"path"`
			PathBytes *[]byte `json:"path_bytes"`
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Files) != 2 {
		t.Fatalf("%d files, want 2", len(doc.Files))
	}
	if b := doc.Files[0].PathBytes; b == nil || string(*b) != latin1.Path {
		t.Errorf("path_bytes %v, want the bytes of %q", b, latin1.Path)
	}
	if f := doc.Files[1]; f.PathBytes != nil || f.Path != utf8.Path {
		t.Errorf("UTF-8 path: %q with path_bytes %v", f.Path, f.PathBytes)
	}
}
