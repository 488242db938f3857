package filesemu_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

// staticToken is a TokenCredential handing out one unsigned JWT.
type staticToken struct{ jwt string }

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: s.jwt, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func jwt(t *testing.T, aud string, exp time.Time) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		ok(t, err)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "none", "typ": "JWT"}) + "." +
		enc(map[string]any{"aud": aud, "exp": exp.Unix(), "nbf": time.Now().Add(-time.Minute).Unix()}) + "."
}

func oauthShare(t *testing.T, url, token string, intent bool) *share.Client {
	t.Helper()
	opts := &share.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: -1},
		InsecureAllowCredentialWithHTTP: true}}
	if intent {
		opts.FileRequestIntent = to.Ptr(share.TokenIntentBackup)
	}
	sh, err := share.NewClient(url, staticToken{token}, opts)
	ok(t, err)
	return sh
}

func TestOAuth(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	e.newShare(t, "oauth")
	shareURL := e.url + "/oauth"
	good := jwt(t, "https://storage.azure.com", time.Now().Add(time.Hour))

	sh := oauthShare(t, shareURL, good, true)
	f := sh.NewRootDirectoryClient().NewFileClient("f")
	createFile(t, f, []byte("by token"))
	if got := string(download(t, f)); got != "by token" {
		t.Fatalf("read back %q", got)
	}
	_, err := f.Rename(ctx, "g", nil)
	ok(t, err)
	files, _ := listNames(t, sh.NewRootDirectoryClient(), nil)
	if len(files) != 1 || files[0] != "g" {
		t.Fatalf("listed %v", files)
	}
	// Share management is not for OAuth on the data plane.
	_, err = sh.SetMetadata(ctx, nil)
	wantCode(t, err, fileerror.FileOAuthManagementAPIRestrictedToSRP)

	// File operations with a token need the backup intent.
	_, err = oauthShare(t, shareURL, good, false).NewRootDirectoryClient().NewFileClient("g").GetProperties(ctx, nil)
	wantCode(t, err, fileerror.MissingRequiredHeader)
	for name, token := range map[string]string{
		"expired":        jwt(t, "https://storage.azure.com", time.Now().Add(-time.Hour)),
		"other audience": jwt(t, "https://vault.azure.net", time.Now().Add(time.Hour)),
		"not a JWT":      "opaque",
	} {
		_, err = oauthShare(t, shareURL, token, true).NewRootDirectoryClient().NewFileClient("g").GetProperties(ctx, nil)
		if !fileerror.HasCode(err, fileerror.InvalidAuthenticationInfo) {
			t.Fatalf("%s token: %v", name, err)
		}
	}

	// A token authorizes a copy source, as x-ms-copy-source-authorization.
	dst := e.svc.NewShareClient("oauth").NewRootDirectoryClient().NewFileClient("copy")
	_, err = dst.Create(ctx, 8, nil)
	ok(t, err)
	_, err = dst.UploadRangeFromURL(ctx, e.url+"/oauth/g", 0, 0, 8, &file.UploadRangeFromURLOptions{CopySourceAuthorization: to.Ptr("Bearer " + good)})
	ok(t, err)
	if got := string(download(t, dst)); got != "by token" {
		t.Fatalf("copied by token %q", got)
	}
}
