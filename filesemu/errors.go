package filesemu

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"time"
)

// apiError is a failure answered the way the service answers it: an HTTP status,
// an x-ms-error-code header and an XML <Error> body.
type apiError struct {
	status  int
	code    string
	message string
	// authDetail fills <AuthenticationErrorDetail>; the service uses it to show the
	// string-to-sign it computed, which is what makes signature bugs debuggable.
	authDetail string
	// header holds extra response headers (e.g. Content-Range on a 416).
	header map[string]string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func errShareNotFound() *apiError {
	return newError(http.StatusNotFound, "ShareNotFound", "The specified share does not exist.")
}

func errResourceNotFound() *apiError {
	return newError(http.StatusNotFound, "ResourceNotFound", "The specified resource does not exist.")
}

func errParentNotFound() *apiError {
	return newError(http.StatusNotFound, "ParentNotFound", "The specified parent path does not exist.")
}

func errResourceAlreadyExists() *apiError {
	return newError(http.StatusConflict, "ResourceAlreadyExists", "The specified resource already exists.")
}

func errReadOnly() *apiError {
	return newError(http.StatusConflict, "ReadOnlyAttribute",
		"The specified resource is read-only and cannot be modified at this time.")
}

func errInvalidHeader(name string) *apiError {
	return newError(http.StatusBadRequest, "InvalidHeaderValue",
		"The value for one of the HTTP headers is not in the correct format. Header: %s", name)
}

func errMissingHeader(name string) *apiError {
	return newError(http.StatusBadRequest, "MissingRequiredHeader",
		"An HTTP header that's mandatory for this request is not specified. Header: %s", name)
}

func errInvalidQuery(name string) *apiError {
	return newError(http.StatusBadRequest, "InvalidQueryParameterValue",
		"Value for one of the query parameters specified in the request URI is invalid. Parameter: %s", name)
}

func errInvalidRange(size int64) *apiError {
	e := newError(http.StatusRequestedRangeNotSatisfiable, "InvalidRange",
		"The range specified is invalid for the current size of the resource.")
	e.header = map[string]string{"Content-Range": fmt.Sprintf("bytes */%d", size)}
	return e
}

func errInvalidName(name string) *apiError {
	// "specifed" (sic) is the service's own wording.
	return newError(http.StatusBadRequest, "InvalidResourceName",
		"The specifed resource name contains invalid characters: %q", name)
}

func errAuthFailed(detail string) *apiError {
	e := newError(http.StatusForbidden, "AuthenticationFailed",
		"Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.")
	e.authDetail = detail
	return e
}

func errPermissionMismatch() *apiError {
	return newError(http.StatusForbidden, "AuthorizationPermissionMismatch",
		"This request is not authorized to perform this operation using this permission.")
}

func errResourceTypeMismatch() *apiError {
	return newError(http.StatusForbidden, "AuthorizationResourceTypeMismatch",
		"This request is not authorized to perform this operation using this resource type.")
}

func errUnsupportedVerb() *apiError {
	return newError(http.StatusMethodNotAllowed, "UnsupportedHttpVerb",
		"The resource doesn't support specified Http Verb.")
}

// errNotImplemented is the single answer for every part of the REST API the emulator
// does not model (leases, snapshots, handles, copy, rename, NFS, OAuth...).
func errNotImplemented(what string) *apiError {
	return newError(http.StatusNotImplemented, "NotImplemented",
		"%s is not implemented by the azsync Azure Files emulator.", what)
}

type errorBody struct {
	XMLName    xml.Name `xml:"Error"`
	Code       string   `xml:"Code"`
	Message    string   `xml:"Message"`
	AuthDetail string   `xml:"AuthenticationErrorDetail,omitempty"`
}

// writeError sends e; a HEAD answer carries only the status and headers, as the
// service's does.
func writeError(w http.ResponseWriter, r *http.Request, requestID string, e *apiError) {
	h := w.Header()
	setMS(h, "x-ms-error-code", e.code)
	for k, v := range e.header {
		h.Set(k, v)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(e.status)
		return
	}
	body := errorBody{
		Code:       e.code,
		Message:    fmt.Sprintf("%s\nRequestId:%s\nTime:%s", e.message, requestID, formatSMBTime(time.Now())),
		AuthDetail: e.authDetail,
	}
	writeXML(w, e.status, body)
}

// xmlDeclaration is the exact prolog the service puts before every XML body.
const xmlDeclaration = `<?xml version="1.0" encoding="utf-8"?>`

// writeXML answers status with v marshalled after the XML declaration the service sends.
func writeXML(w http.ResponseWriter, status int, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		// Every marshalled type is ours; failing here is a programming error.
		panic(fmt.Sprintf("filesemu: marshal %T: %v", v, err))
	}
	body := append([]byte(xmlDeclaration), out...)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
