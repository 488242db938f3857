package filesemu_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	data := randomBytes(t, 3<<20+17)
	when := time.Date(2022, 2, 3, 4, 5, 6, 700, time.UTC)

	first, err := filesemu.Start(ctx, filesemu.Options{Location: dir}, "127.0.0.1:0")
	ok(t, err)
	e := clientEnv(t, first.URL)
	sh := e.newShare(t, "kept")
	sub := sh.NewDirectoryClient("sub dir")
	_, err = sub.Create(ctx, nil)
	ok(t, err)
	f := sub.NewFileClient("data.bin")
	_, err = f.Create(ctx, int64(len(data)), &file.CreateOptions{
		SMBProperties: &file.SMBProperties{LastWriteTime: &when},
		Metadata:      map[string]*string{"k": to.Ptr("v")},
	})
	ok(t, err)
	ok(t, f.UploadBuffer(ctx, data, nil))
	_, err = f.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{SMBProperties: &file.SMBProperties{LastWriteTime: &when}})
	ok(t, err)
	gone := sub.NewFileClient("gone")
	createFile(t, gone, []byte("bye"))
	_, err = gone.Delete(ctx, nil)
	ok(t, err)
	_, err = sh.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: []*share.SignedIdentifier{
		{ID: to.Ptr("kept-policy"), AccessPolicy: &share.AccessPolicy{Expiry: &when, Permission: to.Ptr("rl")}}}})
	ok(t, err)
	ok(t, first.Close())

	second, err := filesemu.Start(ctx, filesemu.Options{Location: dir}, "127.0.0.1:0")
	ok(t, err)
	defer second.Close()
	e = clientEnv(t, second.URL)
	f = e.svc.NewShareClient("kept").NewDirectoryClient("sub dir").NewFileClient("data.bin")
	props, err := f.GetProperties(ctx, nil)
	ok(t, err)
	if *props.ContentLength != int64(len(data)) || !props.FileLastWriteTime.Equal(when) || *props.Metadata["K"] != "v" {
		t.Fatalf("reloaded properties %+v", props)
	}
	if !bytes.Equal(download(t, f), data) {
		t.Fatal("reloaded content differs")
	}
	_, err = e.svc.NewShareClient("kept").NewDirectoryClient("sub dir").NewFileClient("gone").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
	acl, err := e.svc.NewShareClient("kept").GetAccessPolicy(ctx, nil)
	ok(t, err)
	if len(acl.SignedIdentifiers) != 1 || *acl.SignedIdentifiers[0].ID != "kept-policy" || !acl.SignedIdentifiers[0].AccessPolicy.Expiry.Equal(when.Truncate(time.Second)) { // the SDK sends whole seconds
		t.Fatalf("reloaded access policies: %d, %v", len(acl.SignedIdentifiers), acl.SignedIdentifiers[0].AccessPolicy.Expiry)
	}
	// New files must not reuse the IDs (and data files) of reloaded ones.
	fresh := e.svc.NewShareClient("kept").NewRootDirectoryClient().NewFileClient("fresh")
	createFile(t, fresh, []byte("new"))
	if !bytes.Equal(download(t, f), data) || string(download(t, fresh)) != "new" {
		t.Fatal("file IDs collided after reload")
	}
}
