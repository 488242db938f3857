package files

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
)

// Pages our Files emulator answered (as the service does): names that need escaping, an encoded
// name, a directory among files, a next marker, an empty directory.
var emulatorPages = []string{
	`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:10001/devstoreaccount1/" ShareName="share" DirectoryPath="cap"><MaxResults>3</MaxResults><DirectoryId>13835058055282163713</DirectoryId><Entries>` +
		`<File><Name>a&amp;b.txt</Name><FileId>13835058055282163715</FileId><Properties><Content-Length>5</Content-Length><CreationTime>2026-12-01T14:59:02.2483238Z</CreationTime><LastAccessTime>2026-12-01T14:59:02.2483238Z</LastAccessTime><LastWriteTime>2026-12-01T14:59:02.2483238Z</LastWriteTime><ChangeTime>2026-12-01T14:59:02.2483238Z</ChangeTime><Last-Modified>Tue, 01 Dec 2026 14:59:02 GMT</Last-Modified><Etag>&#34;0x1DD81A4808F6332&#34;</Etag></Properties><Attributes>Archive</Attributes><PermissionKey>16126510177597792068*10978091439970122333</PermissionKey></File>` +
		`<File><Name Encoded="true">bad%EF%BF%BEname</Name><FileId>13835058055282163717</FileId><Properties><Content-Length>5</Content-Length><CreationTime>2026-12-01T14:59:02.2487233Z</CreationTime><LastAccessTime>2026-12-01T14:59:02.2487233Z</LastAccessTime><LastWriteTime>2026-12-01T14:59:02.2487233Z</LastWriteTime><ChangeTime>2026-12-01T14:59:02.2487233Z</ChangeTime><Last-Modified>Tue, 01 Dec 2026 14:59:02 GMT</Last-Modified><Etag>&#34;0x1DD81A4808F72CD&#34;</Etag></Properties><Attributes>Archive</Attributes><PermissionKey>16126510177597792068*10978091439970122333</PermissionKey></File>` +
		`<File><Name>plain</Name><FileId>13835058055282163716</FileId><Properties><Content-Length>5</Content-Length><CreationTime>2026-12-01T14:59:02.2485180Z</CreationTime><LastAccessTime>2026-12-01T14:59:02.2485180Z</LastAccessTime><LastWriteTime>2026-12-01T14:59:02.2485180Z</LastWriteTime><ChangeTime>2026-12-01T14:59:02.2485180Z</ChangeTime><Last-Modified>Tue, 01 Dec 2026 14:59:02 GMT</Last-Modified><Etag>&#34;0x1DD81A4808F6AC9&#34;</Etag></Properties><Attributes>Archive</Attributes><PermissionKey>16126510177597792068*10978091439970122333</PermissionKey></File></Entries><NextMarker>c3ViICYgJ2Rpcic</NextMarker></EnumerationResults>`,
	`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:10001/devstoreaccount1/" ShareName="share" DirectoryPath="cap"><Marker>c3ViICYgJ2Rpcic</Marker><MaxResults>3</MaxResults><DirectoryId>13835058055282163713</DirectoryId><Entries>` +
		`<Directory><Name>sub &amp; &#39;dir&#39;</Name><FileId>13835058055282163714</FileId><Properties><CreationTime>2026-12-01T14:59:02.2480818Z</CreationTime><LastAccessTime>2026-12-01T14:59:02.2480818Z</LastAccessTime><LastWriteTime>2026-12-01T14:59:02.2480818Z</LastWriteTime><ChangeTime>2026-12-01T14:59:02.2480818Z</ChangeTime><Last-Modified>Tue, 01 Dec 2026 14:59:02 GMT</Last-Modified><Etag>&#34;0x1DD81A4808F5BBA&#34;</Etag></Properties><Attributes>Directory</Attributes><PermissionKey>16126510177597792068*10978091439970122333</PermissionKey></Directory>` +
		`<File><Name>` + "\x7f" + `del</Name><FileId>13835058055282163718</FileId><Properties><Content-Length>5</Content-Length><CreationTime>2026-12-01T14:59:02.2489702Z</CreationTime><LastAccessTime>2026-12-01T14:59:02.2489702Z</LastAccessTime><LastWriteTime>2026-12-01T14:59:02.2489702Z</LastWriteTime><ChangeTime>2026-12-01T14:59:02.2489702Z</ChangeTime><Last-Modified>Tue, 01 Dec 2026 14:59:02 GMT</Last-Modified><Etag>&#34;0x1DD81A4808F7C73&#34;</Etag></Properties><Attributes>Archive</Attributes><PermissionKey>16126510177597792068*10978091439970122333</PermissionKey></File>` +
		`<File><Name>é中</Name><FileId>13835058055282163719</FileId><Properties><Content-Length>5</Content-Length><CreationTime>2026-12-01T14:59:02.2491305Z</CreationTime><LastAccessTime>2026-12-01T14:59:02.2491305Z</LastAccessTime><LastWriteTime>2026-12-01T14:59:02.2491305Z</LastWriteTime><ChangeTime>2026-12-01T14:59:02.2491305Z</ChangeTime><Last-Modified>Tue, 01 Dec 2026 14:59:02 GMT</Last-Modified><Etag>&#34;0x1DD81A4808F82B7&#34;</Etag></Properties><Attributes>Archive</Attributes><PermissionKey>16126510177597792068*10978091439970122333</PermissionKey></File></Entries><NextMarker></NextMarker></EnumerationResults>`,
	`<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:10001/devstoreaccount1/" ShareName="share" DirectoryPath="empty"><DirectoryId>13835058055282163720</DirectoryId><Entries></Entries><NextMarker></NextMarker></EnumerationResults>`,
}

