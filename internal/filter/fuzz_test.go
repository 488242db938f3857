package filter

import (
	"strings"
	"testing"
)

func FuzzFilter(f *testing.F) {
	f.Add("*.jpg;x", "foo*", "sub;a/b", `\.log$`, "tmp", "sub/x/a.jpg")
	f.Add("", "", "a", "", "", "ab/x")
	f.Add("[", "", "", "", "", "x")
	f.Add("", "", "/;;/d/", "", "(", "d/e")
	f.Add("?", "*", "*", ".", "^$", "")
	f.Fuzz(func(t *testing.T, incPat, excPat, excPath, incRe, excRe, p string) {
		flt, err := New(Options{
			IncludePattern: incPat, ExcludePattern: excPat, ExcludePath: excPath,
			IncludeRegex: incRe, ExcludeRegex: excRe,
		})
		if err != nil {
			return
		}
		if !flt.Dir(p) && flt.File(p+"/x") {
			t.Fatalf("Dir(%q) prunes but File(%q) includes", p, p+"/x")
		}
		if !flt.Dir(p) && flt.Dir(p+"/x") {
			t.Fatalf("Dir(%q) prunes but Dir(%q) does not", p, p+"/x")
		}

		// An excluded path never excludes a sibling it is a prefix of.
		seg := strings.Trim(p, "/")
		if seg == "" || strings.ContainsAny(seg, ";") {
			return
		}
		byPath, err := New(Options{ExcludePath: seg})
		if err != nil {
			t.Fatalf("New(ExcludePath: %q): %v", seg, err)
		}
		if byPath.File(seg) || byPath.Dir(seg) || byPath.File(seg+"/x") {
			t.Fatalf("exclude-path %q does not exclude itself and its children", seg)
		}
		if !byPath.File(seg+"b") || !byPath.Dir(seg+"b") || !byPath.File(seg+"b/x") {
			t.Fatalf("exclude-path %q excludes %q", seg, seg+"b")
		}
	})
}

// FuzzParseAttrs: a list either parses or fails naming the flag; what parses prints back as
// letters that parse to the same set, whatever the case and spacing it was written in.
func FuzzParseAttrs(f *testing.F) {
	for _, s := range []string{"A;S;R", "r; h ;;", "R;A;S;H;C;N;E;T;O;I", "X", "", ";", "RA", "\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, list string) {
		set, err := ParseAttrs("--exclude-attributes", list)
		if err != nil {
			if !strings.Contains(err.Error(), "--exclude-attributes") {
				t.Fatalf("ParseAttrs(%q): the error does not name the flag: %v", list, err)
			}
			return
		}
		again, err := ParseAttrs("--exclude-attributes", strings.ToLower(set.String()))
		if err != nil || again != set {
			t.Fatalf("ParseAttrs(%q) = %v, but its letters %q parse to %v, %v", list, set, set.String(), again, err)
		}
		flt, err := New(Options{ExcludeAttributes: list})
		if err != nil {
			t.Fatal(err)
		}
		if set != 0 && flt.Matches(set) {
			t.Fatalf("excluding %v lets a file with exactly those attributes through", set)
		}
	})
}
