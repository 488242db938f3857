package remote

import (
	"bytes"
	"html"
	"io"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// PageDecoder decodes one listing answer for a store, which reads what it made of it after the
// pager's NextPage; it returns the next marker, or an error when it cannot read the answer.
type PageDecoder interface {
	DecodePage(body []byte) (next string, err error)
}

// DecodePage is the work of a store's per-call listing policy. The SDK's reflective encoding/xml
// decoding of a listing answer was most of a no-change sync's CPU: when the request's context holds
// a PageDecoder under key, the answer is decoded by it instead, and the SDK is left a body holding
// only an empty list (the element named list) and the next marker, so that its pager goes on as
// usual. An answer the decoder cannot read is left to the SDK as it came.
func DecodePage(req *policy.Request, key any, list string) (*http.Response, error) {
	resp, err := req.Next()
	dec, _ := req.Raw().Context().Value(key).(PageDecoder)
	if err != nil || dec == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := runtime.Payload(resp)
	if err != nil {
		return resp, nil // the SDK reports it
	}
	next, err := dec.DecodePage(body)
	if err != nil {
		return resp, nil
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><` + list + `/><NextMarker>`)
	b.WriteString(html.EscapeString(next))
	b.WriteString(`</NextMarker></EnumerationResults>`)
	resp.Body = io.NopCloser(&b)
	resp.ContentLength = int64(b.Len())
	return resp, nil
}