// A page the service could write that the emulator does not: CDATA, comments, line ends, the zero
// time, empty and self-closing values, unknown elements, a file without Properties.
const otherPage = `<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://a.file.core.windows.net/" ShareName="s" DirectoryPath="d">
  <Marker/><Prefix Encoded="false">x</Prefix><MaxResults>10</MaxResults>
  <Entries>
    <Directory><Name><![CDATA[cd]]>&#x4e2d;</Name><Properties><CreationTime>0001-01-01T00:00:00Z</CreationTime>` +
	`<LastWriteTime/></Properties><Attributes/></Directory>
    <!-- a comment --><File><Name Encoded='true'>%7E.tmp</Name><Other><Deep>1</Deep></Other>` +
	`<Properties><Content-Length>0</Content-Length><Etag></Etag><Last-Modified>Tue, 01 Dec 2026 08:00:01 GMT</Last-Modified>` +
	`</Properties><PermissionKey>k</PermissionKey></File>
    <File><Name>no props</Name></File>
    <Unknown><Name>u</Name></Unknown>
  </Entries>
  <NextMarker>m&amp;1</NextMarker>
</EnumerationResults>`

// sdkDecode is how the SDK reads the same answer, made into items as Store.List does without the
// decoder.
func sdkDecode(data []byte) ([]listed, string, error) {
	var r directory.ListFilesAndDirectoriesSegmentResponse
	err := xml.Unmarshal(data, &r)
	seg := r.Segment
	if seg == nil {
		seg = &directory.FilesAndDirectoriesListSegment{}
	}
	next := r.NextMarker
	if next == nil {
		next = new(string)
	}
	items, segErr := segmentItems(seg)
	return items, *next, errors.Join(err, segErr)
}

// unlikeTheSDK says how the decoder's reading of doc differs from the SDK's ("" when it does not,
// or when either cannot read it); decoded tells whether the decoder read it.
func unlikeTheSDK(doc string) (diff string, decoded bool) {
	got, next, err := decodeListing([]byte(doc))
	want, wantNext, sdkErr := sdkDecode([]byte(doc))
	// More lenient than encoding/xml on a malformed answer; never different on a good one.
	if err != nil || sdkErr != nil || (next == wantNext && reflect.DeepEqual(summary(got), summary(want))) {
		return "", err == nil
	}
	return fmt.Sprintf("decodeListing(%q) =\n%q %q\nthe SDK reads\n%q %q", doc, summary(got), next, summary(want), wantNext), true
}

