package filesemu_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

func TestCopyFile(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "copysrc")
	other := e.newShare(t, "copydst")
	src := sh.NewRootDirectoryClient().NewFileClient("src.bin")
	data := randomBytes(t, 5<<20+123)
	_, err := src.Create(ctx, int64(len(data))+(8<<20), &file.CreateOptions{
		HTTPHeaders:   &file.HTTPHeaders{ContentType: to.Ptr("application/x-test")},
		Metadata:      map[string]*string{"origin": to.Ptr("src")},
		SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{Hidden: true}, CreationTime: to.Ptr(time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC))},
		Permissions:   &file.Permissions{Permission: to.Ptr("O:SYG:SYD:(A;;FA;;;SY)")},
	})
	ok(t, err)
	ok(t, src.UploadBuffer(ctx, data, nil)) // the last 8 MiB stay a hole
	srcProps, err := src.GetProperties(ctx, nil)
	ok(t, err)

	// Shared Key: a source in the same account needs no SAS. Into another share.
	dst := other.NewRootDirectoryClient().NewFileClient("dst.bin")
	resp, err := dst.StartCopyFromURL(ctx, src.URL(), &file.StartCopyFromURLOptions{
		CopyFileSMBInfo: &file.CopyFileSMBInfo{
			Attributes: file.SourceCopyFileAttributes{}, CreationTime: file.SourceCopyFileCreationTime{},
			LastWriteTime: file.SourceCopyFileLastWriteTime{}, ChangeTime: file.SourceCopyFileChangeTime{},
			PermissionCopyMode: to.Ptr(file.PermissionCopyModeTypeSource), IgnoreReadOnly: to.Ptr(true),
		},
	})
	ok(t, err)
	if *resp.CopyStatus != file.CopyStatusTypeSuccess || *resp.CopyID == "" {
		t.Fatalf("copy answered status %v id %v", *resp.CopyStatus, resp.CopyID)
	}
	got := download(t, dst)
	if !bytes.Equal(got[:len(data)], data) || len(got) != len(data)+(8<<20) || !bytes.Equal(got[len(data):], make([]byte, 8<<20)) {
		t.Fatal("copied bytes differ")
	}
	props, err := dst.GetProperties(ctx, nil)
	ok(t, err)
	if *props.CopyStatus != file.CopyStatusTypeSuccess || *props.CopyID != *resp.CopyID || *props.CopySource != src.URL() ||
		*props.CopyProgress != itoa(int64(len(got)))+"/"+itoa(int64(len(got))) {
		t.Fatalf("copy record: status %v id %v source %v progress %v", *props.CopyStatus, *props.CopyID, *props.CopySource, *props.CopyProgress)
	}
	if *props.ContentType != "application/x-test" || *props.Metadata["Origin"] != "src" ||
		!props.FileCreationTime.Equal(*srcProps.FileCreationTime) || !props.FileLastWriteTime.Equal(*srcProps.FileLastWriteTime) ||
		*props.FileAttributes != *srcProps.FileAttributes {
		t.Fatalf("copy properties: type %v meta %v created %v attrs %v", *props.ContentType, props.Metadata, *props.FileCreationTime, *props.FileAttributes)
	}
	perm, err := other.GetPermission(ctx, *props.FilePermissionKey, nil)
	ok(t, err)
	if *perm.Permission != "O:SYG:SYD:(A;;FA;;;SY)" {
		t.Fatalf("copied permission %q", *perm.Permission)
	}
	ranges, err := dst.GetRangeList(ctx, nil)
	ok(t, err)
	if rangesOf(ranges) != "0-"+itoa(int64(len(data)+511)/512*512-1) {
		t.Fatalf("copied ranges %s", rangesOf(ranges))
	}

	_, err = dst.AbortCopy(ctx, *resp.CopyID, nil)
	wantCode(t, err, fileerror.Code("NoPendingCopyOperation"))
	_, err = dst.AbortCopy(ctx, "00000000-0000-0000-0000-000000000000", nil)
	wantCode(t, err, fileerror.Code("CopyIdMismatch"))

	// Defaults: metadata given replaces the source's; SMB properties are a new file's.
	plain := sh.NewRootDirectoryClient().NewFileClient("plain")
	_, err = plain.StartCopyFromURL(ctx, src.URL(), &file.StartCopyFromURLOptions{Metadata: map[string]*string{"mine": to.Ptr("1")}})
	ok(t, err)
	pp, err := plain.GetProperties(ctx, nil)
	ok(t, err)
	if len(pp.Metadata) != 1 || *pp.Metadata["Mine"] != "1" || *pp.FileAttributes != "Archive" || pp.FileCreationTime.Equal(*srcProps.FileCreationTime) {
		t.Fatalf("default copy: meta %v attrs %v created %v", pp.Metadata, *pp.FileAttributes, *pp.FileCreationTime)
	}

	// A read-only destination is replaced only with ignore-readonly.
	_, err = plain.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true}}})
	ok(t, err)
	_, err = plain.StartCopyFromURL(ctx, src.URL(), nil)
	wantCode(t, err, fileerror.ReadOnlyAttribute)

	_, err = plain.StartCopyFromURL(ctx, sh.NewRootDirectoryClient().NewFileClient("missing").URL(), nil)
	wantCode(t, err, fileerror.Code("CannotVerifyCopySource"))
}

