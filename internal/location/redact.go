package location

import (
	"net/url"
	"strings"
)

// redacted replaces a signature in displayed text.
const redacted = "REDACTED"

// RedactURL returns s with the value of every "sig" query parameter (the SAS
// signature, the one secret part of a SAS) replaced by REDACTED. The key is
// matched case-insensitively and after percent-decoding, since the service
// accepts it either way. s may be a URL, a query string starting with '?', or
// text with URLs in it (an error message, a log line): a parameter starts
// after '?' or '&', and its value ends at '&', '#', white space, a control
// character, a quote, '<', '>' or '`'. None of those occur in a signature
// (base64, percent-encoded), and they are what ends a URL quoted in text.
//
// Apply it to text before any further encoding: a JSON encoder that writes
// '&' as \u0026 would hide the start of the parameter.
func RedactURL(s string) string {
	var b strings.Builder
	done := 0 // s[:done] has been copied to b
	for i := 0; i < len(s); i++ {
		if s[i] != '?' && s[i] != '&' {
			continue
		}
		keyStart := i + 1
		keyEnd := keyStart
		for keyEnd < len(s) && s[keyEnd] != '=' && s[keyEnd] != '?' && !endsValue(s[keyEnd]) {
			keyEnd++
		}
		if keyEnd == len(s) || s[keyEnd] != '=' || !isSigKey(s[keyStart:keyEnd]) {
			continue
		}
		valStart := keyEnd + 1
		valEnd := valStart
		for valEnd < len(s) && !endsValue(s[valEnd]) {
			valEnd++
		}
		if valEnd == valStart || s[valStart:valEnd] == redacted {
			continue
		}
		b.WriteString(s[done:valStart])
		b.WriteString(redacted)
		done = valEnd
		i = valEnd - 1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// isSigKey reports whether a raw query key names the signature.
func isSigKey(key string) bool {
	if strings.EqualFold(key, "sig") {
		return true
	}
	if !strings.Contains(key, "%") {
		return false
	}
	dec, err := url.QueryUnescape(key)
	return err == nil && strings.EqualFold(dec, "sig")
}

// endsValue reports whether c ends a query parameter's value in RedactURL.
func endsValue(c byte) bool {
	switch c {
	case '&', '#', '"', '\'', '<', '>', '`', ' ', 0x7f:
		return true
	}
	return c < 0x20
}
