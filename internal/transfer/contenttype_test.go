package transfer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestContentType(t *testing.T) {
	cases := []struct{ name, head, want string }{
		{"a.html", "", "text/html"},
		{"a.json", "", "application/json"},
		{"noext", "<!DOCTYPE html><html>", "text/html"},
		{"noext", "plain words", "text/plain"},
		{"noext", "\x00\x01\x02", "application/octet-stream"},
		{"image", "\x89PNG\r\n\x1a\n", "image/png"},
	}
	for _, c := range cases {
		if got := ContentType(c.name, []byte(c.head)); got != c.want {
			t.Errorf("ContentType(%q) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestLoadContentTypeMap(t *testing.T) {
	file := filepath.Join(t.TempDir(), "map.json")
	if err := os.WriteFile(file, []byte(`{"MIMETypeMapping": {".azsynctest": "application/x-azsync-test", "azs2": "text/x-azs2"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := LoadContentTypeMap(file); err != nil {
		t.Fatal(err)
	}
	if got := ContentType("x.azsynctest", nil); got != "application/x-azsync-test" {
		t.Errorf("got %q", got)
	}
	if got := ContentType("x.azs2", nil); got != "text/x-azs2" {
		t.Errorf("got %q", got)
	}
	if err := os.WriteFile(file, []byte(`nope`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := LoadContentTypeMap(file); err == nil {
		t.Error("invalid JSON accepted")
	}
}
