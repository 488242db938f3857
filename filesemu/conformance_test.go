package filesemu_test

// Conformance tests: every emulated operation driven through the official azfile
// SDK clients, the way the sync engine (and any other Azure tool) will use them.

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

var ctx = context.Background()

// noRetry makes failures surface at once instead of after back-off.
var noRetry = azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1}}

type env struct {
	url  string // account endpoint, no trailing slash
	cred *service.SharedKeyCredential
	svc  *service.Client
}

// newEnv starts an emulator on a free loopback port for the test.
func newEnv(t *testing.T, opts filesemu.Options) *env {
	t.Helper()
	return clientEnv(t, filesemu.NewTestServer(t, opts).URL)
}

func clientEnv(t *testing.T, url string) *env {
	t.Helper()
	cred, err := service.NewSharedKeyCredential(filesemu.DevAccount, filesemu.DevKey)
	ok(t, err)
	svc, err := service.NewClientWithSharedKeyCredential(url+"/", cred, &service.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	return &env{url: url, cred: cred, svc: svc}
}

// newShare creates a share and returns its client.
func (e *env) newShare(t *testing.T, name string) *share.Client {
	t.Helper()
	sh := e.svc.NewShareClient(name)
	_, err := sh.Create(ctx, nil)
	ok(t, err)
	return sh
}

// trailingDotShare is a share client that keeps trailing dots in names.
func (e *env) trailingDotShare(t *testing.T, name string) *share.Client {
	t.Helper()
	sh, err := share.NewClientWithSharedKeyCredential(e.url+"/"+name, e.cred,
		&share.ClientOptions{ClientOptions: noRetry, AllowTrailingDot: to.Ptr(true)})
	ok(t, err)
	return sh
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t testing.TB, err error, code fileerror.Code) {
	t.Helper()
	if !fileerror.HasCode(err, code) {
		t.Fatalf("want error %s, got %v", code, err)
	}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	_, err := rand.Read(b)
	ok(t, err)
	return b
}

// createFile creates a file holding data.
func createFile(t *testing.T, f *file.Client, data []byte) {
	t.Helper()
	_, err := f.Create(ctx, int64(len(data)), nil)
	ok(t, err)
	if len(data) > 0 {
		ok(t, f.UploadBuffer(ctx, data, nil))
	}
}

func download(t *testing.T, f *file.Client) []byte {
	t.Helper()
	resp, err := f.DownloadStream(ctx, nil)
	ok(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ok(t, err)
	return b
}

func TestShares(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.svc.NewShareClient("alpha")
	_, err := sh.Create(ctx, &share.CreateOptions{Quota: to.Ptr(int32(7)), Metadata: map[string]*string{"color": to.Ptr("blue")}})
	ok(t, err)
	_, err = sh.Create(ctx, nil)
	wantCode(t, err, fileerror.ShareAlreadyExists)
	_, err = e.svc.NewShareClient("Bad_Name").Create(ctx, nil)
	wantCode(t, err, fileerror.InvalidResourceName)

	props, err := sh.GetProperties(ctx, nil)
	ok(t, err)
	if *props.Quota != 7 || *props.Metadata["Color"] != "blue" || props.ETag == nil || props.LastModified == nil {
		t.Fatalf("share properties: quota %v metadata %v", *props.Quota, props.Metadata)
	}
	_, err = sh.SetMetadata(ctx, &share.SetMetadataOptions{Metadata: map[string]*string{"size": to.Ptr("xl")}})
	ok(t, err)
	_, err = sh.SetProperties(ctx, &share.SetPropertiesOptions{Quota: to.Ptr(int32(9))})
	ok(t, err)
	props, err = sh.GetProperties(ctx, nil)
	ok(t, err)
	if *props.Quota != 9 || len(props.Metadata) != 1 || *props.Metadata["Size"] != "xl" {
		t.Fatalf("after set: quota %v metadata %v", *props.Quota, props.Metadata)
	}

	for _, name := range []string{"beta", "gamma", "alpine"} {
		e.newShare(t, name)
	}
	var names []string
	pager := e.svc.NewListSharesPager(&service.ListSharesOptions{Prefix: to.Ptr("al"), MaxResults: to.Ptr(int32(1)),
		Include: service.ListSharesInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		ok(t, err)
		for _, s := range page.Shares {
			names = append(names, *s.Name)
			if *s.Name == "alpha" && *s.Metadata["size"] != "xl" {
				t.Fatalf("listed metadata %v", s.Metadata)
			}
		}
	}
	if !slices.Equal(names, []string{"alpha", "alpine"}) {
		t.Fatalf("listed %v", names)
	}

	stats, err := sh.GetStatistics(ctx, nil)
	ok(t, err)
	if *stats.ShareUsageBytes != 0 {
		t.Fatalf("usage %d", *stats.ShareUsageBytes)
	}

	_, err = sh.Delete(ctx, nil)
	ok(t, err)
	_, err = sh.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ShareNotFound)
	_, err = sh.Delete(ctx, nil)
	wantCode(t, err, fileerror.ShareNotFound)
}

func TestDirectories(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "dirs")
	root := sh.NewRootDirectoryClient()
	rootProps, err := root.GetProperties(ctx, nil)
	ok(t, err)
	if *rootProps.FileAttributes != "Directory" || *rootProps.ID != "0" {
		t.Fatalf("root attributes %q id %q", *rootProps.FileAttributes, *rootProps.ID)
	}

	a := sh.NewDirectoryClient("a")
	created, err := a.Create(ctx, &directory.CreateOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
	ok(t, err)
	if *created.FileAttributes != "Directory" || created.FileCreationTime == nil || *created.FilePermissionKey != *rootProps.FilePermissionKey || *created.ParentID != "0" {
		t.Fatalf("created %+v", created)
	}
	_, err = a.Create(ctx, nil)
	wantCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = sh.NewDirectoryClient("missing/b").Create(ctx, nil)
	wantCode(t, err, fileerror.ParentNotFound)

	b := a.NewSubdirectoryClient("b")
	_, err = b.Create(ctx, nil)
	ok(t, err)

	when := time.Date(2021, 6, 7, 8, 9, 10, 987654300, time.UTC)
	_, err = b.SetProperties(ctx, &directory.SetPropertiesOptions{FileSMBProperties: &file.SMBProperties{
		Attributes: &file.NTFSFileAttributes{Hidden: true}, CreationTime: &when, LastWriteTime: &when}})
	ok(t, err)
	props, err := b.GetProperties(ctx, nil)
	ok(t, err)
	if !props.FileCreationTime.Equal(when) || !props.FileLastWriteTime.Equal(when) {
		t.Fatalf("times %v %v, want %v", props.FileCreationTime, props.FileLastWriteTime, when)
	}
	attrs, err := file.ParseNTFSFileAttributes(props.FileAttributes)
	ok(t, err)
	if !attrs.Hidden || !attrs.Directory {
		t.Fatalf("attributes %q", *props.FileAttributes)
	}

	_, err = b.SetMetadata(ctx, &directory.SetMetadataOptions{Metadata: map[string]*string{"x": to.Ptr("1")}})
	ok(t, err)
	props, err = b.GetProperties(ctx, nil)
	ok(t, err)
	if *props.Metadata["X"] != "1" {
		t.Fatalf("metadata %v", props.Metadata)
	}

	_, err = a.Delete(ctx, nil)
	wantCode(t, err, fileerror.DirectoryNotEmpty)
	_, err = b.Delete(ctx, nil)
	ok(t, err)
	_, err = a.Delete(ctx, nil)
	ok(t, err)
	_, err = a.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
}

func TestFileProperties(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "props")
	f := sh.NewRootDirectoryClient().NewFileClient("f.txt")
	sum := md5.Sum([]byte("whole"))
	created, err := f.Create(ctx, 5, &file.CreateOptions{
		HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("text/plain"), ContentMD5: sum[:], CacheControl: to.Ptr("no-cache")},
		Metadata:    map[string]*string{"owner": to.Ptr("me")},
	})
	ok(t, err)
	if *created.FileAttributes != "Archive" {
		t.Fatalf("default file attributes %q", *created.FileAttributes)
	}

	props, err := f.GetProperties(ctx, nil)
	ok(t, err)
	if *props.ContentLength != 5 || *props.ContentType != "text/plain" || !bytes.Equal(props.ContentMD5, sum[:]) ||
		*props.CacheControl != "no-cache" || *props.Metadata["Owner"] != "me" || *props.FileType != "File" {
		t.Fatalf("properties %+v", props)
	}

	when := time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC)
	_, err = f.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{
		HTTPHeaders:   &file.HTTPHeaders{ContentType: to.Ptr("application/json")},
		SMBProperties: &file.SMBProperties{LastWriteTime: &when, Attributes: &file.NTFSFileAttributes{ReadOnly: true}},
	})
	ok(t, err)
	props, err = f.GetProperties(ctx, nil)
	ok(t, err)
	// Set File Properties replaces every HTTP header: the MD5 and cache control are gone.
	if *props.ContentType != "application/json" || props.ContentMD5 != nil || props.CacheControl != nil {
		t.Fatalf("headers not replaced: %+v", props)
	}
	if !props.FileLastWriteTime.Equal(when) || *props.FileAttributes != "ReadOnly" {
		t.Fatalf("smb %v %q", props.FileLastWriteTime, *props.FileAttributes)
	}

	_, err = f.Resize(ctx, 3, nil)
	ok(t, err)
	props, err = f.GetProperties(ctx, nil)
	ok(t, err)
	if *props.ContentLength != 3 {
		t.Fatalf("resized to %d", *props.ContentLength)
	}

	_, err = f.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"a": to.Ptr("1"), "b": to.Ptr("2")}})
	ok(t, err)
	props, err = f.GetProperties(ctx, nil)
	ok(t, err)
	if len(props.Metadata) != 2 {
		t.Fatalf("metadata %v", props.Metadata)
	}
	_, err = f.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"bad-name": to.Ptr("1")}})
	wantCode(t, err, fileerror.InvalidMetadata)

	_, err = sh.NewDirectoryClient("nope").NewFileClient("x").Create(ctx, 1, nil)
	wantCode(t, err, fileerror.ParentNotFound)
	_, err = sh.NewDirectoryClient("d").Create(ctx, nil)
	ok(t, err)
	_, err = sh.NewRootDirectoryClient().NewFileClient("d").Create(ctx, 1, nil)
	wantCode(t, err, fileerror.ResourceTypeMismatch)
	_, err = sh.NewRootDirectoryClient().NewFileClient("d").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)

	_, err = f.Delete(ctx, nil)
	ok(t, err)
	_, err = f.Delete(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
	_, err = f.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
}

