package auth

import (
	"net/netip"
	"strings"
	"testing"
)

func FuzzTrust(f *testing.F) {
	f.Add("*.example.net;127.0.0.1", "acct.blob.core.windows.net:443")
	f.Add("localhost;[::1]", "[::1]:10000")
	f.Add(".example.net", "evilexample.net")
	f.Add("", "evilcore.windows.net")
	f.Add("a..b;*", "x.127.0.0.1")
	f.Fuzz(func(t *testing.T, extra, host string) {
		suffixes, err := TrustedSuffixes(extra)
		if err != nil {
			if !strings.Contains(err.Error(), "--trusted-microsoft-suffixes") {
				t.Fatalf("TrustedSuffixes(%q) error %q does not name the flag", extra, err)
			}
			return
		}
		for _, s := range suffixes {
			if CheckHost(s, suffixes) != nil {
				t.Fatalf("suffix %q does not trust itself", s)
			}
			if _, err := netip.ParseAddr(s); err != nil && CheckHost("a."+s+":1", suffixes) != nil {
				t.Fatalf("suffix %q does not trust a.%s", s, s)
			}
		}
		if CheckHost(host, suffixes) != nil {
			return
		}
		h := canonicalHost(host)
		for _, s := range suffixes {
			if h == s || strings.HasSuffix(h, "."+s) {
				return
			}
		}
		if a, err := netip.ParseAddr(h); err == nil {
			for _, s := range suffixes {
				if b, err := netip.ParseAddr(s); err == nil && a == b {
					return
				}
			}
		}
		t.Fatalf("CheckHost(%q) accepted a host under none of %q", host, suffixes)
	})
}
