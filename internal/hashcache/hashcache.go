// Package hashcache keeps the MD5 of local files between runs (--local-hash-storage-mode,
// --hash-meta-dir), so that --compare-hash=MD5 reads a file again only when it changed. An entry
// records the file's size and modification time next to its MD5 and is used only while both are
// unchanged; anything unreadable or stale is a miss, and the file is hashed again.
//
// The layout is the reference's: the data is JSON, kept in the extended attribute
// "user.azcopysyncmeta" (XAttr) or in a hidden file ".<name>.azcopysyncmeta" beside the file or
// under the same relative folder of --hash-meta-dir (HiddenFiles). The reference names its extended
// attribute without the "user." namespace, which Linux refuses, so its cache never works there.
package hashcache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Suffix ends the name of every hidden hash file. Local listings skip names ending with it, with or
// without the hash flags, so cache files are never copied, compared or deleted as extras.
const Suffix = ".azcopysyncmeta"

// IsMeta reports whether a file name (one path segment) is a hash cache file.
func IsMeta(name string) bool { return strings.HasSuffix(name, Suffix) }

// Mode is where hashes are kept.
type Mode int

const (
	HiddenFiles Mode = iota
	XAttr
)

var modeNames = [...]string{HiddenFiles: "HiddenFiles", XAttr: "XAttr"}

func (m Mode) String() string { return modeNames[m] }

// Config is the run's choice of hash storage, from the flags.
type Config struct {
	Mode    Mode
	MetaDir string // HiddenFiles: where hidden files go instead of beside the data; "" for beside
}

// Resolve reads --local-hash-storage-mode and --hash-meta-dir for hashes of files under the local
// path root. An empty mode picks XAttr when the file system keeps user extended attributes (probed
// once, without writing), else HiddenFiles. An explicit XAttr where it cannot work is refused, and so
// is a --hash-meta-dir it would not use.
func Resolve(modeFlag, metaDir, root string) (Config, error) {
	var c Config
	switch {
	case modeFlag == "":
		c.Mode = HiddenFiles
		if metaDir == "" && xattrSupported(existingAncestor(root)) {
			c.Mode = XAttr
		}
	case strings.EqualFold(modeFlag, "HiddenFiles"):
		c.Mode = HiddenFiles
	case strings.EqualFold(modeFlag, "XAttr"):
		c.Mode = XAttr
		if metaDir != "" {
			return c, errors.New("--hash-meta-dir applies to --local-hash-storage-mode=HiddenFiles; XAttr keeps hashes on the files themselves")
		}
		if !xattrSupported(existingAncestor(root)) {
			return c, fmt.Errorf("--local-hash-storage-mode=XAttr: the file system of %s does not keep user extended attributes; use HiddenFiles", root)
		}
	case strings.EqualFold(modeFlag, "AlternateDataStreams"):
		return c, errors.New("--local-hash-storage-mode=AlternateDataStreams needs NTFS named streams (Windows); use XAttr or HiddenFiles")
	default:
		return c, fmt.Errorf("invalid --local-hash-storage-mode %q: valid values are XAttr and HiddenFiles", modeFlag)
	}
	if metaDir != "" {
		abs, err := filepath.Abs(metaDir)
		if err != nil {
			return c, fmt.Errorf("--hash-meta-dir: %w", err)
		}
		c.MetaDir = abs
	}
	return c, nil
}

// existingAncestor is p, or its nearest ancestor that exists (a download folder may not exist yet).
func existingAncestor(p string) string {
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}

// Cache reads and writes the hashes of the files below one local root.
type Cache struct {
	Config
	root string
}

// For returns the cache of the files below the local folder root.
func (c Config) For(root string) *Cache { return &Cache{Config: c, root: root} }

// record is the stored form: the reference's fields plus the size.
type record struct {
	Mode string
	Data []byte // the MD5; encoding/json writes it in base64, as the reference stores it
	LMT  time.Time
	Size int64
}

// Get returns the cached MD5 of the file name (relative, '/'-separated) when it was recorded for
// exactly this size and modification time.
func (c *Cache) Get(name string, size int64, mtime time.Time) ([]byte, bool) {
	raw, err := c.read(name)
	if err != nil {
		return nil, false
	}
	var r record
	if json.Unmarshal(bytes.TrimRight(raw, "\x00"), &r) != nil || r.Mode != "MD5" || len(r.Data) != 16 {
		return nil, false
	}
	if r.Size != size || !r.LMT.Equal(mtime) {
		return nil, false
	}
	return r.Data, true
}

// Put records the MD5 of name for this size and modification time.
func (c *Cache) Put(name string, size int64, mtime time.Time, sum []byte) error {
	raw, err := json.Marshal(record{Mode: "MD5", Data: sum, LMT: mtime, Size: size})
	if err != nil {
		return err
	}
	return c.write(name, raw)
}

func (c *Cache) dataPath(name string) string {
	return filepath.Join(c.root, filepath.FromSlash(name))
}

// hiddenPath is the hidden file of name. A half-written one (a run killed mid-write) is not valid
// JSON and reads as a miss, so writing it in place is safe.
func (c *Cache) hiddenPath(name string) string {
	base := c.MetaDir
	if base == "" {
		base = c.root
	}
	dir, file := filepath.Split(filepath.FromSlash(name))
	return filepath.Join(base, dir, "."+file+Suffix)
}

func (c *Cache) read(name string) ([]byte, error) {
	if c.Mode == XAttr {
		return getXattr(c.dataPath(name))
	}
	return os.ReadFile(c.hiddenPath(name))
}

func (c *Cache) write(name string, raw []byte) error {
	if c.Mode == XAttr {
		return setXattr(c.dataPath(name), raw)
	}
	p := c.hiddenPath(name)
	if c.MetaDir != "" {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(p, raw, 0o644)
}
