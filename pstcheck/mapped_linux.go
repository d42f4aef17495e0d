package pstcheck

import (
	"errors"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"syscall"
)

// mappedFile reads a file through a read-only shared mapping of it: a
// read is a copy from the page cache, with no system call. The layers
// above make a read per block (several per message, 9,000 for a 29 MB
// store); through pread each costs a system call, which measured as much
// as the copy of 8 to 16 KiB it does.
//
// The mapping is only read (PROT_READ: the file cannot be changed
// through it) and takes no lock; on Linux it is opened without updating
// the access time as the file is (mapping honours O_NOATIME).
//
// Two things a read of memory does that pread does not are handled:
//   - A page the disk cannot read, or that another program cut off the
//     file since it was mapped, faults (SIGBUS) instead of failing the
//     call: ReadAt turns the fault into an error for that read alone, as
//     a bad sector is with pread.
//   - Pages read through a mapping count in the process's resident memory
//     (the page cache's own, shared and reclaimable, but a user watching
//     memory sees them), and more of them than are read: the system maps
//     the pages around each one read, up to whole large folios. Letting
//     go of them every so many bytes read did not bound them (a scan of a
//     515 MB store reading 512 bytes per 250 KB had all of it resident
//     within 10 ms), so only files up to mapLimit are mapped: what the
//     mapping holds is then at most that, by construction. Larger files
//     are read with pread, through the read windows of the layers above.
type mappedFile struct {
	data []byte
	// stop ends touchPages early; touched is closed when it has ended.
	stop    atomic.Bool
	touched chan struct{}
	// touchSum keeps the bytes touchPages reads from being optimised away.
	touchSum byte
}

// mapLimit is the largest file mapped, and so the most a mapping holds
// resident. A store this small gains most: its check and copy make
// thousands of small reads for little data.
const mapLimit = 64 << 20

// mapInput maps f, size bytes, for reading, and returns the mapping and
// what unmaps it; nil when it does not (an empty file, one larger than
// mapLimit, a file system that does not map): f is then read with pread.
func mapInput(f *os.File, size int64) (io.ReaderAt, func() error) {
	if size <= 0 || size > mapLimit {
		return nil, nil
	}
	// MAP_POPULATE maps every page at once, as the block pass reads them
	// all anyway: one pass through the page cache instead of a fault per
	// few pages (1,300 for enron.pst). A page that cannot be read is left
	// unmapped, not an error, and faults when read as before.
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		return nil, nil
	}
	m := &mappedFile{data: data, touched: make(chan struct{})}
	go m.touchPages()
	return m, m.unmap
}

// touchPages reads a byte of every page of the mapping, in file order, on
// a goroutine of its own, until stop or a page that faults. On the
// development VM the first read of each page of a mapping costs about
// 2.5 us even after MAP_POPULATE (measured; the virtual machine's own
// mapping of the page, it appears). The B-tree walk that comes first in a
// scan runs on one processor, so another touches the pages meanwhile, and
// the block pass, which reads every page, finds them ready: a scan of
// enron.pst went from 58.5 to 51.5 ms. The pages are read by the block
// pass anyway, so nothing is read that would not be.
func (m *mappedFile) touchPages() {
	defer close(m.touched)
	page := os.Getpagesize()
	guarded(func() {
		var sum byte
		for off := 0; off < len(m.data) && !m.stop.Load(); off += page {
			sum += m.data[off]
		}
		m.touchSum = sum
	})
}

// errPageFault is a read whose page faulted: the disk could not read it,
// or the file is no longer that long.
var errPageFault = errors.New("page of the mapped file could not be read")

// ReadAt copies the bytes at off into p, as os.File.ReadAt reads them.
func (m *mappedFile) ReadAt(p []byte, off int64) (n int, err error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= int64(len(m.data)) {
		return 0, io.EOF
	}
	n, err = m.copyAt(p, off)
	if err == nil && n < len(p) {
		err = io.EOF
	}
	return n, err
}

// copyAt copies what the mapping holds at off into p. When a page
// faults, it copies the bytes before that page and returns errPageFault,
// as pread returns the bytes before a bad sector: a caller reading many
// blocks at once (the block pass reads a chunk of them) then loses only
// those the page holds.
func (m *mappedFile) copyAt(p []byte, off int64) (int, error) {
	src := m.data[off:]
	if n, ok := copyGuarded(p, src); ok {
		return n, nil
	}
	page := os.Getpagesize()
	n := 0
	for n < len(p) && n < len(src) {
		end := min(len(p), len(src), n+page-int((off+int64(n))%int64(page)))
		if _, ok := copyGuarded(p[n:end], src[n:end]); !ok {
			return n, errPageFault
		}
		n = end
	}
	return n, nil // the fault did not happen again
}

// copyGuarded copies src into dst; false when a page of src faulted.
func copyGuarded(dst, src []byte) (n int, ok bool) {
	ok = guarded(func() { n = copy(dst, src) })
	return n, ok
}

// InPlace calls use with the n bytes at off where they lie in the
// mapping, without copying them: false when the file holds fewer, or
// when a page of them faulted while use ran. What use did before the
// fault is then partial, and the caller reads the bytes again with
// ReadAt, which reports the fault as a read error. use must not keep the
// slice: the mapping goes when the store is closed.
func (m *mappedFile) InPlace(off int64, n int, use func([]byte)) bool {
	if off < 0 || n < 0 || off > int64(len(m.data)) || int64(n) > int64(len(m.data))-off {
		return false
	}
	end := off + int64(n)
	return guarded(func() { use(m.data[off:end:end]) })
}

// guarded runs f with a fault on a page of the mapping turned into a
// panic that it recovers: false when one happened. Any other panic goes
// on.
func guarded(f func()) (ok bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if e, isErr := r.(runtime.Error); isErr && isFault(e) {
				ok = false
				return
			}
			panic(r)
		}
	}()
	f()
	return true
}

// isFault tells a memory fault (which SetPanicOnFault turns into a panic
// with the faulting address) from any other run-time error.
func isFault(e runtime.Error) bool {
	_, ok := e.(interface{ Addr() uintptr })
	return ok
}

// ReadsFromMemory tells the layers above that a read costs a copy and no
// system call, so they need not gather small reads into larger ones.
func (m *mappedFile) ReadsFromMemory() {}

// unmap lets go of the mapping; no read may follow.
func (m *mappedFile) unmap() error {
	m.stop.Store(true)
	<-m.touched
	data := m.data
	m.data = nil
	return syscall.Munmap(data)
}
