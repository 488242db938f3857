package filesemu

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// store is the account's namespace. One RWMutex guards every share, node and
// property: mutations are short (a Put Range copies at most 4 MiB under it), and
// file bytes are read outside it through content, which has its own lock.
type store struct {
	mu         sync.RWMutex
	shares     map[string]*share
	newContent func(id uint64) content

	etagSeq atomic.Uint64
	idSeq   atomic.Uint64
}

type share struct {
	name         string
	quota        int
	accessTier   string
	meta         metadata
	etag         string
	lastModified time.Time
	root         *node
	// permissions maps permission keys to security descriptors created in this share.
	permissions map[string]permission
}

// node is a directory (children != nil) or a file.
type node struct {
	name     string // as created: names are case-preserving
	id       uint64
	parent   *node
	children map[string]*node // by foldName

	meta         metadata
	etag         string
	lastModified time.Time
	smb          smbProps

	// Files only.
	size    int64
	headers contentHeaders
	data    content
	written rangeSet // ranges holding data, for List Ranges
}

func (n *node) isDir() bool { return n.children != nil }

// fileIDBase makes file IDs look like the service's (large 64-bit numbers).
const fileIDBase = 0xC000_0000_0000_0000

func newStore(newContent func(uint64) content) *store {
	st := &store{shares: map[string]*share{}, newContent: newContent}
	// ETags are hex FILETIME-like counters, monotonic for the process lifetime.
	st.etagSeq.Store(uint64(time.Now().UnixNano()/100) + 116444736000000000)
	st.idSeq.Store(fileIDBase)
	return st
}

func (st *store) nextETag() string { return fmt.Sprintf("\"0x%X\"", st.etagSeq.Add(1)) }

func (st *store) nextID() uint64 { return st.idSeq.Add(1) }

// now is the current time at the service's 100 ns precision.
func now() time.Time { return time.Now().UTC().Truncate(100 * time.Nanosecond) }

// touch records a modification of the node's resource (not its SMB times).
func (st *store) touch(n *node) {
	n.etag = st.nextETag()
	n.lastModified = now()
}

func (st *store) share(name string) (*share, error) {
	sh := st.shares[name]
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
		next := dir.children[foldName(name)]
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
	if sh, err = st.share(t.share); err != nil {
		return nil, nil, "", nil, err
	}
	if parent, err = sh.parentDir(t.path); err != nil {
		return nil, nil, "", nil, err
	}
	name = t.path[len(t.path)-1]
	return sh, parent, name, parent.children[foldName(name)], nil
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
	n := dir.children[foldName(path[len(path)-1])]
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
	sh, err := st.share(t.share)
	if err != nil {
		return nil, nil, err
	}
	n, err := find(sh, t.path)
	return sh, n, err
}

// release frees the content of n and everything below it.
func release(n *node) {
	if n.data != nil {
		n.data.remove()
	}
	for _, c := range n.children {
		release(c)
	}
}

// usage sums the file sizes below n.
func usage(n *node) int64 {
	total := n.size
	for _, c := range n.children {
		total += usage(c)
	}
	return total
}
