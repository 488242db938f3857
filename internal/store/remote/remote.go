// Package remote holds what the two Azure stores (Blob and Files) share: the HTTP status of an SDK
// error, an entry's properties as the services report them, the tail of a ranged read, and listing pages
// asked for again when their answer was cut short.
package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/azsync/azsync/internal/store"
)

// WithoutQuery is the URL u without its query, which holds the SAS: what may be shown, or kept as
// a name that must not change when a new SAS is given.
func WithoutQuery(u string) string {
	if p, err := url.Parse(u); err == nil && p.RawQuery != "" {
		p.RawQuery = ""
		return p.String()
	}
	return u
}

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

// BodyRetries is how many times a download's body is read again after its connection was cut.
const BodyRetries = 5

// ReadAgain is the note for a download body read again from off after its failures-th cut.
func ReadAgain(display string, off int64, failures int32, err error) string {
	return fmt.Sprintf("reading %s again from byte %d (%d of %d): %v", display, off, failures, BodyRetries, err)
}

// listRetries is how many times a listing page is asked for again when its answer ended early. The
// client retries failed connections itself, but an answer that a proxy closed cleanly half-way
// arrives as a whole, malformed body, which it does not retry.
const listRetries = 3

// Pages yields the pages of a listing, each fetched from a pager. A page whose answer was cut short
// is asked for again with a new pager from the marker it was asked for with, so no entry is lost or
// yielded twice.
func Pages[T, P any](ctx context.Context, pager func(marker *string) *runtime.Pager[T],
	fetch func(context.Context, *runtime.Pager[T]) (P, *string, error), notify func(string)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		var marker *string
		p, cuts := pager(nil), 0
		for p.More() {
			page, next, err := fetch(ctx, p)
			if err != nil && CutShort(err) && ctx.Err() == nil {
				if cuts++; cuts <= listRetries {
					notify(fmt.Sprintf("the answer was cut short; asking again (%d of %d): %s", cuts, listRetries, cutDetail(err)))
					p = pager(marker)
					continue
				}
				err = &cutShortError{times: cuts, err: err}
			}
			if err != nil {
				yield(page, err)
				return
			}
			marker, cuts = next, 0
			if !yield(page, nil) {
				return
			}
		}
	}
}

// Notifier is the notify of Pages for a store: each notice named by the listing it is about, built
// only when there is a notice and a notify to take it (nil drops them).
func Notifier(notify func(string), listing func() string) func(string) {
	return func(msg string) {
		if notify != nil {
			notify("listing " + listing() + ": " + msg)
		}
	}
}

// cutShortError is a listing page whose answer was cut short on every try.
type cutShortError struct {
	times int
	err   error
}

func (e *cutShortError) Error() string {
	return fmt.Sprintf("the answer was cut short %d times: %s", e.times, cutDetail(e.err))
}

func (e *cutShortError) Unwrap() error { return e.err }

// cutDetail is what a cut-short answer's error says, without the SDK's "unmarshalling type
// *generated.ListBlobsHierarchySegmentResponse: " in front, a name of its internals that tells a
// user nothing.
func cutDetail(err error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "unmarshalling type "); ok {
		if _, detail, found := strings.Cut(rest, ": "); found {
			return detail
		}
	}
	return msg
}

// ErrEmptyPage is a listing answer without its list of entries (an empty body decodes as one).
var ErrEmptyPage = errors.New("the service's listing answer holds no list of entries")

// CutShort reports an answer whose body ended early: the SDK reads it as malformed XML (an error it
// does not wrap) or an early end of input.
func CutShort(err error) bool {
	var re *azcore.ResponseError
	return !errors.As(err, &re) && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrEmptyPage) ||
		strings.HasPrefix(err.Error(), "unmarshalling type "))
}
