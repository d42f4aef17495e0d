//go:build unix

package export

import (
	"errors"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// writeInDir writes data to a new file name in the directory dir (opened
// through the export's os.Root, so it is inside DIR) and renames it to
// final, with bare *at system calls on the directory's descriptor: an
// *os.File per message would cost several more calls each (flags, the
// poller), which add up over tens of thousands of messages. O_NOFOLLOW and
// O_EXCL refuse a link or anything already at the temporary name.
func writeInDir(dir *os.File, name, final string, data []byte) error {
	dfd := int(dir.Fd())
	defer runtime.KeepAlive(dir)
	fd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return &os.PathError{Op: "openat", Path: name, Err: err}
	}
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			unix.Close(fd)
			unix.Unlinkat(dfd, name, 0)
			return &os.PathError{Op: "write", Path: name, Err: err}
		}
		data = data[n:]
	}
	if err := unix.Close(fd); err != nil {
		unix.Unlinkat(dfd, name, 0)
		return &os.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}

// renameInDir renames name to final within dir.
func renameInDir(dir *os.File, name, final string) error {
	dfd := int(dir.Fd())
	defer runtime.KeepAlive(dir)
	if err := unix.Renameat(dfd, name, dfd, final); err != nil {
		unix.Unlinkat(dfd, name, 0)
		return &os.LinkError{Op: "renameat", Old: name, New: final, Err: err}
	}
	return nil
}

const fastWrites = true
