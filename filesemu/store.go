package filesemu

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// store is the account's namespace. One RWMutex guards every share, node,
// property and file content: mutations are short (a Put Range copies at most
// 4 MiB under it), and downloads take it for reading one chunk at a time.
type store struct {
	mu     sync.RWMutex
	shares map[string]*share
	// disk is the directory holding file contents (persisted emulators); empty
	// for contents in memory.
	disk string
	// headers interns the HTTP properties of files: a tree usually has only a
	// few distinct combinations (e.g. one content type), so each file holds a
	// pointer to a shared copy.
	headers map[httpHeaders]*httpHeaders
	// copies records what Copy File made; few files are copies, so the record
	// lives here rather than in every node.
	copies map[*node]*copyInfo
	// leases holds the files' leases, likewise.
	leases map[*node]*lease

	etagSeq atomic.Uint64
	idSeq   atomic.Uint64
}

type share struct {
	name        string
	quota       int
	accessTier  string
	meta        metadata
	etag        etag
	root        *node
	permissions map[string]*storedPermission // security descriptors by permission key
	// snapshot is the time that names this share snapshot; empty for a live share,
	// whose snapshots are held by that time.
	snapshot  string
	snapshots map[string]*share
	lease     *shareLease    // nil: never leased, or released (not persisted)
	acl       []accessPolicy // stored access policies (Set Share ACL)
}

// node is a directory (children != nil) or a file. Big trees hold millions of
// them, so the layout is kept small: times as ticks, the ETag doubling as the
// Last-Modified time, HTTP properties interned, small contents held inline.
type node struct {
	name     string // as created: names are case-preserving
	parent   *node
	children *children // nil for files
	id       uint64
	etag     etag
	meta     metadata // nil when empty
	smb      smbProps

	// Files only.
	size    int64
	headers *httpHeaders // interned; nil when none is set
	md5     *[16]byte    // the Content-MD5 property; nil when unset
	mem     memContent   // the bytes, for an emulator in memory
	written rangeSet     // ranges holding data, for List Ranges
}

func (n *node) isDir() bool { return n.children != nil }

// fileIDBase makes file IDs look like the service's (large 64-bit numbers).
const fileIDBase = 0xC000_0000_0000_0000

// newStore makes an empty namespace whose file contents live in memory, or in
// files under disk when it is set.
func newStore(disk string) *store {
	st := &store{shares: map[string]*share{}, disk: disk, headers: map[httpHeaders]*httpHeaders{},
		copies: map[*node]*copyInfo{}, leases: map[*node]*lease{}}
	st.idSeq.Store(fileIDBase)
	return st
}

// etag is the time of a modification in FILETIME ticks, as the service's ETags
// are ("0x8DC..."), made unique by the store: it is also the Last-Modified time.
type etag uint64

func (e etag) String() string { return fmt.Sprintf("\"0x%X\"", uint64(e)) }

func (e etag) lastModified() time.Time { return filetime(e).time() }

// nextETag is now, or one tick after the last ETag handed out if that is later.
func (st *store) nextETag() etag {
	for {
		last := st.etagSeq.Load()
		next := max(last+1, uint64(now()))
		if st.etagSeq.CompareAndSwap(last, next) {
			return etag(next)
		}
	}
}

func (st *store) nextID() uint64 { return st.idSeq.Add(1) }

// touch records a modification of the node's resource (not its SMB times).
func (st *store) touch(n *node) { n.etag = st.nextETag() }

// contentIn is where the bytes of n, a file of share sh, live: snapshots keep
// theirs in memory.
func (st *store) contentIn(sh *share, n *node) content {
	if sh.snapshot != "" {
		return &n.mem
	}
	return st.content(n)
}

// content is where the bytes of n, a file of a live share, live.
func (st *store) content(n *node) content {
	if st.disk != "" {
		return diskContent{path: filepath.Join(st.disk, formatID(n.id))}
	}
	return &n.mem
}

// read fills p from data at off under the read lock.
func (st *store) read(data content, p []byte, off int64) error {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return data.readAt(p, off)
}

// contentMD5 is the file's Content-MD5 property, nil when unset.
func (n *node) contentMD5() []byte {
	if n.md5 == nil {
		return nil
	}
	return n.md5[:]
}

// internHeaders returns the shared copy of h, nil for all-empty properties.
func (st *store) internHeaders(h httpHeaders) *httpHeaders {
	if h == (httpHeaders{}) {
		return nil
	}
	if p := st.headers[h]; p != nil {
		return p
	}
	p := &h
	st.headers[h] = p
	return p
}

// share is the share t names, or its snapshot when t names one.
func (st *store) share(t target) (*share, error) {
	sh := st.shares[t.share]
	if sh != nil && t.snapshot != "" {
		sh = sh.snapshots[t.snapshot]
	}
	if sh == nil {
		return nil, errShareNotFound()
	}
	return sh, nil
}

// sortedShares returns the shares ordered by name.
func (st *store) sortedShares() []*share {
	out := make([]*share, 0, len(st.shares))
	for _, sh := range st.shares {
		out = append(out, sh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// parentDir resolves the directory holding path's last component.
func (sh *share) parentDir(path []string) (*node, error) {
	dir := sh.root
	for _, name := range path[:len(path)-1] {
		next := dir.children.get(name)
		if next == nil || !next.isDir() {
			return nil, errParentNotFound()
		}
		dir = next
	}
	return dir, nil
}

// slot resolves where t's last component lives: its share, parent directory,
// name, and the node already there (nil when the name is free).
func (st *store) slot(t target) (sh *share, parent *node, name string, existing *node, err error) {
	if sh, err = st.share(t); err != nil {
		return nil, nil, "", nil, err
	}
	if parent, err = sh.parentDir(t.path); err != nil {
		return nil, nil, "", nil, err
	}
	// A copy: the parsed path shares the memory of the whole request line.
	name = strings.Clone(t.path[len(t.path)-1])
	return sh, parent, name, parent.children.get(name), nil
}

// lookup resolves path (the root directory when empty).
func (sh *share) lookup(path []string) (*node, error) {
	if len(path) == 0 {
		return sh.root, nil
	}
	dir, err := sh.parentDir(path)
	if err != nil {
		return nil, err
	}
	n := dir.children.get(path[len(path)-1])
	if n == nil {
		return nil, errResourceNotFound()
	}
	return n, nil
}

// directory resolves path to a directory; a file there is "not found".
func (sh *share) directory(path []string) (*node, error) {
	n, err := sh.lookup(path)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, errResourceNotFound()
	}
	return n, nil
}

// file resolves path to a file; a directory there is "not found".
func (sh *share) file(path []string) (*node, error) {
	n, err := sh.lookup(path)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, errResourceNotFound()
	}
	return n, nil
}

// resolve finds the share and, with find (lookup, directory or file), the node t names.
func (st *store) resolve(t target, find func(*share, []string) (*node, error)) (*share, *node, error) {
	sh, err := st.share(t)
	if err != nil {
		return nil, nil, err
	}
	n, err := find(sh, t.path)
	return sh, n, err
}

// release frees the content of n and everything below it.
func (st *store) release(n *node) {
	if !n.isDir() {
		st.content(n).remove()
		delete(st.copies, n)
		delete(st.leases, n)
	}
	for c := range n.children.all() {
		st.release(c)
	}
}

// usage sums the file sizes below n.
func usage(n *node) int64 {
	total := n.size
	for c := range n.children.all() {
		total += usage(c)
	}
	return total
}
