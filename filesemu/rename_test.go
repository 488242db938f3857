package filesemu_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"

	"github.com/azsync/azsync/filesemu"
)

func TestRenameFile(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "rename")
	root := sh.NewRootDirectoryClient()
	_, err := root.NewSubdirectoryClient("dir").Create(ctx, nil)
	ok(t, err)
	src := root.NewFileClient("a.tmp")
	data := randomBytes(t, 5000)
	createFile(t, src, data)
	_, err = src.SetMetadata(ctx, &file.SetMetadataOptions{Metadata: map[string]*string{"k": to.Ptr("v")}})
	ok(t, err)
	before, err := src.GetProperties(ctx, nil)
	ok(t, err)

	resp, err := src.Rename(ctx, "dir/a.txt", nil)
	ok(t, err)
	if *resp.ID != *before.ID || !resp.FileLastWriteTime.Equal(*before.FileLastWriteTime) || resp.ETag == nil {
		t.Fatalf("rename answered id %v lwt %v, want the source's %v %v", *resp.ID, *resp.FileLastWriteTime, *before.ID, *before.FileLastWriteTime)
	}
	_, err = src.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
	dst := root.NewSubdirectoryClient("dir").NewFileClient("a.txt")
	if got := download(t, dst); !bytes.Equal(got, data) {
		t.Fatal("renamed file lost its bytes")
	}
	props, err := dst.GetProperties(ctx, nil)
	ok(t, err)
	if *props.Metadata["K"] != "v" || *props.ParentID == *before.ParentID {
		t.Fatalf("renamed file: metadata %v parent %v", props.Metadata, *props.ParentID)
	}

	// A change of case only.
	_, err = dst.Rename(ctx, "dir/A.TXT", nil)
	ok(t, err)
	files, _ := listNames(t, sh.NewDirectoryClient("dir"), nil)
	if len(files) != 1 || files[0] != "A.TXT" {
		t.Fatalf("after case rename: %v", files)
	}
}

func TestRenameReplace(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "replace")
	root := sh.NewRootDirectoryClient()
	src := root.NewFileClient("new.tmp")
	createFile(t, src, []byte("new"))
	dst := root.NewFileClient("file")
	_, err := dst.Create(ctx, 3, &file.CreateOptions{SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true}}})
	ok(t, err)

	_, err = src.Rename(ctx, "file", nil)
	wantCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = src.Rename(ctx, "file", &file.RenameOptions{ReplaceIfExists: to.Ptr(false)})
	wantCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = src.Rename(ctx, "file", &file.RenameOptions{ReplaceIfExists: to.Ptr(true)})
	wantCode(t, err, fileerror.ReadOnlyAttribute)
	_, err = src.Rename(ctx, "file", &file.RenameOptions{IgnoreReadOnly: to.Ptr(true)})
	wantCode(t, err, fileerror.InvalidHeaderValue)
	_, err = src.Rename(ctx, "file", &file.RenameOptions{ReplaceIfExists: to.Ptr(true), IgnoreReadOnly: to.Ptr(true)})
	ok(t, err)
	if got := string(download(t, dst)); got != "new" {
		t.Fatalf("replaced file holds %q", got)
	}

	// A directory at the destination is never replaced.
	_, err = root.NewSubdirectoryClient("d").Create(ctx, nil)
	ok(t, err)
	_, err = dst.Rename(ctx, "d", &file.RenameOptions{ReplaceIfExists: to.Ptr(true)})
	wantCode(t, err, fileerror.ResourceAlreadyExists)

	_, err = root.NewFileClient("missing").Rename(ctx, "other", nil)
	wantCode(t, err, fileerror.ResourceNotFound)
	_, err = dst.Rename(ctx, "nodir/file", nil)
	wantCode(t, err, fileerror.ParentNotFound)
	_, err = dst.Rename(ctx, "x", &file.RenameOptions{SourceLeaseAccessConditions: &file.SourceLeaseAccessConditions{SourceLeaseID: to.Ptr("c820a799-76d7-4ee2-6e15-546f19325c2c")}})
	wantCode(t, err, fileerror.Code("LeaseNotPresentWithFileOperation"))
}

func TestRenameProperties(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "renameprops")
	src := sh.NewRootDirectoryClient().NewFileClient("f1")
	_, err := src.Create(ctx, 10, &file.CreateOptions{HTTPHeaders: &file.HTTPHeaders{ContentType: to.Ptr("text/plain"), ContentLanguage: to.Ptr("en")}})
	ok(t, err)
	created := time.Date(2023, 3, 31, 21, 5, 0, 123456700, time.UTC)
	written := time.Date(2023, 3, 31, 21, 8, 0, 0, time.UTC)
	resp, err := src.Rename(ctx, "f2", &file.RenameOptions{
		SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true, System: true},
			CreationTime: &created, LastWriteTime: &written},
		Permissions: &file.Permissions{Permission: to.Ptr("O:SYG:SYD:(A;;FA;;;SY)")},
		Metadata:    map[string]*string{"foo": to.Ptr("bar")},
		ContentType: to.Ptr("my_type"),
	})
	ok(t, err)
	attrs, err := file.ParseNTFSFileAttributes(resp.FileAttributes)
	ok(t, err)
	if !attrs.ReadOnly || !attrs.System || !resp.FileCreationTime.Equal(created) || !resp.FileLastWriteTime.Equal(written) {
		t.Fatalf("rename answered attributes %v created %v written %v", *resp.FileAttributes, *resp.FileCreationTime, *resp.FileLastWriteTime)
	}
	props, err := sh.NewRootDirectoryClient().NewFileClient("f2").GetProperties(ctx, nil)
	ok(t, err)
	if *props.ContentType != "my_type" || *props.ContentLanguage != "en" || *props.Metadata["Foo"] != "bar" || *props.FilePermissionKey != *resp.FilePermissionKey {
		t.Fatalf("renamed file: content type %q language %q metadata %v", *props.ContentType, *props.ContentLanguage, props.Metadata)
	}
}

