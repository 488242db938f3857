package filesemu

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxFileSize is the service's limit: 4 TiB.
const maxFileSize = 4 << 40

func parseFileSize(h http.Header) (int64, error) {
	v := h.Get("x-ms-content-length")
	if v == "" {
		return 0, errMissingHeader("x-ms-content-length")
	}
	size, err := strconv.ParseInt(v, 10, 64)
	if err != nil || size < 0 || size > maxFileSize {
		return 0, errInvalidHeader("x-ms-content-length")
	}
	return size, nil
}

// createFile is Create File: an all-zero file of x-ms-content-length bytes,
// replacing an existing file. Recent API versions may send the first bytes in
// the body; they are written at offset 0.
func (s *Server) createFile(c *call) error {
	h := c.r.Header
	if h.Get("x-ms-copy-source") != "" {
		return s.copyFile(c)
	}
	if !strings.EqualFold(h.Get("x-ms-type"), "file") {
		return errInvalidHeader("x-ms-type")
	}
	size, err := parseFileSize(h)
	if err != nil {
		return err
	}
	meta, err := parseMetadata(h)
	if err != nil {
		return err
	}
	headers, sum, err := parseContentHeaders(h)
	if err != nil {
		return err
	}
	body, err := readBody(c.r, size)
	if err != nil {
		return err
	}

	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, parent, name, old, err := s.store.slot(c.t)
	if err != nil {
		return err
	}
	if old != nil && old.isDir() {
		return newError(http.StatusConflict, "ResourceTypeMismatch",
			"The specified resource type does not match the type of the existing resource.")
	}
	if err := s.store.checkLease(old, h.Get("x-ms-lease-id"), true); err != nil {
		return err
	}
	n := &node{name: name, id: s.store.nextID(), parent: parent, meta: meta, size: size,
		headers: s.store.internHeaders(headers), md5: sum}
	if err := s.initNode(h, sh, n, parent); err != nil {
		return err
	}
	data := s.store.content(n)
	if err := data.truncate(size); err != nil {
		return err
	}
	if len(body) > 0 {
		if err := data.writeAt(body, 0); err != nil {
			return err
		}
		n.written.add(0, int64(len(body)), size)
	}
	if old != nil {
		s.store.release(old)
	}
	parent.children.put(n)
	writeNodeHeaders(c.w.Header(), n)
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// maxRangeBytes is the most one Put Range (or ranged MD5 read) may carry.
const maxRangeBytes = 4 << 20

// readBody reads a request body of at most limit bytes (and at most 4 MiB),
// checking it against Content-Length and Content-MD5 before anything is stored.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength <= 0 {
		return nil, nil
	}
	if r.ContentLength > min(limit, maxRangeBytes) {
		return nil, newError(http.StatusRequestEntityTooLarge, "RequestBodyTooLarge",
			"The request body is too large and exceeds the maximum permissible limit.")
	}
	body := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		return nil, newError(http.StatusBadRequest, "InvalidInput", "The request body is shorter than Content-Length.")
	}
	if v := r.Header.Get("Content-MD5"); v != "" {
		want, err := decodeMD5(v)
		if err != nil {
			return nil, err
		}
		if string(want) != string(md5Sum(body)) {
			return nil, newError(http.StatusBadRequest, "Md5Mismatch",
				"The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
		}
	}
	return body, nil
}

// getFile is Get File Properties (HEAD) and Get File (GET).
func (s *Server) getFile(c *call) error {
	if c.r.Method == http.MethodGet {
		return s.download(c)
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	_, n, err := s.store.resolve(c.t, (*share).file)
	if err != nil {
		return err
	}
	if err := s.store.checkLease(n, c.r.Header.Get("x-ms-lease-id"), false); err != nil {
		return err
	}
	h := c.w.Header()
	s.store.writeFileHeaders(h, n, sasOverrides(c.q))
	if n.md5 != nil {
		h.Set("Content-MD5", encodeMD5(n.contentMD5()))
	}
	h.Set("Content-Length", strconv.FormatInt(n.size, 10))
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// writeFileHeaders answers the properties Get File and Get File Properties share.
func (st *store) writeFileHeaders(h http.Header, n *node, overrides map[string]string) {
	writeETag(h, n.etag)
	writeSMBHeaders(h, n)
	writeMetadata(h, n.meta)
	writeContentHeaders(h, n.headers, overrides)
	setMS(h, "x-ms-type", "File")
	setMS(h, "x-ms-server-encrypted", "true")
	st.writeLeaseHeaders(h, n)
	st.writeCopyHeaders(h, n)
}

func (s *Server) deleteFile(c *call) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, n, err := s.store.resolve(c.t, (*share).file)
	if err != nil {
		return err
	}
	if err := s.store.checkLease(n, c.r.Header.Get("x-ms-lease-id"), true); err != nil {
		return err
	}
	n.parent.children.remove(n)
	s.store.release(n)
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}

// setFileProperties is Set File Properties (the SDK's SetHTTPHeaders and Resize):
// it replaces all HTTP properties, applies SMB properties and may resize.
func (s *Server) setFileProperties(c *call) error {
	h := c.r.Header
	headers, sum, err := parseContentHeaders(h)
	if err != nil {
		return err
	}
	resize := h.Get("x-ms-content-length") != ""
	var size int64
	if resize {
		if size, err = parseFileSize(h); err != nil {
			return err
		}
	}
	return s.updateNode(c, http.StatusOK, (*share).file, func(sh *share, n *node) error {
		if err := setSMBProperties(h, sh, n); err != nil {
			return err
		}
		n.headers, n.md5 = s.store.internHeaders(headers), sum
		if resize && size != n.size {
			if err := s.store.content(n).truncate(size); err != nil {
				return err
			}
			n.written.truncate(size)
			n.size = size
		}
		return nil
	})
}

func (s *Server) setFileMetadata(c *call) error {
	return s.setMetadata(c, (*share).file)
}
