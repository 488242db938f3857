package blob

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	azblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/posix"
)

// Listing pages are decoded here rather than by the SDK: its reflective encoding/xml decoding cost
// about 33 µs per blob, two thirds of a no-change sync's CPU. FastListing, a per-call policy of the
// container client, decodes a List Blobs answer with listSegment's scanner, which reads only what
// a listing needs, hands the result to the store through the request's context, and leaves the SDK
// a body holding only the next marker, so that its pager goes on as usual. Without the policy, or
// when the scanner cannot read an answer, the SDK decodes it as before.

// FastListing is the per-call policy that decodes List Blobs answers for Store.List.
type FastListing struct{}

type pageKey struct{}

// pageSink receives one decoded page.
type pageSink struct {
	seg  *container.BlobHierarchyListSegment
	done bool
}

// Do implements policy.Policy.
func (FastListing) Do(req *policy.Request) (*http.Response, error) {
	resp, err := req.Next()
	sink, _ := req.Raw().Context().Value(pageKey{}).(*pageSink)
	if err != nil || sink == nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := runtime.Payload(resp)
	if err != nil {
		return resp, nil // the SDK reports it
	}
	seg, next, err := decodeListing(body)
	if err != nil {
		return resp, nil // not what the scanner expects: the SDK decodes it
	}
	sink.seg, sink.done = seg, true
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs/><NextMarker>`)
	b.WriteString(html.EscapeString(next))
	b.WriteString(`</NextMarker></EnumerationResults>`)
	resp.Body = io.NopCloser(&b)
	resp.ContentLength = int64(b.Len())
	return resp, nil
}

// nextPage fetches one page of a hierarchical listing, decoded by FastListing when the client has it.
func nextPage(ctx context.Context, pager interface {
	NextPage(context.Context) (container.ListBlobsHierarchyResponse, error)
}) (*container.BlobHierarchyListSegment, *string, error) {
	sink := &pageSink{}
	resp, err := pager.NextPage(context.WithValue(ctx, pageKey{}, sink))
	switch {
	case err != nil:
		return nil, nil, err
	case sink.done:
		return sink.seg, resp.NextMarker, nil
	case resp.Segment == nil:
		// An empty body decodes without error: taken for an empty directory, it would hide every
		// entry of the page (and, at a source, have them deleted at the destination).
		return nil, nil, errEmptyPage
	}
	return resp.Segment, resp.NextMarker, nil
}

var errListXML = errors.New("unexpected List Blobs XML")

// decodeListing reads a List Blobs answer: blobs with the properties and metadata a listing uses,
// prefixes, and the next marker.
func decodeListing(data []byte) (*container.BlobHierarchyListSegment, string, error) {
	sc := xmlScanner{data: data}
	d := listDecoder{seg: &container.BlobHierarchyListSegment{}}
	for {
		tok, err := sc.next()
		if err != nil {
			return nil, "", err
		}
		switch tok.kind {
		case tokEOF:
			if d.depth != 0 || d.path[0] != "EnumerationResults" {
				return nil, "", errListXML
			}
			return d.seg, d.next, nil
		case tokText:
			d.text = append(d.text, tok.text...)
		case tokStart:
			err = d.start(tok)
		case tokEnd:
			err = d.end(tok)
		}
		if err != nil {
			return nil, "", err
		}
	}
}

// listDecoder is the state of decodeListing between tokens.
type listDecoder struct {
	seg     *container.BlobHierarchyListSegment
	next    string
	path    [6]string // element names from the root, as far as they matter
	depth   int
	item    *container.BlobItem
	prefix  *container.BlobPrefix
	text    []byte
	encoded bool
}

// start opens an element, and closes it too when it is self-closing.
func (d *listDecoder) start(tok xmlToken) error {
	if (d.depth == 2 && d.path[1] == "NextMarker") || (d.depth == 4 && d.path[3] == "Name") ||
		(d.depth == 5 && (d.path[3] == "Properties" || d.path[3] == "Metadata")) {
		return errListXML // a value with elements inside: not a listing this reads
	}
	if d.depth == 3 && d.path[2] == "Blob" && tok.name == "Tags" {
		return errListXML // index tags (--s2s-preserve-blob-tags): the SDK decodes them
	}
	if d.depth < len(d.path) {
		d.path[d.depth] = tok.name
	}
	d.depth++
	d.text = d.text[:0]
	switch {
	case d.depth == 3 && d.path[1] == "Blobs" && tok.name == "Blob":
		d.item = &container.BlobItem{Properties: &container.BlobProperties{}}
	case d.depth == 3 && d.path[1] == "Blobs" && tok.name == "BlobPrefix":
		d.prefix = &container.BlobPrefix{}
	case d.depth == 4 && tok.name == "Name":
		d.encoded = tok.encoded
	}
	if tok.selfClosing {
		if err := endElement(d.depth, &d.path, nil, d.item, d.prefix, &d.next, false); err != nil {
			return err
		}
		d.depth--
	}
	return nil
}

// end closes an element, and adds a finished blob or prefix to the segment.
func (d *listDecoder) end(tok xmlToken) error {
	if d.depth == 0 || (d.depth <= len(d.path) && d.path[d.depth-1] != tok.name) {
		return errListXML
	}
	if err := endElement(d.depth, &d.path, d.text, d.item, d.prefix, &d.next, d.encoded); err != nil {
		return err
	}
	if d.depth == 3 && d.item != nil && tok.name == "Blob" {
		if d.item.Name == nil {
			return errListXML
		}
		d.seg.BlobItems = append(d.seg.BlobItems, d.item)
		d.item = nil
	}
	if d.depth == 3 && d.prefix != nil && tok.name == "BlobPrefix" {
		if d.prefix.Name == nil {
			return errListXML
		}
		d.seg.BlobPrefixes = append(d.seg.BlobPrefixes, d.prefix)
		d.prefix = nil
	}
	d.depth--
	d.text = d.text[:0]
	return nil
}

// endElement stores the text of the element closing at depth.
func endElement(depth int, path *[6]string, text []byte, item *container.BlobItem, prefix *container.BlobPrefix, next *string, encoded bool) error {
	switch {
	case depth == 2 && path[1] == "NextMarker":
		*next = string(text)
	case depth == 4 && path[3] == "Name" && (item != nil || prefix != nil):
		name := string(text)
		if encoded {
			var err error
			if name, err = url.QueryUnescape(name); err != nil {
				return err
			}
		}
		if item != nil {
			item.Name = &name
		} else {
			prefix.Name = &name
		}
	case depth == 5 && item != nil && path[3] == "Metadata":
		// Only the keys a listing reads (the recorded time, the folder mark, the POSIX properties):
		// the others would cost a map entry per blob for nothing.
		key, isPosix := posix.IsKey(path[4])
		if key != MtimeKey && key != folderKey && !isPosix {
			return nil
		}
		if item.Metadata == nil {
			item.Metadata = make(map[string]*string, 1)
		}
		v := string(text)
		item.Metadata[key] = &v
	case depth == 5 && item != nil && path[3] == "Properties":
		return property(item.Properties, path[4], text)
	}
	return nil
}

// property sets the listed properties a store.Entry is made of.
func property(p *container.BlobProperties, name string, text []byte) error {
	switch name {
	case "Last-Modified":
		t, err := time.Parse(http.TimeFormat, string(text))
		if err != nil {
			return err
		}
		p.LastModified = &t
	case "Etag":
		etag := azcore.ETag(string(text))
		p.ETag = &etag
	case "Content-Length":
		n, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil {
			return err
		}
		p.ContentLength = &n
	case "Content-Type":
		v := common(text)
		p.ContentType = &v
	case "Content-MD5":
		if len(text) == 0 {
			return nil
		}
		sum, err := base64.StdEncoding.DecodeString(string(text))
		if err != nil {
			return err
		}
		p.ContentMD5 = sum
	case "AccessTier":
		tier := azblob.AccessTier(common(text))
		p.AccessTier = &tier
	}
	return nil
}

// common returns the values most blobs share without allocating a string for each.
func common(b []byte) string {
	for _, v := range commonValues {
		if string(b) == v {
			return v
		}
	}
	return string(b)
}

var commonValues = [...]string{"application/octet-stream", "text/plain; charset=utf-8", "text/plain",
	"Hot", "Cool", "Cold", "Archive"}
