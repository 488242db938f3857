package filesemu

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// renameRequest is what Rename File and Rename Directory read from the request
// before taking the store lock.
type renameRequest struct {
	source         target
	replace        bool
	ignoreReadOnly bool
	meta           metadata // nil: keep the source's
	contentType    *string  // files only; nil: keep
}

// parseBoolHeader reads an optional "true"/"false" header.
func parseBoolHeader(h http.Header, name string) (bool, error) {
	v := h.Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errInvalidHeader(name)
	}
	return b, nil
}

func (s *Server) parseRename(c *call) (renameRequest, error) {
	h := c.r.Header
	var req renameRequest
	var err error
	if req.replace, err = parseBoolHeader(h, "x-ms-file-rename-replace-if-exists"); err != nil {
		return req, err
	}
	if req.ignoreReadOnly, err = parseBoolHeader(h, "x-ms-file-rename-ignore-readonly"); err != nil {
		return req, err
	}
	if req.ignoreReadOnly && !req.replace {
		// "If true, x-ms-file-rename-replace-if-exists must also be true."
		return req, errInvalidHeader("x-ms-file-rename-ignore-readonly")
	}
	if req.source, err = s.renameSource(c); err != nil {
		return req, err
	}
	if hasMetadata(h) {
		if req.meta, err = parseMetadata(h); err != nil {
			return req, err
		}
	}
	if v, ok := h["X-Ms-Content-Type"]; ok && len(v) > 0 {
		req.contentType = &v[0]
	}
	return req, nil
}

func hasMetadata(h http.Header) bool {
	for k := range h {
		if strings.HasPrefix(k, metaPrefix) {
			return true
		}
	}
	return false
}

// renameSource resolves x-ms-file-rename-source: the URL of a file or directory
// in the same share (the SDKs send the source client's full URL, with its SAS
// when it has one), or that URL's path. A request authorized by SAS must carry
// a valid SAS on its source too.
func (s *Server) renameSource(c *call) (target, error) {
	const header = "x-ms-file-rename-source"
	v := c.r.Header.Get(header)
	if v == "" {
		return target{}, errMissingHeader(header)
	}
	u, err := url.Parse(v)
	if err != nil || (u.IsAbs() && !sameEmulator(u.Host, c.r.Host)) || !strings.HasPrefix(u.EscapedPath(), "/") {
		return target{}, errInvalidHeader(header)
	}
	keepDots := strings.EqualFold(c.r.Header.Get("x-ms-source-allow-trailing-dot"), "true")
	src, err := parseTarget(u.EscapedPath(), s.account, keepDots)
	if err != nil {
		return target{}, err
	}
	if src.share != c.t.share {
		return target{}, newError(http.StatusBadRequest, "InvalidHeaderValue",
			"The rename source must be in the same share as the destination. Header: %s", header)
	}
	if c.r.Header.Get("Authorization") == "" {
		q := u.Query()
		if !q.Has("sig") {
			return target{}, errAuthFailed("The rename source carries no SAS.")
		}
		if err := s.checkSAS(q, src, opRenameSource, remoteIP(c.r), u.Scheme == "https"); err != nil {
			return target{}, err
		}
	}
	return src, nil
}

func (s *Server) renameFile(c *call) error      { return s.rename(c, false) }
func (s *Server) renameDirectory(c *call) error { return s.rename(c, true) }

// rename is Rename File and Rename Directory: the node keeps its ID, contents and
// (unless the request sets them) properties; its change time moves. An existing
// file at the destination is replaced only with replace-if-exists (and, if it
// is read-only, ignore-readonly); a directory there is never replaced.
func (s *Server) rename(c *call, dir bool) error {
	req, err := s.parseRename(c)
	if err != nil {
		return err
	}
	if len(c.t.path) == 0 || len(req.source.path) == 0 {
		return newError(http.StatusBadRequest, "InvalidUri", "The root directory of a share cannot be renamed.")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	find := (*share).file
	if dir {
		find = (*share).directory
	}
	_, src, err := s.store.resolve(req.source, find)
	if err != nil {
		return err
	}
	if err := s.store.checkLease(src, c.r.Header.Get("x-ms-source-lease-id"), true); err != nil {
		return err
	}
	sh, parent, name, old, err := s.store.slot(c.t)
	if err != nil {
		return err
	}
	if old == src {
		old = nil // a change of case, or no change at all
	}
	if err := checkRenameTarget(req, src, parent, old); err != nil {
		return err
	}
	if err := s.store.checkLease(old, c.r.Header.Get("x-ms-destination-lease-id"), true); err != nil {
		return err
	}
	next := *src
	if err := smbUpdate(c.r.Header, &next.smb, dir, false); err != nil {
		return err
	}
	if err := applyPermissionHeaders(c.r.Header, sh, &next, parent); err != nil {
		return err
	}

	s.move(src, parent, old, name, &next, req, dir)
	writeNodeHeaders(c.w.Header(), src)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// move puts src under parent as name, replacing old (if any), with the SMB
// properties already worked out in next and the request's metadata and
// content type. The caller holds the store's lock.
func (s *Server) move(src, parent, old *node, name string, next *node, req renameRequest, dir bool) {
	src.parent.children.remove(src)
	if old != nil {
		parent.children.remove(old)
		s.store.release(old)
	}
	src.name, src.parent, src.smb = name, parent, next.smb
	parent.children.put(src)
	if req.meta != nil {
		src.meta = req.meta
	}
	if req.contentType != nil && !dir {
		var headers httpHeaders
		if src.headers != nil {
			headers = *src.headers
		}
		headers.ContentType = *req.contentType
		src.headers = s.store.internHeaders(headers)
	}
	s.store.touch(src)
}

// checkRenameTarget refuses a rename into the source's own subtree and
// destinations that may not be replaced.
func checkRenameTarget(req renameRequest, src, parent, old *node) error {
	for p := parent; p != nil; p = p.parent {
		if p == src {
			return newError(http.StatusBadRequest, "InvalidInput",
				"A directory cannot be renamed into itself or one of its subdirectories.")
		}
	}
	if old == nil {
		return nil
	}
	if !req.replace || old.isDir() {
		return errResourceAlreadyExists()
	}
	if old.smb.Attributes&attrReadOnly != 0 && !req.ignoreReadOnly {
		return errReadOnly()
	}
	return nil
}
