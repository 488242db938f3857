package logging

import (
	"strings"
	"testing"
)

func TestParseLevel(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Level
	}{
		{"DEBUG", Debug}, {"info", Info}, {"Warning", Warning}, {"error", Error}, {"NONE", None},
	} {
		got, err := ParseLevel(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "WARN", "verbose"} {
		_, err := ParseLevel(bad)
		if err == nil || !strings.Contains(err.Error(), "DEBUG, INFO, WARNING, ERROR, NONE") {
			t.Errorf("ParseLevel(%q) error = %v; want one listing the valid values", bad, err)
		}
	}
}

func TestLevelOrderAndString(t *testing.T) {
	if !(None < Error && Error < Warning && Warning < Info && Info < Debug) {
		t.Fatal("levels are not ordered None < Error < Warning < Info < Debug")
	}
	for l := None; l <= Debug; l++ {
		back, err := ParseLevel(l.String())
		if err != nil || back != l {
			t.Errorf("ParseLevel(%v.String()) = %v, %v", l, back, err)
		}
	}
	if got := Level(42).String(); got != "Level(42)" {
		t.Errorf("Level(42).String() = %q", got)
	}
}
