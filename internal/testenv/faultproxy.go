package testenv

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Fault says what the proxy does to one request.
type Fault int

const (
	Pass           Fault = iota // forward it
	Busy                        // answer 503 ServerBusy, as a throttled account does
	Internal                    // answer 500 InternalError
	Reset                       // drop the connection without an answer
	Forbidden                   // answer 403 AuthorizationFailure (permanent)
	CutBody                     // forward it, send the answer's headers and half its body, then drop the connection
	BusyRetryAfter              // answer 503 ServerBusy with Retry-After: 1
	Truncate                    // forward it and end the answer cleanly after half its body, as a cut proxy does
	// CannotVerify answers 403 CannotVerifyCopySource, as a destination account does to a copy
	// from a source behind a firewall or private endpoint.
	CannotVerify
	CutRequest // read half the request's body, then drop the connection (CutBody when it has none)
	Stall      // hold it until the client gives up: a GET gets headers and half its body first
	Slow       // forward it after SlowDelay, as a distant service answers
	Squeeze    // forward it with both bodies paced by the proxy's SqueezeRate, shared by all
)

// SlowDelay is what Slow adds to a request; SqueezeRate is the bandwidth that Squeeze requests share.
const (
	SlowDelay   = 100 * time.Millisecond
	SqueezeRate = 1 << 20 // bytes per second
)

// FaultProxy forwards to a service and injects faults chosen per request by a rule, so tests can
// show what retries and permanent failures do to a sync.
type FaultProxy struct {
	URL     string // http://127.0.0.1:PORT: use it in place of the service's scheme and host
	server  *httptest.Server
	mu      sync.Mutex
	seen    map[Fault]int
	squeeze *rate.Limiter
	closing chan struct{} // closed by Close: stalled requests end
}

// NewFaultProxy proxies to target (scheme://host:port); rule picks the fault for the n-th request (from 1).
func NewFaultProxy(target string, rule func(n int, r *http.Request) Fault) (*FaultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	u.Path = ""
	rp := httputil.NewSingleHostReverseProxy(u)
	// The faults cut and abandon requests on purpose: what the proxy logs of them is noise.
	rp.ErrorLog = log.New(io.Discard, "", 0)
	p := &FaultProxy{seen: map[Fault]int{}, closing: make(chan struct{}),
		squeeze: rate.NewLimiter(SqueezeRate, squeezeBurst)}
	var mu sync.Mutex
	n := 0
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		f := rule(n, r)
		mu.Unlock()
		p.mu.Lock()
		p.seen[f]++
		p.mu.Unlock()
		p.inject(w, r, f, rp)
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.server = &httptest.Server{Listener: l, Config: &http.Server{Handler: handler}}
	p.server.Start()
	p.URL = p.server.URL
	return p, nil
}

// inject answers r as fault f says, forwarding it through rp when the fault needs the service's answer.
func (p *FaultProxy) inject(w http.ResponseWriter, r *http.Request, f Fault, rp *httputil.ReverseProxy) {
	switch f {
	case CutRequest:
		if r.ContentLength > 1 {
			io.CopyN(io.Discard, r.Body, r.ContentLength/2)
			reset(w)
			return
		}
		halfAnswer(w, r, rp, false)
	case Stall:
		p.stall(w, r, rp)
	case Slow:
		select {
		case <-time.After(SlowDelay):
		case <-r.Context().Done():
			return
		}
		rp.ServeHTTP(w, r)
	case Squeeze:
		r.Body = pacedReader{r.Context(), r.Body, p.squeeze}
		rp.ServeHTTP(pacedWriter{w, r.Context(), p.squeeze}, r)
	case Busy:
		serviceError(w, http.StatusServiceUnavailable, "ServerBusy", "The server is busy.")
	case Internal:
		serviceError(w, http.StatusInternalServerError, "InternalError", "The server encountered an internal error.")
	case BusyRetryAfter:
		w.Header().Set("Retry-After", "1")
		serviceError(w, http.StatusServiceUnavailable, "ServerBusy", "The server is busy.")
	case Forbidden:
		serviceError(w, http.StatusForbidden, "AuthorizationFailure", "This request is not authorized to perform this operation.")
	case CannotVerify:
		serviceError(w, http.StatusForbidden, "CannotVerifyCopySource", "This request is not authorized to perform this operation.")
	case Reset:
		reset(w)
	case CutBody, Truncate:
		halfAnswer(w, r, rp, f == Truncate)
	default:
		rp.ServeHTTP(w, r)
	}
}

// halfAnswer forwards r and sends the headers and half the body of the answer. Truncated, the half
// ends cleanly as if it were whole; otherwise the connection drops before the promised length.
func halfAnswer(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy, truncate bool) {
	rec := record(r, rp)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if truncate {
		// No length: the half body ends as if it were whole, and the connection closes.
		w.Header().Del("Content-Length")
		w.Header().Set("Connection", "close")
		w.WriteHeader(rec.Code)
		w.Write(body[:len(body)/2])
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body[:len(body)/2])
	reset(w)
}

// record forwards r and keeps the whole answer. The request goes without Expect: 100-continue,
// whose interim answer a recorder would take for the final one (and the client would get a 200).
func record(r *http.Request, rp *httputil.ReverseProxy) *httptest.ResponseRecorder {
	r.Header.Del("Expect")
	rec := httptest.NewRecorder()
	rp.ServeHTTP(rec, r)
	return rec
}

// stall holds r until the client gives up on it (or the proxy closes). A GET first gets the
// answer's headers and half its body, so that the client is stuck reading the body; any other
// request has its body read and no answer.
func (p *FaultProxy) stall(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) {
	if r.Method == http.MethodGet {
		rec := record(r, rp)
		body := rec.Body.Bytes()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
	} else {
		io.Copy(io.Discard, r.Body)
	}
	select {
	case <-r.Context().Done():
	case <-p.closing:
	}
}

// squeezeBurst is the most bytes a paced read or write moves at once.
const squeezeBurst = 32 << 10

// pacedReader reads a request body no faster than its limiter allows.
type pacedReader struct {
	ctx context.Context
	io.ReadCloser
	lim *rate.Limiter
}

func (r pacedReader) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b[:min(len(b), squeezeBurst)])
	if werr := r.lim.WaitN(r.ctx, n); werr != nil && err == nil {
		err = werr
	}
	return n, err
}

// pacedWriter writes an answer no faster than its limiter allows.
type pacedWriter struct {
	http.ResponseWriter
	ctx context.Context
	lim *rate.Limiter
}

func (w pacedWriter) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		n := min(len(b), squeezeBurst)
		if err := w.lim.WaitN(w.ctx, n); err != nil {
			return written, err
		}
		m, err := w.ResponseWriter.Write(b[:n])
		written += m
		if err != nil {
			return written, err
		}
		b = b[n:]
	}
	return written, nil
}

// Flush passes on the reverse proxy's flushes, so that paced bytes leave as they are written.
func (w pacedWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// reset drops the connection with a TCP RST, after whatever was written so far.
func reset(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, buf, err := hj.Hijack(); err == nil {
			buf.Flush()
			if tcp, ok := conn.(*net.TCPConn); ok {
				tcp.SetLinger(0) // RST, not FIN
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

func serviceError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("x-ms-error-code", code)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`))
}

// Count is how many requests got fault f so far.
func (p *FaultProxy) Count(f Fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen[f]
}

// Close stops the proxy, ending the requests it stalls.
func (p *FaultProxy) Close() {
	close(p.closing)
	p.server.Close()
}
