package filesemu

import "net/http"

// Helpers shared by the directory and file operations.

// initNode gives a new file or directory its SMB properties and permission.
func (s *Server) initNode(h http.Header, sh *share, n, parent *node) error {
	if err := smbUpdate(h, &n.smb, n.isDir(), true); err != nil {
		return err
	}
	if err := applyPermissionHeaders(h, sh, n, parent); err != nil {
		return err
	}
	s.store.touch(n)
	return nil
}

// writeNodeHeaders answers what every directory and file operation returns.
func writeNodeHeaders(h http.Header, n *node) {
	writeETag(h, n.etag)
	writeSMBHeaders(h, n)
	setMS(h, "x-ms-request-server-encrypted", "true")
}

// updateNode applies change to the node find resolves, under the write lock,
// records the modification and answers status with the node's headers.
func (s *Server) updateNode(c *call, status int, find func(*share, []string) (*node, error), change func(*share, *node) error) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, n, err := s.store.resolve(c.t, find)
	if err != nil {
		return err
	}
	if err := s.store.checkLease(n, c.r.Header.Get("x-ms-lease-id"), true); err != nil {
		return err
	}
	if err := change(sh, n); err != nil {
		return err
	}
	s.store.touch(n)
	writeNodeHeaders(c.w.Header(), n)
	c.w.WriteHeader(status)
	return nil
}

// setSMBProperties applies the SMB property and permission headers to an
// existing node, atomically: on a bad header nothing changes.
func setSMBProperties(h http.Header, sh *share, n *node) error {
	next := *n
	if err := smbUpdate(h, &next.smb, n.isDir(), false); err != nil {
		return err
	}
	if err := applyPermissionHeaders(h, sh, &next, n.parent); err != nil {
		return err
	}
	n.smb = next.smb
	return nil
}

// setMetadata replaces a directory's or file's metadata, which also moves its
// SMB change time.
func (s *Server) setMetadata(c *call, find func(*share, []string) (*node, error)) error {
	meta, err := parseMetadata(c.r.Header)
	if err != nil {
		return err
	}
	return s.updateNode(c, http.StatusOK, find, func(_ *share, n *node) error {
		n.meta = meta
		n.smb.ChangeTime = now()
		return nil
	})
}
