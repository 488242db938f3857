package retry

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// fakeTransport answers every try with the next of its results.
type fakeTransport struct {
	mu      sync.Mutex
	tries   int
	results []func() (*http.Response, error)
}

func (f *fakeTransport) Do(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.results[min(f.tries, len(f.results)-1)]
	f.tries++
	resp, err := r()
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

func status(code int, header ...string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(""))}, nil
	}
}

func fail(err error) func() (*http.Response, error) {
	return func() (*http.Response, error) { return nil, err }
}

// send runs one GET through a pipeline with the watch and returns the notes, the tries and the error.
func send(t *testing.T, results ...func() (*http.Response, error)) ([]string, int, error) {
	t.Helper()
	opts := policy.RetryOptions{MaxRetries: 8, RetryDelay: time.Millisecond, MaxRetryDelay: 2 * time.Second}
	var notes []string
	perCall, perRetry := Policies(opts, func(msg string) { notes = append(notes, msg) })
	tr := &fakeTransport{results: results}
	pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{}, &policy.ClientOptions{
		Transport: tr, Retry: opts, PerCallPolicies: []policy.Policy{perCall}, PerRetryPolicies: []policy.Policy{perRetry},
	})
	req, err := runtime.NewRequest(context.Background(), http.MethodGet, "http://127.0.0.1:1/c/a.txt?sv=1&sig=SECRET")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := pl.Do(req)
	if err == nil && resp.StatusCode >= 300 {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return notes, tr.tries, err
}

func TestPermanentFailuresAreNotRetried(t *testing.T) {
	for name, err := range map[string]error{
		"no such host": &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}},
		"bad cert":     x509.UnknownAuthorityError{},
	} {
		notes, tries, got := send(t, fail(err))
		if tries != 1 || got == nil || len(notes) != 0 {
			t.Errorf("%s: %d tries, notes %q, err %v; want one try, no retry", name, tries, notes, got)
		}
	}
}

func TestRefusedConnectionsGiveUpSoon(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	notes, tries, err := send(t, fail(refused))
	if tries != RefusedTries || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("%d tries, err %v; want %d tries and the refusal", tries, err, RefusedTries)
	}
	if len(notes) != RefusedTries-1 || !strings.HasPrefix(notes[0], "retrying in about 0.0 s (1 of 8): GET /c/a.txt: dial tcp: connect: connection refused") {
		t.Errorf("notes %q", notes)
	}
	// A service that comes back is used again.
	notes, tries, err = send(t, fail(refused), status(200))
	if err != nil || tries != 2 || len(notes) != 1 {
		t.Errorf("refused once then up: %d tries, notes %q, err %v", tries, notes, err)
	}
}

func TestEachRetryIsAnnounced(t *testing.T) {
	notes, tries, err := send(t, status(503, "x-ms-error-code", "ServerBusy", "Retry-After", "1"), status(500), status(201))
	if err != nil || tries != 3 {
		t.Fatalf("%d tries, err %v", tries, err)
	}
	want := []string{
		"retrying in about 1.0 s (1 of 8): GET /c/a.txt: the service answered 503 ServerBusy",
		"retrying in about 0.0 s (2 of 8): GET /c/a.txt: the service answered 500",
	}
	if strings.Join(notes, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes\n%s\nwant\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
	for _, n := range notes {
		if strings.Contains(n, "SECRET") {
			t.Errorf("a note shows the SAS: %q", n)
		}
	}
	// 403 is an answer, not a failure to retry.
	if notes, tries, _ := send(t, status(403)); tries != 1 || len(notes) != 0 {
		t.Errorf("403: %d tries, notes %q", tries, notes)
	}
}

// stallOnce blocks its first try until the try's context ends, as a stalled connection does, then
// answers 200.
type stallOnce struct {
	mu    sync.Mutex
	tries int
}

func (s *stallOnce) Do(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.tries++
	first := s.tries == 1
	s.mu.Unlock()
	if first {
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

// TestTryTimeoutIsAnnounced: a try that outlives the try timeout is tried again and the retry is
// shown, like any other; only the end of the request's own context stops it silently.
func TestTryTimeoutIsAnnounced(t *testing.T) {
	opts := policy.RetryOptions{MaxRetries: 3, TryTimeout: 50 * time.Millisecond, RetryDelay: time.Millisecond}
	var notes []string
	perCall, perRetry := Policies(opts, func(msg string) { notes = append(notes, msg) })
	tr := &stallOnce{}
	pl := runtime.NewPipeline("test", "v0", runtime.PipelineOptions{}, &policy.ClientOptions{
		Transport: tr, Retry: opts, PerCallPolicies: []policy.Policy{perCall}, PerRetryPolicies: []policy.Policy{perRetry},
	})
	req, err := runtime.NewRequest(context.Background(), http.MethodGet, "http://127.0.0.1:1/c/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pl.Do(req); err != nil {
		t.Fatalf("a stalled first try was not retried: %v", err)
	}
	if tr.tries != 2 || len(notes) != 1 || !strings.Contains(notes[0], "deadline exceeded") {
		t.Errorf("%d tries, notes %q; want 2 tries and the timeout announced", tr.tries, notes)
	}
}
