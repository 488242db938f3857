package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// writeCert writes a self-signed certificate and its PKCS#8 key, PEM-encoded,
// to a file and returns its path.
func writeCert(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048) // azidentity takes RSA keys only
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "azsync-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, b := range []*pem.Block{{Type: "CERTIFICATE", Bytes: der}, {Type: "PRIVATE KEY", Bytes: pkcs8}} {
		if err := pem.Encode(&buf, b); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "spn.pem")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFromEnv(t *testing.T) {
	certPath := writeCert(t)
	junkPath := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junkPath, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	const (
		tenant = "00000000-0000-0000-0000-000000000001"
		app    = "00000000-0000-0000-0000-000000000002"
	)
	tests := []struct {
		name     string
		env      map[string]string
		wantType string // %T of the credential; "" for none
		wantErr  string
	}{
		{name: "unset", env: map[string]string{}},
		{name: "blank", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "  "}},
		{
			name:    "unknown type",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "PSCRED"},
			wantErr: `AZCOPY_AUTO_LOGIN_TYPE="PSCRED" is not supported; valid values are SPN, MSI, AZCLI, WORKLOAD, DEVICE`,
		},
		{
			name:     "SPN secret, lower case",
			env:      map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "spn", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant, "AZCOPY_SPA_CLIENT_SECRET": "client-s3cret"},
			wantType: "*azidentity.ClientSecretCredential",
		},
		{
			name: "SPN certificate wins over secret",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant,
				"AZCOPY_SPA_CERT_PATH": certPath, "AZCOPY_SPA_CLIENT_SECRET": "ignored"},
			wantType: "*azidentity.ClientCertificateCredential",
		},
		{
			name: "SPN sovereign cloud",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant,
				"AZCOPY_SPA_CLIENT_SECRET": "client-s3cret", "AZCOPY_ACTIVE_DIRECTORY_ENDPOINT": "https://login.chinacloudapi.cn"},
			wantType: "*azidentity.ClientSecretCredential",
		},
		{
			name:    "SPN without secret or certificate",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant},
			wantErr: "AZCOPY_AUTO_LOGIN_TYPE=SPN: set AZCOPY_SPA_CLIENT_SECRET or AZCOPY_SPA_CERT_PATH",
		},
		{
			name:    "SPN without application and tenant",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_CLIENT_SECRET": "client-s3cret"},
			wantErr: "AZCOPY_AUTO_LOGIN_TYPE=SPN: set AZCOPY_SPA_APPLICATION_ID and AZCOPY_TENANT_ID",
		},
		{
			name:    "SPN without tenant",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_SPA_CLIENT_SECRET": "client-s3cret"},
			wantErr: "AZCOPY_AUTO_LOGIN_TYPE=SPN: set AZCOPY_TENANT_ID",
		},
		{
			name: "SPN missing certificate file",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant,
				"AZCOPY_SPA_CERT_PATH": "/nonexistent/cert.pem"},
			wantErr: "AZCOPY_SPA_CERT_PATH: open /nonexistent/cert.pem",
		},
		{
			name: "SPN unreadable certificate",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant,
				"AZCOPY_SPA_CERT_PATH": junkPath, "AZCOPY_SPA_CERT_PASSWORD": "pw"},
			wantErr: "cannot load the certificate and its private key (is AZCOPY_SPA_CERT_PASSWORD right?)",
		},
		{
			name: "SPN bad authority",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "SPN", "AZCOPY_SPA_APPLICATION_ID": app, "AZCOPY_TENANT_ID": tenant,
				"AZCOPY_SPA_CLIENT_SECRET": "client-s3cret", "AZCOPY_ACTIVE_DIRECTORY_ENDPOINT": "http://login.example"},
			wantErr: `AZCOPY_ACTIVE_DIRECTORY_ENDPOINT="http://login.example" is not an https:// URL`,
		},
		{name: "MSI system-assigned", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "MSI"}, wantType: "*azidentity.ManagedIdentityCredential"},
		{name: "MSI client ID", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "msi", "AZCOPY_MSI_CLIENT_ID": app}, wantType: "*azidentity.ManagedIdentityCredential"},
		{name: "MSI object ID", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "MSI", "AZCOPY_MSI_OBJECT_ID": app}, wantType: "*azidentity.ManagedIdentityCredential"},
		{
			name:     "MSI resource",
			env:      map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "MSI", "AZCOPY_MSI_RESOURCE_STRING": "/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/z"},
			wantType: "*azidentity.ManagedIdentityCredential",
		},
		{name: "AZCLI", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "AzCli"}, wantType: "*azidentity.AzureCLICredential"},
		{name: "AZCLI tenant", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "AZCLI", "AZCOPY_TENANT_ID": tenant}, wantType: "*azidentity.AzureCLICredential"},
		{
			name:    "AZCLI bad tenant",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "AZCLI", "AZCOPY_TENANT_ID": "bad tenant!"},
			wantErr: "AZCOPY_AUTO_LOGIN_TYPE=AZCLI: ",
		},
		{
			name: "WORKLOAD",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "workload", "AZURE_CLIENT_ID": app, "AZURE_TENANT_ID": tenant,
				"AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token", "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com/"},
			wantType: "*azidentity.WorkloadIdentityCredential",
		},
		{
			name: "WORKLOAD tenant from AZCOPY_TENANT_ID",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "WORKLOAD", "AZURE_CLIENT_ID": app, "AZCOPY_TENANT_ID": tenant,
				"AZURE_FEDERATED_TOKEN_FILE": "/tok"},
			wantType: "*azidentity.WorkloadIdentityCredential",
		},
		{
			name:    "WORKLOAD unconfigured",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "WORKLOAD"},
			wantErr: "AZCOPY_AUTO_LOGIN_TYPE=WORKLOAD: set AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE, AZCOPY_TENANT_ID or AZURE_TENANT_ID (the Azure Workload Identity webhook sets them in the pod)",
		},
		{
			name:    "WORKLOAD without token file",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "WORKLOAD", "AZURE_CLIENT_ID": app, "AZURE_TENANT_ID": tenant},
			wantErr: "set AZURE_FEDERATED_TOKEN_FILE (",
		},
		{
			name: "WORKLOAD bad authority",
			env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "WORKLOAD", "AZURE_CLIENT_ID": app, "AZURE_TENANT_ID": tenant,
				"AZURE_FEDERATED_TOKEN_FILE": "/tok", "AZURE_AUTHORITY_HOST": "login.example"},
			wantErr: `AZURE_AUTHORITY_HOST="login.example" is not an https:// URL`,
		},
		{name: "DEVICE", env: map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "Device"}, wantType: "*azidentity.DeviceCodeCredential"},
		{
			name:     "DEVICE with tenant and application",
			env:      map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "DEVICE", "AZCOPY_TENANT_ID": tenant, "AZCOPY_SPA_APPLICATION_ID": app},
			wantType: "*azidentity.DeviceCodeCredential",
		},
		{
			name:    "DEVICE bad authority",
			env:     map[string]string{"AZCOPY_AUTO_LOGIN_TYPE": "DEVICE", "AZCOPY_ACTIVE_DIRECTORY_ENDPOINT": "::"},
			wantErr: "AZCOPY_ACTIVE_DIRECTORY_ENDPOINT=",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			cred, err := FromEnv(getenv, &bytes.Buffer{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("FromEnv error = %v, want containing %q", err, tt.wantErr)
				}
				if cred != nil {
					t.Fatalf("FromEnv returned a credential (%T) with an error", cred)
				}
				if s := tt.env["AZCOPY_SPA_CLIENT_SECRET"]; s != "" && strings.Contains(err.Error(), s) {
					t.Fatalf("FromEnv error leaks the client secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromEnv: %v", err)
			}
			if got := typeName(cred); got != tt.wantType {
				t.Fatalf("FromEnv credential type = %s, want %s", got, tt.wantType)
			}
		})
	}
}

func typeName(c azcore.TokenCredential) string {
	if c == nil {
		return ""
	}
	return fmt.Sprintf("%T", c)
}

func TestDevicePrompt(t *testing.T) {
	var buf bytes.Buffer
	msg := azidentity.DeviceCodeMessage{UserCode: "ABC", VerificationURL: "https://microsoft.com/devicelogin",
		Message: "To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABC."}
	if err := devicePrompt(&buf)(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != msg.Message+"\n" {
		t.Fatalf("prompt wrote %q", got)
	}
	if devicePrompt(nil) == nil {
		t.Fatal("devicePrompt(nil) returned nil")
	}
}
