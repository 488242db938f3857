// Package local is the store for a folder on local disk.
package local

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/azsync/azsync/internal/hashcache"
	"github.com/azsync/azsync/internal/posix"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/transfer"
)

// Options configure how files are written.
type Options struct {
	Engine    *transfer.Engine
	BlockSize int64 // chosen download range size; 0 picks one from the file size
	CheckMD5  transfer.CheckMD5
	// Warn reports a problem that does not fail the transfer (LogOnly MD5 mismatches).
	Warn func(msg string)
	// Hashes, when set, keeps HashMD5's results between runs (--local-hash-storage-mode).
	Hashes *hashcache.Config
	// FollowSymlinks lists a symbolic link as what it points to, under the link's name
	// (--follow-symlinks); otherwise links are skipped and counted.
	FollowSymlinks bool
	// Posix lists each file's mode, owner, group and times in the style's metadata form, and Put
	// restores those an entry carries (--preserve-posix-properties).
	Posix      bool
	PosixStyle posix.Style
}

// Store is a local folder.
type Store struct {
	root     string
	opts     Options
	hashes   *hashcache.Cache // nil without a hash cache
	warnOnce sync.Once
	// ownerOnce says once that owners or groups were kept back (posix.Apply).
	ownerOnce sync.Once

	skippedLinks, skippedSpecial atomic.Int64

	mu        sync.Mutex
	leftovers []string // temporaries complete listings found (RemoveLeftovers)
}

var _ store.LeftoverRemover = (*Store)(nil)

// New returns the store rooted at the folder root.
func New(root string, opts Options) *Store {
	s := &Store{root: root, opts: opts}
	if opts.Hashes != nil {
		s.hashes = opts.Hashes.For(root)
	}
	return s
}

func (s *Store) path(name string) string { return filepath.Join(s.root, filepath.FromSlash(name)) }

// Display shows the local path of name, its control characters escaped.
func (s *Store) Display(name string) string { return store.Printable(s.path(name)) }

// List yields the regular files and folders of dir. Symbolic links are skipped and counted, unless
// FollowSymlinks is set (see links.go); special files (devices, pipes, sockets) are skipped and
// counted. Hash cache files are skipped too, whatever the flags: they are azsync's, not the user's.
func (s *Store) List(ctx context.Context, dir string) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		entries, err := s.read(dir)
		if err != nil {
			yield(store.Entry{}, err)
			return
		}
		for _, e := range entries {
			if ctx.Err() != nil {
				yield(store.Entry{}, ctx.Err())
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// read describes the entries of dir in Key order and notes its temporaries for RemoveLeftovers.
func (s *Store) read(dir string) ([]store.Entry, error) {
	// The folder stays open while its entries are described: each is an fstatat on its descriptor.
	f, err := os.Open(s.path(dir))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", s.path(dir), err)
	}
	defer f.Close()
	// Not os.ReadDir, which sorts by name: the entries are sorted by Key below in any case.
	dirents, err := f.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", s.path(dir), err)
	}
	entries := make([]store.Entry, 0, len(dirents))
	var temps []string
	for _, d := range dirents {
		if store.IsTemp(d.Name()) && d.Type().IsRegular() {
			temps = append(temps, store.Join(dir, d.Name()))
			continue
		}
		if store.IsTemp(d.Name()) || hashcache.IsMeta(d.Name()) {
			continue
		}
		e, ok, err := s.entry(f, dir, d)
		if err != nil {
			return nil, err
		}
		if ok {
			entries = append(entries, e)
		}
	}
	slices.Sort(temps)
	s.mu.Lock()
	s.leftovers = append(s.leftovers, temps...)
	s.mu.Unlock()
	slices.SortFunc(entries, func(a, b store.Entry) int { return strings.Compare(store.Key(a), store.Key(b)) })
	return entries, nil
}

