package blob

import (
	"encoding/xml"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/store"
)

// A listing as Azurite and the service write it: prefixes and blobs, metadata, names that need
// escaping, an encoded name, empty and self-closing elements, a next marker.
const sampleListing = `<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c">
  <Prefix>dir/</Prefix><Marker/><MaxResults>5000</MaxResults><Delimiter>/</Delimiter>
  <Blobs>
    <BlobPrefix><Name>dir/a &amp; b/</Name></BlobPrefix>
    <Blob><Name>dir/f&lt;1&gt;.txt</Name><Properties><Creation-Time>Tue, 01 Dec 2026 08:00:00 GMT</Creation-Time>` +
	`<Last-Modified>Tue, 01 Dec 2026 08:00:01 GMT</Last-Modified><Etag>0x8DD1234ABCD</Etag><Content-Length>12</Content-Length>` +
	`<Content-Type>text/plain</Content-Type><Content-Encoding /><Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5>` +
	`<BlobType>BlockBlob</BlobType><AccessTier>Cool</AccessTier></Properties>` +
	`<Metadata><mtime>2026-12-01T07:59:59.123456789Z</mtime><Other>x&#233;&#x4e2d;</Other></Metadata></Blob>
    <Blob><Name Encoded="true">dir%2Fctl%01name</Name><Properties><Last-Modified>Tue, 01 Dec 2026 08:00:02 GMT</Last-Modified>` +
	`<Etag>"0x1"</Etag><Content-Length>0</Content-Length><Content-MD5/></Properties><Metadata/></Blob>
    <Blob><Name>dir/stub</Name><Properties><Last-Modified>Tue, 01 Dec 2026 08:00:03 GMT</Last-Modified><Content-Length>0</Content-Length>` +
	`</Properties><Metadata><hdi_isfolder>true</hdi_isfolder><empty/></Metadata></Blob>
    <Blob><Name>dir/posix</Name><Properties><Last-Modified>Tue, 01 Dec 2026 08:00:04 GMT</Last-Modified><Content-Length>1</Content-Length>` +
	`</Properties><Metadata><Modtime>1764576000123456789</Modtime><permissions>0100644</permissions><other>x</other></Metadata></Blob>
    <BlobPrefix><Name><![CDATA[dir/z]]>/</Name></BlobPrefix>
  </Blobs>
  <NextMarker>2!72!MDAwMDEx&amp;=</NextMarker>
</EnumerationResults>`

// sdkDecode is how the SDK reads the same answer, made into entries as Store.List does without the
// scanner (listing the POSIX properties with posix).
func sdkDecode(data []byte, posix bool) ([]store.Entry, string, error) {
	var r container.ListBlobsHierarchySegmentResponse
	if err := xml.Unmarshal(data, &r); err != nil {
		return nil, "", err
	}
	next := ""
	if r.NextMarker != nil {
		next = *r.NextMarker
	}
	if r.Segment == nil {
		r.Segment = &container.BlobHierarchyListSegment{}
	}
	for _, b := range r.Segment.BlobItems {
		if b != nil && b.Properties == nil { // the service always sends them; the SDK leaves them out otherwise
			b.Properties = &container.BlobProperties{}
		}
	}
	entries, err := (&Store{opts: Options{Posix: posix}}).segmentEntries(r.Segment)
	return entries, next, err
}

// summary is what a listing makes of a page, in an order that does not depend on how the decoder
// split prefixes from blobs.
func summary(entries []store.Entry) []string {
	var out []string
	for _, e := range entries {
		e.ModTime = e.ModTime.UTC() // the same instant, whether the location is called UTC or GMT
		if len(e.MD5) == 0 {
			e.MD5 = nil
		}
		out = append(out, fmt.Sprintf("%+v", e))
	}
	slices.Sort(out)
	return out
}

