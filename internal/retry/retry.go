// Package retry watches the azcore retry policy's tries: it stops early on failures that trying again
// cannot fix (a host that does not resolve, a TLS failure, a connection refused again and again) and
// tells the user about each retry as it happens. The azcore policy still decides and does the waiting.
package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// RefusedTries is how many tries a request gets while its connections are refused: a service that
// is restarting comes back within them, a wrong host or port never does.
const RefusedTries = 3

// Policies returns the policies to add to a client whose retry options are opts: perCall goes in
// PerCallPolicies, perRetry in PerRetryPolicies. notify, when set, receives one line per retry
// ("retrying in about 4 s (3 of 8): PUT /c/a.txt: dial tcp …: connection refused"), without secrets.
func Policies(opts policy.RetryOptions, notify func(msg string)) (perCall, perRetry policy.Policy) {
	return counter{}, watch{opts: withDefaults(opts), notify: notify}
}

// tries counts the tries of one request; the per-call policy attaches it, every try shares it.
// call is the request's own context: each try runs under a child of it that ends with the try
// timeout, and only the end of call means the request is abandoned rather than tried again.
type tries struct {
	n    int32
	call context.Context
}

type counter struct{}

func (counter) Do(req *policy.Request) (*http.Response, error) {
	req.SetOperationValue(&tries{call: req.Raw().Context()})
	return req.Next()
}

type watch struct {
	opts   policy.RetryOptions
	notify func(string)
}

type narrowKey struct{}

// WithOptions is policy.WithRetryOptions for one call, told to the watch as well, so that it
// announces only the retries that options make.
func WithOptions(ctx context.Context, opts policy.RetryOptions) context.Context {
	opts = withDefaults(opts)
	return context.WithValue(policy.WithRetryOptions(ctx, opts), narrowKey{}, opts)
}

func (w watch) Do(req *policy.Request) (*http.Response, error) {
	if o, ok := req.Raw().Context().Value(narrowKey{}).(policy.RetryOptions); ok {
		w.opts = o
	}
	resp, err := req.Next()
	var t *tries
	if !req.OperationValue(&t) {
		return resp, err
	}
	t.n++
	if err != nil {
		if t.call.Err() != nil {
			return resp, err
		}
		if Permanent(err) || refused(err) && t.n >= RefusedTries {
			return resp, nonRetriable{err}
		}
	} else if !slices.Contains(w.opts.StatusCodes, resp.StatusCode) {
		return resp, nil
	}
	// azcore gives up, without a retry to announce, after the last try or when the service asks
	// for a longer wait than MaxRetryDelay.
	delay, ok := w.delay(resp, t.n)
	if w.notify != nil && t.n <= w.opts.MaxRetries && ok {
		w.notify(fmt.Sprintf("retrying in about %s (%d of %d): %s %s: %s", seconds(delay),
			t.n, w.opts.MaxRetries, req.Raw().Method, req.Raw().URL.Path, cause(resp, err)))
	}
	return resp, err
}

// Permanent reports failures that trying again cannot fix: a host name that does not resolve and
// TLS failures (a certificate not trusted or not for this host, a server that does not speak TLS).
func Permanent(err error) bool {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var header tls.RecordHeaderError
	var verify *tls.CertificateVerificationError
	var alert tls.AlertError
	return errors.As(err, &dns) && dns.IsNotFound || errors.As(err, &unknownCA) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &header) || errors.As(err, &verify) || errors.As(err, &alert)
}

func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// nonRetriable stops the azcore retry policy (it looks for a NonRetriable method).
type nonRetriable struct{ error }

func (nonRetriable) NonRetriable()   {}
func (e nonRetriable) Unwrap() error { return e.error }

// cause is what went wrong with one try, without the URL (which may carry a SAS).
func cause(resp *http.Response, err error) string {
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return ue.Err.Error()
		}
		return err.Error()
	}
	if code := resp.Header.Get("x-ms-error-code"); code != "" {
		return fmt.Sprintf("the service answered %d %s", resp.StatusCode, code)
	}
	return fmt.Sprintf("the service answered %d", resp.StatusCode)
}

// delay is the wait the azcore policy chooses before the next try, without its jitter: the
// service's Retry-After when it sent one (ok is false when that exceeds MaxRetryDelay: no retry),
// else exponential from RetryDelay up to MaxRetryDelay.
func (w watch) delay(resp *http.Response, try int32) (time.Duration, bool) {
	if resp != nil {
		for _, h := range []struct {
			name string
			unit time.Duration
		}{{"retry-after-ms", time.Millisecond}, {"x-ms-retry-after-ms", time.Millisecond}, {"Retry-After", time.Second}} {
			if n, err := strconv.Atoi(resp.Header.Get(h.name)); err == nil && n > 0 {
				d := time.Duration(n) * h.unit
				return d, d <= w.opts.MaxRetryDelay
			}
		}
	}
	d := time.Duration(math.MaxInt64)
	if try < 62 {
		d = time.Duration(1<<try-1) * w.opts.RetryDelay
	}
	return min(d, w.opts.MaxRetryDelay), true
}

func seconds(d time.Duration) string {
	if d < 10*time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
	return strconv.Itoa(int(d.Round(time.Second).Seconds())) + " s"
}

// withDefaults fills in what azcore fills in for zero options.
func withDefaults(o policy.RetryOptions) policy.RetryOptions {
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	}
	o.MaxRetries = max(o.MaxRetries, 0)
	if o.MaxRetryDelay == 0 {
		o.MaxRetryDelay = 60 * time.Second
	}
	if o.RetryDelay == 0 {
		o.RetryDelay = 800 * time.Millisecond
	}
	if o.StatusCodes == nil {
		o.StatusCodes = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
			http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	}
	return o
}
