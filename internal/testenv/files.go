package testenv

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	filesas "github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/sas"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"

	"github.com/azsync/azsync/filesemu"
)

// FilesAccountSAS returns an account SAS query string (without '?') for the Files emulator's
// development account, allowing everything a sync does.
func FilesAccountSAS(expiry time.Time) (string, error) {
	cred, err := service.NewSharedKeyCredential(filesemu.DevAccount, filesemu.DevKey)
	if err != nil {
		return "", err
	}
	q, err := filesas.AccountSignatureValues{
		Protocol:      filesas.ProtocolHTTPSandHTTP,
		ExpiryTime:    expiry.UTC(),
		Permissions:   (&filesas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Create: true}).String(),
		ResourceTypes: (&filesas.AccountResourceTypes{Service: true, Container: true, Object: true}).String(),
	}.SignWithSharedKey(cred)
	if err != nil {
		return "", err
	}
	return q.Encode(), nil
}

// CreateShare creates a share on the Files emulator at accountURL (one that exists already is fine):
// azsync never creates shares, as the reference does not.
func CreateShare(ctx context.Context, accountURL, name string) error {
	cred, err := service.NewSharedKeyCredential(filesemu.DevAccount, filesemu.DevKey)
	if err != nil {
		return err
	}
	svc, err := service.NewClientWithSharedKeyCredential(accountURL+"/", cred, nil)
	if err != nil {
		return err
	}
	_, err = svc.NewShareClient(name).Create(ctx, nil)
	if fileerror.HasCode(err, fileerror.ShareAlreadyExists) {
		return nil
	}
	return err
}
