package location

import (
	"net/url"
	"strings"
	"testing"
)

// marker stands for a signature in FuzzParse: it is appended to the fuzzed
// URL as a sig parameter and must never show up in any output.
const marker = "Zq8MarkerSig7Wx"

func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"https://acct.blob.core.windows.net/c/dir/file.txt?sv=2024&sig=abc%2B",
		"https://acct.file.core.windows.net/share/",
		"http://127.0.0.1:10000/devstoreaccount1/c/a%2Fb/%25/",
		"https://acct.blob.core.windows.net/c/a b#c?d",
		"https://u:p@h/c?x",
		"https://acct.dfs.core.windows.net/c",
		"http://[::1]:1/a/b/c//",
		"/local/dir/",
		"HTTPS://x.BLOB.core.windows.net./c/%E2%82%AC",
		"https://h/c?sig=a b",
		"https://h:bad/c?sig=x",
		"https://acct.blob.core.windows.net/c/%",
	} {
		for hint := range uint8(4) {
			f.Add(seed, hint)
		}
	}
	f.Fuzz(func(t *testing.T, arg string, hintByte uint8) {
		hint := Kind(hintByte % 4)
		l, err := Parse(arg, hint)
		if err == nil {
			checkParsed(t, arg, hint, l)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) error spans lines: %q", arg, err)
		}

		// The same URL with a signature appended: no output may contain it.
		if !isURL(arg) || strings.Contains(arg, marker) {
			return
		}
		sep := "?"
		if strings.Contains(arg, "?") {
			sep = "&"
		}
		withSig := arg + sep + "sig=" + marker
		l, err = Parse(withSig, hint)
		if err != nil {
			if strings.Contains(err.Error(), marker) {
				t.Errorf("Parse(%q) error leaks the signature: %q", withSig, err)
			}
			return
		}
		if s := l.String(); strings.Contains(s, marker) {
			t.Errorf("Parse(%q).String() leaks the signature: %q", withSig, s)
		}
		if !strings.Contains(l.SAS, marker) {
			t.Errorf("Parse(%q).SAS = %q lost the signature", withSig, l.SAS)
		}
	})
}

// checkParsed checks the invariants of a successfully parsed location.
func checkParsed(t *testing.T, arg string, hint Kind, l Location) {
	t.Helper()
	if hint != Unknown && l.Kind != hint {
		t.Fatalf("Parse(%q, %v).Kind = %v", arg, hint, l.Kind)
	}
	if l.Kind == Local {
		if l.LocalPath == "" {
			t.Fatalf("Parse(%q) gave an empty local path", arg)
		}
		return
	}
	if l.Container == "" || l.Account == "" || strings.HasSuffix(l.Endpoint, "/") ||
		strings.HasPrefix(l.Path, "/") || strings.HasSuffix(l.Path, "/") {
		t.Fatalf("Parse(%q) = %#v breaks an invariant", arg, l)
	}
	if _, err := url.Parse(l.ObjectURL(l.Path)); err != nil {
		t.Fatalf("ObjectURL of %#v does not parse: %v", l, err)
	}
	for _, u := range []string{l.ObjectURL(l.Path), l.ContainerURL(), l.String()} {
		re, err := Parse(u, l.Kind)
		if err != nil {
			t.Fatalf("Parse(%q) (from %q): %v", u, arg, err)
		}
		if re.Container != l.Container || re.Account != l.Account || re.Endpoint != l.Endpoint || re.PathStyle != l.PathStyle {
			t.Fatalf("round trip of %q via %q: got %#v, want %#v", arg, u, re, l)
		}
		if u != l.String() && re.SAS != l.SAS {
			t.Fatalf("round trip of %q via %q: SAS %q, want %q", arg, u, re.SAS, l.SAS)
		}
		if u != l.ContainerURL() && re.Path != l.Path {
			t.Fatalf("round trip of %q via %q: Path %q, want %q", arg, u, re.Path, l.Path)
		}
	}
	if s := l.String(); RedactURL(s) != s {
		t.Fatalf("String() of %q is not redacted: %q", arg, s)
	}
	for _, v := range sigValues(l.SAS) {
		if v != "" && v != redacted && strings.Contains(l.String(), "sig="+v) {
			t.Fatalf("String() of %q contains the signature %q", arg, v)
		}
	}
}

func FuzzRedactURL(f *testing.F) {
	for _, seed := range []string{
		"https://a/c?sv=1&sig=abc&se=2",
		"?SIG=abc%2F%3D",
		"?%73ig=x&si%67=y",
		`Get "https://a/c?sig=abc": EOF`,
		"https://a/c?sig=&sig=REDACTED&sig",
		"??sig=a=b?c#d",
		"sig=not-a-param",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := RedactURL(s)
		if again := RedactURL(got); again != got {
			t.Fatalf("RedactURL not idempotent on %q: %q then %q", s, got, again)
		}
		for _, v := range sigValues(got) {
			if v != "" && v != redacted {
				t.Fatalf("RedactURL(%q) = %q still holds sig value %q", s, got, v)
			}
		}
		if !strings.Contains(s, "=") && got != s {
			t.Fatalf("RedactURL(%q) = %q changed text without parameters", s, got)
		}
	})
}

// sigValues returns the values of the sig parameters in s, found without
// RedactURL's scanner: every '?' or '&' starts a parameter whose key runs to
// the next '=', and a value ends at a byte endsValue reports.
func sigValues(s string) []string {
	isEnd := func(r rune) bool { return r < 0x80 && endsValue(byte(r)) }
	var vals []string
	for i := 0; i < len(s); i++ {
		if s[i] != '?' && s[i] != '&' {
			continue
		}
		key, val, ok := strings.Cut(s[i+1:], "=")
		if !ok || strings.Contains(key, "?") || strings.ContainsFunc(key, isEnd) {
			continue
		}
		if dec, err := url.QueryUnescape(key); err == nil {
			key = dec
		}
		if !strings.EqualFold(key, "sig") {
			continue
		}
		if end := strings.IndexFunc(val, isEnd); end >= 0 {
			val = val[:end]
		}
		vals = append(vals, val)
	}
	return vals
}
