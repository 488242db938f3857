//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package local

import (
	"io/fs"
	"os"
	"time"
)

// lstatAt describes the entry d of the open folder dir as os.Lstat of its path does. Here the
// directory's own entry already holds it (Windows reads the attributes with the names): no second
// system call per file.
func lstatAt(_ *os.File, d fs.DirEntry) (isDir bool, size int64, mtime time.Time, err error) {
	info, err := d.Info()
	if err != nil {
		return false, 0, time.Time{}, err
	}
	return info.IsDir(), info.Size(), info.ModTime(), nil
}
