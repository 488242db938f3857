package filesemu

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

func formatID(id uint64) string { return strconv.FormatUint(id, 10) }

// metadata maps lower-cased names to values. Go's HTTP server canonicalizes
// header names, so the case a client used for a metadata name cannot be kept;
// names are stored and returned lower-cased (Azurite does the same).
type metadata map[string]string

const metaPrefix = "X-Ms-Meta-"

// maxMetadataSize is the service's limit on the total of names and values.
const maxMetadataSize = 8 << 10

// parseMetadata collects x-ms-meta-* headers; names must be C# identifiers.
func parseMetadata(h http.Header) (metadata, error) {
	m := metadata{}
	size := 0
	for k, v := range h {
		name, ok := strings.CutPrefix(k, metaPrefix)
		if !ok {
			continue
		}
		name = strings.ToLower(name)
		if !validMetadataName(name) {
			return nil, newError(http.StatusBadRequest, "InvalidMetadata",
				"The metadata specified is invalid. It has characters that are not permitted: %q", name)
		}
		value := strings.Join(v, ",")
		m[name] = value
		size += len(name) + len(value)
	}
	if size > maxMetadataSize {
		return nil, newError(http.StatusBadRequest, "MetadataTooLarge", "The size of the specified metadata exceeds the maximum size permitted.")
	}
	if len(m) == 0 {
		return nil, nil // most items have none: no empty map per item
	}
	return m, nil
}

func validMetadataName(name string) bool {
	for i, c := range []byte(name) {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return name != ""
}

func writeMetadata(h http.Header, m metadata) {
	for k, v := range m {
		setMS(h, "x-ms-meta-"+k, v)
	}
}

// writeETag answers the ETag and Last-Modified of a share, directory or file.
func writeETag(h http.Header, e etag) {
	h.Set("ETag", e.String())
	h.Set("Last-Modified", e.lastModified().Format(http.TimeFormat))
}

// httpHeaders are a file's standard HTTP properties besides Content-MD5.
type httpHeaders struct {
	ContentType        string
	ContentEncoding    string
	ContentLanguage    string
	CacheControl       string
	ContentDisposition string
}

// parseContentHeaders reads x-ms-content-* and x-ms-cache-control. Set File
// Properties replaces all of them: an absent header clears the property.
func parseContentHeaders(h http.Header) (httpHeaders, *[16]byte, error) {
	c := httpHeaders{
		ContentType:        h.Get("x-ms-content-type"),
		ContentEncoding:    h.Get("x-ms-content-encoding"),
		ContentLanguage:    h.Get("x-ms-content-language"),
		CacheControl:       h.Get("x-ms-cache-control"),
		ContentDisposition: h.Get("x-ms-content-disposition"),
	}
	v := h.Get("x-ms-content-md5")
	if v == "" {
		return c, nil, nil
	}
	sum, err := decodeMD5(v)
	if err != nil {
		return c, nil, err
	}
	return c, (*[16]byte)(bytes.Clone(sum)), nil // 16 bytes kept, not the decoder's 18
}

// writeContentHeaders answers a file's HTTP properties. overrides are the
// rscc/rscd/rsce/rscl/rsct values of a service SAS, which replace them.
func writeContentHeaders(h http.Header, p *httpHeaders, overrides map[string]string) {
	var c httpHeaders
	if p != nil {
		c = *p
	}
	contentType := c.ContentType
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	for name, v := range map[string]string{
		"Content-Type":        contentType,
		"Content-Encoding":    c.ContentEncoding,
		"Content-Language":    c.ContentLanguage,
		"Cache-Control":       c.CacheControl,
		"Content-Disposition": c.ContentDisposition,
	} {
		if o := overrides[name]; o != "" {
			v = o
		}
		if v != "" {
			h.Set(name, v)
		}
	}
}

// sasOverrides returns the response-header overrides a service SAS carries.
func sasOverrides(q map[string][]string) map[string]string {
	out := map[string]string{}
	for param, header := range map[string]string{
		"rsct": "Content-Type", "rsce": "Content-Encoding", "rscl": "Content-Language",
		"rscc": "Cache-Control", "rscd": "Content-Disposition",
	} {
		if v := q[param]; len(v) > 0 && v[0] != "" {
			out[header] = v[0]
		}
	}
	return out
}

func decodeMD5(v string) ([]byte, error) {
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != md5.Size {
		return nil, newError(http.StatusBadRequest, "InvalidMd5", "The MD5 value specified in the request is invalid. It must be 128 bits and base64-encoded.")
	}
	return sum, nil
}

func encodeMD5(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

func md5Sum(p []byte) []byte {
	sum := md5.Sum(p)
	return sum[:]
}
