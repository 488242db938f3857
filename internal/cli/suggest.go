package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError turns pflag's "unknown flag: --recursiv" into a usage error that names the nearest flag
// the command has, the way cobra suggests commands (within SuggestionsMinimumDistance edits, or a
// flag the typed name is a prefix of).
func flagError(cmd *cobra.Command, err error) error {
	typed, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return usageError{err}
	}
	if name := nearestFlag(cmd, typed); name != "" {
		err = fmt.Errorf("%w; did you mean --%s?", err, name)
	}
	return usageError{err}
}

func nearestFlag(cmd *cobra.Command, typed string) string {
	best, bestDist := "", cmd.SuggestionsMinimumDistance
	if bestDist <= 0 {
		bestDist = 2
	}
	consider := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(strings.ToLower(typed), f.Name)
		if strings.HasPrefix(f.Name, strings.ToLower(typed)) && len(typed) >= 3 {
			d = min(d, 1)
		}
		if d <= bestDist && (best == "" || d < editDistance(strings.ToLower(typed), best)) {
			best = f.Name
		}
	}
	cmd.Flags().VisitAll(consider)
	cmd.InheritedFlags().VisitAll(consider)
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
