// Package auth builds the OAuth (Microsoft Entra ID) credential azsync uses
// when a URL carries no SAS, from the same AZCOPY_* environment variables as
// the reference, and decides which hosts may receive the resulting token.
package auth

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// The reference's variables, and those the Azure Workload Identity webhook
// injects into a pod.
const (
	envLoginType    = "AZCOPY_AUTO_LOGIN_TYPE"
	envAppID        = "AZCOPY_SPA_APPLICATION_ID"
	envClientSecret = "AZCOPY_SPA_CLIENT_SECRET"
	envCertPath     = "AZCOPY_SPA_CERT_PATH"
	envCertPassword = "AZCOPY_SPA_CERT_PASSWORD"
	envTenantID     = "AZCOPY_TENANT_ID"
	envAuthority    = "AZCOPY_ACTIVE_DIRECTORY_ENDPOINT"
	envMSIClientID  = "AZCOPY_MSI_CLIENT_ID"
	envMSIObjectID  = "AZCOPY_MSI_OBJECT_ID"
	envMSIResource  = "AZCOPY_MSI_RESOURCE_STRING"

	envAzureClientID      = "AZURE_CLIENT_ID"
	envAzureTenantID      = "AZURE_TENANT_ID"
	envAzureTokenFile     = "AZURE_FEDERATED_TOKEN_FILE"
	envAzureAuthorityHost = "AZURE_AUTHORITY_HOST"
)

// FromEnv builds the credential AZCOPY_AUTO_LOGIN_TYPE asks for: SPN, MSI,
// AZCLI, WORKLOAD or DEVICE, case-insensitively. It returns (nil, nil) when
// the variable is unset, and an error naming the variables to set when the
// configuration is incomplete. getenv is os.Getenv outside tests. The device
// code flow writes its sign-in instructions to deviceMsg (os.Stderr when nil,
// keeping stdout clean for --output-type=json).
//
// Nothing here contacts the network: tokens are fetched on first use.
//
//   - SPN: AZCOPY_SPA_APPLICATION_ID and AZCOPY_TENANT_ID, with
//     AZCOPY_SPA_CERT_PATH (and AZCOPY_SPA_CERT_PASSWORD, PEM or PKCS#12) or
//     else AZCOPY_SPA_CLIENT_SECRET.
//   - MSI: system-assigned, or the user-assigned identity named by
//     AZCOPY_MSI_CLIENT_ID, else AZCOPY_MSI_RESOURCE_STRING, else
//     AZCOPY_MSI_OBJECT_ID (the first one set wins).
//   - AZCLI: the Azure CLI's signed-in account (AZCOPY_TENANT_ID optional).
//   - WORKLOAD: AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE and
//     AZCOPY_TENANT_ID or AZURE_TENANT_ID, as the webhook sets them.
//   - DEVICE: AZCOPY_TENANT_ID and AZCOPY_SPA_APPLICATION_ID optional.
//
// AZCOPY_ACTIVE_DIRECTORY_ENDPOINT overrides the authority host (sovereign
// clouds) for SPN, WORKLOAD (default AZURE_AUTHORITY_HOST) and DEVICE.
func FromEnv(getenv func(string) string, deviceMsg io.Writer) (azcore.TokenCredential, error) {
	loginType := strings.ToUpper(strings.TrimSpace(getenv(envLoginType)))
	if loginType == "" {
		return nil, nil
	}
	var (
		cred azcore.TokenCredential
		err  error
	)
	switch loginType {
	case "SPN":
		cred, err = servicePrincipal(getenv)
	case "MSI":
		cred, err = managedIdentity(getenv)
	case "AZCLI":
		cred, err = asCredential(azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{
			TenantID: getenv(envTenantID),
		}))
	case "WORKLOAD":
		cred, err = workloadIdentity(getenv)
	case "DEVICE":
		cred, err = deviceCode(getenv, deviceMsg)
	default:
		return nil, fmt.Errorf("%s=%q is not supported; valid values are SPN, MSI, AZCLI, WORKLOAD, DEVICE", envLoginType, getenv(envLoginType))
	}
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", envLoginType, loginType, err)
	}
	return cred, nil
}

// asCredential converts a constructor's result so that a failed constructor
// yields a nil interface rather than one holding a nil pointer.
func asCredential[T azcore.TokenCredential](cred T, err error) (azcore.TokenCredential, error) {
	if err != nil {
		return nil, err
	}
	return cred, nil
}

