package filesemu_test

import (
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

// The helpers other projects' tests use: shares made in-process, an account
// SAS and a share SAS the SDK accepts, a connection string, a custom account.
func TestTestServerHelpers(t *testing.T) {
	em := filesemu.NewTestServer(t, filesemu.Options{Account: "other", Key: "c2VjcmV0"})
	if em.Account() != "other" || em.Key() != "c2VjcmV0" {
		t.Fatalf("account %q key %q", em.Account(), em.Key())
	}
	ok(t, em.CreateShare("one"))
	if err := em.CreateShare("one"); err == nil || !strings.Contains(err.Error(), "ShareAlreadyExists") {
		t.Fatalf("second CreateShare: %v", err)
	}
	if err := em.CreateShare("Bad_Name"); err == nil || !strings.Contains(err.Error(), "InvalidResourceName") {
		t.Fatalf("CreateShare of a bad name: %v", err)
	}

	svc, err := service.NewClientFromConnectionString(em.ConnectionString(), &service.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = svc.NewShareClient("two").Create(ctx, nil)
	ok(t, err)

	expiry := time.Now().Add(time.Hour)
	withSAS, err := service.NewClientWithNoCredential(em.URL+"/?"+em.AccountSAS(expiry), &service.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	var names []string
	for pager := withSAS.NewListSharesPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		ok(t, err)
		for _, s := range page.Shares {
			names = append(names, *s.Name)
		}
	}
	if len(names) != 2 || names[0] != "one" || names[1] != "two" {
		t.Fatalf("shares %v", names)
	}

	sh, err := share.NewClientWithNoCredential(em.ShareURL("one")+"?"+em.ShareSAS("one", expiry), &share.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	f := sh.NewRootDirectoryClient().NewFileClient("f")
	createFile(t, f, []byte("by share SAS"))
	other, err := share.NewClientWithNoCredential(em.ShareURL("two")+"?"+em.ShareSAS("one", expiry), &share.ClientOptions{ClientOptions: noRetry})
	ok(t, err)
	_, err = other.NewRootDirectoryClient().NewFileClient("f").Create(ctx, 0, nil)
	wantCode(t, err, fileerror.AuthenticationFailed)
}
