//go:build !linux

package hashcache

import "errors"

var errNoXattr = errors.New("extended attributes are used on Linux only")

func xattrSupported(string) bool { return false }

func getXattr(string) ([]byte, error) { return nil, errNoXattr }

func setXattr(string, []byte) error { return errNoXattr }
