//go:build unix

package export

import (
	"errors"
	"io"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// createInDir creates the new file name in the directory dir (opened
// through the export's os.Root, so it is inside DIR) with a bare *at
// system call on the directory's descriptor, and returns it for writing
// with bare system calls: an *os.File per message would cost several more
// calls each (flags, the poller), which add up over hundreds of thousands
// of messages. O_NOFOLLOW and O_EXCL refuse a link or anything already at
// the name.
func createInDir(dir *os.File, name string) (io.WriteCloser, error) {
	dfd := int(dir.Fd())
	defer runtime.KeepAlive(dir)
	fd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, &os.PathError{Op: "openat", Path: name, Err: err}
	}
	return fdFile{fd, name}, nil
}

// fdFile is a file open for writing by its bare descriptor.
type fdFile struct {
	fd   int
	name string
}

func (f fdFile) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := unix.Write(f.fd, p[n:])
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return n, &os.PathError{Op: "write", Path: f.name, Err: err}
		}
		n += k
	}
	return n, nil
}

func (f fdFile) Close() error {
	if err := unix.Close(f.fd); err != nil {
		return &os.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// renameInDirs renames name in from to final in to, both folders of the
// export opened as directories.
func renameInDirs(from *os.File, name string, to *os.File, final string) error {
	defer runtime.KeepAlive(from)
	defer runtime.KeepAlive(to)
	if err := unix.Renameat(int(from.Fd()), name, int(to.Fd()), final); err != nil {
		return &os.LinkError{Op: "renameat", Old: name, New: final, Err: err}
	}
	return nil
}

// removeInDir removes name from dir.
func removeInDir(dir *os.File, name string) error {
	defer runtime.KeepAlive(dir)
	return unix.Unlinkat(int(dir.Fd()), name, 0)
}

const fastWrites = true
