package shard

import (
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Spec
		auto bool
		err  string
	}{
		{in: "", want: Spec{}},
		{in: "auto", auto: true},
		{in: "0/1", want: Spec{Index: 0, Count: 1}},
		{in: "3/4", want: Spec{Index: 3, Count: 4}},
		{in: "4/4", err: "index must be from 0 to 3"},
		{in: "0/0", err: "count must be from 1"},
		{in: "-1/4", err: "give K/N"},
		{in: "+1/4", err: "give K/N"},
		{in: "1/ 4", err: "give K/N"},
		{in: "1", err: "give K/N"},
		{in: "1/2/3", err: "give K/N"},
		{in: "Auto", err: "give K/N"},
		{in: "0/100001", err: "count must be from 1 to 100000"},
	} {
		got, auto, err := Parse(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Parse(%q) error %v; want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || auto != tc.auto {
			t.Errorf("Parse(%q) = %v, %v, %v; want %v, %v", tc.in, got, auto, err, tc.want, tc.auto)
		}
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   func(string) string
		count int
		want  Spec
		err   string
	}{
		{"slurm", env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "0"), 0, Spec{2, 4, 0}, ""},
		{"slurm from 1", env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "1"), 0, Spec{3, 4, 0}, ""},
		{"slurm step", env("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_STEP", "2"), 0, Spec{2, 4, 0}, ""},
		{"slurm gap", env("SLURM_ARRAY_TASK_ID", "9", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "0"), 0, Spec{}, "consecutive indices"},
		{"slurm no count", env("SLURM_ARRAY_TASK_ID", "1"), 0, Spec{}, "SLURM_ARRAY_TASK_COUNT is not set"},
		{"slurm count flag agrees", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "2"), 2, Spec{1, 2, 0}, ""},
		{"slurm count flag disagrees", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "2"), 3, Spec{}, "disagrees"},
		{"kubernetes", env("JOB_COMPLETION_INDEX", "7"), 8, Spec{7, 8, 0}, ""},
		{"kubernetes no count", env("JOB_COMPLETION_INDEX", "7"), 0, Spec{}, "--shard-count"},
		{"kubernetes out of range", env("JOB_COMPLETION_INDEX", "8"), 8, Spec{}, "index must be from 0 to 7"},
		{"aws", env("AWS_BATCH_JOB_ARRAY_INDEX", "0", "AWS_BATCH_JOB_ARRAY_SIZE", "10"), 0, Spec{0, 10, 0}, ""},
		{"google", env("BATCH_TASK_INDEX", "1", "BATCH_TASK_COUNT", "3"), 0, Spec{1, 3, 0}, ""},
		{"nothing", env(), 0, Spec{}, "found no batch engine"},
		{"two engines", env("SLURM_ARRAY_TASK_ID", "1", "JOB_COMPLETION_INDEX", "1"), 0, Spec{}, "both Slurm and Kubernetes"},
		{"garbage", env("JOB_COMPLETION_INDEX", "x"), 4, Spec{}, "not a whole number"},
	} {
		got, err := FromEnv(tc.env, tc.count)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v; want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

func TestResolve(t *testing.T) {
	if s, err := Resolve("1/3", 0, 2, env()); err != nil || s != (Spec{1, 3, 2}) {
		t.Errorf("Resolve 1/3 depth 2 = %v, %v", s, err)
	}
	if _, err := Resolve("1/3", 3, 1, env()); err == nil || !strings.Contains(err.Error(), "goes with --shard=auto") {
		t.Errorf("--shard-count with K/N: %v", err)
	}
	if _, err := Resolve("1/3", 0, 0, env()); err == nil || !strings.Contains(err.Error(), "--shard-depth") {
		t.Errorf("depth 0: %v", err)
	}
	if s, err := Resolve("auto", 4, 1, env("JOB_COMPLETION_INDEX", "3")); err != nil || s != (Spec{3, 4, 1}) {
		t.Errorf("auto = %v, %v", s, err)
	}
}

// The partition is fixed by FNV-1a: these owners must never change, or shards of different
// versions would disagree.
func TestOwnerIsStable(t *testing.T) {
	s := Spec{Index: 0, Count: 4, Depth: 1}
	got := fmt.Sprint(s.Owner("a"), s.Owner("b"), s.Owner("photos"), s.Owner("photos/2024/x.jpg"), s.Owner("日本"))
	if want := fnvOwners(4, "a", "b", "photos", "photos", "日本"); got != want {
		t.Errorf("owners %s; want %s", got, want)
	}
}

// fnvOwners is the documented rule written out: FNV-1a 64 of the bytes, mod n.
func fnvOwners(n uint64, keys ...string) string {
	var out []string
	for _, k := range keys {
		h := uint64(14695981039346656037)
		for i := 0; i < len(k); i++ {
			h ^= uint64(k[i])
			h *= 1099511628211
		}
		out = append(out, fmt.Sprint(h%n))
	}
	return strings.Join(out, " ")
}

func TestOwnerByDepth(t *testing.T) {
	s := Spec{Index: 1, Count: 8, Depth: 2}
	for _, above := range []string{"", "top.txt", "dir"} {
		if s.Owner(above) != 0 {
			t.Errorf("Owner(%q) = %d; entries above the depth belong to shard 0", above, s.Owner(above))
		}
		if !s.Lists(above) && above != "top.txt" {
			t.Errorf("Lists(%q) false; every shard lists the directories above the depth", above)
		}
	}
	if s.Owner("dir/sub/deep/x") != s.Owner("dir/sub") || s.Owner("dir/sub/") == -1 {
		t.Errorf("a subtree at the depth has one owner")
	}
	if s.Lists("dir/sub") != s.Owns("dir/sub") || s.Lists("dir/sub/deeper") != s.Owns("dir/sub") {
		t.Errorf("a directory at or below the depth is listed by its owner only")
	}
}

// Every path has exactly one owner, and the shards together own everything.
func TestPartitionIsExact(t *testing.T) {
	const n = 5
	for depth := 1; depth <= 3; depth++ {
		counts := make([]int, n)
		for i := range 2000 {
			p := fmt.Sprintf("d%d/e%d/f%d/g%d", i%50, i%97, i%31, i)
			owners := 0
			for k := range n {
				if (Spec{Index: k, Count: n, Depth: depth}).Owns(p) {
					owners++
					counts[k]++
				}
			}
			if owners != 1 {
				t.Fatalf("depth %d: %q has %d owners", depth, p, owners)
			}
		}
		for k, c := range counts {
			if c == 0 {
				t.Errorf("depth %d: shard %d owns nothing of 2000 paths", depth, k)
			}
		}
	}
}

func TestUnshardedOwnsAll(t *testing.T) {
	for _, s := range []Spec{{}, {Index: 0, Count: 1, Depth: 1}} {
		if !s.Owns("a/b") || !s.Lists("a/b") {
			t.Errorf("%v does not own everything", s)
		}
	}
	if (Spec{}).Active() || !(Spec{Count: 1}).Active() {
		t.Errorf("Active")
	}
}
