// Package location parses and classifies the source and destination arguments
// of `azsync sync`: a local path, an Azure Blob URL or an Azure Files URL, the
// latter two either host-style (ACCOUNT.blob.core.windows.net/CONTAINER/…) or
// path-style for emulators and custom endpoints (HOST:PORT/ACCOUNT/CONTAINER/…).
//
// Remote paths are held decoded (the names the service stores) and re-escaped
// segment by segment when a URL is built, so that names containing spaces, '%',
// '#', '?', '+', ';', '&' or any Unicode round-trip byte for byte. The SAS query
// is kept verbatim because the service checks the signature against the exact
// string it issued; it is never shown: String and every error message redact
// the signature (see RedactURL).
package location

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Kind is the kind of storage a location refers to.
type Kind int

// The kinds of location. Unknown is also the "no hint" value for Parse.
const (
	Unknown Kind = iota
	Local
	Blob
	File
)

// String returns the name --from-to uses for the kind.
func (k Kind) String() string {
	switch k {
	case Local:
		return "Local"
	case Blob:
		return "Blob"
	case File:
		return "File"
	default:
		return "Unknown"
	}
}

// FromTo is the value of --from-to: the kinds of the source and destination.
// The zero value means the flag was not given.
type FromTo struct{ Src, Dst Kind }

// String returns the canonical spelling, e.g. "LocalBlob", or "" for the zero value.
func (ft FromTo) String() string {
	if ft == (FromTo{}) {
		return ""
	}
	return ft.Src.String() + ft.Dst.String()
}

// supportedPairs lists the pairs sync takes, in the order help and error
// messages show them. It is the one list of pairs.
var supportedPairs = []FromTo{
	{Local, Blob}, {Blob, Local}, {Blob, Blob}, {File, File}, {Local, File}, {File, Local},
}

func (ft FromTo) supported() bool { return slices.Contains(supportedPairs, ft) }

// Syncs reports whether this version syncs the pair.
func (ft FromTo) Syncs() bool { return ft.supported() }

// validFromTo is the list of valid --from-to values, for error messages.
func validFromTo() string {
	names := make([]string, len(supportedPairs))
	for i, p := range supportedPairs {
		names[i] = p.String()
	}
	return strings.Join(names, ", ")
}

// ParseFromTo parses a --from-to value, case-insensitively. The empty string
// yields the zero FromTo (no constraint).
func ParseFromTo(s string) (FromTo, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return FromTo{}, nil
	}
	for _, p := range supportedPairs {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return FromTo{}, fmt.Errorf("invalid --from-to value %q; valid values are %s", s, validFromTo())
}

// Location is a parsed source or destination argument.
type Location struct {
	Kind Kind

	// LocalPath is the local path as given, cleaned with filepath.Clean; it is
	// not made absolute.
	LocalPath string

	// Endpoint is the service URL handed to the SDK client: scheme://host[:port],
	// plus "/ACCOUNT" for path-style URLs; never a trailing slash.
	Endpoint string
	// Account is the storage account name.
	Account string
	// Container is the container (Blob) or share (Files) name, decoded.
	Container string
	// Path is the path inside the container, '/'-separated, with no leading
	// or trailing slash; "" for the container root. Each segment of the URL
	// is decoded with url.PathUnescape, so "%2F" yields a '/' in the name.
	Path string
	// TrailingSlash records that the argument ended with a separator, which
	// means "the directory" rather than an object of that name.
	TrailingSlash bool
	// SAS is the raw query string, without '?', exactly as given; "" when none.
	SAS string
	// PathStyle is true when the account is the first path segment rather
	// than part of the host name.
	PathStyle bool
}

// errServiceUnknown reports a path-style URL whose service (Blob or Files)
// cannot be told without --from-to.
var errServiceUnknown = errors.New("the service (Blob or Files) cannot be told from a path-style URL")

// Parse parses one sync argument. Arguments starting with http:// or https://
// are URLs; anything else is a local path. hint is the kind --from-to gives
// for this side, or Unknown; it is required for path-style URLs and must not
// contradict what the argument says.
func Parse(arg string, hint Kind) (Location, error) {
	if !isURL(arg) {
		return parseLocal(arg, hint)
	}
	return parseRemote(arg, hint)
}

