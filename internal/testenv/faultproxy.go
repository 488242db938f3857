package testenv

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
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
)

// FaultProxy forwards to a service and injects faults chosen per request by a rule, so tests can
// show what retries and permanent failures do to a sync.
type FaultProxy struct {
	URL    string // http://127.0.0.1:PORT: use it in place of the service's scheme and host
	server *httptest.Server
	mu     sync.Mutex
	seen   map[Fault]int
}

// NewFaultProxy proxies to target (scheme://host:port); rule picks the fault for the n-th request (from 1).
func NewFaultProxy(target string, rule func(n int, r *http.Request) Fault) (*FaultProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	u.Path = ""
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &FaultProxy{seen: map[Fault]int{}}
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
		inject(w, r, f, rp)
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
func inject(w http.ResponseWriter, r *http.Request, f Fault, rp *httputil.ReverseProxy) {
	switch f {
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
	rec := httptest.NewRecorder()
	rp.ServeHTTP(rec, r)
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

// Close stops the proxy.
func (p *FaultProxy) Close() { p.server.Close() }
