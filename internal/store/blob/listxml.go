package blob

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/posix"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/remote"
	"github.com/azsync/azsync/internal/xmlscan"
)

// Listing pages are decoded here rather than by the SDK: its reflective encoding/xml decoding cost
// about 33 µs per blob, two thirds of a no-change sync's CPU, and its structures (a dozen pointers
// and a metadata map per blob, about 1 KB) were most of what a folder being merged held. FastListing,
// a per-call policy of the container client, decodes a List Blobs answer with internal/xmlscan
// straight into entries, reading only what a listing needs, hands them to the store through the
// request's context, and leaves the SDK a body holding only the next marker, so that its pager goes
// on as usual. Without the policy, or when the scanner cannot read an answer, the SDK decodes it as
// before and segmentEntries makes the same entries of its structures.
//
// A page's entries are in document order with their full names: a prefix is a directory without a
// Marker (its name ends in '/'), a blob marked hdi_isfolder a directory with one, any other blob a
// file. Store.List makes names relative and stubs wait for their place (pageEntries).

// FastListing is the per-call policy that decodes List Blobs answers for Store.List.
type FastListing struct{}

type pageKey struct{}

// pageSink receives one decoded page.
type pageSink struct {
	posix   bool // list the POSIX properties (Options.Posix)
	entries []store.Entry
	done    bool
}

// Do implements policy.Policy.
func (FastListing) Do(req *policy.Request) (*http.Response, error) {
	return remote.DecodePage(req, pageKey{}, "Blobs")
}

// DecodePage implements remote.PageDecoder.
func (p *pageSink) DecodePage(body []byte) (string, error) {
	entries, next, err := decodeListing(body, p.posix)
	if err != nil {
		return "", err
	}
	p.entries, p.done = entries, true
	return next, nil
}

// nextPage fetches one page of a hierarchical listing, decoded by FastListing when the client has it.
func (s *Store) nextPage(ctx context.Context, pager interface {
	NextPage(context.Context) (container.ListBlobsHierarchyResponse, error)
}) ([]store.Entry, *string, error) {
	sink := &pageSink{posix: s.opts.Posix}
	resp, err := pager.NextPage(context.WithValue(ctx, pageKey{}, sink))
	switch {
	case err != nil:
		return nil, nil, err
	case sink.done:
		return sink.entries, resp.NextMarker, nil
	case resp.Segment == nil:
		// An empty body decodes without error: taken for an empty directory, it would hide every
		// entry of the page (and, at a source, have them deleted at the destination).
		return nil, nil, remote.ErrEmptyPage
	}
	entries, err := s.segmentEntries(resp.Segment)
	return entries, resp.NextMarker, err
}

