package files

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/remote"
	"github.com/azsync/azsync/internal/xmlscan"
)

// Listing pages are decoded here rather than by the SDK, whose reflective encoding/xml decoding
// of List Directories and Files answers was three quarters of a no-change sync's CPU. FastListing,
// a per-call policy of the share client, decodes an answer with xmlscan straight into what a
// listing takes of each item, and leaves the SDK only the next marker (remote.DecodePage). Without
// the policy, or when the decoder cannot read an answer, the SDK decodes it as before and
// segmentItems makes the same items of its structures.

// FastListing is the per-call policy that decodes List Directories and Files answers for Store.List.
type FastListing struct{}

type pageKey struct{}

// Do implements policy.Policy.
func (FastListing) Do(req *policy.Request) (*http.Response, error) {
	return remote.DecodePage(req, pageKey{}, "Entries")
}

// listed is one listed file or directory: its entry, named by its bare name, and its
// Last-Modified, which tells whether a temporary was abandoned (Store.abandoned).
type listed struct {
	e            store.Entry
	lastModified time.Time
}

// page is one decoded page.
type page struct {
	items []listed
	done  bool
}

// DecodePage implements remote.PageDecoder.
func (p *page) DecodePage(body []byte) (string, error) {
	items, next, err := decodeListing(body)
	if err != nil {
		return "", err
	}
	p.items, p.done = items, true
	return next, nil
}

// nextPage fetches a listing page, decoded by FastListing when the client has it; one without its
// list of entries was cut short.
func nextPage(ctx context.Context, p *runtime.Pager[directory.ListFilesAndDirectoriesResponse]) ([]listed, *string, error) {
	pg := &page{}
	resp, err := p.NextPage(context.WithValue(ctx, pageKey{}, pg))
	switch {
	case err != nil:
		return nil, nil, err
	case pg.done:
		return pg.items, resp.NextMarker, nil
	case resp.Segment == nil:
		return nil, nil, remote.ErrEmptyPage
	}
	items, err := segmentItems(resp.Segment)
	return items, resp.NextMarker, err
}

// segmentItems makes a page's items of the SDK's decoding of it. An item without a name fails the
// page, as in the Blob store: left out, it would look absent, and its copy at a destination would
// be deleted.
func segmentItems(seg *directory.FilesAndDirectoriesListSegment) ([]listed, error) {
	items := make([]listed, 0, len(seg.Directories)+len(seg.Files))
	for _, d := range seg.Directories {
		if d == nil || d.Name == nil || *d.Name == "" {
			return nil, errors.New("the service listed a directory without a name")
		}
		e := store.Entry{Name: *d.Name, IsDir: true, Marker: true, SMB: smbInfo(d.Attributes, d.PermissionKey, d.Properties)}
		items = append(items, itemOf(e, d.Properties))
	}
	for _, f := range seg.Files {
		if f == nil || f.Name == nil || *f.Name == "" {
			return nil, errors.New("the service listed a file without a name")
		}
		e := store.Entry{Name: *f.Name, SMB: smbInfo(f.Attributes, f.PermissionKey, f.Properties)}
		if p := f.Properties; p != nil {
			remote.Props(&e, p.ContentLength, nil, p.ETag)
		}
		items = append(items, itemOf(e, f.Properties))
	}
	return items, nil
}

func itemOf(e store.Entry, p *directory.FileProperty) listed {
	l := listed{e: e}
	if p != nil && p.LastWriteTime != nil {
		l.e.ModTime = *p.LastWriteTime
	}
	if p != nil && p.LastModified != nil {
		l.lastModified = *p.LastModified
	}
	return l
}

// decodeListing reads a List Directories and Files answer into its items and the next marker.
func decodeListing(data []byte) ([]listed, string, error) {
	d := listDecoder{items: make([]listed, 0, (bytes.Count(data, []byte("Name>"))+1)/2)}
	if err := xmlscan.Walk(data, "EnumerationResults", &d); err != nil {
		return nil, "", err
	}
	return d.items, d.next, nil
}

// listDecoder is the state of decodeListing between elements.
type listDecoder struct {
	items   []listed
	next    string
	cur     *listed // the item being read, the last of items
	seen    uint32  // the fields of the item read so far, by fieldBit
	encoded bool
}

// The fields an item's entry is made of: elements directly in the item, and in its Properties.
var (
	itemFields = []string{"Name", "Attributes", "PermissionKey"}
	propFields = []string{"Content-Length", "CreationTime", "LastWriteTime", "Last-Modified", "Etag"}
)