// unset returns those of names whose variables are empty.
func unset(getenv func(string) string, names ...string) []string {
	var missing []string
	for _, n := range names {
		if getenv(n) == "" {
			missing = append(missing, n)
		}
	}
	return missing
}

// clientOptions carries the authority host from the first of vars that is
// set. An unset host leaves azidentity's default (public cloud) in place.
func clientOptions(getenv func(string) string, vars ...string) (azcore.ClientOptions, error) {
	for _, v := range vars {
		host := getenv(v)
		if host == "" {
			continue
		}
		if u, err := url.Parse(host); err != nil || u.Scheme != "https" || u.Host == "" {
			return azcore.ClientOptions{}, fmt.Errorf("%s=%q is not an https:// URL such as https://login.microsoftonline.com", v, host)
		}
		return azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: host}}, nil
	}
	return azcore.ClientOptions{}, nil
}

func servicePrincipal(getenv func(string) string) (azcore.TokenCredential, error) {
	if missing := unset(getenv, envAppID, envTenantID); len(missing) > 0 {
		return nil, fmt.Errorf("set %s", strings.Join(missing, " and "))
	}
	opts, err := clientOptions(getenv, envAuthority)
	if err != nil {
		return nil, err
	}
	tenant, app := getenv(envTenantID), getenv(envAppID)
	if certPath := getenv(envCertPath); certPath != "" {
		data, err := os.ReadFile(certPath)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envCertPath, err)
		}
		certs, key, err := azidentity.ParseCertificates(data, []byte(getenv(envCertPassword)))
		if err != nil {
			return nil, fmt.Errorf("%s=%q: cannot load the certificate and its private key (is %s right?): %v", envCertPath, certPath, envCertPassword, err)
		}
		// Sending the chain enables subject name/issuer authentication, as
		// the reference does.
		return asCredential(azidentity.NewClientCertificateCredential(tenant, app, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, SendCertificateChain: true}))
	}
	if secret := getenv(envClientSecret); secret != "" {
		return asCredential(azidentity.NewClientSecretCredential(tenant, app, secret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts}))
	}
	return nil, fmt.Errorf("set %s or %s", envClientSecret, envCertPath)
}

func managedIdentity(getenv func(string) string) (azcore.TokenCredential, error) {
	var id azidentity.ManagedIDKind
	switch {
	case getenv(envMSIClientID) != "":
		id = azidentity.ClientID(getenv(envMSIClientID))
	case getenv(envMSIResource) != "":
		id = azidentity.ResourceID(getenv(envMSIResource))
	case getenv(envMSIObjectID) != "":
		id = azidentity.ObjectID(getenv(envMSIObjectID))
	}
	return asCredential(azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ID: id}))
}

func workloadIdentity(getenv func(string) string) (azcore.TokenCredential, error) {
	tenant := getenv(envTenantID)
	if tenant == "" {
		tenant = getenv(envAzureTenantID)
	}
	missing := unset(getenv, envAzureClientID, envAzureTokenFile)
	if tenant == "" {
		missing = append(missing, envTenantID+" or "+envAzureTenantID)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("set %s (the Azure Workload Identity webhook sets them in the pod)", strings.Join(missing, ", "))
	}
	opts, err := clientOptions(getenv, envAuthority, envAzureAuthorityHost)
	if err != nil {
		return nil, err
	}
	// Every value is passed explicitly: azidentity would otherwise read
	// AZURE_* from the process environment behind getenv's back.
	return asCredential(azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
		ClientOptions: opts,
		ClientID:      getenv(envAzureClientID),
		TenantID:      tenant,
		TokenFilePath: getenv(envAzureTokenFile),
	}))
}

func deviceCode(getenv func(string) string, w io.Writer) (azcore.TokenCredential, error) {
	opts, err := clientOptions(getenv, envAuthority)
	if err != nil {
		return nil, err
	}
	return asCredential(azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: opts,
		TenantID:      getenv(envTenantID),
		ClientID:      getenv(envAppID),
		UserPrompt:    devicePrompt(w),
	}))
}

// devicePrompt returns the device code flow's prompt, which shows the
// service's instructions ("To sign in, use a web browser to open …") on w.
func devicePrompt(w io.Writer) func(context.Context, azidentity.DeviceCodeMessage) error {
	if w == nil {
		w = os.Stderr
	}
	return func(_ context.Context, m azidentity.DeviceCodeMessage) error {
		_, err := fmt.Fprintln(w, m.Message)
		return err
	}
}
