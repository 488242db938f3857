package hashcache

import (
	"errors"

	"golang.org/x/sys/unix"
)

// attr is the reference's attribute name in the namespace Linux lets a user write.
const attr = "user.azcopysyncmeta"

// xattrSupported probes dir without writing: a file system with user attributes answers "no such
// attribute" (or hands one back), one without answers "not supported".
func xattrSupported(dir string) bool {
	_, err := unix.Getxattr(dir, attr, nil)
	return err == nil || errors.Is(err, unix.ENODATA) || errors.Is(err, unix.ERANGE)
}

func getXattr(path string) ([]byte, error) {
	buf := make([]byte, 256)
	for {
		n, err := unix.Getxattr(path, attr, buf)
		if errors.Is(err, unix.ERANGE) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

func setXattr(path string, raw []byte) error { return unix.Setxattr(path, attr, raw, 0) }
