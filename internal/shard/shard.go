// Package shard splits one sync into N parts that N copies of the same command carry out, each
// told its index, with no coordinator: the owner of every path is a pure function of the path, so
// every shard agrees on it without talking to the others.
//
// The partition, for shard depth D (--shard-depth, default 1), of a relative '/'-separated path P
// with S segments:
//
//   - S > D: P belongs to the owner of its ancestor at depth D (a whole subtree has one owner);
//   - S = D: P (a file or a directory) is owned by FNV-1a-64(P) mod N;
//   - S < D: P is above the depth and belongs to shard 0.
//
// Directories above the depth are listed by every shard (that listing is what lets each shard find
// its subtrees); a directory at or below the depth is listed only by its owner. So a flat directory
// of files at the depth (a flat container at depth 1) is spread by name hash, but every shard lists
// it in full. FNV-1a is fixed by its definition, unlike Go's per-process map hash, so the partition
// is the same on every machine and in every version.
package shard

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// MaxCount bounds N: more shards than this is a mistake (and listing the directories above the depth
// would then dominate the cost).
const MaxCount = 100000

// Spec is one shard of a sharded run. The zero Spec is an unsharded run; 0/1 is a sharded run of
// one shard, which does the whole job but says in its output which shard it is.
type Spec struct {
	Index, Count int
	Depth        int // ≥ 1 in a sharded run
}

// Active says the run was given a shard.
func (s Spec) Active() bool { return s.Count > 0 }

// split says the run does only part of the job.
func (s Spec) split() bool { return s.Count > 1 }

// String is "K/N", as --shard takes it.
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Owner returns the shard that copies, compares and deletes the entry at path.
func (s Spec) Owner(path string) int {
	if !s.split() {
		return 0
	}
	key, ok := atDepth(path, s.Depth)
	if !ok {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64() % uint64(s.Count))
}

// Owns says this shard handles the entry at path.
func (s Spec) Owns(path string) bool { return s.Owner(path) == s.Index }

// Lists says this shard lists the directory dir: every shard lists those above the depth (and the
// root, ""), only the owner those at or below it.
func (s Spec) Lists(dir string) bool {
	if !s.split() || dir == "" || strings.Count(dir, "/")+1 < s.Depth {
		return true
	}
	return s.Owns(dir)
}

// atDepth returns path cut to its first depth segments; ok is false when path has fewer.
func atDepth(path string, depth int) (string, bool) {
	if path == "" || strings.Count(path, "/")+1 < depth {
		return "", false
	}
	end := 0
	for range depth {
		j := strings.IndexByte(path[end:], '/')
		if j < 0 {
			return path, true
		}
		end += j + 1
	}
	return path[:end-1], true
}

// Parse reads --shard: "" (the whole run), "K/N" with 0 ≤ K < N, or "auto" (auto is true and the
// index and count are to be read from the environment with FromEnv).
func Parse(value string) (s Spec, auto bool, err error) {
	switch value {
	case "":
		return Spec{}, false, nil
	case "auto":
		return Spec{}, true, nil
	}
	k, n, ok := strings.Cut(value, "/")
	index, err1 := strconv.Atoi(k)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || !digits(k) || !digits(n) {
		return Spec{}, false, fmt.Errorf("invalid --shard %q: give K/N (this run's index K from 0 to N-1, out of N) or auto", value)
	}
	if s, err = checked(index, count, "--shard "+value); err != nil {
		return Spec{}, false, err
	}
	return s, false, nil
}

func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func checked(index, count int, what string) (Spec, error) {
	switch {
	case count < 1 || count > MaxCount:
		return Spec{}, fmt.Errorf("invalid %s: the shard count must be from 1 to %d", what, MaxCount)
	case index < 0 || index >= count:
		return Spec{}, fmt.Errorf("invalid %s: the shard index must be from 0 to %d", what, count-1)
	}
	return Spec{Index: index, Count: count}, nil
}
