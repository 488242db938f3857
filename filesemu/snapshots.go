package filesemu

import (
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Share snapshots: read-only copies of a share's whole tree, named by the
// time they were taken, read with ?sharesnapshot=TIME. A snapshot copies its
// files' bytes into memory (also for a persisted emulator; snapshots are not
// persisted).

// createSnapshot is Snapshot Share (PUT ?restype=share&comp=snapshot).
func (s *Server) createSnapshot(c *call) error {
	meta, err := parseMetadata(c.r.Header)
	if err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, err := s.store.share(c.t)
	if err != nil {
		return err
	}
	snap := &share{name: sh.name, quota: sh.quota, accessTier: sh.accessTier, meta: sh.meta,
		etag: s.store.nextETag(), permissions: maps.Clone(sh.permissions), snapshot: sh.uniqueSnapshotTime()}
	if hasMetadata(c.r.Header) {
		snap.meta = meta
	}
	if snap.root, err = s.store.cloneTree(sh, sh.root, nil); err != nil {
		return err
	}
	if sh.snapshots == nil {
		sh.snapshots = map[string]*share{}
	}
	sh.snapshots[snap.snapshot] = snap
	setMS(c.w.Header(), "x-ms-snapshot", snap.snapshot)
	writeETag(c.w.Header(), snap.etag)
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// uniqueSnapshotTime is now as the service names snapshots (seven fractional
// digits), moved on by a tick if a snapshot of this share already has it.
func (sh *share) uniqueSnapshotTime() string {
	t := now()
	for sh.snapshots[t.String()] != nil {
		t++
	}
	return t.String()
}

// cloneTree copies n (a node of share sh) and everything below it, bytes
// included, as the tree of a snapshot under parent.
func (st *store) cloneTree(sh *share, n, parent *node) (*node, error) {
	c := *n
	c.parent, c.mem, c.written = parent, memContent{}, slices.Clone(n.written)
	if !n.isDir() {
		return &c, copyContent(st.contentIn(sh, n), &c.mem, n.written, n.size)
	}
	c.children = newChildren(n.children.len())
	for child := range n.children.all() {
		cc, err := st.cloneTree(sh, child, &c)
		if err != nil {
			return nil, err
		}
		c.children.put(cc)
	}
	return &c, nil
}

// deleteShare removes the share and everything in it, at once (the service
// keeps a deleted share's name busy for a while, the emulator does not); with
// ?sharesnapshot= it removes that snapshot only. A share with snapshots goes
// only with x-ms-delete-snapshots: include.
func (s *Server) deleteShare(c *call) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, err := s.store.share(c.t)
	if err != nil {
		return err
	}
	if err := checkShareLease(sh, c.r.Header.Get("x-ms-lease-id"), true, time.Now()); err != nil {
		return err
	}
	switch {
	case sh.snapshot != "":
		delete(s.store.shares[sh.name].snapshots, sh.snapshot)
	case len(sh.snapshots) > 0 && !strings.HasPrefix(strings.ToLower(c.r.Header.Get("x-ms-delete-snapshots")), "include"):
		return newError(http.StatusConflict, "ShareHasSnapshots",
			"The share has snapshots and the operation requires no snapshots.")
	default:
		delete(s.store.shares, sh.name)
		s.store.release(sh.root)
	}
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}

// sortedSnapshots returns the share's snapshots, oldest first.
func (sh *share) sortedSnapshots() []*share {
	out := make([]*share, 0, len(sh.snapshots))
	for _, snap := range sh.snapshots {
		out = append(out, snap)
	}
	slices.SortFunc(out, func(a, b *share) int { return strings.Compare(a.snapshot, b.snapshot) })
	return out
}

// errSnapshotReadOnly answers a change attempted on a share snapshot.
func errSnapshotReadOnly() *apiError {
	return newError(http.StatusBadRequest, "ShareSnapshotOperationNotSupported",
		"The operation is not supported on a share snapshot.")
}
