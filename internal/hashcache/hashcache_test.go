package hashcache

import (
	"bytes"
	"crypto/md5"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestRoundTripAndStaleness(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sub", "f.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	meta := t.TempDir()
	modes := map[string]Config{"HiddenFiles": {Mode: HiddenFiles}, "HiddenFiles+dir": {Mode: HiddenFiles, MetaDir: meta}}
	if xattrSupported(root) {
		modes["XAttr"] = Config{Mode: XAttr}
	}
	mtime := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	sum := md5.Sum([]byte("x"))
	for name, cfg := range modes {
		t.Run(name, func(t *testing.T) {
			c := cfg.For(root)
			if _, ok := c.Get("sub/f.txt", 1, mtime); ok {
				t.Fatal("hit before any Put")
			}
			if err := c.Put("sub/f.txt", 1, mtime, sum[:]); err != nil {
				t.Fatal(err)
			}
			got, ok := c.Get("sub/f.txt", 1, mtime)
			if !ok || !bytes.Equal(got, sum[:]) {
				t.Fatalf("Get = %x, %v", got, ok)
			}
			if _, ok := c.Get("sub/f.txt", 2, mtime); ok {
				t.Error("hit for another size")
			}
			if _, ok := c.Get("sub/f.txt", 1, mtime.Add(time.Nanosecond)); ok {
				t.Error("hit for another mtime")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(root, "sub", ".f.txt"+Suffix)); err != nil {
		t.Errorf("HiddenFiles wrote no file beside the data: %v", err)
	}
	if _, err := os.Stat(filepath.Join(meta, "sub", ".f.txt"+Suffix)); err != nil {
		t.Errorf("--hash-meta-dir wrote no file under the folder: %v", err)
	}
}

func TestCorruptEntryIsAMiss(t *testing.T) {
	root := t.TempDir()
	c := Config{Mode: HiddenFiles}.For(root)
	mtime := time.Unix(1, 0)
	if err := c.Put("f", 1, mtime, make([]byte, 16)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(root, ".f"+Suffix)
	raw, _ := os.ReadFile(p)
	if err := os.WriteFile(p, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("f", 1, mtime); ok {
		t.Error("a half-written entry was used")
	}
}

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []string{"Sideways", "AlternateDataStreams"} {
		if _, err := Resolve(bad, "", dir); err == nil {
			t.Errorf("Resolve(%q) accepted", bad)
		}
	}
	if _, err := Resolve("xattr", "meta", dir); err == nil {
		t.Error("XAttr with --hash-meta-dir accepted")
	}
	c, err := Resolve("hiddenfiles", "", filepath.Join(dir, "not", "yet"))
	if err != nil || c.Mode != HiddenFiles {
		t.Errorf("Resolve(hiddenfiles) = %+v, %v", c, err)
	}
	c, err = Resolve("", "", dir)
	want := HiddenFiles
	if xattrSupported(dir) {
		want = XAttr
	}
	if err != nil || c.Mode != want {
		t.Errorf("default = %v, %v; want %v", c.Mode, err, want)
	}
	if c, _ := Resolve("", "meta", dir); c.Mode != HiddenFiles || !filepath.IsAbs(c.MetaDir) {
		t.Errorf("--hash-meta-dir alone = %+v, want HiddenFiles under an absolute folder", c)
	}
}

func TestIsMeta(t *testing.T) {
	if !IsMeta(".a.txt.azcopysyncmeta") || IsMeta("a.txt") {
		t.Error("IsMeta")
	}
}
