package transfer

import (
	"fmt"
	"strings"
)

// CheckMD5 is the --check-md5 mode: how a download treats the source's Content-MD5 against the
// MD5 of the bytes that arrived.
type CheckMD5 int

const (
	FailIfDifferent CheckMD5 = iota
	NoCheck
	LogOnly
	FailIfDifferentOrMissing
)

// ParseCheckMD5 reads a --check-md5 value (case-insensitive).
func ParseCheckMD5(s string) (CheckMD5, error) {
	for mode, name := range checkNames {
		if strings.EqualFold(s, name) {
			return CheckMD5(mode), nil
		}
	}
	return 0, fmt.Errorf("invalid --check-md5 %q: valid values are NoCheck, LogOnly, FailIfDifferent, FailIfDifferentOrMissing", s)
}

var checkNames = [...]string{FailIfDifferent: "FailIfDifferent", NoCheck: "NoCheck", LogOnly: "LogOnly", FailIfDifferentOrMissing: "FailIfDifferentOrMissing"}

func (c CheckMD5) String() string { return checkNames[c] }