func TestRenameDirectory(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "renamedir")
	root := sh.NewRootDirectoryClient()
	src := root.NewSubdirectoryClient("src")
	_, err := src.Create(ctx, nil)
	ok(t, err)
	_, err = src.NewSubdirectoryClient("sub").Create(ctx, nil)
	ok(t, err)
	inner := src.NewSubdirectoryClient("sub").NewFileClient("f")
	createFile(t, inner, []byte("inner"))
	_, err = root.NewSubdirectoryClient("dest").Create(ctx, nil)
	ok(t, err)

	_, err = src.Rename(ctx, "src/sub/inside", nil)
	wantCode(t, err, fileerror.InvalidInput)
	_, err = src.Rename(ctx, "dest", nil)
	wantCode(t, err, fileerror.ResourceAlreadyExists)
	_, err = src.Rename(ctx, "no/such", nil)
	wantCode(t, err, fileerror.ParentNotFound)
	_, err = root.NewSubdirectoryClient("nope").Rename(ctx, "x", nil)
	wantCode(t, err, fileerror.ResourceNotFound)

	resp, err := src.Rename(ctx, "dest/moved", &directory.RenameOptions{Metadata: map[string]*string{"m": to.Ptr("1")}})
	ok(t, err)
	attrs, err := file.ParseNTFSFileAttributes(resp.FileAttributes)
	ok(t, err)
	if !attrs.Directory {
		t.Fatalf("renamed directory attributes %q", *resp.FileAttributes)
	}
	_, err = src.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
	_, err = inner.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ParentNotFound)
	moved := root.NewSubdirectoryClient("dest").NewSubdirectoryClient("moved")
	if got := string(download(t, moved.NewSubdirectoryClient("sub").NewFileClient("f"))); got != "inner" {
		t.Fatalf("file below the renamed directory holds %q", got)
	}
	props, err := moved.GetProperties(ctx, nil)
	ok(t, err)
	if *props.Metadata["M"] != "1" {
		t.Fatalf("renamed directory metadata %v", props.Metadata)
	}

	// A directory may replace a file, read-only only with ignore-readonly.
	_, err = root.NewFileClient("ro").Create(ctx, 0, &file.CreateOptions{SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true}}})
	ok(t, err)
	_, err = moved.Rename(ctx, "ro", &directory.RenameOptions{ReplaceIfExists: to.Ptr(true)})
	wantCode(t, err, fileerror.ReadOnlyAttribute)
	_, err = moved.Rename(ctx, "ro", &directory.RenameOptions{ReplaceIfExists: to.Ptr(true), IgnoreReadOnly: to.Ptr(true)})
	ok(t, err)
	_, err = root.NewSubdirectoryClient("ro").NewSubdirectoryClient("sub").GetProperties(ctx, nil)
	ok(t, err)
}

func TestRenameWithSAS(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "renamesas")
	q, err := sas.SignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		ShareName: "renamesas", Permissions: (&sas.SharePermissions{Read: true, Create: true, Write: true}).String()}.SignWithSharedKey(e.cred)
	ok(t, err)
	token := q.Encode()
	src, err := file.NewClientWithNoCredential(sh.URL()+"/f1?"+token, &file.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	createFile(t, src, []byte("sas"))
	_, err = src.Rename(ctx, "f2?"+token, nil)
	ok(t, err)
	if got := string(download(t, sh.NewRootDirectoryClient().NewFileClient("f2"))); got != "sas" {
		t.Fatalf("renamed with SAS: %q", got)
	}
	// The source's SAS is checked too: a source without one is refused.
	bare, err := file.NewClientWithNoCredential(sh.URL()+"/f2", &file.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = bare.Rename(ctx, "f3?"+token, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)
}

// listNames lists a directory's files and subdirectories by name.
func listNames(t *testing.T, d *directory.Client, opts *directory.ListFilesAndDirectoriesOptions) (files, dirs []string) {
	t.Helper()
	pager := d.NewListFilesAndDirectoriesPager(opts)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		ok(t, err)
		for _, f := range page.Segment.Files {
			files = append(files, *f.Name)
		}
		for _, d := range page.Segment.Directories {
			dirs = append(dirs, *d.Name)
		}
	}
	return files, dirs
}
