package posix

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Supported reports whether this system has POSIX properties to keep and restore.
func Supported() bool { return true }

// Of reads the properties of a local file from its stat.
func Of(info fs.FileInfo) (Props, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return Props{}, false
	}
	return Props{Mode: st.Mode, UID: st.Uid, GID: st.Gid, Mtime: info.ModTime(),
		Atime: time.Unix(st.Atim.Unix()), Ctime: time.Unix(st.Ctim.Unix())}, true
}

// Apply gives the file at path the properties in md, and mtime (the entry's effective time, which
// the comparison uses: in the amlfs style modtime keeps only seconds). Owner and group are set as
// rsync sets them: root sets both; anyone else keeps the owner and sets the group only where the
// system lets them (a group they are in). notSet says what was kept back that way.
func Apply(path string, md map[string]string, mtime time.Time) (notSet string, err error) {
	r, err := Parse(md)
	if err != nil {
		return "", err
	}
	// Owner first: changing it clears setuid and setgid, which the mode then sets again.
	if notSet, err = chown(path, r); err != nil {
		return "", err
	}
	if r.HasMode {
		if err := syscall.Chmod(path, r.Mode); err != nil {
			return "", &fs.PathError{Op: "chmod", Path: path, Err: err}
		}
	}
	atime := mtime
	if r.HasAtime {
		atime = r.Atime
	}
	return notSet, os.Chtimes(path, atime, mtime)
}

func chown(path string, r Restore) (notSet string, err error) {
	uid, gid := -1, -1
	if r.HasGID {
		gid = int(r.GID)
	}
	if r.HasUID && os.Geteuid() == 0 {
		uid = int(r.UID)
	} else if r.HasUID && int(r.UID) != os.Geteuid() {
		notSet = "owner"
	}
	if uid == -1 && gid == -1 {
		return notSet, nil
	}
	err = os.Lchown(path, uid, gid)
	if errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		return "owner and group", nil
	}
	if err != nil {
		return "", fmt.Errorf("setting owner and group: %w", err)
	}
	return notSet, nil
}