// fieldIndex is the index of name in fields, -1 when it is not one.
func fieldIndex(fields []string, name []byte) int {
	for i, f := range fields {
		if string(name) == f {
			return i
		}
	}
	return -1
}

// Start implements xmlscan.Handler.
func (d *listDecoder) Start(w *xmlscan.Walker, tok xmlscan.Token) error {
	inItem := w.Depth >= 3 && d.cur != nil
	if (w.Depth == 2 && string(w.Path[1]) == "NextMarker") || (inItem && w.Depth == 4 && fieldIndex(itemFields, w.Path[3]) >= 0) ||
		(inItem && w.Depth == 5) {
		return xmlscan.ErrUnexpected // a value with elements inside: not a listing this reads
	}
	switch {
	case w.Depth == 2 && string(w.Path[1]) == "Entries" && (string(tok.Name) == "File" || string(tok.Name) == "Directory"):
		dir := string(tok.Name) == "Directory"
		d.items = append(d.items, listed{e: store.Entry{IsDir: dir, Marker: dir, SMB: &store.SMBInfo{}}})
		d.cur = &d.items[len(d.items)-1]
		d.seen = 0
	case d.cur != nil && w.Depth == 3 && string(tok.Name) == "Name":
		d.encoded = tok.Encoded
	}
	return nil
}

// End implements xmlscan.Handler: it takes a value, and finishes an item.
func (d *listDecoder) End(w *xmlscan.Walker, _ xmlscan.Token, text []byte) error {
	if err := d.value(w, text); err != nil {
		return err
	}
	if w.Depth == 3 && d.cur != nil {
		if d.cur.e.Name == "" {
			return xmlscan.ErrUnexpected // the SDK's decoding leaves an unnamed item out
		}
		d.cur = nil
	}
	return nil
}

// value takes the text of the element closing at depth. A field given twice in an item is left to
// the SDK, whose decoding of that depends on which values are empty.
func (d *listDecoder) value(w *xmlscan.Walker, text []byte) error {
	if w.Depth == 2 && string(w.Path[1]) == "NextMarker" {
		d.next = string(text)
		return nil
	}
	i := -1
	switch {
	case d.cur == nil:
	case w.Depth == 4:
		i = fieldIndex(itemFields, w.Path[3])
	case w.Depth == 5 && string(w.Path[3]) == "Properties":
		if i = fieldIndex(propFields, w.Path[4]); i >= 0 {
			i += len(itemFields)
		}
	}
	if i < 0 {
		return nil
	}
	if d.seen&(1<<i) != 0 {
		return xmlscan.ErrUnexpected
	}
	d.seen |= 1 << i
	return d.field(w.Path[w.Depth-1], text)
}

// field sets what an item's field says.
func (d *listDecoder) field(name, text []byte) error {
	e := &d.cur.e
	var err error
	switch string(name) {
	case "Name":
		if len(text) == 0 {
			return xmlscan.ErrUnexpected
		}
		e.Name = string(text)
		if d.encoded {
			e.Name, err = url.QueryUnescape(e.Name)
		}
	case "Attributes":
		e.SMB.Attributes = string(text)
	case "PermissionKey":
		e.SMB.PermissionKey = string(text)
	case "Etag":
		if !e.IsDir { // a listing has a directory's name and SMB properties only
			e.ETag = string(text)
		}
	case "Content-Length":
		if !e.IsDir {
			e.Size, err = strconv.ParseInt(string(text), 10, 64)
		}
	case "CreationTime":
		e.SMB.Created, err = smbTime(text)
	case "LastWriteTime":
		e.ModTime, err = smbTime(text)
	case "Last-Modified":
		if len(text) > 0 {
			d.cur.lastModified, err = time.Parse(time.RFC1123, string(text))
		}
	}
	return err
}

// smbTime reads an SMB time as the service writes it, in UTC with 'Z' ("2026-12-01T08:00:00.1234567Z");
// an empty one, or the zero time, is none, as the SDK has it. Other forms, which the SDK reads with
// other layouts, are left to it.
func smbTime(text []byte) (time.Time, error) {
	if len(text) == 0 {
		return time.Time{}, nil
	}
	if text[len(text)-1] != 'Z' || bytes.IndexByte(text, 'T') < 0 {
		return time.Time{}, xmlscan.ErrUnexpected
	}
	for _, c := range text {
		if c >= 'a' && c <= 'z' || c >= 0x80 {
			return time.Time{}, xmlscan.ErrUnexpected // the SDK upper-cases the value first
		}
	}
	t, err := time.Parse(time.RFC3339Nano, string(text))
	if err != nil || t.IsZero() {
		return time.Time{}, err
	}
	return t, nil
}
