package shard

import (
	"strings"
	"testing"
)

// FuzzParse: a value is either refused with one line, or gives a shard whose "K/N" reads back the same.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"", "auto", "0/1", "3/4", "4/4", "-1/2", "1/", "/1", "01/02", "9999999999999999999/1", "1/2/3", "٣/٤"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		s, auto, err := Parse(value)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse(%q) error spans lines: %q", value, err)
			}
			return
		}
		if auto || value == "" {
			return
		}
		if s.Index < 0 || s.Index >= s.Count || s.Count > MaxCount {
			t.Fatalf("Parse(%q) = %v out of range", value, s)
		}
		again, _, err := Parse(s.String())
		if err != nil || again != s {
			t.Errorf("Parse(%q) = %v, but %q reads back as %v, %v", value, s, s.String(), again, err)
		}
	})
}

// FuzzOwner: every path has exactly one owner, a subtree has its root's owner, and a directory is
// listed by every shard that owns something below it.
func FuzzOwner(f *testing.F) {
	f.Add("a/b/c", uint8(4), uint8(1))
	f.Add("a", uint8(2), uint8(3))
	f.Add("", uint8(3), uint8(1))
	f.Add("x//y", uint8(7), uint8(2))
	f.Fuzz(func(t *testing.T, path string, n, depth uint8) {
		count, d := int(n%16)+1, int(depth%4)+1
		owners := 0
		for k := range count {
			s := Spec{Index: k, Count: count, Depth: d}
			if s.Owns(path) {
				owners++
				for dir := path; dir != ""; dir = parent(dir) {
					if !s.Lists(parent(dir)) {
						t.Fatalf("%v owns %q but does not list %q", s, path, parent(dir))
					}
				}
			}
		}
		if owners != 1 {
			t.Fatalf("%q has %d owners among %d shards at depth %d", path, owners, count, d)
		}
	})
}

func parent(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}