// segmentEntries makes a page's entries of the SDK's decoding of it.
func (s *Store) segmentEntries(seg *container.BlobHierarchyListSegment) ([]store.Entry, error) {
	if err := unnamed(seg.BlobPrefixes, seg.BlobItems); err != nil {
		return nil, err
	}
	entries := make([]store.Entry, 0, len(seg.BlobPrefixes)+len(seg.BlobItems))
	for _, p := range seg.BlobPrefixes {
		entries = append(entries, store.Entry{Name: *p.Name, IsDir: true})
	}
	for _, b := range seg.BlobItems {
		e := s.entryOfItem(*b.Name, b)
		if isFolderStub(b.Metadata) {
			stubEntry(&e)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// stubEntry turns a directory stub blob's entry into the directory's marker.
func stubEntry(e *store.Entry) { e.IsDir, e.Marker, e.Size, e.MD5 = true, true, 0, nil }

// decodeListing reads a List Blobs answer into a page's entries (see above) and the next marker;
// withPosix, the POSIX properties too (see Store.listPosix).
func decodeListing(data []byte, withPosix bool) ([]store.Entry, string, error) {
	// Every blob and prefix has one Name, which opens and closes: room for all of them at once.
	// ("Name>" is found faster than "<Name": far fewer of the document's bytes are an 'N'.)
	d := listDecoder{entries: make([]store.Entry, 0, (bytes.Count(data, []byte("Name>"))+1)/2), posix: withPosix}
	if err := xmlscan.Walk(data, "EnumerationResults", &d); err != nil {
		return nil, "", err
	}
	return d.entries, d.next, nil
}

// listDecoder is the state of decodeListing between elements.
type listDecoder struct {
	entries []store.Entry
	posix   bool
	next    string
	cur     *store.Entry // the blob or prefix being read, the last of entries
	blob    blobState
	encoded bool
}

// blobState is what a blob's entry is made of at its end: its effective time comes from the
// recorded mtime when that is valid, else from Last-Modified, so both wait until then.
type blobState struct {
	named                     bool
	lastModified, mtime       []byte
	hasLastModified, hasMtime bool
	stub                      bool
}

// Start implements xmlscan.Handler.
func (d *listDecoder) Start(w *xmlscan.Walker, tok xmlscan.Token) error {
	if (w.Depth == 2 && string(w.Path[1]) == "NextMarker") || (w.Depth == 4 && string(w.Path[3]) == "Name") ||
		(w.Depth == 5 && (string(w.Path[3]) == "Properties" || string(w.Path[3]) == "Metadata")) {
		return xmlscan.ErrUnexpected // a value with elements inside: not a listing this reads
	}
	if w.Depth == 3 && string(w.Path[2]) == "Blob" && string(tok.Name) == "Tags" {
		return xmlscan.ErrUnexpected // index tags (--s2s-preserve-blob-tags): the SDK decodes them
	}
	switch {
	case w.Depth == 2 && string(w.Path[1]) == "Blobs" && (string(tok.Name) == "Blob" || string(tok.Name) == "BlobPrefix"):
		d.entries = append(d.entries, store.Entry{IsDir: string(tok.Name) == "BlobPrefix"})
		d.cur = &d.entries[len(d.entries)-1]
		d.blob = blobState{lastModified: d.blob.lastModified[:0], mtime: d.blob.mtime[:0]}
	case w.Depth == 3 && string(tok.Name) == "Name":
		d.encoded = tok.Encoded
	}
	return nil
}

// End implements xmlscan.Handler: it takes a value, and finishes a blob's or a prefix's entry.
func (d *listDecoder) End(w *xmlscan.Walker, tok xmlscan.Token, text []byte) error {
	if err := d.value(w, text); err != nil {
		return err
	}
	if w.Depth == 3 && d.cur != nil && (string(tok.Name) == "Blob" || string(tok.Name) == "BlobPrefix") {
		return d.finish()
	}
	return nil
}

// finish completes the entry of the blob or prefix that just closed.
func (d *listDecoder) finish() error {
	e, b := d.cur, &d.blob
	d.cur = nil
	if !b.named {
		return xmlscan.ErrUnexpected
	}
	if e.IsDir {
		return nil // a prefix: its name is all
	}
	timed := false
	if b.hasMtime {
		t, err := time.Parse(time.RFC3339Nano, string(b.mtime))
		e.ModTime, timed = t, err == nil
	} else if e.Posix != nil {
		t, ok, err := posix.ModTime(e.Posix)
		e.ModTime, timed = t, ok && err == nil
	}
	if !timed && b.hasLastModified {
		t, err := time.Parse(http.TimeFormat, string(b.lastModified))
		if err != nil {
			return err
		}
		e.ModTime = t
	}
	if b.stub {
		stubEntry(e)
	}
	return nil
}

// value takes the text of the element closing at depth.
func (d *listDecoder) value(w *xmlscan.Walker, text []byte) error {
	switch {
	case w.Depth == 2 && string(w.Path[1]) == "NextMarker":
		d.next = string(text)
	case w.Depth == 4 && string(w.Path[3]) == "Name" && d.cur != nil:
		name := string(text)
		if d.encoded {
			var err error
			if name, err = url.QueryUnescape(name); err != nil {
				return err
			}
		}
		d.cur.Name, d.blob.named = name, true
	case w.Depth == 5 && d.cur != nil && !d.cur.IsDir && string(w.Path[3]) == "Metadata":
		// Only the keys a listing reads (the recorded time, the folder mark, the POSIX properties
		// when asked for), named in any case.
		switch key := w.Path[4]; {
		case bytes.EqualFold(key, []byte(MtimeKey)):
			d.blob.mtime, d.blob.hasMtime = append(d.blob.mtime[:0], text...), true
		case bytes.EqualFold(key, []byte(folderKey)):
			d.blob.stub = bytes.EqualFold(text, []byte("true"))
		case d.posix:
			if k, ok := posix.IsKey(string(key)); ok {
				if d.cur.Posix == nil {
					d.cur.Posix = map[string]string{}
				}
				d.cur.Posix[k] = string(text)
			}
		}
	case w.Depth == 5 && d.cur != nil && !d.cur.IsDir && string(w.Path[3]) == "Properties":
		return property(d.cur, &d.blob, w.Path[4], text)
	}
	return nil
}

// property sets the listed properties an entry is made of.
func property(e *store.Entry, b *blobState, name, text []byte) error {
	switch string(name) {
	case "Last-Modified":
		b.lastModified, b.hasLastModified = append(b.lastModified[:0], text...), true
	case "Etag":
		e.ETag = string(text)
	case "Content-Length":
		n, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil {
			return err
		}
		e.Size = n
	case "Content-Type":
		e.ContentType = common(text)
	case "Content-MD5":
		if len(text) == 0 {
			e.MD5 = nil
			return nil
		}
		sum, err := base64.StdEncoding.DecodeString(string(text))
		if err != nil {
			return err
		}
		e.MD5 = sum
	case "AccessTier":
		e.AccessTier = common(text)
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
