package main

import (
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// latencyProxy stands between a tool and the emulator on 127.0.0.1 and makes the emulator look as far
// away as a real storage account: every request waits half the round-trip time on its way in and
// half on its way out, and every new connection one round trip (the TCP handshake) before its first
// request is read. Bandwidth is not limited. It also counts the requests by kind, which is how the
// benchmark reports requests per file.
type latencyProxy struct {
	URL    string // http://127.0.0.1:PORT, in place of the emulator's scheme and host
	rtt    time.Duration
	server *http.Server
	ln     net.Listener

	mu     sync.Mutex
	counts map[string]int64
}

func startLatencyProxy(target string, rtt time.Duration) (*latencyProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	u.Path = ""
	rp := httputil.NewSingleHostReverseProxy(u)
	// The proxy must never be the bottleneck: as many connections to the emulator as tools open to it.
	// Idle connections are dropped before Azurite's 5 s keep-alive ends them: one reused as Azurite
	// closes it is reset, and the tool's retry of the 502 (seconds of back-off) lands in its row.
	rp.Transport = &http.Transport{Proxy: nil, MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: 3 * time.Second,
		DisableCompression: true}
	rp.BufferPool = bufferPool{}
	p := &latencyProxy{rtt: rtt, counts: map[string]int64{}}
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.StatusCode >= 400 {
			// Failed requests are worth seeing by code: a 404 ParentNotFound per directory is a
			// round trip a better request order saves.
			p.count(fmt.Sprintf("  ↳ %d %s", resp.StatusCode, resp.Header.Get("x-ms-error-code")))
		}
		sleep(resp.Request.Context(), p.rtt/2)
		return nil
	}
	rp.ErrorLog = nil
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.count(requestKind(r))
		sleep(r.Context(), p.rtt/2)
		rp.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.ln = handshakeListener{Listener: ln, rtt: rtt}
	p.server = &http.Server{Handler: handler, ReadHeaderTimeout: time.Minute}
	go p.server.Serve(p.ln)
	p.URL = "http://" + ln.Addr().String()
	return p, nil
}

func (p *latencyProxy) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.server.Shutdown(ctx)
}

// rewrite points a URL of the emulator at the proxy.
func (p *latencyProxy) rewrite(emulatorURL string) string {
	u, err := url.Parse(emulatorURL)
	if err != nil {
		return emulatorURL
	}
	u.Scheme, u.Host = "http", strings.TrimPrefix(p.URL, "http://")
	return u.String()
}

func (p *latencyProxy) count(kind string) {
	p.mu.Lock()
	p.counts[kind]++
	p.mu.Unlock()
}

// take returns the counts since the last call and starts again from zero.
func (p *latencyProxy) take() requestCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts
	p.counts = map[string]int64{}
	return c
}

// requestCounts is requests by kind; failures are counted a second time under "  ↳ status code".
type requestCounts map[string]int64

func (c requestCounts) total() int64 {
	var n int64
	for k, v := range c {
		if !strings.HasPrefix(k, " ") {
			n += v
		}
	}
	return n
}

// String lists the kinds, most frequent first: "Put Blob 5000, List Blobs 51".
func (c requestCounts) String() string {
	keys := slices.SortedFunc(maps.Keys(c), func(a, b string) int {
		if c[a] != c[b] {
			return int(c[b] - c[a])
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", strings.TrimSpace(k), c[k])
	}
	return strings.Join(parts, ", ")
}

// requestKind names a Blob or Files REST operation from its method, query and headers.
func requestKind(r *http.Request) string {
	q := r.URL.Query()
	comp, restype := q.Get("comp"), q.Get("restype")
	switch {
	case comp == "list":
		return "List"
	case r.Method == http.MethodPut && comp == "block":
		return "Put Block"
	case r.Method == http.MethodPut && comp == "blocklist":
		return "Put Block List"
	case r.Method == http.MethodPut && comp == "range":
		return "Put Range"
	case r.Method == http.MethodPut && comp == "properties":
		return "Set Properties"
	case r.Method == http.MethodPut && comp == "metadata":
		return "Set Metadata"
	case r.Method == http.MethodPut && comp == "rename":
		return "Rename"
	case r.Method == http.MethodPut && restype == "directory":
		return "Create Directory"
	case r.Method == http.MethodPut && restype == "container":
		return "Create Container"
	case r.Method == http.MethodPut && r.Header.Get("x-ms-blob-type") != "":
		return "Put Blob"
	case r.Method == http.MethodPut && r.Header.Get("x-ms-type") == "file":
		return "Create File"
	case (r.Method == http.MethodGet || r.Method == http.MethodHead) && comp == "" && restype != "":
		return "Get " + restype + " Properties"
	case r.Method == http.MethodGet && comp == "":
		return "Get (read)"
	case r.Method == http.MethodHead:
		return "Get Properties"
	case r.Method == http.MethodDelete && comp == "":
		return "Delete"
	}
	kind := r.Method
	if comp != "" {
		kind += " comp=" + comp
	}
	if restype != "" {
		kind += " restype=" + restype
	}
	return kind
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// handshakeListener delays the first read on every accepted connection by one round trip, the
// time a TCP handshake takes before the client can send its request.
type handshakeListener struct {
	net.Listener
	rtt time.Duration
}

func (l handshakeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &handshakeConn{Conn: c, rtt: l.rtt}, nil
}

type handshakeConn struct {
	net.Conn
	rtt  time.Duration
	once sync.Once
}

func (c *handshakeConn) Read(b []byte) (int, error) {
	c.once.Do(func() { time.Sleep(c.rtt) })
	return c.Conn.Read(b)
}

// bufferPool lends the reverse proxy 256 KiB copy buffers, so a 1 GiB transfer costs it few copies.
type bufferPool struct{}

var proxyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (bufferPool) Get() []byte  { return *proxyBuffers.Get().(*[]byte) }
func (bufferPool) Put(b []byte) { proxyBuffers.Put(&b) }