func TestCopyFileWithSAS(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "copysas")
	src := sh.NewRootDirectoryClient().NewFileClient("a")
	createFile(t, src, []byte("copied by SAS"))
	q, err := sas.SignatureValues{Protocol: sas.ProtocolHTTPSandHTTP, ExpiryTime: time.Now().Add(time.Hour),
		ShareName: "copysas", Permissions: (&sas.SharePermissions{Read: true, Create: true, Write: true}).String()}.SignWithSharedKey(e.cred)
	ok(t, err)
	dst, err := file.NewClientWithNoCredential(sh.URL()+"/b?"+q.Encode(), &file.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = dst.StartCopyFromURL(ctx, src.URL(), nil)
	wantCode(t, err, fileerror.Code("CannotVerifyCopySource")) // a SAS request needs a SAS on its source
	_, err = dst.StartCopyFromURL(ctx, src.URL()+"?"+q.Encode(), nil)
	ok(t, err)
	if got := string(download(t, sh.NewRootDirectoryClient().NewFileClient("b"))); got != "copied by SAS" {
		t.Fatalf("copy by SAS holds %q", got)
	}
}

// TestPutRangeFromURLAcrossAccounts: a source on another emulator of the machine (a second
// account) is read through the SAS in its URL, as the service reads any URL; a source the SAS
// does not let read fails with CannotVerifyCopySource.
func TestPutRangeFromURLAcrossAccounts(t *testing.T) {
	other := filesemu.NewTestServer(t, filesemu.Options{Account: "second", Key: "c2Vjb25kLWFjY291bnQta2V5"})
	cred, err := service.NewSharedKeyCredential(other.Account(), other.Key())
	ok(t, err)
	ok(t, other.CreateShare("src"))
	osh, err := share.NewClientWithSharedKeyCredential(other.ShareURL("src"), cred, &share.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	src := osh.NewRootDirectoryClient().NewFileClient("far.bin")
	data := randomBytes(t, 5<<20)
	createFile(t, src, data)

	e := newEnv(t, filesemu.Options{})
	dst := e.newShare(t, "dst").NewRootDirectoryClient().NewFileClient("near.bin")
	_, err = dst.Create(ctx, int64(len(data)), nil)
	ok(t, err)
	srcURL := src.URL() + "?" + other.ShareSAS("src", time.Now().Add(time.Hour))
	for off := int64(0); off < int64(len(data)); off += 4 << 20 {
		n := min(4<<20, int64(len(data))-off)
		_, err := dst.UploadRangeFromURL(ctx, srcURL, off, off, n, nil)
		ok(t, err)
	}
	if !bytes.Equal(download(t, dst), data) {
		t.Fatal("the copy from the other account differs")
	}
	_, err = dst.UploadRangeFromURL(ctx, src.URL(), 0, 0, 10, nil)
	wantCode(t, err, fileerror.Code("CannotVerifyCopySource"))
}
