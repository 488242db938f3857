package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

func TestTrustedSuffixes(t *testing.T) {
	defaults := []string{"core.windows.net", "core.chinacloudapi.cn", "core.usgovcloudapi.net", "storage.azure.net"}
	tests := []struct {
		extra   string
		want    []string // beyond the defaults
		wantErr string
	}{
		{extra: ""},
		{extra: " ; ;;"},
		{extra: "*.Example.NET", want: []string{"example.net"}},
		{extra: ".example.net;example.org;*.example.net", want: []string{"example.net", "example.org"}},
		{extra: "core.windows.net;*.core.windows.net"},
		{extra: "127.0.0.1", want: []string{"127.0.0.1"}},
		{extra: "[::1]; 0:0::1 ;localhost", want: []string{"::1", "localhost"}},
		{extra: "azurestack.external;x-1.y2", want: []string{"azurestack.external", "x-1.y2"}},
		{extra: "127.0.0.1:10000", wantErr: `"127.0.0.1:10000" is not a domain suffix`},
		{extra: "ok.net;*", wantErr: `"*"`},
		{extra: "*example.net", wantErr: `"*example.net"`},
		{extra: "a.*.net", wantErr: `"a.*.net"`},
		{extra: "*.", wantErr: `"*."`},
		{extra: "a..b", wantErr: `"a..b"`},
		{extra: "example.net.", wantErr: `"example.net."`},
		{extra: "-a.net", wantErr: `"-a.net"`},
		{extra: "a_b.net", wantErr: `"a_b.net"`},
		{extra: "bücher.de", wantErr: `"bücher.de"`},
		{extra: "a b.net", wantErr: `"a b.net"`},
		{extra: "https://x.net", wantErr: `"https://x.net"`},
		{extra: strings.Repeat("a", 64) + ".net", wantErr: "is not a domain suffix"},
	}
	for _, tt := range tests {
		got, err := TrustedSuffixes(tt.extra)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "--trusted-microsoft-suffixes") {
				t.Errorf("TrustedSuffixes(%q) error = %v, want containing %q", tt.extra, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("TrustedSuffixes(%q): %v", tt.extra, err)
			continue
		}
		if want := append(slices.Clone(defaults), tt.want...); !slices.Equal(got, want) {
			t.Errorf("TrustedSuffixes(%q) = %q, want %q", tt.extra, got, want)
		}
	}
	// The defaults must not be shared with callers.
	a, _ := TrustedSuffixes("")
	a[0] = "changed"
	if b, _ := TrustedSuffixes(""); b[0] != "core.windows.net" {
		t.Fatal("TrustedSuffixes returns a shared slice")
	}
}

func TestCheckHost(t *testing.T) {
	suffixes, err := TrustedSuffixes("*.example.net;127.0.0.1;::1;localhost")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		host string
		ok   bool
	}{
		{"acct.blob.core.windows.net", true},
		{"ACCT.Blob.Core.Windows.NET", true},
		{"acct.blob.core.windows.net:443", true},
		{"acct.blob.core.windows.net.", true},
		{"acct.file.core.chinacloudapi.cn", true},
		{"acct.blob.core.usgovcloudapi.net", true},
		{"acct.z7.blob.storage.azure.net", true},
		{"core.windows.net", true},
		{"evilcore.windows.net", false},
		{"acct.blob.core.windows.net.evil.com", false},
		{"windows.net", false},
		{"acct.blob.core.cloudapi.de", false},
		{"example.net", true},
		{"a.b.example.net", true},
		{"badexample.net", false},
		{"127.0.0.1", true},
		{"127.0.0.1:10000", true},
		{"127.0.0.2", false},
		{"x.127.0.0.1", false},
		{"[::1]:10000", true},
		{"[::1]", true},
		{"::1", true},
		{"[0:0::1]:1", true},
		{"[::2]:1", false},
		{"localhost:10000", true},
		{"sub.localhost", true},
		{"", false},
		{":443", false},
	}
	for _, tt := range tests {
		err := CheckHost(tt.host, suffixes)
		if (err == nil) != tt.ok {
			t.Errorf("CheckHost(%q) = %v, want ok=%v", tt.host, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--trusted-microsoft-suffixes") {
			t.Errorf("CheckHost(%q) error %q does not mention --trusted-microsoft-suffixes", tt.host, err)
		}
	}
	// Suffixes given with their wildcard spelling are understood too; an IP
	// never suffix-matches a name-like entry.
	for _, tt := range []struct {
		host     string
		suffixes []string
		ok       bool
	}{
		{"a.example.org", []string{"*.example.org"}, true},
		{"a.example.org", []string{".EXAMPLE.org"}, true},
		{"a.example.org", []string{"", "*", "*."}, false},
		{"10.0.0.1", []string{"0.0.1"}, false},
		{"10.0.0.1", []string{"[10.0.0.1]"}, true},
	} {
		if err := CheckHost(tt.host, tt.suffixes); (err == nil) != tt.ok {
			t.Errorf("CheckHost(%q, %q) = %v, want ok=%v", tt.host, tt.suffixes, err, tt.ok)
		}
	}
	err = CheckHost("evil.example.com:443", suffixes)
	if err == nil || !strings.Contains(err.Error(), `"evil.example.com"`) {
		t.Errorf("CheckHost error %v does not name the host", err)
	}
}

