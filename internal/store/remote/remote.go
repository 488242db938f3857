// Package remote holds what the two Azure stores (Blob and Files) share: the HTTP status of an SDK
// error, an entry's properties as the services report them, and the tail of a ranged read.
package remote

import (
	"errors"
	"fmt"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/azsync/azsync/internal/store"
)

// IsStatus reports whether err is a service response with the HTTP status code.
func IsStatus(err error, code int) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == code
}

// Props sets the size, content type and ETag of e from what the service reported; nil is unknown.
func Props(e *store.Entry, length *int64, contentType *string, etag *azcore.ETag) {
	if length != nil {
		e.Size = *length
	}
	if contentType != nil {
		e.ContentType = *contentType
	}
	if etag != nil {
		e.ETag = string(*etag)
	}
}

// ReadRange fills p, the range at off, from a download's body and closes it: a short body is an
// error naming the range.
func ReadRange(body io.ReadCloser, p []byte, off int64) error {
	defer body.Close()
	if _, err := io.ReadFull(body, p); err != nil {
		return fmt.Errorf("reading range %d-%d: %w", off, off+int64(len(p))-1, err)
	}
	return nil
}
