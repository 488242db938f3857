// Package compare holds the pure rules that decide whether a source entry is copied over its
// destination counterpart (SPEC §3). It does no I/O: callers supply what they listed.
package compare

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Mode selects the comparison rule.
type Mode int

const (
	// ByTime copies when the source is strictly newer than the destination (the reference's default).
	ByTime Mode = iota
	// Mirror copies every entry present on both sides (--mirror-mode).
	Mirror
	// ByMD5 copies when the MD5s differ (--compare-hash=MD5).
	ByMD5
)

// ParseHash reads the --compare-hash value: "" or "None" keep the time rule, "MD5" selects ByMD5.
func ParseHash(s string) (Mode, error) {
	switch strings.ToLower(s) {
	case "", "none":
		return ByTime, nil
	case "md5":
		return ByMD5, nil
	}
	return ByTime, fmt.Errorf("invalid --compare-hash %q: valid values are None and MD5", s)
}

// Side is what the rule needs to know about one side of a pair.
type Side struct {
	ModTime time.Time
	MD5     []byte // nil when unknown
}

// Decision is the verdict on a pair present on both sides.
type Decision struct {
	Copy   bool
	Reason string // why, for logs and dry runs
}

// Decide applies mode to a pair present on both sides.
func Decide(mode Mode, src, dst Side) Decision {
	switch mode {
	case Mirror:
		return Decision{true, "mirror mode overwrites every entry"}
	case ByMD5:
		switch {
		case src.MD5 == nil:
			// Without a source hash there is nothing to compare; the time rule still protects newer copies.
		case dst.MD5 == nil:
			return Decision{true, "destination has no MD5"}
		case bytes.Equal(src.MD5, dst.MD5):
			return Decision{false, "same MD5"}
		default:
			return Decision{true, "MD5 differs"}
		}
	}
	switch {
	case src.ModTime.After(dst.ModTime):
		return Decision{true, "source is newer"}
	case src.ModTime.Equal(dst.ModTime):
		return Decision{false, "same modification time"}
	default:
		return Decision{false, "destination is newer"}
	}
}
