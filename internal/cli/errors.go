package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

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
func describe(err error) string {
	msg := err.Error()
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		short := fmt.Sprintf("the service answered %d %s", re.StatusCode, re.ErrorCode)
		if re.ErrorCode == "" {
			short = fmt.Sprintf("the service answered %d", re.StatusCode)
		}
		if hint, ok := hints[re.ErrorCode]; ok {
			short += " (" + hint + ")"
		}
		msg = strings.Replace(msg, re.Error(), short, 1)
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
