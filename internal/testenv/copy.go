package testenv

import (
	"io"
	"os"
)

// CopyExecutable copies the program at from (a test binary, os.Args[0]) to to, executable by
// everyone: tests that run it as another user copy it out of the build's owner-only folder.
func CopyExecutable(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