func isURL(arg string) bool {
	lower := strings.ToLower(arg)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

func parseLocal(arg string, hint Kind) (Location, error) {
	if arg == "" {
		return Location{}, errors.New("empty path")
	}
	if hint == Blob || hint == File {
		return Location{}, fmt.Errorf("%q is a local path, but --from-to says %s (an https:// URL)", arg, hint)
	}
	// Only the platform's separators count: on Linux a trailing '\' is part
	// of a file name, not a directory marker.
	return Location{
		Kind:          Local,
		LocalPath:     filepath.Clean(arg),
		TrailingSlash: os.IsPathSeparator(arg[len(arg)-1]),
	}, nil
}

// azureSuffixes are the DNS suffixes of Azure Storage in the public and
// sovereign clouds, and of the DNS-zone endpoints
// (ACCOUNT.zNN.blob.storage.azure.net).
var azureSuffixes = []string{
	"core.windows.net",
	"core.chinacloudapi.cn",
	"core.usgovcloudapi.net",
	"storage.azure.net",
}

// parseRemote parses a Blob or Files URL; hint is the service --from-to names
// for this side, or Unknown.
func parseRemote(arg string, hint Kind) (Location, error) {
	u, shown, err := parseURL(arg)
	if err != nil {
		return Location{}, err
	}
	if hint == Local {
		return Location{}, fmt.Errorf("URL %s given where --from-to says Local", shown)
	}
	host, err := checkedHost(u, shown)
	if err != nil {
		return Location{}, err
	}
	segs, err := pathSegments(u, shown)
	if err != nil {
		return Location{}, err
	}
	loc := Location{SAS: u.RawQuery}
	if segs, err = setAccount(&loc, u, host, segs, hint, shown); err != nil {
		return Location{}, err
	}
	if err := setContainerPath(&loc, segs, shown); err != nil {
		return Location{}, err
	}
	return loc, nil
}

// parseURL parses a remote argument and refuses the URL shapes no storage
// URL has. It also returns the redacted form every later message shows.
func parseURL(arg string) (*url.URL, string, error) {
	u, err := url.Parse(arg)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error would repeat the whole URL, signature included
		}
		return nil, "", fmt.Errorf("invalid URL %q: %v", displayRaw(arg), err)
	}
	shown := display(u)
	if u.User != nil {
		return nil, "", fmt.Errorf("URL %s: user name or password in a storage URL is not supported", shown)
	}
	if strings.Contains(arg, "#") {
		return nil, "", fmt.Errorf("URL %s contains '#'; write a '#' in a name as %%23", shown)
	}
	// A signature never contains these characters, and RedactURL stops at
	// them, so refusing them here keeps every message about this URL free of
	// any part of the signature.
	if hasStrayDelimiter(u.RawQuery) {
		u.RawQuery = ""
		return nil, "", fmt.Errorf("URL %s: the query string (SAS) contains a space, quote or angle bracket; check the quoting of the argument", display(u))
	}
	return u, shown, nil
}

// checkedHost returns the URL's host name, lower case and without a trailing
// dot, or an error when it is missing or not a valid host name.
func checkedHost(u *url.URL, shown string) (string, error) {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return "", fmt.Errorf("URL %s has no host", shown)
	}
	if !validHost(host) {
		return "", fmt.Errorf("URL %s: invalid host name %q", shown, host)
	}
	return host, nil
}

// pathSegments splits the escaped path so that an escaped '/' (%2F) inside a
// segment stays inside that segment's decoded name.
func pathSegments(u *url.URL, shown string) ([]string, error) {
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	for i, s := range segs {
		var err error
		if segs[i], err = url.PathUnescape(s); err != nil {
			return nil, fmt.Errorf("URL %s: %v", shown, err)
		}
	}
	return segs, nil
}

