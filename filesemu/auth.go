package filesemu

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// maxClockSkew is how far x-ms-date may lag or lead, as the service enforces.
const maxClockSkew = 15 * time.Minute

// authorize accepts a request signed with the account key (Shared Key) or
// carrying a SAS that grants op on t.
func (s *Server) authorize(r *http.Request, q url.Values, t target, op *operation) error {
	if v := r.Header.Get("x-ms-file-request-intent"); v != "" && !strings.EqualFold(v, "backup") {
		return errInvalidHeader("x-ms-file-request-intent")
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		if token, ok := strings.CutPrefix(auth, "Bearer "); ok {
			return s.checkBearer(r, op, token)
		}
		return s.checkSharedKey(r, q, t, auth)
	}
	if q.Has("sig") {
		return s.checkSAS(q, t, op, remoteIP(r), r.TLS != nil)
	}
	return errAuthFailed("The request carries neither an Authorization header nor a SAS.")
}

func remoteIP(r *http.Request) net.IP {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return net.ParseIP(host)
}

// checkSharedKey verifies "Authorization: SharedKey ACCOUNT:SIGNATURE".
func (s *Server) checkSharedKey(r *http.Request, q url.Values, t target, auth string) error {
	scheme, cred, _ := strings.Cut(auth, " ")
	if scheme != "SharedKey" {
		return errAuthFailed("Unsupported authorization scheme " + scheme + "; use SharedKey, Bearer or a SAS.")
	}
	account, sig, ok := strings.Cut(cred, ":")
	if !ok || account != s.account {
		return errAuthFailed("The Authorization header does not name account " + s.account + ".")
	}
	if err := checkRequestDate(r.Header); err != nil {
		return err
	}
	given, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return errAuthFailed("The signature is not base64.")
	}
	// Path-style (emulator) URLs put the account in the path, and the SDKs sign
	// "/ACCOUNT" + that path, i.e. the account twice. Some clients sign the path
	// without repeating it; accept either, as Azurite does.
	stringToSign := sharedKeyStringToSign(r, q, "/"+s.account+t.rawPath)
	for _, candidate := range []string{stringToSign, sharedKeyStringToSign(r, q, t.rawPath)} {
		if hmac.Equal(given, s.sign(candidate)) {
			return nil
		}
	}
	return errAuthFailed("The MAC signature found in the HTTP request '" + sig +
		"' is not the same as any computed signature. Server used following string to sign: '" + stringToSign + "'.")
}

func checkRequestDate(h http.Header) error {
	date := h.Get("x-ms-date")
	if date == "" {
		date = h.Get("Date")
	}
	if date == "" {
		return errAuthFailed("Request is missing the x-ms-date header.")
	}
	when, err := http.ParseTime(date)
	if err != nil {
		return errAuthFailed("The x-ms-date header is not an RFC 1123 date.")
	}
	if d := time.Since(when); d > maxClockSkew || d < -maxClockSkew {
		return errAuthFailed("Request date header too old: '" + date + "'.")
	}
	return nil
}

func (s *Server) sign(stringToSign string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// sharedKeyStringToSign builds the Shared Key string-to-sign of the Blob, Queue and
// File services (version 2009-09-19 and later).
func sharedKeyStringToSign(r *http.Request, q url.Values, resourcePath string) string {
	h := r.Header
	contentLength := h.Get("Content-Length")
	if contentLength == "0" {
		contentLength = ""
	}
	date := h.Get("Date")
	if h.Get("x-ms-date") != "" {
		date = "" // x-ms-date wins and the Date line stays empty
	}
	return strings.Join([]string{
		r.Method,
		h.Get("Content-Encoding"),
		h.Get("Content-Language"),
		contentLength,
		h.Get("Content-MD5"),
		h.Get("Content-Type"),
		date,
		h.Get("If-Modified-Since"),
		h.Get("If-Match"),
		h.Get("If-None-Match"),
		h.Get("If-Unmodified-Since"),
		h.Get("Range"),
		canonicalizedHeaders(h),
		canonicalizedResource(resourcePath, q),
	}, "\n")
}

// canonicalizedHeaders lists the x-ms-* headers as "name:value" lines, names
// lower-cased and ordered by the service's header collation.
func canonicalizedHeaders(h http.Header) string {
	values := map[string]string{}
	for k, v := range h {
		name := strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(name, "x-ms-") {
			values[name] = strings.Join(v, ",")
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return compareHeaderNames(names[i], names[j]) < 0 })
	lines := make([]string, len(names))
	for i, name := range names {
		lines[i] = name + ":" + values[name]
	}
	return strings.Join(lines, "\n")
}

// canonicalizedResource is "/ACCOUNT/PATH" then one "name:v1,v2" line per query
// parameter, names lower-cased and sorted, values sorted.
func canonicalizedResource(path string, q url.Values) string {
	var b strings.Builder
	b.WriteString(path)
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vals := append([]string(nil), q[name]...)
		sort.Strings(vals)
		b.WriteString("\n" + strings.ToLower(name) + ":" + strings.Join(vals, ","))
	}
	return b.String()
}
