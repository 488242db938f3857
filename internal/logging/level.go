// Package logging writes azsync's per-run log file and hides secrets (SAS
// signatures, tokens, keys) in any text before it is written anywhere.
package logging

import (
	"fmt"
	"strings"
)

// Level is a log verbosity. Levels are ordered: a logger at level L writes
// messages at L and every lower (more severe) level.
type Level int

// The levels accepted by --log-level, from quietest to most verbose.
const (
	None Level = iota
	Error
	Warning
	Info
	Debug
)

var levelNames = [...]string{
	None:    "NONE",
	Error:   "ERROR",
	Warning: "WARNING",
	Info:    "INFO",
	Debug:   "DEBUG",
}

// String returns the level's name as --log-level spells it, e.g. "WARNING".
func (l Level) String() string {
	if l < None || l > Debug {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel parses a --log-level value, ignoring case.
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if strings.EqualFold(s, name) {
			return Level(l), nil
		}
	}
	return None, fmt.Errorf("invalid log level %q: valid values are DEBUG, INFO, WARNING, ERROR, NONE", s)
}