// summary is what a listing makes of a page, sorted: the store sorts a directory's entries.
func summary(items []listed) []string {
	var out []string
	for _, it := range items {
		it.e.ModTime, it.lastModified = it.e.ModTime.UTC(), it.lastModified.UTC()
		smb := *it.e.SMB
		smb.Created = smb.Created.UTC()
		it.e.SMB = nil
		out = append(out, fmt.Sprintf("%+v %+v %v", it.e, smb, it.lastModified))
	}
	slices.Sort(out)
	return out
}

func TestDecodeListingAsTheSDK(t *testing.T) {
	docs := append(slices.Clone(emulatorPages), otherPage, string(bytes.ReplaceAll([]byte(otherPage), []byte("\n"), []byte("\r\n"))))
	for _, doc := range docs {
		if diff, decoded := unlikeTheSDK(doc); !decoded || diff != "" {
			t.Errorf("decoded: %v; %s\n%s", decoded, diff, doc)
		}
	}
	got, next, _ := decodeListing([]byte(otherPage))
	if len(got) != 3 || next != "m&1" || got[0].e.Name != "cd中" || !got[0].e.IsDir || !got[0].e.Marker ||
		got[1].e.Name != "~.tmp" || got[1].lastModified.IsZero() || got[1].e.SMB.PermissionKey != "k" {
		t.Errorf("decoded %q, next %q", summary(got), next)
	}
}

func TestDecodeListingRefusesWhatItDoesNotRead(t *testing.T) {
	docs := []string{"", "<Other/>", "<EnumerationResults><Entries><File><Name>x</Name>", "<EnumerationResults><NextMarker><x/></NextMarker></EnumerationResults>"}
	// Items the SDK decodes otherwise, or that are not what a listing holds.
	for _, item := range []string{
		`</File>`,
		`<File><Name>a<b/>c</Name></File>`,
		`<File><Properties/></File>`,
		`<File><Name/></File>`,
		`<File><Name>a</Name><Name>b</Name></File>`,
		`<File><Name Encoded="1">a</Name></File>`,
		`<File><Name>a</Name><Properties><LastWriteTime>2026-12-01T08:00:00</LastWriteTime></Properties></File>`,
		`<File><Name>a</Name><Properties><Content-Length> 1</Content-Length></Properties></File>`,
		`<File><Name>&bogus;</Name></File>`,
	} {
		docs = append(docs, "<EnumerationResults><Entries>"+item+"</Entries></EnumerationResults>")
	}
	for _, doc := range docs {
		if items, _, err := decodeListing([]byte(doc)); err == nil {
			t.Errorf("decodeListing(%q) = %q, want an error", doc, summary(items))
		}
	}
}

// FuzzDecodeListing: whatever both read, they read alike.
func FuzzDecodeListing(f *testing.F) {
	for _, doc := range emulatorPages {
		f.Add(doc)
	}
	f.Add(otherPage)
	f.Fuzz(func(t *testing.T, doc string) {
		if diff, _ := unlikeTheSDK(doc); diff != "" {
			t.Error(diff)
		}
	})
}

// An item without a name fails its page on the SDK's path too: left out, it would look absent.
func TestUnnamedItemsFailThePage(t *testing.T) {
	for _, item := range []string{`<File><Name/></File>`, `<File><Properties/></File>`, `<Directory></Directory>`} {
		doc := "<EnumerationResults><Entries>" + item + "</Entries></EnumerationResults>"
		if items, _, err := sdkDecode([]byte(doc)); err == nil {
			t.Errorf("the SDK's path made %q of %s, want an error", summary(items), item)
		}
	}
}
