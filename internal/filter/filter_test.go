package filter

import (
	"strings"
	"testing"
)

func TestNewErrors(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{IncludePattern: "*.jpg;[a-"}, `--include-pattern: invalid pattern "[a-"`},
		{Options{ExcludePattern: `ok;bad\`}, `--exclude-pattern: invalid pattern "bad\\"`},
		{Options{ExcludePattern: "["}, `--exclude-pattern: invalid pattern "["`},
		{Options{IncludeRegex: "a(b"}, `--include-regex: invalid regular expression "a(b"`},
		{Options{ExcludeRegex: "x;*"}, `--exclude-regex: invalid regular expression "*"`},
	}
	for _, tt := range tests {
		f, err := New(tt.opts)
		if err == nil || f != nil {
			t.Errorf("New(%+v) = %v, %v; want error", tt.opts, f, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) error = %q, want containing %q", tt.opts, err, tt.want)
		}
	}
}

func TestEmptyFiltersLetEverythingThrough(t *testing.T) {
	for _, opts := range []Options{{}, {IncludePattern: ";;", ExcludePath: "/;//;", IncludeRegex: ";"}} {
		f, err := New(opts)
		if err != nil {
			t.Fatalf("New(%+v): %v", opts, err)
		}
		for _, p := range []string{"a", "a/b.txt", ".hidden", "x y/z"} {
			if !f.File(p) || !f.Dir(p) {
				t.Errorf("New(%+v) excludes %q", opts, p)
			}
		}
	}
	var nilFilter *Filter
	if !nilFilter.File("x") || !nilFilter.Dir("x") {
		t.Error("a nil *Filter must let everything through")
	}
}

func TestFile(t *testing.T) {
	type check struct {
		path string
		want bool
	}
	tests := []struct {
		name   string
		opts   Options
		checks []check
	}{
		{"empty", Options{}, []check{{"a", true}, {"a/b/c.txt", true}, {"", true}}},
		{
			"include pattern matches the name only",
			Options{IncludePattern: "*.jpg;*.pdf;exactName"},
			[]check{
				{"a.jpg", true}, {"dir/b.pdf", true}, {"x/y/exactName", true},
				{"a.png", false}, {"exactName2", false}, {"exactName/child", false},
				{"a.jpg/child.txt", false}, {"dir.jpg/x.png", false}, {"A.JPG", false},
			},
		},
		{
			"exclude pattern",
			Options{ExcludePattern: "foo*;*bar"},
			[]check{
				{"foo.txt", false}, {"d/foobar", false}, {"xbar", false}, {"d/x.baz", true},
				{"foo/x", true}, {"afoo", true}, {"bar/x", true},
			},
		},
		{
			"exclude wins over include",
			Options{IncludePattern: "*.txt", ExcludePattern: "secret*"},
			[]check{{"a.txt", true}, {"secret.txt", false}, {"d/secret-2.txt", false}, {"a.md", false}},
		},
		{
			"pattern syntax: ?, classes, escapes, '*' does not cross into the path",
			Options{IncludePattern: `file?.[ch];\*star;[^x]y`},
			[]check{
				{"file1.c", true}, {"d/fileA.h", true}, {"file12.c", false}, {"file1.o", false},
				{"*star", true}, {"xstar", false}, {"ay", true}, {"xy", false}, {"d/ay", true},
			},
		},
		{
			"patterns keep white space",
			Options{IncludePattern: "*.jpg; *.pdf"},
			[]check{{"a.jpg", true}, {"a.pdf", false}, {" a.pdf", true}},
		},
		{
			"exclude path compares whole segments",
			Options{ExcludePath: "sub;/a/b/;c/file.pdf;;"},
			[]check{
				{"sub", false}, {"sub/x", false}, {"sub/x/y", false}, {"sub2/x", true}, {"sub2", true},
				{"x/sub", true}, {"subx", true}, {"Sub/x", true},
				{"a/b", false}, {"a/b/c", false}, {"a/bc", true}, {"a", true}, {"a/x", true},
				{"c/file.pdf", false}, {"c/file.pdf2", true}, {"c/other.pdf", true},
			},
		},
		{
			"exclude path has no wildcards",
			Options{ExcludePath: "*;d?"},
			[]check{{"*", false}, {"*/x", false}, {"x", true}, {"d?/x", false}, {"dx/x", true}},
		},
		{
			"include regex is unanchored on the relative path",
			Options{IncludeRegex: `\.log$;^keep/`},
			[]check{{"a.log", true}, {"d/b.log", true}, {"keep/x", true}, {"x/keep/y", false}, {"a.logx", false}},
		},
		{
			"exclude regex",
			Options{ExcludeRegex: "tmp;^cache/"},
			[]check{{"tmp", false}, {"a/xtmpx/b", false}, {"cache/a", false}, {"a/cache/b", true}, {"ok", true}},
		},
		{
			"all rules together",
			Options{
				IncludePattern: "*.txt", ExcludePattern: "draft*",
				ExcludePath: "old", IncludeRegex: "^docs/", ExcludeRegex: "private",
			},
			[]check{
				{"docs/a.txt", true}, {"docs/a.md", false}, {"docs/draft1.txt", false},
				{"old/docs/a.txt", false}, {"docs/private/a.txt", false}, {"src/a.txt", false},
			},
		},
	}
	for _, tt := range tests {
		f, err := New(tt.opts)
		if err != nil {
			t.Fatalf("%s: New: %v", tt.name, err)
		}
		for _, c := range tt.checks {
			if got := f.File(c.path); got != c.want {
				t.Errorf("%s: File(%q) = %v, want %v", tt.name, c.path, got, c.want)
			}
		}
	}
}

func TestDir(t *testing.T) {
	f, err := New(Options{
		IncludePattern: "*.txt", ExcludePattern: "skip*", IncludeRegex: "^x", ExcludeRegex: "dir",
		ExcludePath: "a/b;c",
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want bool
	}{
		{"", true},
		{"a", true},
		{"a/b", false},
		{"a/b/deeper", false},
		{"a/bb", true},
		{"c", false},
		{"c/d", false},
		{"cc", true},
		// Patterns and regexps never prune directories.
		{"skipme", true},
		{"dir", true},
		{"y", true},
	}
	for _, tt := range tests {
		if got := f.Dir(tt.path); got != tt.want {
			t.Errorf("Dir(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
