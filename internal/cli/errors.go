package cli

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/azsync/azsync/internal/location"
	"github.com/azsync/azsync/internal/logging"
)

// hints say what to do about the service's most common refusals.
var hints = map[string]string{
	"AuthenticationFailed":              "the SAS token or credential was rejected: check its signature and expiry",
	"AuthorizationFailure":              "the credential may not do this: check the SAS permissions or the role assignment",
	"AuthorizationPermissionMismatch":   "the SAS token lacks a permission this needs (sync needs r, l; and a, c, w, d at the destination)",
	"AuthorizationResourceTypeMismatch": "the account SAS does not cover this resource type (it needs srt=sco)",
	"ContainerNotFound":                 "the container does not exist",
	"ShareNotFound":                     "the file share does not exist",
	"InvalidQueryParameterValue":        "a URL parameter is malformed: check the SAS token",
	"OutOfRangeInput":                   "a name in the URL is not valid for the service: container names are 3-63 lowercase letters, digits and hyphens",
	"InvalidResourceName":               "a name in the URL is not valid for the service: container names are 3-63 lowercase letters, digits and hyphens",
}

// describe turns an error into the one line a user sees: the context the code wrapped around it, with
// a service error reduced to its status and code (never the raw response body) plus a hint, and
// every secret redacted.
func describe(err error) string { return describeWith(err, "") }

// describe is describe for an error of the job's run (j may be nil): a refusal (403) while one of the
// job's SAS tokens has expired says so, and when, in place of the generic hint.
func (j *job) describe(err error) string {
	var re *azcore.ResponseError
	if j != nil && errors.As(err, &re) && re.StatusCode == http.StatusForbidden {
		return describeWith(err, j.expiredSAS(time.Now()))
	}
	return describe(err)
}

func (j *job) expiredSAS(now time.Time) string {
	for _, side := range []struct {
		name string
		loc  location.Location
	}{{"source", j.src}, {"destination", j.dst}} {
		if se, ok := side.loc.SASExpiry(); ok && now.After(se) {
			return fmt.Sprintf("the %s SAS expired at %s (its se=): make a new one", side.name, se.UTC().Format(time.RFC3339))
		}
	}
	return ""
}

// describeWith is describe with hint, when not "", in place of the service error code's.
func describeWith(err error, hint string) string {
	msg := err.Error()
	var re *azcore.ResponseError
	var ue *url.Error
	switch {
	case errors.As(err, &re):
		short := fmt.Sprintf("the service answered %d %s", re.StatusCode, re.ErrorCode)
		if re.ErrorCode == "" {
			short = fmt.Sprintf("the service answered %d", re.StatusCode)
		}
		if hint == "" {
			hint = hints[re.ErrorCode]
		}
		if hint != "" {
			short += " (" + hint + ")"
		}
		msg = strings.Replace(msg, re.Error(), short, 1)
	case errors.As(err, &ue):
		// The request's method and URL repeat what the context says, with the SAS in it.
		short := ue.Err.Error()
		var dns *net.DNSError
		switch {
		case errors.As(err, &dns) && dns.IsNotFound:
			short += " (the host name does not resolve: check the account name in the URL)"
		case errors.Is(err, syscall.ECONNREFUSED):
			short += " (nothing answers at that address: check the host and port in the URL)"
		}
		msg = strings.Replace(msg, ue.Error(), short, 1)
	}
	return logging.Redact(oneLine(msg))
}

// oneLine keeps the first line of a message and drops the rest, which is detail for the log.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}