// RemoveLeftovers implements store.LeftoverRemover: it deletes the temporaries that complete
// listings found, which only a killed or crashed download leaves (a failed one removes its own).
// Two runs into one folder at once are not supported: the second would remove the first's work in
// progress, whose files then fail to be renamed into place (nothing wrong is left under a real name).
func (s *Store) RemoveLeftovers(context.Context) (int, error) {
	s.mu.Lock()
	paths := s.leftovers
	s.leftovers = nil
	s.mu.Unlock()
	removed := 0
	for _, p := range paths {
		if err := os.Remove(s.path(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("removing the temporary %s left by an interrupted run: %w", s.path(p), err)
		}
		removed++
	}
	return removed, nil
}

// entry describes one directory entry of dir, open as f; ok is false for what the listing skips.
func (s *Store) entry(f *os.File, dir string, d fs.DirEntry) (e store.Entry, ok bool, err error) {
	name := store.Join(dir, d.Name())
	switch t := d.Type(); {
	case t&fs.ModeSymlink != 0:
		if !s.opts.FollowSymlinks {
			s.skippedLinks.Add(1)
			return e, false, nil
		}
		return s.followLink(dir, name)
	case !t.IsDir() && !t.IsRegular():
		s.skippedSpecial.Add(1)
		return e, false, nil
	}
	if s.opts.Posix { // the mode, owner and times too: a whole FileInfo
		info, err := d.Info()
		if err != nil {
			return s.statFailed(name, err)
		}
		return s.entryOf(name, info), true, nil
	}
	isDir, size, mtime, err := lstatAt(f, d)
	if err != nil {
		return s.statFailed(name, err)
	}
	return newEntry(name, isDir, size, mtime), true, nil
}

// statFailed is what entry makes of a failed lstat: an entry removed since the directory was read
// is skipped, any other failure fails the listing.
func (s *Store) statFailed(name string, err error) (store.Entry, bool, error) {
	if errors.Is(err, fs.ErrNotExist) {
		return store.Entry{}, false, nil
	}
	return store.Entry{}, false, fmt.Errorf("reading %s: %w", s.path(name), err)
}

// SkippedLinks counts the symbolic links and special files the listings skipped.
func (s *Store) SkippedLinks() (symlinks, special int64) {
	return s.skippedLinks.Load(), s.skippedSpecial.Load()
}

func (s *Store) entryOf(name string, info fs.FileInfo) store.Entry {
	e := newEntry(name, info.IsDir(), info.Size(), info.ModTime())
	if !e.IsDir && s.opts.Posix { // not on every listed file of every run: only when asked for
		if p, ok := posix.Of(info); ok {
			e.Posix = p.Metadata(s.opts.PosixStyle)
		}
	}
	return e
}

// newEntry is a local file's entry, or a folder's (which has no size).
func newEntry(name string, isDir bool, size int64, mtime time.Time) store.Entry {
	e := store.Entry{Name: name, IsDir: isDir, Marker: isDir, ModTime: mtime}
	if !isDir {
		e.Size = size
	}
	return e
}

// Stat describes the file or folder at name ("" is the root).
func (s *Store) Stat(_ context.Context, name string) (store.Entry, error) {
	info, err := os.Stat(s.path(name))
	if err != nil {
		return store.Entry{}, notExist(err)
	}
	return s.entryOf(name, info), nil
}

// notExist makes "a parent is a file" (ENOTDIR) the missing entry it is for the contract: nothing
// is at that name.
func notExist(err error) error {
	if errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("%w (%w)", err, store.ErrNotExist)
	}
	return err
}

// Open opens a file for ranged reads. The source remembers the listed size and time, so that a
// writer can ask, before it commits, whether the file changed while it was read (store.Verifier).
func (s *Store) Open(_ context.Context, e store.Entry) (store.Source, error) {
	f, err := os.Open(s.path(e.Name))
	if err != nil {
		return nil, err
	}
	fs := &fileSource{f: f, s: s, listed: e}
	fs.checked.Store(-1)
	return fs, nil
}

