//go:build !linux

package posix

import (
	"errors"
	"io/fs"
	"time"
)

// Supported reports whether this system has POSIX properties to keep and restore.
func Supported() bool { return false }

// Of reads the properties of a local file from its stat; not on this system.
func Of(fs.FileInfo) (Props, bool) { return Props{}, false }

// Apply gives a file the properties in metadata; not on this system.
func Apply(string, map[string]string, time.Time) (string, error) {
	return "", errors.New("POSIX properties are kept and restored on Linux only")
}