func TestDecodeListingAsTheSDK(t *testing.T) {
	for i, doc := range []string{sampleListing, strings.ReplaceAll(sampleListing, "\n", "\r\n"), sampleListing,
		`<?xml version="1.0"?><EnumerationResults><Blobs/><NextMarker/></EnumerationResults>`} {
		posix := i == 2
		want, wantNext, err := sdkDecode([]byte(doc), posix)
		if err != nil {
			t.Fatal(err)
		}
		got, next, err := decodeListing([]byte(doc), posix)
		if err != nil {
			t.Fatalf("decodeListing: %v", err)
		}
		if next != wantNext || !reflect.DeepEqual(summary(got), summary(want)) {
			t.Errorf("decodeListing =\n%q %q\nthe SDK reads\n%q %q", summary(got), next, summary(want), wantNext)
		}
	}
	got, next, _ := decodeListing([]byte(sampleListing), true)
	if len(got) != 6 || next != "2!72!MDAwMDEx&=" || got[2].Name != "dir/ctl\x01name" || !got[3].Marker || !got[5].IsDir ||
		got[4].Posix["permissions"] != "0100644" || got[4].ModTime.UnixNano() != 1764576000123456789 {
		t.Errorf("decoded %q, next %q", summary(got), next)
	}
}

func TestDecodeListingRefusesWhatItDoesNotRead(t *testing.T) {
	for _, doc := range []string{
		"",
		"<EnumerationResults><Blobs><Blob><Name>x</Name>",
		"<EnumerationResults><Blobs><Blob><Name>a<b/>c</Name></Blob></Blobs></EnumerationResults>",
		"<EnumerationResults><Blobs><Blob><Properties/></Blob></Blobs></EnumerationResults>",
		"<EnumerationResults><Blobs><Blob><Name>&bogus;</Name></Blob></Blobs></EnumerationResults>",
		"<EnumerationResults><Blobs></Blob></EnumerationResults>",
		"<Other/>",
	} {
		if seg, _, err := decodeListing([]byte(doc), false); err == nil {
			t.Errorf("decodeListing(%q) = %q, want an error", doc, summary(seg))
		}
	}
}

// FuzzDecodeListing: whatever both read, they read alike.
func FuzzDecodeListing(f *testing.F) {
	f.Add(sampleListing)
	f.Add(`<EnumerationResults><Blobs><Blob><Name>a</Name></Blob></Blobs><NextMarker>m</NextMarker></EnumerationResults>`)
	f.Fuzz(func(t *testing.T, doc string) {
		posix := len(doc)%2 == 0 // either way, by the document
		got, next, err := decodeListing([]byte(doc), posix)
		if err != nil {
			return
		}
		want, wantNext, err := sdkDecode([]byte(doc), posix)
		if err != nil {
			return // more lenient than encoding/xml on a malformed answer; never different on a good one
		}
		if next != wantNext || !reflect.DeepEqual(summary(got), summary(want)) {
			t.Errorf("decodeListing(%q) =\n%q %q\nthe SDK reads\n%q %q", doc, summary(got), next, summary(want), wantNext)
		}
	})
}

// A page listing index tags goes to the SDK's decoder, which reads them; the scanner does not.
func TestDecodeListingLeavesTagsToTheSDK(t *testing.T) {
	page := `<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs><Blob><Name>a</Name>` +
		`<Properties><Content-Length>1</Content-Length></Properties>` +
		`<Tags><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tags></Blob></Blobs><NextMarker/></EnumerationResults>`
	if _, _, err := decodeListing([]byte(page), false); err == nil {
		t.Error("a listing with tags was decoded by the scanner, which drops them")
	}
}

// BenchmarkDecodeListing decodes a page of 1,000 blobs with the properties the service lists.
func BenchmarkDecodeListing(b *testing.B) {
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1/a" ContainerName="c"><Prefix>d/</Prefix><Delimiter>/</Delimiter><Blobs>`)
	for i := range 1000 {
		fmt.Fprintf(&doc, `<Blob><Name>d/f%04d.bin</Name><Properties><Creation-Time>Tue, 01 Dec 2026 08:00:00 GMT</Creation-Time>`+
			`<Last-Modified>Tue, 01 Dec 2026 08:00:01 GMT</Last-Modified><Etag>0x8DD1234ABCD%04d</Etag><Content-Length>%d</Content-Length>`+
			`<Content-Type>application/octet-stream</Content-Type><Content-Encoding /><Content-Language /><Content-CRC64 />`+
			`<Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5><Cache-Control /><Content-Disposition /><BlobType>BlockBlob</BlobType>`+
			`<AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred><LeaseStatus>unlocked</LeaseStatus>`+
			`<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties>`+
			`<Metadata><mtime>2026-12-01T07:59:59.123456789Z</mtime></Metadata></Blob>`, i, i, i*10)
	}
	doc.WriteString(`</Blobs><NextMarker/></EnumerationResults>`)
	data := []byte(doc.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decodeListing(data, false); err != nil {
			b.Fatal(err)
		}
	}
}
