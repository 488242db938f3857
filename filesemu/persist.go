package filesemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
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

// The JSON form of the namespace.
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
		Root         nodeJSON              `json:"root"`
	}
	nodeJSON struct {
		Name         string         `json:"name"`
		ID           uint64         `json:"id"`
		Dir          bool           `json:"dir,omitempty"`
		Meta         metadata       `json:"meta,omitempty"`
		ETag         string         `json:"etag"`
		LastModified time.Time      `json:"lastModified"`
		SMB          smbProps       `json:"smb"`
		Size         int64          `json:"size,omitempty"`
		Headers      contentHeaders `json:"headers"`
		Written      rangeSet       `json:"written,omitempty"`
		Children     []nodeJSON     `json:"children,omitempty"`
	}
)

func toNodeJSON(n *node) nodeJSON {
	j := nodeJSON{Name: n.name, ID: n.id, Dir: n.isDir(), Meta: n.meta, ETag: n.etag, LastModified: n.lastModified,
		SMB: n.smb, Size: n.size, Headers: n.headers, Written: n.written}
	for _, c := range n.children {
		j.Children = append(j.Children, toNodeJSON(c))
	}
	return j
}

func (st *store) fromNodeJSON(j nodeJSON, parent *node) *node {
	n := &node{name: j.Name, id: j.ID, parent: parent, meta: j.Meta, etag: j.ETag, lastModified: j.LastModified,
		smb: j.SMB, size: j.Size, headers: j.Headers, written: j.Written}
	if n.meta == nil {
		n.meta = metadata{}
	}
	if j.Dir {
		n.children = make(map[string]*node, len(j.Children))
		for _, c := range j.Children {
			n.children[foldName(c.Name)] = st.fromNodeJSON(c, n)
		}
	} else {
		n.data = st.newContent(n.id)
	}
	return n
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
	st := newStore(func(id uint64) content {
		return diskContent{path: filepath.Join(dir, dataDir, formatID(id))}
	})
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
			if sj.Permissions == nil {
				sj.Permissions = map[string]permission{}
			}
			st.shares[sj.Name] = &share{name: sj.Name, quota: sj.Quota, accessTier: sj.AccessTier, meta: sj.Meta,
				etag: sj.ETag, lastModified: sj.LastModified, permissions: sj.Permissions, root: st.fromNodeJSON(sj.Root, nil)}
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
			Meta: sh.meta, ETag: sh.etag, LastModified: sh.lastModified, Permissions: sh.permissions, Root: toNodeJSON(sh.root)})
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
