// Package filesemu is an emulator of the Azure Files REST API (the SMB flavour of
// the service) for tests and local development: shares, directories, files,
// ranges, properties, metadata, SMB properties and permissions, listings, Put
// Range From URL, Copy File, rename, file leases, share snapshots, Shared Key,
// SAS and (unverified) OAuth authorization, and errors as the service sends them. It speaks path-style URLs:
// http://HOST:PORT/ACCOUNT/SHARE/DIR/FILE.
//
// Everything not modelled (share leases, handles, NFS) answers 501
// with x-ms-error-code NotImplemented.
//
// In a Go test, NewTestServer starts one on a free loopback port and stops it
// when the test ends; its URL, Account and Key are what a client needs, and
// CreateShare, ShareSAS and AccountSAS save the test a round of setup calls.
// Start serves one outside tests; New returns the bare http.Handler. The
// command azsync-files-emulator is the same emulator as a standalone program.
package filesemu

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// DevAccount and DevKey are the well-known development account and key that
	// Azurite and the Azure SDKs' emulator helpers use.
	DevAccount = "devstoreaccount1"
	DevKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

	// defaultAPIVersion is answered in x-ms-version when a request names none.
	defaultAPIVersion = "2026-06-06"
)

// Options configures a Server.
type Options struct {
	// Account is the storage account name; DevAccount when empty.
	Account string
	// Key is the base64 account key; DevKey when empty.
	Key string
	// Location, when set, is a directory where shares are persisted (file
	// contents as files, everything else as JSON) and reloaded from on start.
	// Empty means in-memory only.
	Location string
}

// Server is the emulator, an http.Handler. Close it to flush persisted state.
type Server struct {
	account string
	key     []byte
	store   *store
	saver   *saver // nil when in-memory
}

// New builds a Server, loading persisted state from opts.Location if any.
func New(opts Options) (*Server, error) {
	if opts.Account == "" {
		opts.Account = DevAccount
	}
	if opts.Key == "" {
		opts.Key = DevKey
	}
	key, err := base64.StdEncoding.DecodeString(opts.Key)
	if err != nil {
		return nil, fmt.Errorf("filesemu: account key is not base64: %w", err)
	}
	s := &Server{account: opts.Account, key: key}
	if opts.Location == "" {
		s.store = newStore("")
		return s, nil
	}
	s.store, s.saver, err = openPersisted(opts.Location)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Close flushes persisted state; the Server must not serve requests afterwards.
func (s *Server) Close() error {
	if s.saver == nil {
		return nil
	}
	return s.saver.close()
}

// call is one request being served.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	q         url.Values
	t         target
	requestID string
}

// ServeHTTP answers one REST request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := &call{w: w, r: r, q: r.URL.Query(), requestID: newRequestID()}
	h := w.Header()
	setMS(h, "x-ms-request-id", c.requestID)
	version := r.Header.Get("x-ms-version")
	if version == "" {
		version = defaultAPIVersion
	}
	setMS(h, "x-ms-version", version)
	if id := r.Header.Get("x-ms-client-request-id"); id != "" {
		setMS(h, "x-ms-client-request-id", id)
	}
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	h.Set("Server", "Azure-Files-Emulator/azsync")

	if err := s.serve(c); err != nil {
		var e *apiError
		if !errors.As(err, &e) {
			e = newError(http.StatusInternalServerError, "InternalError", "%v", err)
		}
		writeError(w, r, c.requestID, e)
	}
}

func (s *Server) serve(c *call) error {
	keepDots := strings.EqualFold(c.r.Header.Get("x-ms-allow-trailing-dot"), "true")
	t, err := parseTarget(requestPath(c.r), s.account, keepDots)
	if err != nil {
		return err
	}
	t.snapshot = c.q.Get("sharesnapshot")
	c.t = t
	op, err := selectOperation(c.r.Method, c.q, t)
	if err != nil {
		return err
	}
	if err := s.authorize(c.r, c.q, t, op); err != nil {
		return err
	}
	if err := op.handle(s, c); err != nil {
		return err
	}
	if op.mutates && s.saver != nil {
		s.saver.markDirty()
	}
	return nil
}

// setMS sets a response header under its exact lower-case name, the way the
// service spells x-ms-* headers on the wire (Header.Set would canonicalize it).
func setMS(h http.Header, name, value string) {
	h[name] = []string{value}
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	x := hex.EncodeToString(b[:])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

// Running is an emulator listening on a TCP address.
type Running struct {
	// URL is the account endpoint, e.g. http://127.0.0.1:10004/devstoreaccount1.
	URL string
	// Addr is the address actually listened on (useful with port 0).
	Addr string
	// Server is the emulator itself: its account, key, SAS and share helpers.
	*Server

	http      *http.Server
	active    atomic.Int64 // requests being served
	stopWatch func() bool
	closeOnce sync.Once
	closeErr  error
}

// shutdownGrace is how long Close lets requests in flight finish.
const shutdownGrace = 5 * time.Second

// Start serves a new emulator on addr (e.g. "127.0.0.1:0" for a free port) until
// ctx is done or Close is called.
func Start(ctx context.Context, opts Options, addr string) (*Running, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	rn := &Running{
		URL:    "http://" + ln.Addr().String() + "/" + s.account,
		Addr:   ln.Addr().String(),
		Server: s,
	}
	rn.http = &http.Server{ReadHeaderTimeout: time.Minute, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rn.active.Add(1)
		defer rn.active.Add(-1)
		s.ServeHTTP(w, r)
	})}
	go func() { _ = rn.http.Serve(ln) }()
	rn.stopWatch = context.AfterFunc(ctx, func() { _ = rn.Close() })
	return rn, nil
}

// Close stops listening, waits briefly for requests in flight and flushes
// persisted state. It is safe to call more than once.
func (rn *Running) Close() error {
	rn.closeOnce.Do(func() {
		rn.stopWatch()
		rn.closeErr = errors.Join(rn.shutdown(), rn.Server.Close())
	})
	return rn.closeErr
}

// shutdown stops accepting connections, lets requests in flight finish, then
// drops the remaining connections. http.Server.Shutdown alone would also wait
// (5 s) for connections a client opened but never sent a request on.
func (rn *Running) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		_ = rn.http.Shutdown(ctx)
		close(stopped)
	}()
	for rn.active.Load() > 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	err := rn.http.Close()
	<-stopped
	return err
}
