package blob

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// FuzzListing serves arbitrary List Blobs answers to List, which must never panic: a broken proxy
// or service must end as a failed listing, never as a crash.
func FuzzListing(f *testing.F) {
	f.Add(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs><BlobPrefix><Name>d/</Name></BlobPrefix><Blob><Name>a.txt</Name><Properties><Content-Length>3</Content-Length></Properties></Blob><Blob><Name>d</Name><Properties><Content-Length>0</Content-Length></Properties><Metadata><hdi_isfolder>true</hdi_isfolder></Metadata></Blob></Blobs><NextMarker/></EnumerationResults>`)
	f.Add(`<EnumerationResults><Blobs><Blob><Name>../x</Name></Blob><Blob><Name>b/</Name></Blob><BlobPrefix><Name>a//</Name></BlobPrefix></Blobs></EnumerationResults>`)
	f.Add(`<EnumerationResults><Blobs><Blob><Name>z</Name><Properties><Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified></Properties><Metadata><mtime>2024-01-01T00:00:00.5Z</mtime></Metadata></Blob>`)
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		if r.URL.Query().Get("marker") != "" {
			// A second page ends the listing, whatever the first said.
			w.Write([]byte(`<EnumerationResults><Blobs/></EnumerationResults>`))
			return
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	cc, err := container.NewClientWithNoCredential(srv.URL+"/acct/c", &container.ClientOptions{
		ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}},
	})
	if err != nil {
		f.Fatal(err)
	}
	s := New(cc, "", Options{})
	f.Fuzz(func(t *testing.T, xml string) {
		body = xml
		for e, err := range s.List(context.Background(), "") {
			// Order and names are the walk's to check (it fails a listing out of Key order and
			// refuses unsafe names); the listing must only never crash or yield a nameless entry.
			if err == nil && e.Name == "" && !e.IsDir {
				t.Fatalf("yielded a nameless file: %+v", e)
			}
		}
	})
}
