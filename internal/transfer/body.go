package transfer

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// RequestBody is a chunk sent as a request body. The SDK retries a request by rewinding the body it
// was given, while Go's HTTP transport may still be reading the failed attempt's body on its own
// goroutine. So the body handed to the transport is a fresh reader per attempt (see FreshBodies), and
// the chunk of a failed or retried request is kept from reuse.
type RequestBody struct {
	*bytes.Reader
	chunk    *Chunk
	attempts atomic.Int32
}

// NewRequestBody wraps a chunk for one request.
func NewRequestBody(c *Chunk) *RequestBody {
	return &RequestBody{Reader: bytes.NewReader(c.Data), chunk: c}
}

// Close does nothing: the chunk belongs to the engine.
func (b *RequestBody) Close() error { return nil }

// Release marks the chunk as possibly still in use when an attempt failed (the request's error, or
// a retry): the transport may not have finished reading it.
func (b *RequestBody) Release(err error) {
	if err != nil || b.attempts.Load() > 1 {
		b.chunk.Keep()
	}
}

// FreshBodies is a per-try policy that gives every attempt of a request with a RequestBody its own
// reader over the chunk, so a retry never rewinds a reader the transport is still using.
type FreshBodies struct{}

// Do implements policy.Policy.
func (FreshBodies) Do(req *policy.Request) (*http.Response, error) {
	if b, ok := req.Body().(*RequestBody); ok {
		b.attempts.Add(1)
		req.Raw().Body = io.NopCloser(bytes.NewReader(b.chunk.Data))
	}
	return req.Next()
}
