package local

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"syscall"

	"github.com/azsync/azsync/internal/store"
)

var _ store.SkipCounter = (*Store)(nil)

// followLink lists the symbolic link name (in dir) as its target: a file under the link's name with
// the target's size and time, or a folder that is walked. A dangling link, one in a loop of links,
// and a folder link leading back to a folder above it (which would be walked forever) are listed
// with a Problem: that entry fails, the rest of the listing goes on.
func (s *Store) followLink(dir, name string) (store.Entry, bool, error) {
	p := s.path(name)
	info, err := os.Stat(p)
	switch {
	case errors.Is(err, syscall.ELOOP):
		return problem(name, fmt.Errorf("the symbolic link %s is part of a loop of links", p))
	case errors.Is(err, os.ErrNotExist):
		target, _ := os.Readlink(p)
		return problem(name, fmt.Errorf("the symbolic link %s points to %s, which does not exist", p, target))
	case err != nil:
		return store.Entry{}, false, fmt.Errorf("following %s: %w", p, err)
	case !info.IsDir() && !info.Mode().IsRegular():
		s.skippedSpecial.Add(1)
		return store.Entry{}, false, nil
	case info.IsDir():
		if above, err := s.ancestorAt(dir, p); err != nil || above != "" {
			if err == nil {
				err = fmt.Errorf("the symbolic link %s leads back to %s, above it: following it would never end", p, above)
			}
			return problem(name, err)
		}
	}
	return s.entryOf(name, info), true, nil
}

func problem(name string, err error) (store.Entry, bool, error) {
	return store.Entry{Name: name, Problem: err}, true, nil
}

// ancestorAt returns the folder among dir and the folders above it (up to the root, as the walk
// reached them, through links too) that is the folder the link p resolves to, or "" if none is.
func (s *Store) ancestorAt(dir, p string) (string, error) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("following %s: %w", p, err)
	}
	for {
		real, err := filepath.EvalSymlinks(s.path(dir))
		if err != nil {
			return "", fmt.Errorf("following %s: %w", s.path(dir), err)
		}
		if real == target {
			return s.path(dir), nil
		}
		if dir == "" {
			return "", nil
		}
		if dir = path.Dir(dir); dir == "." {
			dir = ""
		}
	}
}
