package store

import "testing"

func TestValidName(t *testing.T) {
	for _, bad := range []string{"", "..", "../x", "a/../b", "/abs", "a//b", "a/", "./x", "nul\x00"} {
		if ValidName(bad) == nil {
			t.Errorf("ValidName(%q) accepted", bad)
		}
	}
	for _, good := range []string{"a", "a/b", "..a", "a..", "trailing.", " space", "%#?+;&"} {
		if err := ValidName(good); err != nil {
			t.Errorf("ValidName(%q): %v", good, err)
		}
	}
}

func TestTempName(t *testing.T) {
	a, b := TempName(), TempName()
	if a == b || !IsTemp(a) || !IsTemp(b) {
		t.Fatalf("TempName: %q, %q", a, b)
	}
	for _, name := range []string{"x.partial", ".azsync-x", "azsync-x.partial", "a/.azsync-x.partial/b"} {
		if IsTemp(name) {
			t.Errorf("IsTemp(%q) = true", name)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain/ü.txt":      "plain/ü.txt",
		"two\nlines":       `two\nlines`,
		"esc\x1b[31mred":   `esc\x1b[31mred`,
		"tab\tand\u0085nl": `tab\tand\u0085nl`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
