package filesemu

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// rangeHeader is the requested range: x-ms-range wins over Range.
func rangeHeader(h http.Header) string {
	if v := h.Get("x-ms-range"); v != "" {
		return v
	}
	return h.Get("Range")
}

// streamChunk is how much of a file a download reads at a time.
const streamChunk = 1 << 20

// requestedRange resolves the range a Get File asks for against the file size;
// partial is false when the whole file is asked for.
func requestedRange(h http.Header, size int64) (rng byteRange, partial bool, err error) {
	v := rangeHeader(h)
	if v == "" {
		return byteRange{0, size - 1}, false, nil
	}
	r, ok := parseRange(v, true)
	if !ok {
		return r, false, errInvalidHeader("x-ms-range")
	}
	if r.start >= size {
		return r, false, errInvalidRange(size)
	}
	if r.end < 0 || r.end >= size {
		r.end = size - 1
	}
	return r, true, nil
}

// downloadPlan is what Get File settles under the store lock.
type downloadPlan struct {
	rng     byteRange
	partial bool // a range was asked for
	size    int64
	data    content
	fileMD5 []byte // the stored whole-file MD5
	hashed  []byte // the range, read up front when its MD5 is wanted
}

// planDownload checks everything that can fail before the file's headers are
// written, so that an error answer never carries them.
func (s *Server) planDownload(c *call) (downloadPlan, error) {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	sh, n, err := s.store.resolve(c.t, (*share).file)
	if err != nil {
		return downloadPlan{}, err
	}
	if err := s.store.checkLease(n, c.r.Header.Get("x-ms-lease-id"), false); err != nil {
		return downloadPlan{}, err
	}
	p := downloadPlan{size: n.size, data: s.store.contentIn(sh, n), fileMD5: n.contentMD5()}
	if p.rng, p.partial, err = requestedRange(c.r.Header, n.size); err != nil {
		return p, err
	}
	if strings.EqualFold(c.r.Header.Get("x-ms-range-get-content-md5"), "true") {
		// The service hashes ranges of at most 4 MiB, and only ranges.
		if !p.partial || p.rng.length() > maxRangeBytes {
			return p, errInvalidHeader("x-ms-range-get-content-md5")
		}
		p.hashed = make([]byte, p.rng.length())
		if err := p.data.readAt(p.hashed, p.rng.start); err != nil {
			return p, err
		}
	}
	s.store.writeFileHeaders(c.w.Header(), n, sasOverrides(c.q))
	return p, nil
}

// download is Get File: the whole file (200) or a range (206), streamed a
// chunk at a time, each read under the store lock and sent outside it.
func (s *Server) download(c *call) error {
	p, err := s.planDownload(c)
	if err != nil {
		return err
	}
	h := c.w.Header()
	rng := p.rng
	status := http.StatusOK
	if p.partial {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.start, rng.end, p.size))
		if p.fileMD5 != nil {
			setMS(h, "x-ms-content-md5", encodeMD5(p.fileMD5))
		}
	} else if p.fileMD5 != nil {
		h.Set("Content-MD5", encodeMD5(p.fileMD5))
	}
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(rng.length(), 10))

	if p.hashed != nil {
		h.Set("Content-MD5", encodeMD5(md5Sum(p.hashed)))
		c.w.WriteHeader(status)
		_, _ = c.w.Write(p.hashed)
		return nil
	}
	c.w.WriteHeader(status)
	buf := make([]byte, min(streamChunk, max(rng.length(), 0)))
	for off := rng.start; off <= rng.end; off += int64(len(buf)) {
		chunk := buf[:min(int64(len(buf)), rng.end-off+1)]
		if err := s.store.read(p.data, chunk, off); err != nil {
			// Headers are gone: cut the connection so the client sees a short body.
			panic(http.ErrAbortHandler)
		}
		if _, err := c.w.Write(chunk); err != nil {
			return nil // the client went away
		}
	}
	return nil
}

