// Package finding defines the typed, coded problems every pass of the
// integrity engine reports, and the catalog that gives each code its
// severity, layer and description. It sits at the bottom of the engine so
// that every layer (ndb, ltp, messaging) can report without importing the
// layers above it.
package finding

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Severity says how much a finding matters to the verdict.
type Severity string

const (
	// SeverityError: the file is damaged; data or structure is lost or unsafe.
	SeverityError Severity = "error"
	// SeverityWarning: not damage, but something a user should act on or know.
	SeverityWarning Severity = "warning"
	// SeverityInfo: a fact about the file worth reporting, never a problem.
	SeverityInfo Severity = "info"
)

// Layer names the part of the format a finding belongs to, in pass order.
type Layer string

const (
	LayerFile    Layer = "file"      // I/O on the file itself
	LayerHeader  Layer = "header"    // HEADER and ROOT
	LayerBTree   Layer = "btree"     // NBT and BBT pages
	LayerBlock   Layer = "block"     // blocks listed in the BBT
	LayerNode    Layer = "node"      // data trees, subnode trees, NBT entries
	LayerMap     Layer = "map"       // AMap, PMap, FMap, FPMap, DList
	LayerStore   Layer = "store"     // store-wide facts: size and shape against Outlook's limits
	LayerHeap    Layer = "heap"      // heap-on-node, BTH (LTP)
	LayerTable   Layer = "table"     // property and table contexts (LTP)
	LayerMessage Layer = "messaging" // folders, messages, attachments
)

// Code identifies one kind of problem. Codes are stable: scripts match on them.
type Code string

// Unknown values of the localisation fields.
const (
	NoOffset int64 = -1
)

// Finding is one problem found in one place of one file.
type Finding struct {
	Code Code
	// Offset is the absolute file offset of the damaged structure, or NoOffset.
	Offset int64
	// BID of the page or block concerned, 0 when none applies.
	BID uint64
	// NID of the node concerned, 0 when none applies.
	NID uint32
	// FolderNID is the NID of the folder the node belongs to, 0 when unknown.
	FolderNID uint32
	// Folder is the folder's display path, "" when unknown.
	Folder string
	// Detail says in plain words what was found, with the values involved.
	Detail string
}

// Severity of the finding's code.
func (f Finding) Severity() Severity { return Lookup(f.Code).Severity }

// Layer of the finding's code.
func (f Finding) Layer() Layer { return Lookup(f.Code).Layer }

func (f Finding) String() string {
	s := fmt.Sprintf("%s %s", f.Severity(), f.Code)
	if f.Offset != NoOffset {
		s += fmt.Sprintf(" offset=0x%X", f.Offset)
	}
	if f.BID != 0 {
		s += fmt.Sprintf(" bid=0x%X", f.BID)
	}
	if f.NID != 0 {
		s += fmt.Sprintf(" nid=0x%X", f.NID)
	}
	if f.FolderNID != 0 {
		s += fmt.Sprintf(" folder=0x%X", f.FolderNID)
	}
	return s + ": " + f.Detail
}

// Sink receives findings as passes produce them.
type Sink interface {
	Report(Finding)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Finding)

// Report calls f.
func (f SinkFunc) Report(x Finding) { f(x) }

// ErrorText is err's words for a finding's detail, the path of the file
// it names (an *fs.PathError's) between double quotes: the report groups
// the digits of numbers in a detail but not in what is quoted, and a
// number in a folder's name is no count.
func ErrorText(err error) string {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	quoted := pe.Op + ` "` + escapeQuoted(pe.Path) + `": ` + pe.Err.Error()
	return strings.Replace(err.Error(), pe.Error(), quoted, 1)
}

// escapeQuoted makes p safe between double quotes as Windows' command
// lines are: a double quote, and the backslashes right before one or
// before the closing quote, each escaped by a backslash (D:\ becomes
// D:\\); any other backslash, as in C:\Users, stays as it is.
func escapeQuoted(p string) string {
	var b strings.Builder
	run := 0 // backslashes just written
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			run++
		case '"':
			b.WriteString(strings.Repeat(`\`, run+1))
			run = 0
		default:
			run = 0
		}
		b.WriteByte(p[i])
	}
	b.WriteString(strings.Repeat(`\`, run))
	return b.String()
}
