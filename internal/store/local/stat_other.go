//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package local

import (
	"os"
	"path/filepath"
	"time"
)

// lstatAt describes the entry base of the open folder dir as os.Lstat of its path does.
func lstatAt(dir *os.File, base string) (isDir bool, size int64, mtime time.Time, err error) {
	info, err := os.Lstat(filepath.Join(dir.Name(), base))
	if err != nil {
		return false, 0, time.Time{}, err
	}
	return info.IsDir(), info.Size(), info.ModTime(), nil
}
