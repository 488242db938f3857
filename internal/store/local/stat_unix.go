//go:build linux || darwin || freebsd || netbsd || openbsd

package local

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// lstatAt describes the entry d of the open folder dir as os.Lstat of its path would: one fstatat
// on the folder's descriptor, without joining the path for the kernel to walk again or building a
// FileInfo. A no-change sync does this for every local file.
func lstatAt(dir *os.File, d fs.DirEntry) (isDir bool, size int64, mtime time.Time, err error) {
	base := d.Name()
	var st unix.Stat_t
	for {
		err = unix.Fstatat(int(dir.Fd()), base, &st, unix.AT_SYMLINK_NOFOLLOW)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		return false, 0, time.Time{}, &fs.PathError{Op: "lstat", Path: filepath.Join(dir.Name(), base), Err: err}
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR, st.Size, time.Unix(st.Mtim.Unix()), nil
}