type fileSource struct {
	f      *os.File
	s      *Store
	listed store.Entry
	// reads counts the reads completed; checked is its value when the file was last found
	// unchanged (-1: never). Equal, no read ended since that check: its answer still holds, and
	// the check after a copy costs no second stat of a file its writer already checked.
	reads, checked atomic.Int64
}

var _ interface {
	store.Verifier
	store.Identified
} = (*fileSource)(nil)

var _ store.MD5Sink = (*fileSource)(nil)

// SetMD5 records the MD5 an upload computed in the hash cache, unless the file changed since it
// was listed (then the sum may mix two versions).
func (fs *fileSource) SetMD5(sum []byte) {
	if fs.s.hashes != nil {
		fs.s.remember(fs.f, fs.listed.Name, fs.listed.Size, fs.listed.ModTime, sum)
	}
}

func (fs *fileSource) ReadAt(_ context.Context, p []byte, off int64) error {
	_, err := fs.f.ReadAt(p, off)
	fs.reads.Add(1) // after the read: a check that began before it ended does not cover it
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("reading %s: the file shrank: %w", fs.f.Name(), store.ErrSourceChanged)
	}
	return err
}

// Unchanged checks the open file (written in place) and the path (replaced by a rename) against
// the listing: a different size or modification time means the bytes read may mix two versions.
func (fs *fileSource) Unchanged(context.Context) error {
	reads := fs.reads.Load()
	if fs.checked.Load() == reads {
		return nil
	}
	for _, stat := range []func() (os.FileInfo, error){fs.f.Stat, func() (os.FileInfo, error) { return os.Stat(fs.f.Name()) }} {
		info, err := stat()
		if err != nil {
			return fmt.Errorf("checking %s after reading it: %w", fs.f.Name(), err)
		}
		if info.Size() != fs.listed.Size || !info.ModTime().Equal(fs.listed.ModTime) {
			return fmt.Errorf("%s: %w", fs.f.Name(), store.ErrSourceChanged)
		}
	}
	fs.checked.Store(reads)
	return nil
}

// Identity is the file's absolute path (as opened when the folder's path cannot be made absolute).
func (fs *fileSource) Identity() string {
	if abs, err := filepath.Abs(fs.f.Name()); err == nil {
		return abs
	}
	return fs.f.Name()
}

func (fs *fileSource) Close() error { return fs.f.Close() }

