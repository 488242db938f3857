package filesemu

import (
	"net/http"
)

// createDirectory is Create Directory: the parent must exist and the name be free.
func (s *Server) createDirectory(c *call) error {
	if len(c.t.path) == 0 {
		return newError(http.StatusConflict, "ResourceAlreadyExists", "The root directory always exists.")
	}
	meta, err := parseMetadata(c.r.Header)
	if err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, parent, name, old, err := s.store.slot(c.t)
	if err != nil {
		return err
	}
	if old != nil {
		return errResourceAlreadyExists()
	}
	n := &node{name: name, id: s.store.nextID(), parent: parent, children: newChildren(0), meta: meta}
	if err := s.initNode(c.r.Header, sh, n, parent); err != nil {
		return err
	}
	parent.children.put(n)
	writeNodeHeaders(c.w.Header(), n)
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

func (s *Server) getDirectory(c *call) error {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	_, n, err := s.store.resolve(c.t, (*share).directory)
	if err != nil {
		return err
	}
	h := c.w.Header()
	writeETag(h, n.etag)
	writeSMBHeaders(h, n)
	writeMetadata(h, n.meta)
	setMS(h, "x-ms-server-encrypted", "true")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) deleteDirectory(c *call) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, n, err := s.store.resolve(c.t, (*share).directory)
	if err != nil {
		return err
	}
	if n.parent == nil {
		return newError(http.StatusBadRequest, "InvalidUri", "The root directory of a share cannot be deleted.")
	}
	if n.children.len() > 0 {
		return newError(http.StatusConflict, "DirectoryNotEmpty", "The specified directory is not empty.")
	}
	n.parent.children.remove(n)
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}

func (s *Server) setDirectoryProperties(c *call) error {
	return s.updateNode(c, http.StatusOK, (*share).directory, func(sh *share, n *node) error {
		return setSMBProperties(c.r.Header, sh, n)
	})
}

func (s *Server) setDirectoryMetadata(c *call) error {
	return s.setMetadata(c, (*share).directory)
}
