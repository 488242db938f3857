// Package sas holds the one rule for which query parameters of a SAS URL are
// secret, and the scanner that redacts them in text. location (URLs shown to
// the user) and logging (every line printed or logged) both use it, so they
// can never disagree about what a secret is.
package sas

import (
	"net/url"
	"strings"
)

// Redacted replaces a secret value in displayed text.
const Redacted = "REDACTED"

// secretKeys are the query keys whose values are secret, lower case. Only the
// signature is: the other SAS fields (sv, se, sp, restype, ...) carry no
// secret and help read an error, so they are shown.
var secretKeys = []string{"sig"}

// SecretKeys returns the query keys whose values are secret, lower case.
func SecretKeys() []string { return append([]string(nil), secretKeys...) }

// shownKeys are query keys of Blob and Files requests, and of a SAS, whose
// values carry no secret. The Azure SDK's log policy hides the value of every
// query parameter not on its allow list, so without them a DEBUG log says
// "comp=REDACTED" and cannot tell a listing from a block upload.
var shownKeys = []string{
	// what a request asks for
	"comp", "restype", "prefix", "delimiter", "marker", "maxresults", "include", "timeout",
	"blockid", "blocklisttype", "snapshot", "sharesnapshot", "versionid",
	// the SAS fields other than the signature: version, services, resource types,
	// permissions, expiry, start, protocol, resource, policy id, IP range
	"sv", "ss", "srt", "sp", "se", "st", "spr", "sr", "si", "sip",
}

// ShownKeys returns the query keys whose values a log may show, lower case;
// none of them is a secret key.
func ShownKeys() []string { return append([]string(nil), shownKeys...) }

// IsSecretKey reports whether a raw query key names a secret. The key is
// matched case-insensitively and after percent-decoding, since the service
// accepts it either way.
func IsSecretKey(key string) bool {
	if dec, err := url.QueryUnescape(key); err == nil && strings.Contains(key, "%") {
		key = dec
	}
	for _, k := range secretKeys {
		if strings.EqualFold(key, k) {
			return true
		}
	}
	return false
}

// Redact returns s with the value of every secret query parameter replaced by
// REDACTED. s may be a URL, a query string starting with '?', or text with
// URLs in it (an error message, a log line): a parameter starts after '?' or
// '&', and its value ends at a byte EndsValue reports. None of those occur in
// a signature (base64, percent-encoded), and they are what ends a URL quoted
// in text.
//
// Apply it to text before any further encoding: a JSON encoder that writes
// '&' as \u0026 would hide the start of the parameter.
func Redact(s string) string {
	var b strings.Builder
	done := 0 // s[:done] has been copied to b
	for i := 0; i < len(s); i++ {
		if s[i] != '?' && s[i] != '&' {
			continue
		}
		keyStart := i + 1
		keyEnd := keyStart
		for keyEnd < len(s) && s[keyEnd] != '=' && s[keyEnd] != '?' && !EndsValue(s[keyEnd]) {
			keyEnd++
		}
		if keyEnd == len(s) || s[keyEnd] != '=' || !IsSecretKey(s[keyStart:keyEnd]) {
			continue
		}
		valStart := keyEnd + 1
		valEnd := valStart
		for valEnd < len(s) && !EndsValue(s[valEnd]) {
			valEnd++
		}
		if valEnd == valStart || s[valStart:valEnd] == Redacted {
			continue
		}
		b.WriteString(s[done:valStart])
		b.WriteString(Redacted)
		done = valEnd
		i = valEnd - 1
	}
	if done == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// EndsValue reports whether c ends a query parameter's value in Redact.
func EndsValue(c byte) bool {
	switch c {
	case '&', '#', '"', '\'', '<', '>', '`', ' ', 0x7f:
		return true
	}
	return c < 0x20
}