func TestRanges(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	f := e.newShare(t, "ranges").NewRootDirectoryClient().NewFileClient("sparse.bin")
	const size = 3 << 20
	_, err := f.Create(ctx, size, nil)
	ok(t, err)

	chunk := randomBytes(t, 4096)
	sum := md5.Sum(chunk)
	up, err := f.UploadRange(ctx, 1<<20, streamOf(chunk), &file.UploadRangeOptions{
		TransactionalValidation: file.TransferValidationTypeMD5(sum[:])})
	ok(t, err)
	if !bytes.Equal(up.ContentMD5, sum[:]) {
		t.Fatalf("echoed MD5 %x", up.ContentMD5)
	}
	_, err = f.UploadRange(ctx, 0, streamOf(chunk), &file.UploadRangeOptions{
		TransactionalValidation: file.TransferValidationTypeMD5(make([]byte, 16))})
	wantCode(t, err, fileerror.MD5Mismatch)
	_, err = f.UploadRange(ctx, size-10, streamOf(chunk), nil)
	wantCode(t, err, fileerror.InvalidRange)

	_, err = f.UploadRange(ctx, 0, streamOf(chunk[:100]), nil)
	ok(t, err)
	list, err := f.GetRangeList(ctx, nil)
	ok(t, err)
	if got := rangesOf(list); got != "0-511,1048576-1052671" || *list.FileContentLength != size {
		t.Fatalf("ranges %s", got)
	}
	_, err = f.ClearRange(ctx, file.HTTPRange{Offset: 1 << 20, Count: 4096}, nil)
	ok(t, err)
	list, err = f.GetRangeList(ctx, nil)
	ok(t, err)
	if got := rangesOf(list); got != "0-511" {
		t.Fatalf("ranges after clear %s", got)
	}

	resp, err := f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: 50, Count: 100}, RangeGetContentMD5: to.Ptr(true)})
	ok(t, err)
	got, err := io.ReadAll(resp.Body)
	ok(t, err)
	_ = resp.Body.Close()
	want := append(slices.Clone(chunk[50:100]), make([]byte, 50)...)
	wantSum := md5.Sum(want)
	if !bytes.Equal(got, want) || *resp.ContentRange != "bytes 50-149/3145728" || !bytes.Equal(resp.ContentMD5, wantSum[:]) {
		t.Fatalf("range download: %d bytes, range %s", len(got), *resp.ContentRange)
	}
	_, err = f.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: size, Count: 1}})
	wantCode(t, err, fileerror.InvalidRange)
}

