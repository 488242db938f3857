package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	goruntime "runtime"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
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
