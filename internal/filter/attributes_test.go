package filter

import (
	"strings"
	"testing"
)

func TestParseAttrs(t *testing.T) {
	for _, c := range []struct {
		list string
		want Attrs
		err  bool
	}{
		{"", 0, false},
		{"A;S;R", Archive | System | ReadOnly, false},
		{"r; h ;;", ReadOnly | Hidden, false},
		{"R;A;S;H;C;N;E;T;O;I", ReadOnly | Archive | System | Hidden | Compressed | Normal | Encrypted | Temporary | Offline | NotContentIndexed, false},
		{"X", 0, true},
		{"RA", 0, true},
		{"R,A", 0, true},
	} {
		got, err := ParseAttrs("--include-attributes", c.list)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseAttrs(%q) = %v, %v; want %v (error %v)", c.list, got, err, c.want, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), "--include-attributes") {
			t.Errorf("ParseAttrs(%q): the error does not name the flag: %v", c.list, err)
		}
	}
}

func TestSMBAttrs(t *testing.T) {
	for names, want := range map[string]Attrs{
		"":                            Normal,
		"None":                        Normal,
		"Directory":                   Normal,
		"ReadOnly | Archive":          ReadOnly | Archive,
		"Hidden|System|Directory":     Hidden | System,
		"Temporary | Offline":         Temporary | Offline,
		"NotContentIndexed | Unknown": NotContentIndexed,
		"None | Archive":              Archive,
	} {
		if got := SMBAttrs(names); got != want {
			t.Errorf("SMBAttrs(%q) = %v, want %v", names, got, want)
		}
	}
}

func TestMatchesAttributes(t *testing.T) {
	f, err := New(Options{IncludeAttributes: "R;H", ExcludeAttributes: "S"})
	if err != nil {
		t.Fatal(err)
	}
	for attrs, want := range map[Attrs]bool{
		ReadOnly:           true,
		Hidden | Archive:   true,
		Archive:            false, // none of the included
		ReadOnly | System:  false, // an excluded one
		Normal:             false,
		Hidden | Temporary: true,
	} {
		if got := f.Matches(attrs); got != want {
			t.Errorf("Matches(%v) = %v, want %v", attrs, got, want)
		}
	}
	if !f.ByAttributes() || !f.FileOnly() {
		t.Error("a filter by attributes does not say so")
	}
	var none *Filter
	if !none.Matches(ReadOnly) || none.ByAttributes() || none.FileOnly() {
		t.Error("the nil filter is not neutral")
	}
	byRegex, _ := New(Options{IncludeRegex: "x"})
	if byRegex.FileOnly() {
		t.Error("a regular expression, which the reference also applies to folders, counts as file-only")
	}
}