func streamOf(b []byte) io.ReadSeekCloser { return nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }

func rangesOf(list file.GetRangeListResponse) string {
	var parts []string
	for _, r := range list.Ranges {
		parts = append(parts, strings.Join([]string{itoa(*r.Start), itoa(*r.End)}, "-"))
	}
	return strings.Join(parts, ",")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestLastWriteTime(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	f := e.newShare(t, "lwt").NewRootDirectoryClient().NewFileClient("f")
	old := time.Date(2019, 5, 6, 7, 8, 9, 100, time.UTC)
	_, err := f.Create(ctx, 10, &file.CreateOptions{SMBProperties: &file.SMBProperties{LastWriteTime: &old, CreationTime: &old}})
	ok(t, err)
	_, err = f.UploadRange(ctx, 0, streamOf([]byte("abc")), &file.UploadRangeOptions{LastWrittenMode: to.Ptr(file.LastWrittenModePreserve)})
	ok(t, err)
	props, err := f.GetProperties(ctx, nil)
	ok(t, err)
	if !props.FileLastWriteTime.Equal(old) {
		t.Fatalf("preserve: last write %v", props.FileLastWriteTime)
	}
	_, err = f.UploadRange(ctx, 0, streamOf([]byte("abc")), nil)
	ok(t, err)
	props, err = f.GetProperties(ctx, nil)
	ok(t, err)
	if props.FileLastWriteTime.Equal(old) || !props.FileCreationTime.Equal(old) {
		t.Fatalf("default now: last write %v creation %v", props.FileLastWriteTime, props.FileCreationTime)
	}
}

func TestUploadDownloadLarge(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	dir := e.newShare(t, "big").NewRootDirectoryClient()
	data := randomBytes(t, 10<<20+12345)
	want := md5.Sum(data)

	viaBuffer := dir.NewFileClient("buffer.bin")
	_, err := viaBuffer.Create(ctx, int64(len(data)), nil)
	ok(t, err)
	ok(t, viaBuffer.UploadBuffer(ctx, data, &file.UploadBufferOptions{ChunkSize: 4 << 20, Concurrency: 8}))

	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	ok(t, os.WriteFile(src, data, 0o600))
	in, err := os.Open(src)
	ok(t, err)
	defer in.Close()
	viaFile := dir.NewFileClient("file.bin")
	_, err = viaFile.Create(ctx, int64(len(data)), nil)
	ok(t, err)
	ok(t, viaFile.UploadFile(ctx, in, &file.UploadFileOptions{Concurrency: 8}))

	for _, f := range []*file.Client{viaBuffer, viaFile} {
		out, err := os.Create(filepath.Join(tmp, "dst"))
		ok(t, err)
		n, err := f.DownloadFile(ctx, out, &file.DownloadFileOptions{Concurrency: 8})
		ok(t, err)
		ok(t, out.Close())
		got, err := os.ReadFile(out.Name())
		ok(t, err)
		if n != int64(len(data)) || md5.Sum(got) != want {
			t.Fatalf("DownloadFile: %d bytes, md5 mismatch", n)
		}
		if md5.Sum(download(t, f)) != want {
			t.Fatal("DownloadStream: md5 mismatch")
		}
		buf := make([]byte, len(data))
		_, err = f.DownloadBuffer(ctx, buf, &file.DownloadBufferOptions{Concurrency: 8})
		ok(t, err)
		if md5.Sum(buf) != want {
			t.Fatal("DownloadBuffer: md5 mismatch")
		}
	}
}

func TestPutRangeFromURL(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	src := e.newShare(t, "src").NewRootDirectoryClient().NewFileClient("source file.bin")
	data := randomBytes(t, 5<<20)
	createFile(t, src, data)
	dst := e.newShare(t, "dst").NewRootDirectoryClient().NewFileClient("copy.bin")
	_, err := dst.Create(ctx, int64(len(data)), nil)
	ok(t, err)

	srcURL, err := src.GetSASURL(sasFileRead, time.Now().Add(time.Hour), nil)
	ok(t, err)
	for off := int64(0); off < int64(len(data)); off += 4 << 20 {
		n := min(4<<20, int64(len(data))-off)
		_, err := dst.UploadRangeFromURL(ctx, srcURL, off, off, n, nil)
		ok(t, err)
	}
	if !bytes.Equal(download(t, dst), data) {
		t.Fatal("copied content differs")
	}

	noRead, err := src.GetSASURL(sasFileWrite, time.Now().Add(time.Hour), nil)
	ok(t, err)
	_, err = dst.UploadRangeFromURL(ctx, noRead, 0, 0, 10, nil)
	wantCode(t, err, fileerror.Code("CannotVerifyCopySource"))
	_, err = dst.UploadRangeFromURL(ctx, src.URL(), 0, 0, 10, nil)
	wantCode(t, err, fileerror.Code("CannotVerifyCopySource"))
	_, err = dst.UploadRangeFromURL(ctx, src.URL(), 0, 0, 10, &file.UploadRangeFromURLOptions{CopySourceAuthorization: to.Ptr("Bearer x")})
	wantCode(t, err, fileerror.Code("CannotVerifyCopySource")) // not a token
}

func TestListing(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "list")
	dir := sh.NewDirectoryClient("d")
	_, err := dir.Create(ctx, nil)
	ok(t, err)
	var want []string
	for i := range 57 {
		name := "entry-" + itoa(int64(100+i))
		if i%3 == 0 {
			_, err = dir.NewSubdirectoryClient(name).Create(ctx, nil)
		} else {
			_, err = dir.NewFileClient(name).Create(ctx, int64(i), nil)
		}
		ok(t, err)
		want = append(want, name)
	}
	_, err = dir.NewFileClient("other").Create(ctx, 0, nil)
	ok(t, err)

	var got []string
	pages := 0
	pager := dir.NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{
		Prefix: to.Ptr("entry-"), MaxResults: to.Ptr(int32(10)), IncludeExtendedInfo: to.Ptr(true),
		Include: directory.ListFilesInclude{Timestamps: true, ETag: true, Attributes: true, PermissionKey: true},
	})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		ok(t, err)
		pages++
		for _, d := range page.Segment.Directories {
			got = append(got, *d.Name)
			if *d.Attributes != "Directory" || d.ID == nil || d.Properties.CreationTime == nil || d.PermissionKey == nil {
				t.Fatalf("directory entry %+v", d)
			}
		}
		for _, f := range page.Segment.Files {
			got = append(got, *f.Name)
			if *f.Properties.ContentLength != parseEntrySize(*f.Name) || f.Properties.ETag == nil ||
				f.Properties.LastWriteTime == nil || f.Properties.LastModified == nil || *f.Attributes != "Archive" {
				t.Fatalf("file entry %+v", f.Properties)
			}
		}
	}
	sort.Strings(got)
	if pages != 6 || !slices.Equal(got, want) {
		t.Fatalf("%d pages, names %v", pages, got)
	}

	// Without include, the names and file sizes still come back.
	page, err := sh.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	ok(t, err)
	if len(page.Segment.Directories) != 1 || *page.Segment.Directories[0].Name != "d" || len(page.Segment.Files) != 0 {
		t.Fatalf("root listing %+v", page.Segment)
	}
	_, err = sh.NewDirectoryClient("absent").NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	wantCode(t, err, fileerror.ResourceNotFound)
}

