package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/azsync/azsync/internal/location"
)

func serviceError(t *testing.T, status int, code string) error {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://acct.blob.core.windows.net/c?sv=1&sig=SECRETSIGNATURE", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := &http.Response{
		StatusCode: status,
		Status:     http.StatusText(status),
		Header:     http.Header{"X-Ms-Error-Code": {code}},
		Body:       io.NopCloser(strings.NewReader("<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>long\ntext</Message></Error>")),
		Request:    req,
	}
	return runtime.NewResponseError(resp)
}

func TestDescribeIsOneRedactedLineWithAHint(t *testing.T) {
	err := fmt.Errorf("listing https://acct.blob.core.windows.net/c?sig=SECRETSIGNATURE: %w", serviceError(t, 403, "AuthorizationPermissionMismatch"))
	got := describe(err)
	for _, want := range []string{"listing https://acct.blob.core.windows.net/c?sig=REDACTED", "403 AuthorizationPermissionMismatch", "lacks a permission"} {
		if !strings.Contains(got, want) {
			t.Errorf("describe() = %q, lacks %q", got, want)
		}
	}
	for _, bad := range []string{"\n", "SECRETSIGNATURE", "<Error>", "RESPONSE"} {
		if strings.Contains(got, bad) {
			t.Errorf("describe() = %q, holds %q", got, bad)
		}
	}
}

func TestDescribePlainErrors(t *testing.T) {
	if got := describe(errors.New("first line\nsecond line")); got != "first line" {
		t.Errorf("describe() = %q", got)
	}
}

func TestConcurrency(t *testing.T) {
	for _, v := range []string{"", "auto", "AUTO"} {
		if n, err := concurrency(v); err != nil || n != DefaultConcurrency(goruntime.NumCPU()) {
			t.Errorf("concurrency(%q) = %d, %v", v, n, err)
		}
	}
	if n, err := concurrency("7"); err != nil || n != 7 {
		t.Errorf("concurrency(7) = %d, %v", n, err)
	}
	for cores, want := range map[int]int{1: 128, 2: 128, 8: 256, 64: 300} {
		if n := DefaultConcurrency(cores); n != want {
			t.Errorf("DefaultConcurrency(%d) = %d, want %d", cores, n, want)
		}
	}
	for _, v := range []string{"0", "-3", "many"} {
		if _, err := concurrency(v); err == nil {
			t.Errorf("concurrency(%q) accepted", v)
		}
	}
}

func TestBufferBytes(t *testing.T) {
	if n, err := bufferBytes(""); err != nil || n != 0 {
		t.Errorf("unset: %d, %v", n, err)
	}
	if n, err := bufferBytes("0.5"); err != nil || n != 1<<29 {
		t.Errorf("0.5: %d, %v", n, err)
	}
	for _, v := range []string{"0", "-1", "lots", "5000"} {
		if _, err := bufferBytes(v); err == nil {
			t.Errorf("bufferBytes(%q) accepted", v)
		}
	}
}

func TestTryTimeout(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 15 * time.Minute, "0.1": 6 * time.Second, "2": 2 * time.Minute} {
		if d, err := tryTimeout(v); err != nil || d != want {
			t.Errorf("tryTimeout(%q) = %v, %v; want %v", v, d, err, want)
		}
	}
	for _, v := range []string{"0", "-1", "0.001", "soon", "5m", "+1", "1m5", "1e1", "0x1p2", "Inf", "NaN"} {
		if _, err := tryTimeout(v); err == nil {
			t.Errorf("tryTimeout(%q) accepted", v)
		}
	}
}

func TestParseDelete(t *testing.T) {
	for _, v := range []string{"true", "FALSE", "Prompt"} {
		if _, err := parseDelete(v); err != nil {
			t.Errorf("parseDelete(%q): %v", v, err)
		}
	}
	if _, err := parseDelete("yes"); err == nil {
		t.Error("parseDelete(yes) accepted")
	}
}

func TestFlagTypoSuggestsTheNearestFlag(t *testing.T) {
	var out, errOut strings.Builder
	for typo, want := range map[string]string{
		"--recursiv": "did you mean --recursive?", "--dryrun": "did you mean --dry-run?",
		"--delete-dest": "did you mean --delete-destination?", "--output-typ": "did you mean --output-type?",
	} {
		errOut.Reset()
		code := Main([]string{"sync", "a", "b", typo}, Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }})
		if code != 1 || !strings.Contains(errOut.String(), "unknown flag: "+typo) || !strings.Contains(errOut.String(), want) {
			t.Errorf("%s: exit %d, stderr %q; want %q", typo, code, errOut.String(), want)
		}
	}
	errOut.Reset()
	Main([]string{"sync", "a", "b", "--zzzzzzzz"}, Env{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }})
	if strings.Contains(errOut.String(), "did you mean") {
		t.Errorf("a suggestion for a name far from every flag: %q", errOut.String())
	}
}

func TestDescribeSaysWhenTheSASExpired(t *testing.T) {
	j := &job{}
	var err error
	if j.src, j.dst, err = location.Resolve("/tmp/x", "https://acct.blob.core.windows.net/c?sv=2024-01-01&se=2020-05-01T10%3A00%3A00Z&sp=rl&sig=SECRETSIGNATURE", location.FromTo{}); err != nil {
		t.Fatal(err)
	}
	got := j.describe(fmt.Errorf("listing https://acct.blob.core.windows.net/c: %w", serviceError(t, 403, "AuthenticationFailed")))
	if !strings.Contains(got, "the destination SAS expired at 2020-05-01T10:00:00Z") || strings.Contains(got, "SECRETSIGNATURE") {
		t.Errorf("describe() = %q", got)
	}
	// Other refusals keep their hint.
	if got := j.describe(serviceError(t, 404, "ContainerNotFound")); !strings.Contains(got, "the container does not exist") {
		t.Errorf("describe() = %q", got)
	}
}

func TestDescribeTransportErrors(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:9/c?sig=SECRETSIGNATURE") // the discard port: nothing listens
	if err == nil {
		t.Skip("something listens on port 9")
	}
	got := describe(fmt.Errorf("reading container http://127.0.0.1:9/c: %w", err))
	if !strings.Contains(got, "connection refused (nothing answers at that address") || strings.Contains(got, "SECRET") || strings.Contains(got, `Get "`) {
		t.Errorf("describe() = %q", got)
	}
}
