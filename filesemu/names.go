package filesemu

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// target is the resource a request URL names.
type target struct {
	share string
	// path holds the directory/file components below the share, after the
	// service's trailing-dot trimming; empty for the share (root directory).
	path []string
	// sasPath is the decoded path below the share exactly as requested, which is
	// what a service SAS signs.
	sasPath string
	// rawPath is the request path as it travelled (percent-encoding intact), which
	// is what Shared Key signs.
	rawPath string
	// snapshot is the sharesnapshot the request reads from; empty for the live share.
	snapshot string
}

// requestPath is the path of r as it travelled, percent-encoding intact.
func requestPath(r *http.Request) string {
	raw, _, _ := strings.Cut(r.RequestURI, "?")
	if u, err := url.Parse(raw); err == nil && u.IsAbs() {
		raw = u.EscapedPath() // absolute-form request target (proxies)
	}
	return raw
}

// parseTarget splits a path-style URL path /ACCOUNT/SHARE/DIR/.../NAME.
func parseTarget(raw, account string, keepTrailingDots bool) (target, error) {
	decoded, err := url.PathUnescape(raw)
	if err != nil || !strings.HasPrefix(decoded, "/") {
		return target{}, newError(http.StatusBadRequest, "InvalidUri", "The requested URI does not represent any resource on the server.")
	}
	t := target{rawPath: raw}
	parts := strings.Split(strings.TrimPrefix(decoded, "/"), "/")
	if parts[0] != account {
		return target{}, newError(http.StatusBadRequest, "InvalidUri",
			"The requested URI names account %q; this emulator serves %q.", parts[0], account)
	}
	parts = parts[1:]
	// A trailing slash names the same resource ("Directory names can't end with a slash;
	// if supplied, it's removed").
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	if len(parts) == 0 {
		return t, nil
	}
	t.share = parts[0]
	t.sasPath = strings.Join(parts[1:], "/")
	t.path, err = cleanPath(parts[1:], keepTrailingDots)
	return t, err
}

// cleanPath validates directory/file components and applies the service's
// trailing-dot rule: unless the client sent x-ms-allow-trailing-dot: true,
// trailing dots are silently trimmed from every component.
func cleanPath(parts []string, keepTrailingDots bool) ([]string, error) {
	out := make([]string, 0, len(parts))
	total := 0
	for _, p := range parts {
		if !keepTrailingDots {
			p = strings.TrimRight(p, ".")
		}
		if err := validateName(p); err != nil {
			return nil, err
		}
		total += utf8.RuneCountInString(p) + 1
		out = append(out, p)
	}
	if total > 2048 {
		return nil, newError(http.StatusBadRequest, "InvalidUri", "The path is longer than 2048 characters.")
	}
	return out, nil
}

// reservedNames cannot name a file or directory (Windows device names).
var reservedNames = map[string]bool{
	".": true, "..": true, "CON": true, "PRN": true, "AUX": true, "NUL": true, "CLOCK$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
}

// validateName applies the service's rules for one directory or file name:
// 1..255 characters, valid Unicode, none of " \ / : | < > * ? or control
// characters, not a reserved device name.
func validateName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 255 || !utf8.ValidString(name) || reservedNames[strings.ToUpper(name)] {
		return errInvalidName(name)
	}
	for _, r := range name {
		if r < 0x20 || strings.ContainsRune(`"\/:|<>*?`, r) {
			return errInvalidName(name)
		}
	}
	return nil
}

// validShareName applies the DNS-style share naming rules: 3..63 characters,
// lower-case letters, digits and single hyphens, starting with a letter or digit.
func validShareName(name string) bool {
	if len(name) < 3 || len(name) > 63 || name[0] == '-' || name[len(name)-1] == '-' || strings.Contains(name, "--") {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// foldName is the key under which a name is unique in its directory: Azure Files
// names are case-preserving but case-insensitive. No Unicode normalization is
// applied, so NFC and NFD spellings are different names.
func foldName(name string) string { return strings.ToUpper(name) }

// xmlName is a name as listings carry it. Names holding characters XML 1.0 cannot
// represent are percent-encoded and flagged Encoded="true"; the SDKs undo this
// with a URL query unescape, so every byte outside the unreserved set is escaped
// (a '+' must not survive as a literal, it would decode to a space).
type xmlName struct {
	Encoded bool   `xml:"Encoded,attr,omitempty"`
	Value   string `xml:",chardata"`
}

func encodeName(name string) xmlName {
	if validXML(name) {
		return xmlName{Value: name}
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return xmlName{Encoded: true, Value: b.String()}
}

// validXML reports whether every rune of s is an XML 1.0 Char.
func validXML(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		ok := r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if !ok {
			return false
		}
	}
	return true
}