// putRange is Put Range: x-ms-write update (body) or clear, or Put Range From
// URL when x-ms-copy-source is present.
func (s *Server) putRange(c *call) error {
	h := c.r.Header
	if h.Get("x-ms-copy-source") != "" {
		return s.putRangeFromURL(c)
	}
	rng, ok := parseRange(rangeHeader(h), false)
	if !ok {
		return errInvalidHeader("x-ms-range")
	}
	switch strings.ToLower(h.Get("x-ms-write")) {
	case "update":
		if c.r.ContentLength < 0 {
			return newError(http.StatusLengthRequired, "MissingContentLengthHeader", "The Content-Length header was not specified.")
		}
		if rng.length() > maxRangeBytes {
			return errInvalidHeader("x-ms-range")
		}
		if c.r.ContentLength != rng.length() {
			return errInvalidHeader("Content-Length")
		}
		body, err := readBody(c.r, maxRangeBytes)
		if err != nil {
			return err
		}
		return s.writeRange(c, rng, body)
	case "clear":
		if c.r.ContentLength > 0 {
			return errInvalidHeader("Content-Length")
		}
		return s.writeRange(c, rng, nil)
	}
	return errInvalidHeader("x-ms-write")
}

// writeRange stores body at rng, or clears rng when body is nil, and answers 201.
// The file's last-write time moves to now unless the request says "preserve".
func (s *Server) writeRange(c *call, rng byteRange, body []byte) error {
	lastWrite := c.r.Header.Get("x-ms-file-last-write-time")
	preserve := strings.EqualFold(lastWrite, "preserve")
	if !preserve && lastWrite != "" && !strings.EqualFold(lastWrite, "now") {
		return errInvalidHeader("x-ms-file-last-write-time")
	}
	return s.updateNode(c, http.StatusCreated, (*share).file, func(_ *share, n *node) error {
		if rng.end >= n.size {
			return errInvalidRange(n.size)
		}
		if body == nil {
			if err := s.store.content(n).zero(rng.start, rng.length()); err != nil {
				return err
			}
			n.written.remove(rng.start, rng.end+1, n.size)
		} else {
			if err := s.store.content(n).writeAt(body, rng.start); err != nil {
				return err
			}
			n.written.add(rng.start, rng.end+1, n.size)
			c.w.Header().Set("Content-MD5", encodeMD5(md5Sum(body)))
		}
		t := now()
		if !preserve {
			n.smb.LastWriteTime = t
		}
		n.smb.ChangeTime = t
		return nil
	})
}

type rangeListXML struct {
	XMLName xml.Name       `xml:"Ranges"`
	Ranges  []rangeItemXML `xml:"Range"`
}

type rangeItemXML struct {
	Start int64 `xml:"Start"`
	End   int64 `xml:"End"`
}

// listRanges is List Ranges: the ranges of the file (or of x-ms-range) that hold data.
func (s *Server) listRanges(c *call) error {
	s.store.mu.RLock()
	_, n, err := s.store.resolve(c.t, (*share).file)
	if err != nil {
		s.store.mu.RUnlock()
		return err
	}
	rng := byteRange{0, n.size - 1}
	if v := rangeHeader(c.r.Header); v != "" {
		r, ok := parseRange(v, true)
		if !ok {
			s.store.mu.RUnlock()
			return errInvalidHeader("x-ms-range")
		}
		rng.start = r.start
		if r.end >= 0 {
			rng.end = min(r.end, rng.end)
		}
	}
	out := rangeListXML{}
	for _, r := range n.written.within(rng) {
		out.Ranges = append(out.Ranges, rangeItemXML{r.start, r.end})
	}
	h := c.w.Header()
	writeETag(h, n.etag)
	setMS(h, "x-ms-content-length", strconv.FormatInt(n.size, 10))
	s.store.mu.RUnlock()
	writeXML(c.w, http.StatusOK, out)
	return nil
}