// fakeTransport records the requests that reach the network.
type fakeTransport struct {
	sent []*http.Request
}

func (f *fakeTransport) Do(req *http.Request) (*http.Response, error) {
	f.sent = append(f.sent, req)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

type fakeCredential struct{}

func (fakeCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: "secret-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// countPolicy counts the attempts that reach it.
type countPolicy struct{ n *atomic.Int32 }

func (c countPolicy) Do(req *policy.Request) (*http.Response, error) {
	c.n.Add(1)
	return req.Next()
}

func TestHostGuard(t *testing.T) {
	suffixes, err := TrustedSuffixes("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	bearer := runtime.NewBearerTokenPolicy(fakeCredential{}, []string{"https://storage.azure.com/.default"}, nil)
	// pipeline builds the SDK's order: retry, then the bearer policy (as the
	// storage clients add it), then the caller's per-retry policies.
	pipeline := func(transport policy.Transporter, attempts *atomic.Int32, withToken bool) runtime.Pipeline {
		var plOpts runtime.PipelineOptions
		if withToken {
			plOpts.PerRetry = []policy.Policy{bearer}
		}
		return runtime.NewPipeline("azsync-test", "v0", plOpts, &policy.ClientOptions{
			Transport:        transport,
			Retry:            policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: time.Millisecond},
			PerRetryPolicies: []policy.Policy{countPolicy{attempts}, HostGuard{Suffixes: suffixes}},
		})
	}
	tests := []struct {
		name      string
		url       string
		withToken bool
		header    map[string]string
		host      string // explicit Host header
		wantSent  bool
	}{
		{name: "token to Azure", url: "https://acct.blob.core.windows.net/c/b", withToken: true, wantSent: true},
		{name: "token to trusted IP", url: "https://127.0.0.1:10000/devstoreaccount1/c", withToken: true, wantSent: true},
		{name: "token to untrusted host", url: "https://evil.example.com/c/b", withToken: true},
		{name: "token to look-alike", url: "https://acct.blob.evilcore.windows.net/c/b", withToken: true},
		{name: "token with Host header override", url: "https://acct.blob.core.windows.net/c", withToken: true, host: "evil.example.com"},
		{name: "SAS to untrusted host", url: "https://evil.example.com/c/b?sig=x", wantSent: true},
		{
			name: "copy-source token to untrusted destination", url: "https://evil.example.com/c/b",
			header: map[string]string{"x-ms-copy-source-authorization": "bearer secret-token"},
		},
		{
			name: "other authorization schemes are not our concern", url: "https://evil.example.com/c/b",
			header: map[string]string{"Authorization": "SharedKey acct:sig"}, wantSent: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transport := &fakeTransport{}
			var attempts atomic.Int32
			req, err := runtime.NewRequest(context.Background(), http.MethodGet, tt.url)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Raw().Header.Set(k, v)
			}
			if tt.host != "" {
				req.Raw().Host = tt.host
			}
			resp, err := pipeline(transport, &attempts, tt.withToken).Do(req)
			if tt.wantSent {
				if err != nil || len(transport.sent) != 1 {
					t.Fatalf("request not sent: resp=%v err=%v sent=%d", resp, err, len(transport.sent))
				}
				return
			}
			if len(transport.sent) != 0 {
				t.Fatalf("request with a token reached the transport (%d times)", len(transport.sent))
			}
			var untrusted *untrustedHostError
			if !errors.As(err, &untrusted) || !strings.Contains(err.Error(), "--trusted-microsoft-suffixes") {
				t.Fatalf("error = %v, want the untrusted-host refusal", err)
			}
			if strings.Contains(err.Error(), "secret-token") {
				t.Fatalf("error leaks the token: %v", err)
			}
			if n := attempts.Load(); n != 1 {
				t.Fatalf("refusal was retried: %d attempts", n)
			}
		})
	}
}