// HashMD5 returns a file's MD5: from the hash cache while the file keeps the size and time it had
// when it was hashed, else by reading it (and then recording it in the cache).
func (s *Store) HashMD5(ctx context.Context, name string) ([]byte, error) {
	f, err := os.Open(s.path(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if s.hashes != nil {
		if sum, ok := s.hashes.Get(name, before.Size(), before.ModTime()); ok {
			return sum, nil
		}
	}
	h := md5.New()
	if _, err := io.Copy(h, readerWithContext{ctx, f}); err != nil {
		return nil, fmt.Errorf("hashing %s: %w", s.path(name), err)
	}
	sum := h.Sum(nil)
	if s.hashes != nil {
		s.remember(f, name, before.Size(), before.ModTime(), sum)
	}
	return sum, nil
}

// remember caches sum unless the file changed while it was read. A cache that cannot be written
// (a read-only folder) costs only speed: it is said once, and the run goes on.
func (s *Store) remember(f *os.File, name string, size int64, mtime time.Time, sum []byte) {
	after, err := f.Stat()
	if err != nil || after.Size() != size || !after.ModTime().Equal(mtime) {
		return
	}
	if err := s.hashes.Put(name, size, mtime, sum); err != nil && s.opts.Warn != nil {
		s.warnOnce.Do(func() {
			s.opts.Warn(fmt.Sprintf("cannot keep hashes in the hash cache (%s): %v; later runs will read the files again", s.hashes.Mode, err))
		})
	}
}

type readerWithContext struct {
	ctx context.Context
	r   io.Reader
}

func (r readerWithContext) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// Put downloads src into a temporary file next to the target, checks its MD5 as --check-md5 says,
// sets its modification time to e.ModTime and only then renames it into place, so an interrupted or
// failed transfer never leaves a truncated file under the real name.
func (s *Store) Put(ctx context.Context, e store.Entry, src store.Source) (err error) {
	target := s.path(e.Name)
	if e.IsDir {
		return os.MkdirAll(target, 0o755)
	}
	if e.MD5 == nil && s.opts.CheckMD5 == transfer.FailIfDifferentOrMissing {
		return fmt.Errorf("%s has no MD5 to check and --check-md5=FailIfDifferentOrMissing", e.Name)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := createTemp(filepath.Dir(target))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Truncate(e.Size); err != nil {
		return err
	}
	chunk, err := transfer.BlockSize(e.Size, s.opts.BlockSize)
	if err != nil {
		return err
	}
	verify := s.opts.CheckMD5 != transfer.NoCheck && e.MD5 != nil
	sum, err := s.opts.Engine.Chunked(ctx, e.Size, chunk, verify,
		func(ctx context.Context, off int64, buf []byte) error { return src.ReadAt(ctx, buf, off) },
		func(_ context.Context, c *transfer.Chunk) error {
			_, err := f.WriteAt(c.Data, c.Offset)
			return err
		})
	if err != nil {
		return err
	}
	if verify && !bytes.Equal(sum, e.MD5) {
		msg := fmt.Sprintf("MD5 of the downloaded %s (%x) differs from the source's Content-MD5 (%x)", e.Name, sum, e.MD5)
		if s.opts.CheckMD5 != transfer.LogOnly {
			return errors.New(msg)
		}
		if s.opts.Warn != nil {
			s.opts.Warn(msg)
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := s.setProps(f.Name(), e); err != nil {
		return err
	}
	if info, err := os.Lstat(target); err == nil && info.IsDir() {
		return fmt.Errorf("cannot replace folder %s with a file", target)
	}
	return os.Rename(f.Name(), target)
}

// setProps gives a downloaded file its time and, when the entry carries them, its POSIX properties.
// Owners and groups an ordinary user may not set are kept back, as rsync does, and said once in the log.
func (s *Store) setProps(path string, e store.Entry) error {
	if e.Posix == nil || !s.opts.Posix {
		return os.Chtimes(path, e.ModTime, e.ModTime)
	}
	notSet, err := posix.Apply(path, e.Posix, e.ModTime)
	if err != nil {
		return fmt.Errorf("restoring the POSIX properties of %s: %w", e.Name, err)
	}
	if notSet != "" && s.opts.Warn != nil {
		s.ownerOnce.Do(func() {
			s.opts.Warn(fmt.Sprintf("--preserve-posix-properties: kept the %s of %s (and perhaps of other files) as downloaded: only root may give a file to another user, or to a group it is not in", notSet, e.Name))
		})
	}
	return nil
}

// createTemp creates the temporary download file (store.TempName) in dir; listings skip it, so
// that a run never uploads or deletes another run's work in progress.
func createTemp(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, store.TempName()), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
}

// Delete removes a file, or a folder when it is empty. One already gone is no error (store.Store).
func (s *Store) Delete(_ context.Context, name string, _ bool) error {
	if err := notExist(os.Remove(s.path(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// AtomicPut implements store.AtomicWriter: Put writes a temporary file and renames it into place.
func (s *Store) AtomicPut() bool { return true }

// RealDirs implements store.RealDirs: folders exist on their own, empty ones too.
func (s *Store) RealDirs() {}

var _ interface {
	store.Store
	store.Hasher
	store.AtomicWriter
	store.RealDirs
} = (*Store)(nil)

// MakeRoot creates the root folder (a missing download folder is created, SPEC §2).
func (s *Store) MakeRoot() error { return os.MkdirAll(s.root, 0o755) }
