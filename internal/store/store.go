// Package store defines the narrow interface every storage backend implements: list one directory in a
// fixed order, read ranges of an entry, write a whole entry, delete. Behaviour that only some backends have
// (hashing local content, server-side copy) is an optional interface checked at run time, as rclone does,
// and asserted at compile time next to each store. The storetest package checks every store against
// the rules written here; docs/architecture.md says where a new store or capability goes.
package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ErrNotExist is returned (wrapped) when an entry or a root does not exist.
var ErrNotExist = fs.ErrNotExist

// Entry describes one file or directory, relative to the root of a store.
type Entry struct {
	Name    string // relative path, '/'-separated, never starting with '/'
	IsDir   bool
	Size    int64
	ModTime time.Time // effective modification time (SPEC §3)
	MD5     []byte    // whole-content MD5 when the store knows it without reading the content
	// ContentType is known for remote entries; for local ones the writer detects it.
	ContentType string
	ETag        string // remote entries: lets ranged reads insist on one version of the content
	AccessTier  string // blobs: Hot, Cool, Cold, Archive when the listing says
	// Tags are a blob's index tags, listed only when Blob→Blob copies keep them
	// (--s2s-preserve-blob-tags); nil otherwise.
	Tags map[string]string
	// Posix is a file's POSIX properties as blob metadata holds them (the reference's keys, see
	// package posix), kept only under --preserve-posix-properties; nil otherwise.
	Posix map[string]string
	// Problem, when set, says the listed entry cannot be synced (a dangling symbolic link, or one
	// leading into a loop): the walk counts it as a failed transfer and goes on.
	Problem error
	// Marker says a directory exists as an object of its own, which outlives its contents and is
	// deleted by a Delete of its own: every local folder and Azure Files directory, and in Blob
	// storage a zero-length stub blob marked hdi_isfolder. A directory without one (a Blob virtual
	// directory, the common prefix of other names) vanishes with its last entry.
	Marker bool
	// SMB is what Azure Files keeps of an entry beyond its content; nil elsewhere.
	SMB *SMBInfo
}

// SMBInfo is an Azure Files entry's SMB properties as its listing gives them.
type SMBInfo struct {
	Attributes    string // the service's names, "ReadOnly | Archive"
	Created       time.Time
	PermissionKey string // the security descriptor's key in its share
}

// Key orders entries within one directory the way Azure lists them: by full name in byte order, where a
// directory sorts as its name followed by '/'. Both sides of a sync must yield entries in Key order.
func Key(e Entry) string {
	if e.IsDir {
		return e.Name + "/"
	}
	return e.Name
}

// Source is readable content of a single entry, read in ranges so that large entries move in parallel.
type Source interface {
	// ReadAt fills p with the bytes at off; it returns an error unless len(p) bytes were read.
	ReadAt(ctx context.Context, p []byte, off int64) error
	Close() error
}

// Store is one side of a sync, rooted at a directory (a local folder, a container prefix, a share path).
// The storetest package holds the suite every implementation passes; it is the executable form of
// the rules written here.
type Store interface {
	// List yields the children of dir ("" is the root) in Key order. A listing error ends the sequence.
	List(ctx context.Context, dir string) iter.Seq2[Entry, error]
	// Stat describes the entry at name: a file, or a directory, with or without a Marker (a Blob
	// virtual directory is a directory as it is in List). A missing one yields an error wrapping
	// ErrNotExist.
	Stat(ctx context.Context, name string) (Entry, error)
	// Open returns the content of a file entry from this store's listing.
	Open(ctx context.Context, e Entry) (Source, error)
	// Put writes the whole content of e from src under e.Name, recording e.ModTime as the effective
	// time (kept to the store's Precision), e.ContentType where the store keeps one (detected from
	// the name and content when empty) and, when the store is configured to store it, the content's
	// MD5. Missing parent directories are created. A Put that fails leaves no partial entry visible
	// under e.Name in stores that say so (AtomicWriter). For a directory entry (src is nil) it
	// creates the directory's marker.
	Put(ctx context.Context, e Entry, src Source) error
	// Delete removes a file, or, when isDir is set, a directory's marker; it never removes what is
	// under a directory (a non-empty one is an error or, in Blob storage, loses only its stub).
	// Deleting an entry that is not there is not an error, as with rm -f: a deletion planned from
	// a listing may find its entry already gone, and the result is the one asked for.
	Delete(ctx context.Context, name string, isDir bool) error
	// Display is how a name is shown to the user: a local path or a URL without credentials.
	Display(name string) string
}

