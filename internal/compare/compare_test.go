package compare

import (
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	later := t0.Add(time.Nanosecond)
	a, b := []byte{1}, []byte{2}
	cases := []struct {
		name     string
		mode     Mode
		src, dst Side
		copy     bool
	}{
		{"newer source copies", ByTime, Side{ModTime: later}, Side{ModTime: t0}, true},
		{"equal times skip", ByTime, Side{ModTime: t0}, Side{ModTime: t0}, false},
		{"equal instants in other zones skip", ByTime, Side{ModTime: t0}, Side{ModTime: t0.In(time.FixedZone("x", 3600))}, false},
		{"newer destination skips", ByTime, Side{ModTime: t0}, Side{ModTime: later}, false},
		{"mirror copies older source", Mirror, Side{ModTime: t0}, Side{ModTime: later}, true},
		{"md5 equal skips even when newer", ByMD5, Side{ModTime: later, MD5: a}, Side{ModTime: t0, MD5: a}, false},
		{"md5 differs copies even when older", ByMD5, Side{ModTime: t0, MD5: a}, Side{ModTime: later, MD5: b}, true},
		{"md5 missing at destination copies", ByMD5, Side{ModTime: t0, MD5: a}, Side{ModTime: later}, true},
		{"md5 missing at source falls back to time (older)", ByMD5, Side{ModTime: t0}, Side{ModTime: later, MD5: b}, false},
		{"md5 missing at source falls back to time (newer)", ByMD5, Side{ModTime: later}, Side{ModTime: t0, MD5: b}, true},
	}
	for _, c := range cases {
		if got := Decide(c.mode, c.src, c.dst); got.Copy != c.copy || got.Reason == "" {
			t.Errorf("%s: got %+v, want copy=%v", c.name, got, c.copy)
		}
	}
}

func TestParseHash(t *testing.T) {
	for in, want := range map[string]Mode{"": ByTime, "None": ByTime, "md5": ByMD5, "MD5": ByMD5} {
		if got, err := ParseHash(in); err != nil || got != want {
			t.Errorf("ParseHash(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseHash("sha1"); err == nil {
		t.Error("ParseHash(sha1) accepted")
	}
}
