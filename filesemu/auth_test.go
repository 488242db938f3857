package filesemu_test

import (
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

var (
	sasFileRead  = sas.FilePermissions{Read: true}
	sasFileWrite = sas.FilePermissions{Write: true}
	sasShareAll  = sas.SharePermissions{Read: true, Create: true, Write: true, Delete: true, List: true}
)

func sasShareClient(t *testing.T, sasURL string) *share.Client {
	t.Helper()
	c, err := share.NewClientWithNoCredential(sasURL, &share.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	return c
}

func TestSharedKey(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	e.newShare(t, "skey")
	wrong, err := service.NewSharedKeyCredential(filesemu.DevAccount, base64.StdEncoding.EncodeToString([]byte("not the key")))
	ok(t, err)
	svc, err := service.NewClientWithSharedKeyCredential(e.url+"/", wrong, &service.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = svc.NewShareClient("skey").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)

	anonymous, err := service.NewClientWithNoCredential(e.url+"/", &service.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = anonymous.NewShareClient("skey").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)

	// Metadata names exercise the service's header collation, which is not byte order.
	_, err = e.svc.NewShareClient("skey").SetMetadata(ctx, &share.SetMetadataOptions{Metadata: map[string]*string{
		"z": to.Ptr("1"), "a_b": to.Ptr("2"), "ab": to.Ptr("3"), "a1": to.Ptr("4"), "A": to.Ptr("5")}})
	ok(t, err)

	// Hyphens and apostrophes are ignored at the first collation level and break
	// ties at the second; the signature only matches if both sides agree.
	tricky := policyFunc(func(req *policy.Request) (*http.Response, error) {
		for _, h := range []string{"x-ms-a-b", "x-ms-ab", "x-ms-a'b", "x-ms-a_b", "x-ms-a1", "x-ms-ab-", "x-ms-a--b"} {
			req.Raw().Header[h] = []string{"v"}
		}
		return req.Next()
	})
	opts := &service.ClientOptions{ClientOptions: noRetry}
	opts.PerCallPolicies = []policy.Policy{tricky}
	svc, err = service.NewClientWithSharedKeyCredential(e.url+"/", e.cred, opts)
	ok(t, err)
	_, err = svc.NewShareClient("skey").GetProperties(ctx, nil)
	ok(t, err)
}

type policyFunc func(*policy.Request) (*http.Response, error)

func (f policyFunc) Do(req *policy.Request) (*http.Response, error) { return f(req) }

// TestConnectionString checks the connection string form the documentation gives.
func TestConnectionString(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	conn := "DefaultEndpointsProtocol=http;AccountName=" + filesemu.DevAccount + ";AccountKey=" + filesemu.DevKey +
		";FileEndpoint=" + e.url + ";"
	svc, err := service.NewClientFromConnectionString(conn, &service.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = svc.CreateShare(ctx, "fromconn", nil)
	ok(t, err)
	_, err = e.svc.NewShareClient("fromconn").GetProperties(ctx, nil)
	ok(t, err)
}

func TestServiceSAS(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	owner := e.newShare(t, "sas")
	all, err := owner.GetSASURL(sasShareAll, time.Now().Add(time.Hour), nil)
	ok(t, err)
	sh := sasShareClient(t, all)

	dir := sh.NewDirectoryClient("d")
	_, err = dir.Create(ctx, nil)
	ok(t, err)
	f := dir.NewFileClient("f name.txt")
	createFile(t, f, []byte("hello"))
	if got := download(t, f); string(got) != "hello" {
		t.Fatalf("content %q", got)
	}
	page, err := dir.NewListFilesAndDirectoriesPager(nil).NextPage(ctx)
	ok(t, err)
	if len(page.Segment.Files) != 1 {
		t.Fatalf("listing %+v", page.Segment)
	}

	readList, err := owner.GetSASURL(sas.SharePermissions{Read: true, List: true}, time.Now().Add(time.Hour), nil)
	ok(t, err)
	limited := sasShareClient(t, readList).NewDirectoryClient("d")
	_, err = limited.NewFileClient("new").Create(ctx, 1, nil)
	wantCode(t, err, fileerror.AuthorizationPermissionMismatch)
	_, err = limited.NewFileClient("f name.txt").Delete(ctx, nil)
	wantCode(t, err, fileerror.AuthorizationPermissionMismatch)
	_, err = limited.NewFileClient("f name.txt").GetProperties(ctx, nil)
	ok(t, err)

	expired, err := owner.GetSASURL(sasShareAll, time.Now().Add(-time.Hour), nil)
	ok(t, err)
	_, err = sasShareClient(t, expired).NewDirectoryClient("d").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)
	future, err := owner.GetSASURL(sasShareAll, time.Now().Add(2*time.Hour), &share.GetSASURLOptions{StartTime: to.Ptr(time.Now().Add(time.Hour))})
	ok(t, err)
	_, err = sasShareClient(t, future).NewDirectoryClient("d").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)

	tampered := strings.Replace(all, "sp=rcwdl", "sp=rcwdl&", 1) + "x"
	_, err = sasShareClient(t, tampered).NewDirectoryClient("d").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)

	// A file SAS covers exactly one file and only file operations.
	ownerFile := owner.NewDirectoryClient("d").NewFileClient("f name.txt")
	fileURL, err := ownerFile.GetSASURL(sas.FilePermissions{Read: true, Write: true}, time.Now().Add(time.Hour), nil)
	ok(t, err)
	fc, err := file.NewClientWithNoCredential(fileURL, &file.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = fc.GetProperties(ctx, nil)
	ok(t, err)
	other, err := file.NewClientWithNoCredential(strings.Replace(fileURL, "f%20name.txt", "other", 1), &file.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = other.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)
	_, err = fc.SetMetadata(ctx, nil)
	ok(t, err)
	_, err = fc.Delete(ctx, nil)
	wantCode(t, err, fileerror.AuthorizationPermissionMismatch)
}

func TestAccountSAS(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sign := func(perms sas.AccountPermissions, types sas.AccountResourceTypes) *service.Client {
		qp, err := sas.AccountSignatureValues{Permissions: perms.String(), ResourceTypes: types.String(),
			ExpiryTime: time.Now().Add(time.Hour).UTC()}.SignWithSharedKey(e.cred)
		ok(t, err)
		c, err := service.NewClientWithNoCredential(e.url+"/?"+qp.Encode(), &service.ClientOptions{ClientOptions: noRetry})
		ok(t, err)
		return c
	}
	allPerms := sas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Create: true}
	allTypes := sas.AccountResourceTypes{Service: true, Container: true, Object: true}

	svc := sign(allPerms, allTypes)
	_, err := svc.CreateShare(ctx, "acct", nil)
	ok(t, err)
	f := svc.NewShareClient("acct").NewRootDirectoryClient().NewFileClient("f")
	createFile(t, f, []byte("data"))
	if string(download(t, f)) != "data" {
		t.Fatal("content")
	}
	page, err := svc.NewListSharesPager(nil).NextPage(ctx)
	ok(t, err)
	if len(page.Shares) != 1 {
		t.Fatalf("shares %d", len(page.Shares))
	}

	objectsOnly := sign(allPerms, sas.AccountResourceTypes{Object: true})
	_, err = objectsOnly.NewListSharesPager(nil).NextPage(ctx)
	wantCode(t, err, fileerror.AuthorizationResourceTypeMismatch)
	_, err = objectsOnly.NewShareClient("acct").NewRootDirectoryClient().NewFileClient("f").GetProperties(ctx, nil)
	ok(t, err)

	readOnly := sign(sas.AccountPermissions{Read: true, List: true}, allTypes)
	_, err = readOnly.CreateShare(ctx, "nope", nil)
	wantCode(t, err, fileerror.AuthorizationPermissionMismatch)
	_, err = readOnly.NewShareClient("acct").NewDirectoryClient("d").Create(ctx, &directory.CreateOptions{})
	wantCode(t, err, fileerror.AuthorizationPermissionMismatch)
}

