package filesemu

import (
	"crypto/hmac"
	"encoding/base64"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sasTimeLayouts are the ISO 8601 forms a SAS start or expiry may take.
var sasTimeLayouts = []string{"2006-01-02T15:04:05.0000000Z", "2006-01-02T15:04:05Z", "2006-01-02T15:04Z", "2006-01-02"}

// checkSAS verifies a shared access signature: account SAS (ss/srt) or service
// SAS (sr=s share, sr=f file), signature, validity window, protocol, source IP,
// resource type and permission.
func (s *Server) checkSAS(q url.Values, t target, op *operation, ip net.IP, https bool) error {
	if q.Get("sv") == "" || q.Get("sp") == "" {
		return errAuthFailed("The SAS is missing sv or sp.")
	}
	var stringToSign string
	switch {
	case q.Has("ss"):
		stringToSign = accountSASStringToSign(s.account, q)
	case q.Has("sr"):
		if q.Get("si") != "" {
			return errNotImplemented("Stored access policies (si)")
		}
		stringToSign = serviceSASStringToSign(s.account, q, t)
	default:
		return errAuthFailed("The SAS has neither ss (account SAS) nor sr (service SAS).")
	}
	given, err := base64.StdEncoding.DecodeString(q.Get("sig"))
	if err != nil || !hmac.Equal(given, s.sign(stringToSign)) {
		return errAuthFailed("Signature did not match. String to sign used was " + stringToSign)
	}
	if err := checkSASWindow(q.Get("st"), q.Get("se")); err != nil {
		return err
	}
	if q.Get("spr") == "https" && !https {
		return newError(http.StatusForbidden, "AuthorizationProtocolMismatch",
			"This request is not authorized to perform this operation using this protocol.")
	}
	if sip := q.Get("sip"); sip != "" && !ipInRange(ip, sip) {
		return newError(http.StatusForbidden, "AuthorizationSourceIPMismatch",
			"This request is not authorized to perform this operation using this source IP %s.", ip)
	}
	if q.Has("ss") {
		if !strings.Contains(q.Get("ss"), "f") {
			return newError(http.StatusForbidden, "AuthorizationServiceMismatch",
				"This request is not authorized to perform this operation using this service.")
		}
		if op.srt != 0 && !strings.ContainsRune(q.Get("srt"), rune(op.srt)) {
			return errResourceTypeMismatch()
		}
	} else if op.perms != "" && (len(q.Get("sr")) != 1 || !strings.Contains(op.sr, q.Get("sr"))) {
		return errResourceTypeMismatch()
	}
	if op.perms != "" && !strings.ContainsAny(q.Get("sp"), op.perms) {
		return errPermissionMismatch()
	}
	return nil
}

// accountSASStringToSign follows the account SAS layout; versions from
// 2020-12-06 sign the encryption scope too.
func accountSASStringToSign(account string, q url.Values) string {
	fields := []string{account, q.Get("sp"), q.Get("ss"), q.Get("srt"), q.Get("st"), q.Get("se"),
		q.Get("sip"), q.Get("spr"), q.Get("sv")}
	if q.Get("sv") >= "2020-12-06" {
		fields = append(fields, q.Get("ses"))
	}
	return strings.Join(fields, "\n") + "\n"
}

// serviceSASStringToSign follows the File service SAS layout (version 2015-04-05
// and later). The canonical resource is the share for sr=s and the requested
// file for sr=f, so a file SAS presented for another path fails its signature.
func serviceSASStringToSign(account string, q url.Values, t target) string {
	resource := "/file/" + account + "/" + t.share
	if q.Get("sr") == "f" && t.sasPath != "" {
		resource += "/" + t.sasPath
	}
	return strings.Join([]string{q.Get("sp"), q.Get("st"), q.Get("se"), resource, q.Get("si"),
		q.Get("sip"), q.Get("spr"), q.Get("sv"),
		q.Get("rscc"), q.Get("rscd"), q.Get("rsce"), q.Get("rscl"), q.Get("rsct")}, "\n")
}

func checkSASWindow(st, se string) error {
	now := time.Now()
	if st != "" {
		start, ok := parseSASTime(st)
		if !ok {
			return errAuthFailed("The SAS start time (st) is not an ISO 8601 time.")
		}
		if now.Before(start.Add(-maxClockSkew)) {
			return errAuthFailed("Signed start time is in the future: SAS not yet valid.")
		}
	}
	expiry, ok := parseSASTime(se)
	if !ok {
		return errAuthFailed("The SAS expiry time (se) is missing or not an ISO 8601 time.")
	}
	if now.After(expiry) {
		return errAuthFailed("Signed expiry time [" + se + "] must be after the current time: the SAS has expired.")
	}
	return nil
}

func parseSASTime(v string) (time.Time, bool) {
	for _, layout := range sasTimeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ipInRange reports whether ip is sip ("a.b.c.d") or within "a.b.c.d-e.f.g.h".
func ipInRange(ip net.IP, sip string) bool {
	lo, hi, found := strings.Cut(sip, "-")
	if !found {
		hi = lo
	}
	start, end := net.ParseIP(lo), net.ParseIP(hi)
	if ip == nil || start == nil || end == nil {
		return false
	}
	ip16, s16, e16 := ip.To16(), start.To16(), end.To16()
	return string(ip16) >= string(s16) && string(ip16) <= string(e16)
}