func parseEntrySize(name string) int64 {
	var n int64
	for _, c := range strings.TrimPrefix(name, "entry-") {
		n = n*10 + int64(c-'0')
	}
	return n - 100
}

// hostileNames must round-trip byte for byte through create, list, get and download.
var hostileNames = []string{
	"with space", "100% sure", "hash#tag", "plus+sign", "semi;colon", "amp&ersand", "equals=sign",
	"comma,name", "quote'name", "[brackets]", "tilde~", "dollar$", "at@sign", "back`tick",
	"caf\u00e9",  // NFC
	"cafe\u0301", // NFD: a different name
	"emoji 😀", "日本語のファイル", "trailing.", "trailing dots..", "  leading spaces", "percent%2Fslash",
	"odd\uffffchar", // not representable in XML: listed with Encoded="true"
}

func TestHostileNames(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	e.newShare(t, "names")
	sh := e.trailingDotShare(t, "names")
	dir := sh.NewDirectoryClient("dir with space & more")
	_, err := dir.Create(ctx, nil)
	ok(t, err)
	for _, name := range hostileNames {
		f := dir.NewFileClient(name)
		createFile(t, f, []byte(name))
		if got := download(t, f); string(got) != name {
			t.Fatalf("%q: content %q", name, got)
		}
		sub := dir.NewSubdirectoryClient(name + " dir")
		_, err := sub.Create(ctx, nil)
		ok(t, err)
		_, err = sub.GetProperties(ctx, nil)
		ok(t, err)
	}
	files, dirs := listNames(t, dir, &directory.ListFilesAndDirectoriesOptions{MaxResults: to.Ptr(int32(7))})
	for i, d := range dirs {
		dirs[i] = strings.TrimSuffix(d, " dir")
	}
	want := slices.Clone(hostileNames)
	sort.Strings(want)
	sort.Strings(files)
	sort.Strings(dirs)
	if !slices.Equal(files, want) || !slices.Equal(dirs, want) {
		t.Fatalf("listed files %q\ndirs %q\nwant %q", files, dirs, want)
	}

	// Names are case-insensitive: a second create with other case replaces the file.
	root := sh.NewRootDirectoryClient()
	createFile(t, root.NewFileClient("Readme.TXT"), []byte("first"))
	createFile(t, root.NewFileClient("README.txt"), []byte("second"))
	if got := download(t, root.NewFileClient("readme.txt")); string(got) != "second" {
		t.Fatalf("case-insensitive lookup: %q", got)
	}
	_, err = root.NewFileClient("what?").Create(ctx, 1, nil)
	wantCode(t, err, fileerror.InvalidResourceName)

	// Without x-ms-allow-trailing-dot the service trims trailing dots.
	plain := e.svc.NewShareClient("names").NewRootDirectoryClient()
	createFile(t, plain.NewFileClient("dotted..."), []byte("x"))
	if _, err := plain.NewFileClient("dotted").GetProperties(ctx, nil); err != nil {
		t.Fatalf("trimmed name not found: %v", err)
	}
}

