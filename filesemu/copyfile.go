package filesemu

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// copyInfo is the record a Copy File leaves on its destination, answered by Get
// File Properties until the file is replaced. Copies complete before Copy File
// answers, so the status is always success.
type copyInfo struct {
	id        string
	source    string
	size      int64
	completed time.Time
}

// copyFile is Copy File (Create File with x-ms-copy-source): the source file's
// bytes, HTTP properties and (unless the request sets them) metadata are
// copied to the destination at once, and the answer says x-ms-copy-status:
// success. SMB properties come from the source where the request says
// "source", else from the request, else the defaults of a new file.
func (s *Server) copyFile(c *call) error {
	h := c.r.Header
	srcTarget, err := s.copySource(c.r, true)
	if err != nil {
		return err
	}
	ignoreReadOnly, err := parseBoolHeader(h, "x-ms-file-copy-ignore-readonly")
	if err != nil {
		return err
	}
	meta, err := parseMetadata(h)
	if err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	srcShare, src, err := s.store.resolve(srcTarget, (*share).file)
	if err != nil {
		return copySourceError(err)
	}
	sh, parent, name, old, err := s.store.slot(c.t)
	if err != nil {
		return err
	}
	if err := checkOverwrite(old, ignoreReadOnly); err != nil {
		return err
	}
	if err := s.store.checkLease(old, h.Get("x-ms-lease-id"), true); err != nil {
		return err
	}
	n := &node{name: name, id: s.store.nextID(), parent: parent, meta: meta, size: src.size,
		headers: src.headers, md5: src.md5, written: append(rangeSet(nil), src.written...)}
	if !hasMetadata(h) {
		n.meta = src.meta
	}
	if err := copySMB(h, sh, src, n); err != nil {
		return err
	}
	if err := copyContent(s.store.contentIn(srcShare, src), s.store.content(n), src.written, src.size); err != nil {
		return err
	}
	s.store.touch(n)
	if old != nil {
		s.store.release(old)
	}
	parent.children.put(n)
	info := &copyInfo{id: newRequestID(), source: h.Get("x-ms-copy-source"), size: n.size, completed: time.Now()}
	s.store.copies[n] = info
	writeETag(c.w.Header(), n.etag)
	setMS(c.w.Header(), "x-ms-copy-id", info.id)
	setMS(c.w.Header(), "x-ms-copy-status", "success")
	c.w.WriteHeader(http.StatusAccepted)
	return nil
}

// checkOverwrite refuses to replace a directory, or a read-only file unless
// asked to ignore that.
func checkOverwrite(old *node, ignoreReadOnly bool) error {
	switch {
	case old == nil:
		return nil
	case old.isDir():
		return newError(http.StatusConflict, "ResourceTypeMismatch",
			"The specified resource type does not match the type of the existing resource.")
	case old.smb.Attributes&attrReadOnly != 0 && !ignoreReadOnly:
		return errReadOnly()
	}
	return nil
}

// copySMB sets the SMB properties and permission of the copy n of src.
func copySMB(h http.Header, sh *share, src, n *node) error {
	t := now()
	switch v := h.Get("x-ms-file-attributes"); {
	case strings.EqualFold(v, "source"):
		n.smb.Attributes = src.smb.Attributes
	case v == "":
		n.smb.Attributes = attrArchive
	default:
		a, ok := parseAttributes(v)
		if !ok {
			return errInvalidHeader("x-ms-file-attributes")
		}
		n.smb.Attributes = a
	}
	if setArchive, err := parseBoolHeader(h, "x-ms-file-copy-set-archive"); err != nil {
		return err
	} else if setArchive {
		n.smb.Attributes |= attrArchive
	}
	n.smb.Attributes = n.smb.Attributes.normalize(false)
	for _, f := range []struct {
		header string
		field  *filetime
		source filetime
	}{
		{"x-ms-file-creation-time", &n.smb.CreationTime, src.smb.CreationTime},
		{"x-ms-file-last-write-time", &n.smb.LastWriteTime, src.smb.LastWriteTime},
		{"x-ms-file-change-time", &n.smb.ChangeTime, src.smb.ChangeTime},
	} {
		v := h.Get(f.header)
		if strings.EqualFold(v, "source") {
			*f.field = f.source
		} else if err := applySMBTime(v, f.header, f.field, t, false); err != nil {
			return err
		}
	}
	return copyPermission(h, sh, src, n)
}

