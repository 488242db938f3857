// Package output is everything azsync shows on stdout and stderr: progress,
// dry-run plans, the deletion prompt, the final summary and the fatal error,
// as text or as the reference's (azcopy's) line-delimited JSON.
//
// What each --output-level shows:
//
//	             text                                    json
//	default      everything                              everything
//	essential    Init, warnings, dry-run plan, summary,  Init, Dryrun, Prompt, EndOfJob, Error
//	             prompts, the error                      (no Progress, no Info: as the reference)
//	quiet        prompts, the error                      the same as essential
//
// The reference's JSON at quiet prints nothing at all; azsync keeps Init,
// EndOfJob and Error there because scripts parse them. A prompt is always
// shown because it waits for an answer (the command line refuses prompts and
// dry runs below the default level anyway).
package output

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/azsync/azsync/internal/location"
)

// Format is the --output-type.
type Format int

// The --output-type values.
const (
	Text Format = iota
	JSON
)

// ParseFormat parses an --output-type value ("text" or "json"), ignoring case.
func ParseFormat(s string) (Format, error) {
	return parseName[Format]("output type", s, "text", "json")
}

// Verbosity is the --output-level.
type Verbosity int

// The --output-level values.
const (
	Default Verbosity = iota
	Essential
	Quiet
)

// ParseVerbosity parses an --output-level value ("default", "essential" or
// "quiet"), ignoring case.
func ParseVerbosity(s string) (Verbosity, error) {
	return parseName[Verbosity]("output level", s, "default", "essential", "quiet")
}

// parseName returns the index of s among names as a T.
func parseName[T ~int](what, s string, names ...string) (T, error) {
	for i, name := range names {
		if strings.EqualFold(s, name) {
			return T(i), nil
		}
	}
	return 0, fmt.Errorf("invalid %s %q: valid values are %s", what, s, strings.Join(names, ", "))
}

// Options configure a Reporter. Zero fields take the defaults noted.
type Options struct {
	Format    Format
	Verbosity Verbosity
	Stdout    io.Writer // default os.Stdout
	Stderr    io.Writer // default os.Stderr
	Stdin     io.Reader // prompt answers; default os.Stdin
	// Terminal says Stdout is a terminal (see IsTerminal): text progress then
	// rewrites a single line instead of printing one line per tick.
	Terminal bool
	DryRun   bool
	// FromTo is the transfer direction (spelled as --from-to spells it, e.g.
	// LocalBlob); dry-run JSON and the prompt's wording use it.
	FromTo location.FromTo
	// Now stamps JSON messages; default time.Now (local time, as the reference).
	Now func() time.Time
	// ProgressInterval is StartProgress's period; default 2 s.
	ProgressInterval time.Duration
	// Shard, in a sharded run, is said in the JSON output (Init, EndOfJob and Error), so that
	// `azsync report` knows which shard wrote it.
	Shard *ShardID
}

// IsTerminal reports whether f is a character device, i.e. (almost always) a
// terminal. /dev/null is one too, which is harmless: nobody sees the "\r".
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