// TestErrorWireFormat checks the raw shape of a failure and the headers every
// answer carries.
func TestErrorWireFormat(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	resp, err := http.Get(e.url + "/missing?restype=share")
	ok(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	ok(t, err)
	var parsed struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	ok(t, xml.Unmarshal(body, &parsed))
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("x-ms-error-code") != "AuthenticationFailed" ||
		parsed.Code != "AuthenticationFailed" || !strings.HasPrefix(string(body), `<?xml version="1.0" encoding="utf-8"?><Error>`) {
		t.Fatalf("status %d code %q body %s", resp.StatusCode, resp.Header.Get("x-ms-error-code"), body)
	}
	for _, h := range []string{"x-ms-request-id", "x-ms-version", "Date"} {
		if resp.Header.Get(h) == "" {
			t.Fatalf("missing %s", h)
		}
	}
	if _, err := http.ParseTime(resp.Header.Get("Date")); err != nil {
		t.Fatal(err)
	}

	req, err := http.NewRequest(http.MethodPost, e.url+"/s?restype=share", nil)
	ok(t, err)
	resp2, err := http.DefaultClient.Do(req)
	ok(t, err)
	_ = resp2.Body.Close()
	if resp2.StatusCode != http.StatusMethodNotAllowed || resp2.Header.Get("x-ms-error-code") != "UnsupportedHttpVerb" {
		t.Fatalf("POST: %d %s", resp2.StatusCode, resp2.Header.Get("x-ms-error-code"))
	}
}
