package filesemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// On-disk layout of Options.Location:
//
//	state.json   shares, directories, files and their properties (rewritten whole)
//	data/ID      the bytes of the file whose ID is ID, as a sparse file
//
// File bytes are written through at once; state.json is rewritten shortly after
// each change and on Close. A crash can lose the last fraction of a second of
// namespace changes, never acknowledged file bytes of files that survive.

const (
	stateFile   = "state.json"
	dataDir     = "data"
	saveDelay   = 100 * time.Millisecond
	zeroBufSize = 1 << 20
)

// diskContent keeps a file's bytes in a file of its own. It opens the file per
// call so that a large namespace does not hold one descriptor per file.
type diskContent struct{ path string }

func (d diskContent) writeAt(p []byte, off int64) error {
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(p, off)
	return errors.Join(err, f.Close())
}

func (d diskContent) readAt(p []byte, off int64) error {
	f, err := os.Open(d.path)
	if errors.Is(err, fs.ErrNotExist) {
		clear(p)
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := f.ReadAt(p, off)
	if errors.Is(err, io.EOF) {
		clear(p[n:])
		err = nil
	}
	return err
}

func (d diskContent) zero(off, n int64) error {
	zeros := make([]byte, min(n, zeroBufSize))
	for n > 0 {
		chunk := zeros[:min(n, int64(len(zeros)))]
		if err := d.writeAt(chunk, off); err != nil {
			return err
		}
		off, n = off+int64(len(chunk)), n-int64(len(chunk))
	}
	return nil
}

func (d diskContent) truncate(size int64) error {
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return errors.Join(f.Truncate(size), f.Close())
}

func (d diskContent) remove() { _ = os.Remove(d.path) }

// The JSON form of the namespace. It keeps the field names and shapes of
// earlier versions (times as RFC 3339, ETags as quoted strings) so that a
// persisted emulator reloads across upgrades.
type (
	stateJSON struct {
		NextID uint64      `json:"nextId"`
		Shares []shareJSON `json:"shares"`
	}
	shareJSON struct {
		Name         string                `json:"name"`
		Quota        int                   `json:"quota"`
		AccessTier   string                `json:"accessTier"`
		Meta         metadata              `json:"meta,omitempty"`
		ETag         string                `json:"etag"`
		LastModified time.Time             `json:"lastModified"`
		Permissions  map[string]permission `json:"permissions"`
		ACL          []accessPolicy        `json:"acl,omitempty"`
		Root         nodeJSON              `json:"root"`
	}
	nodeJSON struct {
		Name         string      `json:"name"`
		ID           uint64      `json:"id"`
		Dir          bool        `json:"dir,omitempty"`
		Meta         metadata    `json:"meta,omitempty"`
		ETag         string      `json:"etag"`
		LastModified time.Time   `json:"lastModified"`
		SMB          smbJSON     `json:"smb"`
		Size         int64       `json:"size,omitempty"`
		Headers      headersJSON `json:"headers"`
		Written      rangeSet    `json:"written,omitempty"`
		Children     []nodeJSON  `json:"children,omitempty"`
	}
	smbJSON struct {
		Attributes    attributes
		CreationTime  time.Time
		LastWriteTime time.Time
		ChangeTime    time.Time
		PermissionKey string
	}
	headersJSON struct {
		httpHeaders
		ContentMD5 []byte `json:",omitempty"`
	}
)

func toNodeJSON(n *node) nodeJSON {
	j := nodeJSON{Name: n.name, ID: n.id, Dir: n.isDir(), Meta: n.meta, ETag: n.etag.String(),
		LastModified: n.etag.lastModified(), Size: n.size, Written: n.written, Headers: headersJSON{ContentMD5: n.contentMD5()},
		SMB: smbJSON{Attributes: n.smb.Attributes, CreationTime: n.smb.CreationTime.time(),
			LastWriteTime: n.smb.LastWriteTime.time(), ChangeTime: n.smb.ChangeTime.time(), PermissionKey: n.smb.Permission.key}}
	if n.headers != nil {
		j.Headers.httpHeaders = *n.headers
	}
	for c := range n.children.all() {
		j.Children = append(j.Children, toNodeJSON(c))
	}
	return j
}

// parseETag reads back an ETag as etag.String writes it; a malformed one
// (hand-edited state) becomes 0 and is replaced on the next change.
func parseETag(s string) etag {
	v, _ := strconv.ParseUint(strings.TrimPrefix(strings.Trim(s, `"`), "0x"), 16, 64)
	return etag(v)
}

func (st *store) fromNodeJSON(j nodeJSON, sh *share, parent *node) *node {
	n := &node{name: j.Name, id: j.ID, parent: parent, etag: parseETag(j.ETag), size: j.Size, written: j.Written,
		headers: st.internHeaders(j.Headers.httpHeaders),
		smb: smbProps{Attributes: j.SMB.Attributes, CreationTime: toFiletime(j.SMB.CreationTime),
			LastWriteTime: toFiletime(j.SMB.LastWriteTime), ChangeTime: toFiletime(j.SMB.ChangeTime),
			Permission: sh.permissions[j.SMB.PermissionKey]}}
	if n.smb.Permission == nil && parent != nil {
		n.smb.Permission = parent.smb.Permission // a hand-edited state lost the key
	}
	if len(j.Meta) > 0 {
		n.meta = j.Meta
	}
	if len(j.Headers.ContentMD5) == 16 {
		n.md5 = (*[16]byte)(j.Headers.ContentMD5)
	}
	st.seenETag(n.etag)
	if j.Dir {
		n.children = newChildren(len(j.Children))
		for _, c := range j.Children {
			n.children.put(st.fromNodeJSON(c, sh, n))
		}
	}
	return n
}

// seenETag keeps ETags handed out after a reload above every reloaded one.
func (st *store) seenETag(e etag) {
	for last := st.etagSeq.Load(); uint64(e) > last; last = st.etagSeq.Load() {
		if st.etagSeq.CompareAndSwap(last, uint64(e)) {
			return
		}
	}
}

func (sh *share) permissionsJSON() map[string]permission {
	out := make(map[string]permission, len(sh.permissions))
	for k, p := range sh.permissions {
		out[k] = p.permission
	}
	return out
}

// saver rewrites state.json in the background after changes.
type saver struct {
	dir   string
	store *store
	dirty chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

// openPersisted loads (or starts) the namespace kept in dir.
func openPersisted(dir string) (*store, *saver, error) {
	if err := os.MkdirAll(filepath.Join(dir, dataDir), 0o700); err != nil {
		return nil, nil, fmt.Errorf("filesemu: %w", err)
	}
	st := newStore(filepath.Join(dir, dataDir))
	raw, err := os.ReadFile(filepath.Join(dir, stateFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, nil, fmt.Errorf("filesemu: %w", err)
	default:
		var state stateJSON
		if err := json.Unmarshal(raw, &state); err != nil {
			return nil, nil, fmt.Errorf("filesemu: %s: %w", filepath.Join(dir, stateFile), err)
		}
		for _, sj := range state.Shares {
			sh := &share{name: sj.Name, quota: sj.Quota, accessTier: sj.AccessTier, meta: sj.Meta,
				etag: parseETag(sj.ETag), permissions: map[string]*storedPermission{}, acl: sj.ACL}
			for _, p := range sj.Permissions {
				sh.addPermission(p)
			}
			sh.root = st.fromNodeJSON(sj.Root, sh, nil)
			if sh.root.smb.Permission == nil {
				sh.root.smb.Permission = sh.addPermission(permission{Value: defaultSDDL, Format: "sddl"})
			}
			st.shares[sj.Name] = sh
			st.seenETag(parseETag(sj.ETag))
		}
		st.idSeq.Store(max(state.NextID, fileIDBase))
	}
	sv := &saver{dir: dir, store: st, dirty: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go sv.loop()
	return st, sv, nil
}

func (sv *saver) markDirty() {
	select {
	case sv.dirty <- struct{}{}:
	default: // a save is already pending
	}
}

func (sv *saver) loop() {
	defer close(sv.done)
	for {
		select {
		case <-sv.stop:
			return
		case <-sv.dirty:
		}
		// Batch the changes of a burst of requests into one rewrite.
		select {
		case <-sv.stop:
			return
		case <-time.After(saveDelay):
		}
		_ = sv.save() // retried on the next change and on close
	}
}

// close stops the background loop and writes the final state.
func (sv *saver) close() error {
	close(sv.stop)
	<-sv.done
	return sv.save()
}

func (sv *saver) save() error {
	st := sv.store
	st.mu.RLock()
	state := stateJSON{NextID: st.idSeq.Load()}
	for _, sh := range st.sortedShares() {
		state.Shares = append(state.Shares, shareJSON{Name: sh.name, Quota: sh.quota, AccessTier: sh.accessTier,
			Meta: sh.meta, ETag: sh.etag.String(), LastModified: sh.etag.lastModified(), Permissions: sh.permissionsJSON(), ACL: sh.acl, Root: toNodeJSON(sh.root)})
	}
	raw, err := json.Marshal(state)
	st.mu.RUnlock()
	if err != nil {
		return err
	}
	tmp := filepath.Join(sv.dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(sv.dir, stateFile))
}
