package filesemu

import (
	"hash/maphash"
	"iter"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// children is a directory's index of its entries by case-folded name (Azure
// Files names are case-insensitive). It keys a map by a 64-bit hash of the
// folded name rather than by the folded name itself: most names have
// lower-case letters, so the folded form would be a second copy of every name
// in a big tree. Entries whose hashes collide with another go to a second map
// keyed by the folded name.
type children struct {
	byHash  map[uint64]*node
	collide map[string]*node // nil until a collision
	// byName is the entries sorted by name, as listings page through them; built
	// by the first listing (under the store's read lock, hence atomic) and
	// dropped by any change, so that paging through a big directory sorts it once.
	byName atomic.Pointer[[]*node]
}

func newChildren(size int) *children { return &children{byHash: make(map[uint64]*node, size)} }

var foldSeed = maphash.MakeSeed()

// foldHash hashes foldName(name) without building it.
func foldHash(name string) uint64 {
	var h maphash.Hash
	h.SetSeed(foldSeed)
	var buf [64]byte
	b := buf[:0]
	for _, r := range name {
		if len(b) > len(buf)-utf8.UTFMax {
			_, _ = h.Write(b)
			b = b[:0]
		}
		b = utf8.AppendRune(b, unicode.ToUpper(r))
	}
	_, _ = h.Write(b)
	return h.Sum64()
}

// sameFold reports whether foldName(a) == foldName(b), without building them.
func sameFold(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if unicode.ToUpper(ra) != unicode.ToUpper(rb) {
			return false
		}
		a, b = a[na:], b[nb:]
	}
	return a == b
}

// get returns the entry whose name folds like name, or nil.
func (c *children) get(name string) *node {
	if n := c.byHash[foldHash(name)]; n != nil && sameFold(n.name, name) {
		return n
	}
	if c.collide != nil {
		return c.collide[foldName(name)]
	}
	return nil
}

// sorted returns the entries in name order.
func (c *children) sorted() []*node {
	if p := c.byName.Load(); p != nil {
		return *p
	}
	out := slices.SortedFunc(c.all(), func(a, b *node) int { return strings.Compare(a.name, b.name) })
	c.byName.Store(&out)
	return out
}

// put adds n, replacing the entry whose name folds like n's.
func (c *children) put(n *node) {
	c.byName.Store(nil)
	if c.collide != nil {
		if key := foldName(n.name); c.collide[key] != nil {
			c.collide[key] = n
			return
		}
	}
	h := foldHash(n.name)
	if cur := c.byHash[h]; cur == nil || sameFold(cur.name, n.name) {
		c.byHash[h] = n
		return
	}
	if c.collide == nil {
		c.collide = map[string]*node{}
	}
	c.collide[foldName(n.name)] = n
}

// remove drops n.
func (c *children) remove(n *node) {
	c.byName.Store(nil)
	if h := foldHash(n.name); c.byHash[h] == n {
		delete(c.byHash, h)
		return
	}
	delete(c.collide, foldName(n.name))
}

func (c *children) len() int { return len(c.byHash) + len(c.collide) }

// all yields every entry, in no particular order; none for a file's nil index.
func (c *children) all() iter.Seq[*node] {
	return func(yield func(*node) bool) {
		if c == nil {
			return
		}
		for _, n := range c.byHash {
			if !yield(n) {
				return
			}
		}
		for _, n := range c.collide {
			if !yield(n) {
				return
			}
		}
	}
}
