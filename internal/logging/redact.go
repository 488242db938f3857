package logging

import (
	"regexp"
	"strings"

	"github.com/azsync/azsync/internal/sas"
)

// secretPattern finds a secret's key (capture groups 1 to 4, kept) followed by
// its value (replaced). One alternation so that text is scanned once:
//
//  1. a secret SAS query parameter (sas.SecretKeys: the signature), sig=VALUE, also URL-encoded (sig%3D)
//     and as it appears in JSON-escaped text, where "&" becomes \u0026. The
//     key must start a parameter, so "design=x" is left alone.
//  2. Authorization and x-ms-copy-source-authorization header values (Bearer,
//     SharedKey, anything), up to the end of the line, as "Name: value",
//     "Name=value" or "Name":"value".
//  3. a bearer token anywhere else. '=' belongs to the token so that
//     "Bearer sig=…" cannot stop short and leave a signature behind.
//  4. an account key in a connection string.
//
// Values stop at a backslash and a double quote, among others, so redacting
// JSON-encoded text never eats part of an escape sequence and the JSON stays
// valid.
var secretPattern = regexp.MustCompile(`(?i)` +
	`((?:\b|%26|%3f|\\u0026)(?:` + secretKeyAlternation() + `)(?:=|%3d))[^&\s"'\\]+` +
	`|(\bauthorization\\?"?\s*[:=]\s*\\?"?)[^\r\n"\\]+` +
	`|(\bbearer\s+)[\w\-.~+/=]+` +
	`|(\baccountkey=)[^;&\s"'\\]+`)

// secretKeyAlternation is sas.SecretKeys as a regular-expression alternation.
func secretKeyAlternation() string {
	keys := sas.SecretKeys()
	for i, k := range keys {
		keys[i] = regexp.QuoteMeta(k)
	}
	return strings.Join(keys, "|")
}

// Redacted replaces every secret value Redact finds.
const Redacted = sas.Redacted

// Redact returns s with secret values replaced by REDACTED: the value of every
// sig= query parameter (case-insensitive), Authorization and
// x-ms-copy-source-authorization header values, bearer tokens and account
// keys. Everything azsync prints or logs goes through it.
func Redact(s string) string {
	// Most lines (one per file copied) hold none of the keys: skip the regular expression for them.
	// Only for ASCII text, where lower-casing is exactly the pattern's case folding ("ſ" folds to "s").
	if isASCII(s) && !containsSecretKey(s) && !containsFold(s, "authorization") &&
		!containsFold(s, "bearer") && !containsFold(s, "accountkey") {
		return s
	}
	// Exactly one key group matched per match; the others expand to "".
	return secretPattern.ReplaceAllString(s, "${1}${2}${3}${4}"+Redacted)
}

// containsSecretKey reports whether ASCII text s contains a secret query key in any case.
func containsSecretKey(s string) bool {
	for _, k := range sas.SecretKeys() {
		if containsFold(s, k) {
			return true
		}
	}
	return false
}

// containsFold reports whether ASCII text s contains the lower-case ASCII key in any case, without
// the copy strings.ToLower would make.
func containsFold(s, key string) bool {
	for i := 0; i+len(key) <= len(s); i++ {
		j := 0
		for j < len(key) && s[i+j]|0x20 == key[j] {
			j++
		}
		if j == len(key) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