// AtomicWriter is implemented by stores that say Put (and CopyFromURL) never leaves a partial entry
// visible under the real name, even when the write fails or is cut short: local disk writes a
// temporary file and renames it, Blob storage commits a block list or writes one Put Blob. A store
// without it may leave an interrupted entry behind; it must then be one the next run is sure to
// replace (its effective time is not the source's).
type AtomicWriter interface {
	AtomicPut() bool
}

// Hasher is implemented by stores that can find an entry's MD5 when their listing does not carry
// one, for --compare-hash: local disk reads the file, Azure Files asks for the stored Content-MD5.
type Hasher interface {
	HashMD5(ctx context.Context, name string) ([]byte, error)
}

// MD5Sink is implemented by sources that keep the whole-content MD5 a destination computed while
// writing them: the local hash cache records it, so a later --compare-hash run need not read the
// file again. A destination that computes the MD5 hands it over once the write succeeded.
type MD5Sink interface {
	SetMD5(sum []byte)
}

// SkipCounter is implemented by stores whose listings skip entries they cannot sync as data (local
// disk: symbolic links unless followed, and special files), for the summary's counts.
type SkipCounter interface {
	SkippedLinks() (symlinks, special int64)
}

// URLSource is implemented by stores whose entries a storage service can read by URL (Blob with a
// SAS in the URL, or a public container), so that another store can copy them server-side.
type URLSource interface {
	SourceURL(name string) string
}

// ServerCopier is implemented by stores that can have the service copy an entry from a URL, so the
// bytes never pass through azsync. Like Put, it records e.ModTime and leaves no partial entry.
type ServerCopier interface {
	CopyFromURL(ctx context.Context, e Entry, srcURL string) error
}

// NameChecker is implemented by stores that cannot hold every name a file system can (Blob storage
// turns '\\' into '/'): a source entry it refuses fails instead of being stored under another name.
type NameChecker interface {
	CheckName(name string) error
}

// TimePrecision is implemented by stores that keep effective times coarser than a nanosecond (Azure
// Files keeps 100 ns): before comparing, both sides' times are truncated to the coarser precision of
// the two stores, so a time that lost its last digits on the way still compares equal next run.
type TimePrecision interface {
	Precision() time.Duration
}

// Precision is the coarser time precision of two stores (1 ns when neither says otherwise).
func Precision(a, b Store) time.Duration {
	p := time.Nanosecond
	for _, s := range []Store{a, b} {
		if tp, ok := s.(TimePrecision); ok && tp.Precision() > p {
			p = tp.Precision()
		}
	}
	return p
}

// ValidName reports why a listed name cannot be synced: an empty, "." or ".." segment, or a NUL byte.
// Such names exist in Blob storage ("a//b", "../x", "/abs") but have no safe place on a file system.
func ValidName(name string) error {
	if strings.IndexByte(name, 0) >= 0 {
		return fmt.Errorf("name %q holds a NUL byte", name)
	}
	for seg := range strings.SplitSeq(name, "/") {
		if !ValidSegment(seg) {
			return fmt.Errorf("name %q has an empty, '.' or '..' segment and would not stay inside the destination", name)
		}
	}
	return nil
}

// ValidSegment reports whether one path segment can stand for itself on a file system.
func ValidSegment(seg string) bool { return seg != "" && seg != "." && seg != ".." }

// EscapePath percent-escapes each segment of a '/'-separated name for a URL path.
func EscapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return strings.Join(segs, "/")
}

// Join joins a directory and a name with '/', treating "" as the root.
func Join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// Base is the last segment of a '/'-separated name.
func Base(name string) string {
	return name[strings.LastIndexByte(name, '/')+1:]
}

// IsNotExist reports whether err says an entry or root is missing.
func IsNotExist(err error) bool { return errors.Is(err, ErrNotExist) }

// ErrSourceChanged is returned (wrapped) when a source's content changed while it was being copied:
// the copy is not made visible, and the entry may be copied again from its new state.
var ErrSourceChanged = errors.New("the source changed while it was being copied")

