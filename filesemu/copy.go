package filesemu

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// crc64Table is the CRC-64 the storage services use for x-ms-content-crc64.
var crc64Table = crc64.MakeTable(0x9A6C9329AC4BC9B5)

func encodeCRC64(p []byte) string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], crc64.Checksum(p, crc64Table))
	return base64.StdEncoding.EncodeToString(b[:])
}

// putRangeFromURL is Put Range From URL. The source is a file on this emulator
// or on another one on this machine (another account), authorized by a SAS in
// its URL; it is read under the same rules as a Get File with that SAS.
func (s *Server) putRangeFromURL(c *call) error {
	h := c.r.Header
	if !strings.EqualFold(h.Get("x-ms-write"), "update") {
		return errInvalidHeader("x-ms-write")
	}
	dst, ok := parseRange(rangeHeader(h), false)
	if !ok || dst.length() > maxRangeBytes {
		return errInvalidHeader("x-ms-range")
	}
	src, ok := parseRange(h.Get("x-ms-source-range"), false)
	if !ok || src.length() != dst.length() {
		return errInvalidHeader("x-ms-source-range")
	}
	data, err := s.readCopySource(c.r, src)
	if err != nil {
		return err
	}
	if v := h.Get("x-ms-source-content-crc64"); v != "" && v != encodeCRC64(data) {
		return newError(http.StatusBadRequest, "Crc64Mismatch",
			"The CRC64 value specified in the request did not match with the CRC64 value calculated by the server.")
	}
	setMS(c.w.Header(), "x-ms-content-crc64", encodeCRC64(data))
	if err := s.writeRange(c, dst, data); err != nil {
		delete(c.w.Header(), "x-ms-content-crc64")
		return err
	}
	return nil
}

// copySource authorizes and resolves x-ms-copy-source: a file on this
// emulator, authorized by a SAS in its URL or, when sharedKeyOK and the request
// itself is signed with the account key, by that (a source in the same account).
func (s *Server) copySource(r *http.Request, sharedKeyOK bool) (target, error) {
	u, err := url.Parse(r.Header.Get("x-ms-copy-source"))
	if err != nil || !u.IsAbs() {
		return target{}, errInvalidHeader("x-ms-copy-source")
	}
	if !sameEmulator(u.Host, r.Host) {
		return target{}, errNotImplemented("Copy sources outside this emulator")
	}
	keepDots := strings.EqualFold(r.Header.Get("x-ms-source-allow-trailing-dot"), "true")
	t, err := parseTarget(u.EscapedPath(), s.account, keepDots)
	if err != nil {
		return target{}, copySourceError(err)
	}
	q := u.Query()
	t.snapshot = q.Get("sharesnapshot")
	switch srcAuth := r.Header.Get("x-ms-copy-source-authorization"); {
	case srcAuth != "":
		token, ok := strings.CutPrefix(srcAuth, "Bearer ")
		if !ok {
			return target{}, errInvalidHeader("x-ms-copy-source-authorization")
		}
		if err := s.checkToken(token); err != nil {
			return target{}, copySourceError(err)
		}
	case q.Has("sig"):
		if err := s.checkSAS(q, t, opGetFile, remoteIP(r), u.Scheme == "https"); err != nil {
			return target{}, copySourceError(err)
		}
	case sharedKeyOK && (strings.HasPrefix(r.Header.Get("Authorization"), "SharedKey ") || strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")):
	default:
		return target{}, copySourceError(errAuthFailed("The copy source carries no SAS."))
	}
	return t, nil
}

// readCopySource authorizes and reads the x-ms-copy-source range: from this emulator, or from
// another one on this machine (a second account), which is asked as the service asks any URL.
func (s *Server) readCopySource(r *http.Request, rng byteRange) ([]byte, error) {
	if u, err := url.Parse(r.Header.Get("x-ms-copy-source")); err == nil && u.IsAbs() && !sameEmulator(u.Host, r.Host) {
		return readRemoteSource(r, u, rng)
	}
	t, err := s.copySource(r, false)
	if err != nil {
		return nil, err
	}
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	sh, n, err := s.store.resolve(t, (*share).file)
	if err != nil {
		return nil, copySourceError(err)
	}
	if rng.end >= n.size {
		return nil, errInvalidRange(n.size)
	}
	buf := make([]byte, rng.length())
	return buf, s.store.contentIn(sh, n).readAt(buf, rng.start)
}

// copySourceError reports a failure on the copy source the way the service
// does: CannotVerifyCopySource, with the status the source answered.
func copySourceError(err error) error {
	var e *apiError
	if !errors.As(err, &e) {
		return err
	}
	return newError(e.status, "CannotVerifyCopySource", "Copy source: %s: %s", e.code, e.message)
}

// sameEmulator reports whether a copy source host names the host the request
// came in on: the same host:port, or another loopback name for the same port
// (127.0.0.1, ::1 and localhost are interchangeable).
func sameEmulator(source, self string) bool {
	if strings.EqualFold(source, self) {
		return true
	}
	sh, sp, err1 := net.SplitHostPort(source)
	h, p, err2 := net.SplitHostPort(self)
	return err1 == nil && err2 == nil && sp == p && isLoopback(sh) && isLoopback(h)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// remoteSources reads copy sources served elsewhere on this machine; it follows no redirect.
var remoteSources = &http.Client{
	Timeout:       time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// readRemoteSource reads a range of a copy source on another emulator of this machine with a Get
// File carrying the source's SAS (in its URL) or the x-ms-copy-source-authorization token. Only
// loopback hosts are asked: the emulator never reaches beyond the machine it runs on.
func readRemoteSource(r *http.Request, u *url.URL, rng byteRange) ([]byte, error) {
	host, _, err := net.SplitHostPort(u.Host)
	if err != nil || !isLoopback(host) {
		return nil, errNotImplemented("Copy sources outside this machine")
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, errInvalidHeader("x-ms-copy-source")
	}
	req.Header.Set("x-ms-version", defaultAPIVersion)
	req.Header.Set("x-ms-range", fmt.Sprintf("bytes=%d-%d", rng.start, rng.end))
	if auth := r.Header.Get("x-ms-copy-source-authorization"); auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if v := r.Header.Get("x-ms-source-allow-trailing-dot"); v != "" {
		req.Header.Set("x-ms-allow-trailing-dot", v)
	}
	resp, err := remoteSources.Do(req)
	if err != nil {
		return nil, newError(http.StatusBadRequest, "CannotVerifyCopySource", "Copy source: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusPartialContent && resp.StatusCode != http.StatusOK {
		return nil, newError(resp.StatusCode, "CannotVerifyCopySource", "Copy source: %s", resp.Header.Get("x-ms-error-code"))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, rng.length()+1))
	if err != nil || int64(len(data)) != rng.length() {
		return nil, newError(http.StatusBadRequest, "CannotVerifyCopySource", "Copy source: the range read is not the one asked for")
	}
	return data, nil
}
