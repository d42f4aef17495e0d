package pstcheck

import (
	"os"

	"golang.org/x/sys/unix"
)

// onNetwork says whether f lies on a network file system (SMB, NFS and
// their kin), as the kernel names the file system that holds it. 9P is
// not taken for one: WSL reaches the Windows drives through it.
func onNetwork(_ string, f *os.File) bool {
	var st unix.Statfs_t
	if unix.Fstatfs(int(f.Fd()), &st) != nil {
		return false
	}
	switch uint32(st.Type) {
	case unix.SMB2_SUPER_MAGIC, unix.CIFS_SUPER_MAGIC, unix.SMB_SUPER_MAGIC, unix.NFS_SUPER_MAGIC,
		unix.AFS_SUPER_MAGIC, unix.CEPH_SUPER_MAGIC, unix.CODA_SUPER_MAGIC:
		return true
	}
	return false
}

// plainPath is abs: only Windows has other spellings of a path.
func plainPath(abs string) string { return abs }