// SourceUnreachableError is returned by a ServerCopier when the destination service could not read
// the source (a firewalled or private-endpoint account answers CannotVerifyCopySource; some
// emulators answer 500): the entry can still be copied through azsync, read from the source store
// and written with Put.
type SourceUnreachableError struct {
	Why string // the answer, in a few words ("403 CannotVerifyCopySource")
	Err error
}

func (e *SourceUnreachableError) Error() string {
	return "the destination service cannot read the source (" + e.Why + "): " + e.Err.Error()
}

func (e *SourceUnreachableError) Unwrap() error { return e.Err }

// Verifier is implemented by sources that can tell whether their content changed since it was
// listed (a local file: its size and modification time). Writers ask before they make a copy
// visible, so a file edited during its upload is never committed as a mix of two versions.
type Verifier interface {
	// Unchanged returns an error wrapping ErrSourceChanged when the content may have changed. What
	// it vouches for is the bytes read so far: a source may answer from its last check when nothing
	// was read since (a file changed after its last read cannot have mixed two versions into it).
	Unchanged(ctx context.Context) error
}

// Unchanged asks src whether it changed, when it can tell; a source that cannot (a remote one pins
// its version with If-Match instead) is taken as unchanged.
func Unchanged(ctx context.Context, src Source) error {
	if v, ok := src.(Verifier); ok {
		return v.Unchanged(ctx)
	}
	return nil
}

// Identified is implemented by sources that can name what they read (a local file's absolute path,
// a blob's URL), so that a writer resuming an interrupted copy never takes work done for another
// source with the same size and time as its own.
type Identified interface {
	Identity() string
}

// Identity is src's identity when it has one, else "".
func Identity(src Source) string {
	if id, ok := src.(Identified); ok {
		return id.Identity()
	}
	return ""
}

// Work in progress is written under a temporary name in the target's own directory,
// .azsync-<random>.partial, and renamed into place once complete. Every store's listing skips such
// names (IsTemp): they are never copied, compared, counted or deleted as data.
const (
	tempPrefix = ".azsync-"
	tempSuffix = ".partial"
)

// TempName returns a fresh temporary name (one path segment) for work in progress.
func TempName() string {
	var random [8]byte
	rand.Read(random[:]) // never fails (crypto/rand)
	return tempPrefix + hex.EncodeToString(random[:]) + tempSuffix
}

// IsTemp reports whether a path segment is one of azsync's temporary names.
func IsTemp(seg string) bool {
	return strings.HasPrefix(seg, tempPrefix) && strings.HasSuffix(seg, tempSuffix)
}

// LeftoverRemover is implemented by stores that can remove the temporaries an interrupted run left
// behind (found by the listings, which skip them). The syncer calls it on the destination once
// every listing of the run completed, and never in a dry run.
type LeftoverRemover interface {
	// RemoveLeftovers deletes the temporaries seen so far and returns how many it removed.
	RemoveLeftovers(ctx context.Context) (int, error)
}

// RealDirs is implemented by stores whose directories exist on their own, empty or not (local
// folders, Azure Files directories), as opposed to Blob virtual directories. When both sides of a
// sync have them, the walk creates each source directory the destination lacks before it plans
// the directory's contents, so empty directories are copied too and no write finds its parent
// missing; and destination-only ones are removed after their contents.
type RealDirs interface {
	RealDirs()
}

// FolderProperties is implemented by stores whose directories carry properties that a sync sets
// where the run asks for them (Azure Files under --preserve-info and --preserve-permissions). The
// walk gives a directory present on both sides the source's properties when they differ, and the
// root's too under --include-root: a folder-property transfer.
type FolderProperties interface {
	// Folder describes the directory at name ("" is the root) with its properties.
	Folder(ctx context.Context, name string) (Entry, error)
	// FolderDiffers reports whether the directory dst of this store lacks properties of the
	// source directory src that the run carries (never when it carries none).
	FolderDiffers(ctx context.Context, src, dst Entry) (bool, error)
	// SetFolder gives the existing directory e.Name the properties of the source directory e.
	SetFolder(ctx context.Context, e Entry) error
}

// Printable escapes the control characters of a name for display (a newline as \n, an escape as
// \x1b), so that a hostile name can neither split a line of output nor drive the terminal.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
