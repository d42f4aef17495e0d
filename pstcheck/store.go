package pstcheck

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/pstcheck/pstcheck/pstcheck/messaging"
)

// Store is a scanned file kept open, read-only, so that its readable items
// can be read (pstcheck export). Only structures the scan validated are
// read through it.
type Store struct {
	Report *Report
	// Items lists each folder's messages (by folder NID) with whether the
	// scan found them readable; Reader reads them.
	Items map[uint32][]messaging.ItemRef
	// Folders is the folder tree the scan walked: each folder's NID, its
	// parent's and its name, so that folders of the same path can be told
	// apart.
	Folders []messaging.Folder
	Reader  *messaging.Reader
	f       *os.File
}

// ErrNoStore: the file's header is unusable, so no item can be read.
var ErrNoStore = errors.New("no items can be read from this file")

// OpenStore scans path like ScanFile and keeps it open for reading items.
// The report is returned even when the store cannot be read (err != nil).
func OpenStore(ctx context.Context, path string, opts Options) (*Store, error) {
	start := time.Now()
	f, size, err := openInput(path)
	if err != nil {
		return &Store{Report: openFailure(path, err)}, err
	}
	opts.Name = path
	rep, res, m := scan(ctx, f, size, opts)
	rep.Stats.Duration = time.Since(start)
	s := &Store{Report: rep, f: f}
	if res == nil || m == nil {
		f.Close()
		s.f = nil
		return s, ErrNoStore
	}
	s.Items = m.Items
	s.Folders = m.Folders
	s.Reader = messaging.NewReader(res, m)
	return s, nil
}

// Close closes the file.
func (s *Store) Close() error {
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
