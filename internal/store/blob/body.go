package blob

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/azsync/azsync/internal/transfer"
)

// requestBody is a chunk sent as a request body. The SDK retries a request by rewinding the body it
// was given, while Go's HTTP transport may still be reading the failed attempt's body on its own
// goroutine. So the body handed to the transport is a fresh reader per attempt (see FreshBodies),
// and the chunk of a retried request is kept from reuse.
type requestBody struct {
	*bytes.Reader
	chunk    *transfer.Chunk
	attempts atomic.Int32
}

func newRequestBody(c *transfer.Chunk) *requestBody {
	return &requestBody{Reader: bytes.NewReader(c.Data), chunk: c}
}

func (b *requestBody) Close() error { return nil }

// release marks the chunk as possibly still in use when an attempt failed (the request's error, or
// a retry): the transport may not have finished reading it.
func (b *requestBody) release(err error) {
	if err != nil || b.attempts.Load() > 1 {
		b.chunk.Keep()
	}
}

// FreshBodies is a per-try policy that gives every attempt of a request with a chunk body its own
// reader over the chunk, so a retry never rewinds a reader the transport is still using.
type FreshBodies struct{}

// Do implements policy.Policy.
func (FreshBodies) Do(req *policy.Request) (*http.Response, error) {
	if b, ok := req.Body().(*requestBody); ok {
		b.attempts.Add(1)
		req.Raw().Body = io.NopCloser(bytes.NewReader(b.chunk.Data))
	}
	return req.Next()
}