// setAccount fills the service, account and endpoint from an Azure host name
// or, for a path-style URL (emulators), from the first path segment, which it
// then consumes. It returns the segments left for container and path.
func setAccount(loc *Location, u *url.URL, host string, segs []string, hint Kind, shown string) ([]string, error) {
	endpoint := strings.ToLower(u.Scheme) + "://" + u.Host
	kind, account, ok, err := hostStyle(host, shown)
	if err != nil {
		return nil, err
	}
	if ok {
		if hint != Unknown && hint != kind {
			return nil, fmt.Errorf("URL %s is an Azure %s endpoint, but --from-to says %s", shown, kind, hint)
		}
		loc.Kind, loc.Account, loc.Endpoint = kind, account, endpoint
		return segs, nil
	}
	if hint == Unknown {
		return nil, fmt.Errorf("URL %s: %w; pass --from-to (e.g. --from-to=LocalBlob)", shown, errServiceUnknown)
	}
	if segs[0] == "" {
		return nil, fmt.Errorf("URL %s names no storage account; a path-style URL is http(s)://HOST:PORT/ACCOUNT/CONTAINER[/PATH]", shown)
	}
	loc.Kind, loc.Account, loc.PathStyle = hint, segs[0], true
	loc.Endpoint = endpoint + "/" + escapeSegment(segs[0])
	return segs[1:], nil
}

// setContainerPath takes the container from the first remaining segment and
// the path inside it from the rest.
func setContainerPath(loc *Location, segs []string, shown string) error {
	if len(segs) == 0 || segs[0] == "" {
		return fmt.Errorf("URL %s names no container; sync needs a container (or share) in the URL", shown)
	}
	loc.Container = segs[0]
	if len(segs) > 1 {
		rest := strings.Join(segs[1:], "/")
		loc.TrailingSlash = rest == "" || strings.HasSuffix(rest, "/")
		// Leading and trailing slashes carry no name: "c//x/" is the directory x.
		loc.Path = strings.Trim(rest, "/")
	}
	return nil
}

// validHost reports whether a URL's host name (port and brackets removed) is
// an IP address without zone or a DNS-like name. url.Parse is laxer: it
// accepts sub-delimiters and percent-escapes, which would make Endpoint an
// invalid URL.
func validHost(host string) bool {
	if addr, err := netip.ParseAddr(host); err == nil {
		return addr.Zone() == ""
	}
	for i := range len(host) {
		// Letters, digits, '-', '.', '_' and the bytes of international names.
		if c := host[i]; c < 0x80 && (c == '~' || !unreserved(c)) {
			return false
		}
	}
	return true
}

// hasStrayDelimiter reports whether a query holds a byte, other than the '&'
// between parameters, at which RedactURL would end a parameter value.
func hasStrayDelimiter(query string) bool {
	for i := range len(query) {
		if query[i] != '&' && endsValue(query[i]) {
			return true
		}
	}
	return false
}

// hostStyle classifies an Azure Storage host name. ok is false for any other
// host, which is then taken to be a path-style endpoint.
func hostStyle(host, shown string) (kind Kind, account string, ok bool, err error) {
	for _, suffix := range azureSuffixes {
		prefix, found := strings.CutSuffix(host, "."+suffix)
		if !found {
			continue
		}
		labels := strings.Split(prefix, ".")
		if len(labels) < 2 || labels[0] == "" {
			return Unknown, "", false, fmt.Errorf("URL %s names no storage account (expected ACCOUNT.blob.%s or ACCOUNT.file.%s)", shown, suffix, suffix)
		}
		switch service := labels[len(labels)-1]; service {
		case "blob":
			kind = Blob
		case "file":
			kind = File
		case "dfs":
			return Unknown, "", false, fmt.Errorf("URL %s is an ADLS Gen2 (dfs) endpoint, which is not supported; use the blob endpoint (ACCOUNT.blob.%s)", shown, suffix)
		default:
			return Unknown, "", false, fmt.Errorf("URL %s is an Azure %q endpoint; sync supports blob and file endpoints", shown, service)
		}
		return kind, labels[0], true, nil
	}
	return Unknown, "", false, nil
}