func TestConcurrency(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	dir := e.newShare(t, "busy").NewRootDirectoryClient()
	f := dir.NewFileClient("shared.bin")
	const parts = 16
	data := randomBytes(t, parts*64<<10)
	_, err := f.Create(ctx, int64(len(data)), nil)
	ok(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 2*parts)
	for i := range parts {
		wg.Go(func() {
			part := data[i*64<<10 : (i+1)*64<<10]
			_, err := f.UploadRange(ctx, int64(i*64<<10), streamOf(part), nil)
			errs <- err
		})
		wg.Go(func() {
			_, err := dir.NewFileClient("f"+itoa(int64(i))).Create(ctx, 1, nil)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err)
	}
	if !bytes.Equal(download(t, f), data) {
		t.Fatal("parallel ranges produced wrong content")
	}
}

func TestPermissions(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "perms")
	const sddl = "O:BAG:SYD:(A;;FA;;;BA)(A;;0x1200a9;;;WD)"
	created, err := sh.CreatePermission(ctx, sddl, nil)
	ok(t, err)
	got, err := sh.GetPermission(ctx, *created.FilePermissionKey, nil)
	ok(t, err)
	if *got.Permission != sddl {
		t.Fatalf("permission %q", *got.Permission)
	}
	_, err = sh.GetPermission(ctx, "1*2", nil)
	wantCode(t, err, fileerror.ResourceNotFound)

	f := sh.NewRootDirectoryClient().NewFileClient("secured")
	resp, err := f.Create(ctx, 0, &file.CreateOptions{Permissions: &file.Permissions{PermissionKey: created.FilePermissionKey}})
	ok(t, err)
	if *resp.FilePermissionKey != *created.FilePermissionKey {
		t.Fatalf("key %q", *resp.FilePermissionKey)
	}
	const other = "O:SYG:SYD:(A;;FA;;;SY)"
	set, err := f.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{Permissions: &file.Permissions{Permission: to.Ptr(other)}})
	ok(t, err)
	got, err = sh.GetPermission(ctx, *set.FilePermissionKey, nil)
	ok(t, err)
	if *got.Permission != other {
		t.Fatalf("permission after set %q", *got.Permission)
	}
	_, err = f.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{Permissions: &file.Permissions{PermissionKey: to.Ptr("9*9")}})
	wantCode(t, err, fileerror.InvalidHeaderValue)
}

func TestNotImplemented(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	_, err := e.svc.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.Code("NotImplemented"))
}