// copyPermission applies x-ms-file-permission-copy-mode: "source" copies the
// source's descriptor (into the destination share), "override" takes the
// request's, and without it the copy inherits its directory's.
func copyPermission(h http.Header, sh *share, src, n *node) error {
	switch mode := h.Get("x-ms-file-permission-copy-mode"); {
	case strings.EqualFold(mode, "source"):
		n.smb.Permission = sh.addPermission(src.smb.Permission.permission)
		return nil
	case strings.EqualFold(mode, "override"):
		if h.Get("x-ms-file-permission") == "" && h.Get("x-ms-file-permission-key") == "" {
			return errMissingHeader("x-ms-file-permission")
		}
	case mode != "":
		return errInvalidHeader("x-ms-file-permission-copy-mode")
	case h.Get("x-ms-file-permission") != "" || h.Get("x-ms-file-permission-key") != "":
		return errMissingHeader("x-ms-file-permission-copy-mode")
	}
	return applyPermissionHeaders(h, sh, n, n.parent)
}

// copyContent copies the written ranges of a file of size bytes.
func copyContent(from, to content, written rangeSet, size int64) error {
	if err := to.truncate(size); err != nil {
		return err
	}
	buf := make([]byte, min(maxRangeBytes, size))
	for _, iv := range written {
		for off := iv.Start; off < iv.End; off += int64(len(buf)) {
			chunk := buf[:min(int64(len(buf)), iv.End-off)]
			if err := from.readAt(chunk, off); err != nil {
				return err
			}
			if err := to.writeAt(chunk, off); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeCopyHeaders answers the record of the copy that made n, if any.
func (st *store) writeCopyHeaders(h http.Header, n *node) {
	info := st.copies[n]
	if info == nil {
		return
	}
	setMS(h, "x-ms-copy-id", info.id)
	setMS(h, "x-ms-copy-source", info.source)
	setMS(h, "x-ms-copy-status", "success")
	setMS(h, "x-ms-copy-progress", fmt.Sprintf("%d/%d", info.size, info.size))
	setMS(h, "x-ms-copy-completion-time", info.completed.UTC().Format(http.TimeFormat))
}

// abortCopy is Abort Copy File. Copies finish before Copy File answers, so
// there is never one to abort: the service's answer to that is 409
// NoPendingCopyOperation (CopyIdMismatch for another copy's ID).
func (s *Server) abortCopy(c *call) error {
	if !strings.EqualFold(c.r.Header.Get("x-ms-copy-action"), "abort") {
		return errInvalidHeader("x-ms-copy-action")
	}
	id := c.q.Get("copyid")
	if id == "" {
		return newError(http.StatusBadRequest, "MissingRequiredQueryParameter",
			"A query parameter that's mandatory for this request is not specified. Parameter: copyid")
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	_, n, err := s.store.resolve(c.t, (*share).file)
	if err != nil {
		return err
	}
	if err := s.store.checkLease(n, c.r.Header.Get("x-ms-lease-id"), true); err != nil {
		return err
	}
	if info := s.store.copies[n]; info != nil && info.id != id {
		return newError(http.StatusConflict, "CopyIdMismatch",
			"The specified copy ID did not match the copy ID for the pending copy operation.")
	}
	return newError(http.StatusConflict, "NoPendingCopyOperation", "There is currently no pending copy operation.")
}
