package auth

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// defaultSuffixes are the domains an OAuth token may always be sent to:
// Azure Storage in the public cloud, China, US Government, and the DNS-zone
// endpoints. Written without the leading "*.", as TrustedSuffixes returns them.
var defaultSuffixes = []string{
	"core.windows.net",
	"core.chinacloudapi.cn",
	"core.usgovcloudapi.net",
	"storage.azure.net",
}

// TrustedSuffixes returns the default trusted suffixes followed by the
// ';'-separated items of --trusted-microsoft-suffixes. An item may be written
// "*.example.net", ".example.net" or "example.net"; each is returned lower-case
// without the "*." or "." (so an entry trusts that host and every name below
// it), duplicates dropped. An IP address is accepted too, and then trusts that
// address only: `--trusted-microsoft-suffixes=127.0.0.1` lets tokens reach an
// emulator on loopback. Empty items are ignored; an item that is neither a
// host name nor an IP address (a port, a wildcard elsewhere than in front, a
// character not allowed in a host name) is an error.
func TrustedSuffixes(extra string) ([]string, error) {
	suffixes := slices.Clone(defaultSuffixes)
	for item := range strings.SplitSeq(extra, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		s, ok := parseSuffix(item)
		if !ok {
			return nil, fmt.Errorf("--trusted-microsoft-suffixes: %q is not a domain suffix such as *.example.net or an IP address", item)
		}
		if !slices.Contains(suffixes, s) {
			suffixes = append(suffixes, s)
		}
	}
	return suffixes, nil
}

// parseSuffix validates one --trusted-microsoft-suffixes item and returns it
// in canonical form.
func parseSuffix(item string) (string, bool) {
	if addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(item, "["), "]")); err == nil {
		return addr.String(), true
	}
	s := trimWildcard(strings.ToLower(item))
	if s == "" || len(s) > 253 {
		return "", false
	}
	for label := range strings.SplitSeq(s, ".") {
		if !validLabel(label) {
			return "", false
		}
	}
	return s, true
}

// trimWildcard removes a leading "*." or ".": all three spellings of a
// suffix mean the same.
func trimWildcard(s string) string {
	if rest, ok := strings.CutPrefix(s, "*."); ok {
		return rest
	}
	return strings.TrimPrefix(s, ".")
}

// validLabel reports whether label is a DNS host name label (RFC 1123):
// letters, digits and inner hyphens, at most 63 bytes.
func validLabel(label string) bool {
	if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := range len(label) {
		c := label[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// CheckHost reports whether an OAuth token may be sent to host (a URL's Host:
// any port is ignored, as are case and a final dot). A host name must equal a
// suffix or end in "." + suffix, so "evilcore.windows.net" is not under
// "core.windows.net"; an IP address must equal an IP entry. suffixes are as
// TrustedSuffixes returns them ("*." and "." prefixes are tolerated).
func CheckHost(host string, suffixes []string) error {
	h := canonicalHost(host)
	if addr, err := netip.ParseAddr(h); err == nil {
		for _, s := range suffixes {
			if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")); err == nil && a == addr {
				return nil
			}
		}
		return &untrustedHostError{host: h}
	}
	if h != "" {
		for _, s := range suffixes {
			s = trimWildcard(strings.ToLower(s))
			if _, err := netip.ParseAddr(s); err == nil {
				continue // an IP entry trusts that address, not names ending in it
			}
			if s != "" && (h == s || strings.HasSuffix(h, "."+s)) {
				return nil
			}
		}
	}
	return &untrustedHostError{host: h}
}

func canonicalHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// untrustedHostError is the refusal to send a token. It is permanent: a retry
// would only be refused again, so it tells azcore's retry policy not to.
type untrustedHostError struct{ host string }

func (e *untrustedHostError) Error() string {
	return fmt.Sprintf("refusing to send an OAuth token to %q, which is not under a trusted Microsoft domain; if it is a Microsoft Azure domain, add it with --trusted-microsoft-suffixes", e.host)
}

// NonRetriable marks the error as permanent for azcore's retry policy, which
// looks for this method.
func (e *untrustedHostError) NonRetriable() {}

// HostGuard is an azcore pipeline policy that refuses, without sending it,
// any request carrying a bearer token (in Authorization, or in
// x-ms-copy-source-authorization for service-to-service copies) to a host
// CheckHost does not accept. The refusal is not retried.
//
// Add it to ClientOptions.PerRetryPolicies: those run after the SDK's bearer
// token policy has set the header, on every attempt. It is defence in depth
// against token leakage: the command's URLs are checked before any client is
// built, but a request can still head elsewhere, to a URL taken from a
// service response (a redirect's Location, a copy source, a continuation) or
// an endpoint assembled from misconfiguration. Redirects that net/http
// follows on its own never come back through the pipeline; net/http drops
// Authorization when one leaves the host, but not other headers, so the HTTP
// client should not follow redirects for requests that carry a token.
type HostGuard struct {
	// Suffixes are the trusted suffixes, as TrustedSuffixes returns them.
	Suffixes []string
}

// bearerHeaders are the headers the SDK puts OAuth tokens in.
var bearerHeaders = []string{"Authorization", "x-ms-copy-source-authorization"}

// Do implements policy.Policy.
func (g HostGuard) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	if carriesBearer(raw.Header) {
		if err := CheckHost(raw.URL.Host, g.Suffixes); err != nil {
			return nil, err
		}
		// An explicit Host header is what the server sees; vet it too.
		if raw.Host != "" && raw.Host != raw.URL.Host {
			if err := CheckHost(raw.Host, g.Suffixes); err != nil {
				return nil, err
			}
		}
	}
	return req.Next()
}

func carriesBearer(h http.Header) bool {
	for _, name := range bearerHeaders {
		for _, v := range h.Values(name) {
			if len(v) >= len("Bearer ") && strings.EqualFold(v[:len("Bearer ")], "Bearer ") {
				return true
			}
		}
	}
	return false
}
