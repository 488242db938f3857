// Package filter implements the include/exclude flags of `azsync sync`
// (--include-pattern, --exclude-pattern, --exclude-path, --include-regex,
// --exclude-regex, --include-attributes, --exclude-attributes) with the reference's semantics.
//
// Both sides of a sync are enumerated under the same Filter, so an entry the
// filter excludes is absent from both listings: it is neither copied nor ever
// deleted at the destination, even with --delete-destination. Callers must
// apply the filter to the source and the destination alike for that to hold.
//
// Paths given to a Filter are relative to the sync root, '/'-separated, with
// no leading slash.
package filter

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Options holds the raw flag values. Every list is ';'-separated; empty items
// are ignored, and white space is kept because a name may begin or end with it.
type Options struct {
	// IncludePattern and ExcludePattern are globs (path.Match syntax: '*',
	// '?', '[class]', '\' escapes) matched against a file's name, its last
	// path segment.
	IncludePattern, ExcludePattern string
	// ExcludePath lists relative paths; each excludes itself and everything
	// below it, comparing whole segments, case-sensitively. Leading and
	// trailing '/' are ignored. There are no wildcards: '*' is literal.
	ExcludePath string
	// IncludeRegex and ExcludeRegex are Go regular expressions matched,
	// unanchored, against the relative path.
	IncludeRegex, ExcludeRegex string
	// IncludeAttributes and ExcludeAttributes are attribute letters (see ParseAttrs), matched
	// against a file's attributes where the store keeps them (Matches).
	IncludeAttributes, ExcludeAttributes string
}

// Filter decides which entries take part in a sync. The zero value and nil
// include everything.
type Filter struct {
	includePatterns, excludePatterns []string
	// excludePaths is a set so that a lookup costs one probe per path
	// segment however many paths are excluded.
	excludePaths                   map[string]struct{}
	includeRegexps, excludeRegexps []*regexp.Regexp
	includeAttrs, excludeAttrs     Attrs
}

// New compiles the options. A malformed pattern or regexp is an error naming
// the flag and the offending item.
func New(o Options) (*Filter, error) {
	f := &Filter{}
	var err error
	if f.includePatterns, err = patterns("--include-pattern", o.IncludePattern); err != nil {
		return nil, err
	}
	if f.excludePatterns, err = patterns("--exclude-pattern", o.ExcludePattern); err != nil {
		return nil, err
	}
	if f.includeRegexps, err = regexps("--include-regex", o.IncludeRegex); err != nil {
		return nil, err
	}
	if f.excludeRegexps, err = regexps("--exclude-regex", o.ExcludeRegex); err != nil {
		return nil, err
	}
	if f.includeAttrs, err = ParseAttrs("--include-attributes", o.IncludeAttributes); err != nil {
		return nil, err
	}
	if f.excludeAttrs, err = ParseAttrs("--exclude-attributes", o.ExcludeAttributes); err != nil {
		return nil, err
	}
	for _, p := range split(o.ExcludePath) {
		if p = strings.Trim(p, "/"); p == "" {
			continue
		}
		if f.excludePaths == nil {
			f.excludePaths = make(map[string]struct{})
		}
		f.excludePaths[p] = struct{}{}
	}
	return f, nil
}

// split splits a ';'-separated list, dropping empty items.
func split(list string) []string {
	var items []string
	for item := range strings.SplitSeq(list, ";") {
		if item != "" {
			items = append(items, item)
		}
	}
	return items
}

func patterns(flag, list string) ([]string, error) {
	items := split(list)
	for _, p := range items {
		// path.Match reports a malformed pattern whatever the name.
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("%s: invalid pattern %q: %v", flag, p, err)
		}
	}
	return items, nil
}

func regexps(flag, list string) ([]*regexp.Regexp, error) {
	var res []*regexp.Regexp
	for _, expr := range split(list) {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("%s: invalid regular expression %q: %v", flag, expr, err)
		}
		res = append(res, re)
	}
	return res, nil
}

// Dir reports whether the directory at relPath is to be enumerated; false
// prunes it and everything below. Only --exclude-path prunes directories:
// patterns and regexps are about files, and a directory's files may match
// them whatever the directory's name.
func (f *Filter) Dir(relPath string) bool {
	return f == nil || !f.pathExcluded(relPath)
}

// File reports whether the file at relPath takes part in the sync. Include
// lists, when given, must each have a match (a pattern on the name, a regexp
// on the path); any exclude match rules the file out.
func (f *Filter) File(relPath string) bool {
	if f == nil {
		return true
	}
	if f.pathExcluded(relPath) {
		return false
	}
	name := relPath[strings.LastIndexByte(relPath, '/')+1:]
	if len(f.includePatterns) > 0 && !matchAny(f.includePatterns, name) {
		return false
	}
	if matchAny(f.excludePatterns, name) {
		return false
	}
	if len(f.includeRegexps) > 0 && !searchAny(f.includeRegexps, relPath) {
		return false
	}
	return !searchAny(f.excludeRegexps, relPath)
}

// pathExcluded reports whether relPath or one of its ancestors is an
// excluded path.
func (f *Filter) pathExcluded(relPath string) bool {
	if len(f.excludePaths) == 0 {
		return false
	}
	for i := 0; i < len(relPath); i++ {
		if relPath[i] == '/' {
			if _, ok := f.excludePaths[relPath[:i]]; ok {
				return true
			}
		}
	}
	_, ok := f.excludePaths[relPath]
	return ok
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		// Patterns were validated in New, so Match cannot fail here.
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

func searchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
