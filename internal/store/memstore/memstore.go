// Package memstore is an in-memory store for unit tests of the sync: files by name, directories
// implied by the files under them (as in Blob storage) or kept as markers when Put as directories.
// It keeps the store contract (the storetest suite runs against it) and lets a test make a Put or a
// listing fail, and see the order of the writes and deletions it received.
package memstore

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/transfer"
)

// File is one stored file.
type File struct {
	Data  string
	MTime time.Time
	Type  string // content type
}

// Store is an in-memory store. The zero value is not usable: call New.
type Store struct {
	mu      sync.Mutex
	files   map[string]File
	markers map[string]time.Time // directories Put as directories
	failPut map[string]bool
	failDir string
	ops     []string
}

var _ interface {
	store.Store
	store.AtomicWriter
} = (*Store)(nil)

// New returns a store holding files.
func New(files map[string]File) *Store {
	if files == nil {
		files = map[string]File{}
	}
	return &Store{files: files, markers: map[string]time.Time{}, failPut: map[string]bool{}}
}

// FailPut makes every Put of name fail.
func (m *Store) FailPut(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failPut[name] = true
}

// FailList makes the listing of dir (not the root) fail.
func (m *Store) FailList(dir string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failDir = dir
}

// Set stores f under name, as a change made behind the sync's back.
func (m *Store) Set(name string, f File) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[name] = f
}

// Files returns a copy of the files held now.
func (m *Store) Files() map[string]File {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]File, len(m.files))
	for k, v := range m.files {
		out[k] = v
	}
	return out
}

// Ops lists the writes ("put NAME") and deletions ("delete NAME") received, in order.
func (m *Store) Ops() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.ops)
}

// AtomicPut implements store.AtomicWriter: content becomes visible only once wholly read.
func (m *Store) AtomicPut() bool { return true }

// Display shows a name as "mem:NAME".
func (m *Store) Display(name string) string { return "mem:" + name }

func (m *Store) entry(name string, f File) store.Entry {
	sum := md5.Sum([]byte(f.Data))
	return store.Entry{Name: name, Size: int64(len(f.Data)), ModTime: f.MTime, MD5: sum[:], ContentType: f.Type}
}

// List yields the children of dir in Key order.
func (m *Store) List(ctx context.Context, dir string) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		m.mu.Lock()
		if dir != "" && dir == m.failDir {
			m.mu.Unlock()
			yield(store.Entry{}, errors.New("listing refused"))
			return
		}
		entries := m.children(dir)
		m.mu.Unlock()
		slices.SortFunc(entries, func(a, b store.Entry) int { return strings.Compare(store.Key(a), store.Key(b)) })
		for _, e := range entries {
			if err := ctx.Err(); err != nil {
				yield(store.Entry{}, err)
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// children lists dir's entries in no order; m.mu is held.
func (m *Store) children(dir string) []store.Entry {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	seen := map[string]store.Entry{}
	addDir := func(rest string) {
		name := prefix + rest
		e := store.Entry{Name: name, IsDir: true}
		if t, ok := m.markers[name]; ok {
			e.Marker, e.ModTime = true, t
		}
		seen[rest+"/"] = e
	}
	for name, f := range m.files {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				addDir(rest[:i])
			} else {
				seen[rest] = m.entry(name, f)
			}
		}
	}
	for name := range m.markers {
		if rest, ok := strings.CutPrefix(name, prefix); ok && rest != "" {
			seg, _, _ := strings.Cut(rest, "/")
			addDir(seg)
		}
	}
	out := make([]store.Entry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	return out
}

// Stat describes a file, or a directory that has a marker or holds something.
func (m *Store) Stat(_ context.Context, name string) (store.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.files[name]; ok {
		return m.entry(name, f), nil
	}
	if t, ok := m.markers[name]; ok {
		return store.Entry{Name: name, IsDir: true, Marker: true, ModTime: t}, nil
	}
	if len(m.children(name)) > 0 {
		return store.Entry{Name: name, IsDir: true}, nil
	}
	return store.Entry{}, fmt.Errorf("%s: %w", m.Display(name), store.ErrNotExist)
}

type source string

func (s source) ReadAt(_ context.Context, p []byte, off int64) error {
	if off < 0 || off+int64(len(p)) > int64(len(s)) {
		return fmt.Errorf("range %d+%d is beyond the end (%d bytes)", off, len(p), len(s))
	}
	copy(p, s[off:])
	return nil
}

func (s source) Close() error { return nil }

// Open returns the content of a file.
func (m *Store) Open(_ context.Context, e store.Entry) (store.Source, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[e.Name]
	if !ok {
		return nil, fmt.Errorf("%s: %w", m.Display(e.Name), store.ErrNotExist)
	}
	return source(f.Data), nil
}

// Put stores the whole content of src under e.Name, or a directory marker.
func (m *Store) Put(ctx context.Context, e store.Entry, src store.Source) error {
	if m.refused(e.Name) {
		return errors.New("refused")
	}
	if e.IsDir {
		m.record("put "+e.Name, func() { m.markers[e.Name] = e.ModTime })
		return nil
	}
	buf := make([]byte, e.Size)
	if err := src.ReadAt(ctx, buf, 0); err != nil {
		return err
	}
	typ := e.ContentType
	if typ == "" {
		typ = transfer.ContentType(e.Name, buf[:min(len(buf), 512)])
	}
	m.record("put "+e.Name, func() { m.files[e.Name] = File{Data: string(buf), MTime: e.ModTime, Type: typ} })
	return nil
}

func (m *Store) refused(name string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failPut[name]
}

func (m *Store) record(op string, change func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	change()
	m.ops = append(m.ops, op)
}

// Delete removes a file, or a directory's marker (what is under it stays). A missing entry is no error.
func (m *Store) Delete(_ context.Context, name string, isDir bool) error {
	m.record("delete "+name, func() {
		if isDir {
			delete(m.markers, name)
		} else {
			delete(m.files, name)
		}
	})
	return nil
}
