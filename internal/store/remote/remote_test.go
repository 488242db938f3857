package remote

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

// A listing cut short on every try is told in the service's terms, not the SDK's type names,
// and still unwraps to what happened.
func TestCutShortErrorNamesNoSDKType(t *testing.T) {
	sdk := fmt.Errorf("unmarshalling type *generated.ListBlobsHierarchySegmentResponse: %w", io.ErrUnexpectedEOF)
	err := error(&cutShortError{times: 4, err: sdk})
	if got, want := err.Error(), "the answer was cut short 4 times: unexpected EOF"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Error("the error no longer unwraps to io.ErrUnexpectedEOF")
	}
	if got := cutDetail(io.EOF); got != "EOF" {
		t.Errorf("cutDetail(io.EOF) = %q", got)
	}
}