// Resolve parses the source and destination arguments under --from-to (the
// zero FromTo when the flag was not given) and checks that they form one of
// the supported pairs.
func Resolve(srcArg, dstArg string, fromTo FromTo) (src, dst Location, err error) {
	src, srcErr := Parse(srcArg, fromTo.Src)
	dst, dstErr := Parse(dstArg, fromTo.Dst)
	if srcErr != nil {
		return Location{}, Location{}, fmt.Errorf("source: %w%s", srcErr, suggestFromTo(srcErr, dst.Kind, true))
	}
	if dstErr != nil {
		return Location{}, Location{}, fmt.Errorf("destination: %w%s", dstErr, suggestFromTo(dstErr, src.Kind, false))
	}
	if pair := (FromTo{src.Kind, dst.Kind}); !pair.supported() {
		return Location{}, Location{}, fmt.Errorf("syncing %s to %s is not supported; supported pairs are %s", src.Kind, dst.Kind, validFromTo())
	}
	return src, dst, nil
}

// suggestFromTo names the --from-to values that fit when err is the
// path-style ambiguity and the kind of the other side is known. srcSide says
// whether err is about the source.
func suggestFromTo(err error, other Kind, srcSide bool) string {
	if other == Unknown || !errors.Is(err, errServiceUnknown) {
		return ""
	}
	var fits []string
	for _, p := range supportedPairs {
		mine, theirs := p.Src, p.Dst
		if !srcSide {
			mine, theirs = theirs, mine
		}
		// The ambiguous side is a URL, so it is remote.
		if mine != Local && theirs == other {
			fits = append(fits, "--from-to="+p.String())
		}
	}
	return "; here that is " + strings.Join(fits, " or ")
}

// String returns the location for display: the local path, or the URL with
// the SAS signature redacted.
func (l Location) String() string {
	if l.Kind == Local {
		return l.LocalPath
	}
	s := l.Endpoint + "/" + escapeSegment(l.Container)
	if l.Path != "" {
		s += "/" + escapePath(l.Path)
	}
	if l.TrailingSlash {
		s += "/"
	}
	return s + l.query(true)
}

// ContainerURL returns the container (or share) URL, with the SAS if any.
func (l Location) ContainerURL() string {
	return l.Endpoint + "/" + escapeSegment(l.Container) + l.query(false)
}

// ObjectURL returns the URL of the object at name, a '/'-separated path
// relative to the container (callers include l.Path when they want it), with
// the SAS if any. Each segment is percent-escaped so that the service sees the
// name byte for byte.
func (l Location) ObjectURL(name string) string {
	return l.Endpoint + "/" + escapeSegment(l.Container) + "/" + escapePath(name) + l.query(false)
}

func (l Location) query(redact bool) string {
	switch {
	case l.SAS == "":
		return ""
	case redact:
		return RedactURL("?" + l.SAS)
	default:
		return "?" + l.SAS
	}
}

// escapePath escapes every segment of a '/'-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	return strings.Join(segs, "/")
}

// escapeSegment percent-escapes every byte outside RFC 3986's unreserved set.
// url.PathEscape leaves '+', '&', '=', ':', '@' and '$' alone, which some
// servers and proxies treat specially in paths; escaping them too is always
// valid and removes the doubt.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// display renders a parsed URL for messages: no user information, no
// fragment, signature redacted.
func display(u *url.URL) string {
	c := *u
	c.User = nil
	c.Fragment, c.RawFragment = "", ""
	return RedactURL(c.String())
}

// displayRaw renders an unparsable URL for messages: the user information,
// if any, is dropped and the signature redacted.
func displayRaw(arg string) string {
	if i := strings.Index(arg, "://"); i >= 0 {
		authority := arg[i+3:]
		if end := strings.IndexAny(authority, "/?#"); end >= 0 {
			authority = authority[:end]
		}
		if at := strings.LastIndexByte(authority, '@'); at >= 0 {
			arg = arg[:i+3] + arg[i+3+at+1:]
		}
	}
	return RedactURL(arg)
}

// SASExpiry is the expiry (se=) of the location's SAS, when it has one that parses.
func (l Location) SASExpiry() (time.Time, bool) {
	q, err := url.ParseQuery(l.SAS)
	if err != nil || q.Get("se") == "" {
		return time.Time{}, false
	}
	// The service takes ISO 8601 UTC times, with or without seconds, or a date alone.
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, q.Get("se")); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
